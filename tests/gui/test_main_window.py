"""The desktop app, driven like a user would: drops, batches, cancel, close, backend switch, export."""

import csv
import os
import subprocess
import sys

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QTimer, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QMessageBox

from tests.image_fixtures import write_photos, write_tricky_folder


def drop(widget, paths):
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    pos = QPointF(widget.width() / 2, widget.height() / 2)
    args = (Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    try:  # Qt 6.12 takes a QPointF (and deprecates QPoint); Qt 6.11 and older take only a QPoint
        enter = QDragEnterEvent(pos, *args)
    except TypeError:
        enter = QDragEnterEvent(pos.toPoint(), *args)
    QApplication.sendEvent(widget, enter)
    assert enter.isAccepted()
    event = QDropEvent(pos, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, event)


def wait_idle(qtbot, win, timeout=60000):
    qtbot.waitUntil(lambda: not win.is_busy(), timeout=timeout)


def table_paths(win):
    return [r.path for r in win.model.rows()]


def test_dropping_files_folders_and_mixed_lists_queues_the_right_images(qtbot, window, tmp_path):
    photos = write_photos(tmp_path / "a", 3, size=(120, 90))
    expected = write_tricky_folder(tmp_path / "b")
    (tmp_path / "loose.png").write_bytes((tmp_path / "b" / "good.png").read_bytes())
    drop(window, [photos[0], photos[2]])
    qtbot.waitUntil(lambda: window.model.rowCount() == 2)
    assert table_paths(window) == [str(photos[0]), str(photos[2])]
    drop(window, [tmp_path / "b"])
    walked = sorted(str(tmp_path / "b" / n) for n in expected if not n.startswith(".") and not n.endswith(".txt"))
    qtbot.waitUntil(lambda: window.model.rowCount() == 2 + len(walked))
    assert table_paths(window)[2:] == walked
    drop(window, [tmp_path / "a", tmp_path / "loose.png"])  # photos[0] and [2] are already there
    qtbot.waitUntil(lambda: window.model.rowCount() == 2 + len(walked) + 2)
    assert table_paths(window)[-2:] == [str(photos[1]), str(tmp_path / "loose.png")]
    wait_idle(qtbot, window)


def test_batch_fills_every_row_and_the_event_loop_stays_responsive(qtbot, window, tmp_path):
    folder = tmp_path / "batch"
    write_photos(folder, 40, size=(640, 480))
    write_tricky_folder(folder / "tricky")
    # Where the work runs, and whether the event loop turned between batches: structure, not wall-clock time
    # (how long the GUI thread is blocked is measured from outside, by benchmarks/gui_responsiveness.py).
    import threading

    backend = window.handle.worker.backend
    model_threads = set()
    real_predict, real_both = backend.predict, backend.predict_with_activations
    backend.predict = lambda batch: model_threads.add(threading.current_thread()) or real_predict(batch)
    # Recording the units' top images (on by default) runs the model through this one instead.
    backend.predict_with_activations = lambda batch, layers: (model_threads.add(threading.current_thread()) or
                                                              real_both(batch, layers))
    events = []
    window.controller.results_ready.connect(lambda rows, fast: events.append("rows"))
    timer = QTimer()
    timer.timeout.connect(lambda: events.append("tick"))
    timer.start(10)
    window.add_paths([str(folder)])
    qtbot.waitUntil(lambda: window.model.rowCount() > 0 and not window.is_busy(), timeout=120000)
    timer.stop()
    rows = window.model.rows()
    assert len(rows) == 40 + 15
    assert all(r.result is not None for r in rows)
    errors = {os.path.basename(r.path): r.result.error for r in rows if r.result.error}
    assert errors == {
        "bomb.png": "image too large (40000x40000 pixels)", "broken.jpg": "not an image file",
        "empty.jpg": "empty file", "text.png": "not an image file", "truncated.jpg": "truncated JPEG",
    }
    backend.predict, backend.predict_with_activations = real_predict, real_both
    assert model_threads and threading.main_thread() not in model_threads
    batches = [i for i, e in enumerate(events) if e == "rows"]
    assert len(batches) >= 2
    # The GUI thread ran its timers between every two batches of rows: it was never held for a whole batch.
    assert all("tick" in events[a:b] for a, b in zip(batches, batches[1:]))


def test_the_first_rows_of_a_folder_show_after_32_images_then_each_model_batch(qtbot, window, tmp_path):
    # With fast decoding the CPU runs batches of 64; the app shows the first 32 rows without waiting for 64.
    write_photos(tmp_path, 70, size=(64, 48))
    window.set_fast_decode(True)
    sizes = []
    window.controller.results_ready.connect(lambda rows, fast: sizes.append(len(rows)))
    with qtbot.waitSignal(window.controller.classify_finished, timeout=60000):
        window.add_paths([str(tmp_path)])
    assert sizes == [32, 38]


def test_cancel_mid_batch_keeps_rows_done_and_the_app_usable(qtbot, window, tmp_path):
    write_photos(tmp_path, 60, size=(320, 240))
    window.controller.set_option(batch_size=4)
    # Recorded from the start: the job may end while the first wait is still processing events.
    finished = []
    window.controller.classify_finished.connect(lambda outcome: finished.append(outcome.cancelled))
    with qtbot.waitSignal(window.controller.results_ready, timeout=60000):
        window.add_paths([str(tmp_path)])
    window.cancel()
    qtbot.waitUntil(lambda: bool(finished), timeout=60000)
    assert finished == [True]  # cancelled
    qtbot.waitUntil(lambda: not window.is_busy(), timeout=60000)
    done = [r for r in window.model.rows() if r.result is not None]
    assert 4 <= len(done) < 60
    assert len(window.model.rows()) == 60
    window.classify_queued()  # still usable: the rest can be classified afterwards
    qtbot.waitUntil(lambda: not window.model.queued_paths() and not window.is_busy(), timeout=120000)


def test_closing_mid_batch_stops_the_worker_cleanly(qtbot, settings, tmp_path):
    from alexnet_gui.gui.main_window import MainWindow

    write_photos(tmp_path, 60, size=(320, 240))
    win = MainWindow(settings)
    qtbot.addWidget(win)
    with qtbot.waitSignal(win.model_ready, timeout=60000):
        win.start()
    win.controller.set_option(batch_size=4)
    with qtbot.waitSignal(win.controller.results_ready, timeout=60000):
        win.add_paths([str(tmp_path)])
    win.close()
    assert not win.handle.thread.isRunning()
    assert any(r.result is not None for r in win.model.rows())


def test_switching_backend_reruns_the_selection_with_matching_top5(qtbot, window, tmp_path):
    (photo,) = write_photos(tmp_path, 1, size=(500, 400), seed=3)
    window.add_paths([str(photo)])
    qtbot.waitUntil(lambda: window.model.rowCount() == 1 and not window.is_busy(), timeout=60000)
    window.table.selectRow(0)
    qtbot.waitUntil(lambda: len(window.shown_predictions()) == 5)
    torch_top = [(p.index, p.prob) for p in window.shown_predictions()]
    with qtbot.waitSignal(window.controller.classify_finished, timeout=120000):
        window.backend_combo.setCurrentIndex(window.backend_combo.findData("onnx"))
    qtbot.waitUntil(lambda: window.model_info.backend == "onnx" and not window.is_busy(), timeout=60000)
    assert "ONNX Runtime" in window.model_label.text() and "CPU" in window.model_label.text()
    onnx_top = [(p.index, p.prob) for p in window.shown_predictions()]
    assert [i for i, _ in onnx_top] == [i for i, _ in torch_top]
    assert [p for _, p in onnx_top] == pytest.approx([p for _, p in torch_top], abs=1e-6)
    assert window.settings.backend == "onnx"


def test_cuda_is_greyed_out_with_the_reason_when_unusable(qtbot, window):
    import torch

    item = window.device_combo.model().item(window.device_combo.findData("cuda"))
    # torch's own answer, not the function the window calls, is the reference for this machine
    assert item.isEnabled() == torch.cuda.is_available()
    # and the window follows whatever the worker reports
    window.controller.cuda_checked.emit("torch", False, "no NVIDIA driver found (in this test)")
    qtbot.waitUntil(lambda: not item.isEnabled())
    assert item.toolTip() == "no NVIDIA driver found (in this test)" and not window.fp16_action.isEnabled()
    window.controller.cuda_checked.emit("torch", True, "NVIDIA H200 (in this test)")
    qtbot.waitUntil(item.isEnabled)
    assert item.toolTip() == "CUDA: NVIDIA H200 (in this test)" and window.fp16_action.isEnabled()
    window.controller.cuda_checked.emit("onnx", False, "another backend's answer")  # not the current backend
    assert item.isEnabled()


def test_csv_export_equals_the_command_line_csv(qtbot, window, tmp_path):
    from alexnet_gui.cli import main

    folder = tmp_path / "in"
    write_photos(folder, 5, size=(300, 200))
    write_tricky_folder(folder / "tricky")
    window.add_paths([str(folder)])
    qtbot.waitUntil(lambda: window.model.rowCount() > 0 and not window.is_busy(), timeout=120000)
    gui_csv = window.export_csv(str(tmp_path / "gui.csv"))
    assert main(["classify", str(folder), "--out", str(tmp_path / "cli.csv"), "--untrained", "--backend", "torch"]) == 1
    with open(gui_csv, newline="", encoding="utf-8") as a, open(tmp_path / "cli.csv", newline="", encoding="utf-8") as b:
        assert list(csv.reader(a)) == list(csv.reader(b))


def test_delete_removes_the_selected_rows(qtbot, window, tmp_path):
    write_photos(tmp_path, 4, size=(100, 80))
    window.add_paths([str(tmp_path)])
    qtbot.waitUntil(lambda: window.model.rowCount() == 4 and not window.is_busy(), timeout=60000)
    window.table.selectRow(1)
    window.remove_action.trigger()
    assert [os.path.basename(p) for p in table_paths(window)] == ["photo_000.jpg", "photo_002.jpg", "photo_003.jpg"]


def test_a_model_that_fails_to_load_shows_why_and_leaves_the_app_usable(qtbot, window, tmp_path, monkeypatch):
    from alexnet_gui.core.model.weights import resolve_weights

    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: shown.append(text))
    bad = tmp_path / "bad.pth"
    bad.write_bytes(b"not weights")
    window.set_weights(resolve_weights(bad), "file")
    # The worker's signal reaches the window's slot through the event loop: wait for the slot, not the signal.
    qtbot.waitUntil(lambda: bool(shown), timeout=60000)
    assert "refused to load" in shown[0]
    (photo,) = write_photos(tmp_path, 1, size=(100, 80))
    window.add_paths([str(photo)])  # the previously loaded model still works
    qtbot.waitUntil(lambda: window.model.rowCount() == 1 and not window.is_busy(), timeout=60000)
    assert window.model.rows()[0].result.error is None


def test_settings_persist_backend_and_geometry(qtbot, window, settings):
    window.device_combo.setCurrentIndex(window.device_combo.findData("cpu"))
    window.close()
    assert settings.device == "cpu"
    assert settings.geometry is not None


def test_window_shows_before_torch_is_imported(tmp_path):
    code = (
        "import os, sys\n"
        "os.environ['QT_QPA_PLATFORM'] = 'offscreen'\n"
        "from PySide6.QtWidgets import QApplication\n"
        "app = QApplication([])\n"
        "from alexnet_gui.gui.main_window import MainWindow\n"
        "w = MainWindow(); w.show(); app.processEvents()\n"
        "print(w.isVisible(), 'torch' in sys.modules, 'onnxruntime' in sys.modules)\n"
        "w.handle.stop()\n"
    )
    env = dict(os.environ, XDG_CONFIG_HOME=str(tmp_path))
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env)
    assert proc.stdout.split() == ["True", "False", "False"], proc.stderr


def test_fast_decoding_classifies_as_the_engine_does_and_the_export_says_which_rows_used_it(qtbot, window, tmp_path):
    import json

    from alexnet_gui.core.pipeline.engine import Engine

    photos = [str(p) for p in write_photos(tmp_path / "in", 3, size=(1024, 768))]  # decoded at 1/2 scale
    window.fast_decode_action.trigger()
    assert window.fast_decode_action.isChecked() and window.settings.fast_decode is True
    window.add_paths(photos)
    qtbot.waitUntil(lambda: window.model.rowCount() == 3 and not window.is_busy(), timeout=60000)
    backend = window.handle.worker.backend  # idle worker: safe to borrow for the reference answers

    def probs(results):
        return [[(p.index, p.prob) for p in r.top] for r in results]

    fast = probs(Engine(backend, top_k=5, fast_decode=True).run(photos))
    exact = probs(Engine(backend, top_k=5).run(photos))
    shown = probs(window.model.results())
    assert fast != exact  # the switch changes the input the network sees...
    assert [[i for i, _ in r] for r in shown] == [[i for i, _ in r] for r in fast]  # ...to the engine's fast input
    assert [p for r in shown for _, p in r] == pytest.approx([p for r in fast for _, p in r], abs=1e-7)
    status = window.model.index(0, 4)
    assert status.data(Qt.ItemDataRole.ToolTipRole) == "done (fast decoding)"
    window.export_csv(str(tmp_path / "fast.csv"))
    prov = json.loads((tmp_path / "fast.csv.provenance.json").read_text())
    assert prov["preprocessing"]["fast_decode"] is True

    window.fast_decode_action.trigger()  # off: the next image is decoded exactly
    assert window.settings.fast_decode is False
    (extra,) = write_photos(tmp_path / "more", 1, size=(1024, 768), seed=5)
    window.add_paths([str(extra)])
    qtbot.waitUntil(lambda: window.model.rowCount() == 4 and not window.is_busy(), timeout=60000)
    assert window.model.index(3, 4).data(Qt.ItemDataRole.ToolTipRole) == "done"
    window.export_csv(str(tmp_path / "mixed.csv"))
    prov = json.loads((tmp_path / "mixed.csv.provenance.json").read_text())
    assert prov["preprocessing"]["fast_decode"] == "mixed: 3 of 4 classified rows"


def test_fp16_needs_cuda_and_otherwise_the_model_runs_fp32_without_complaint(qtbot, settings, monkeypatch):
    from PySide6.QtCore import QSettings

    from alexnet_gui.core.backends import cuda_status
    from alexnet_gui.gui.main_window import MainWindow
    from alexnet_gui.gui.settings import Settings

    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: shown.append(text))
    settings.precision = "fp16"
    settings.fast_decode = True
    settings.device = "cpu"  # fp16 with the CPU chosen: the worker must not refuse it, just run fp32
    settings.sync()
    reread = Settings(QSettings(settings._s.fileName(), QSettings.Format.IniFormat))  # INI gives strings back
    assert (reread.precision, reread.fast_decode) == ("fp16", True)

    win = MainWindow(reread)
    qtbot.addWidget(win)
    with qtbot.waitSignal(win.model_ready, timeout=60000):
        win.start()
    assert win.fp16_action.isChecked() and win.fast_decode_action.isChecked()
    assert win.model_info.precision == "fp32" and not shown
    assert "fp16" not in win.model_label.text()
    usable, reason = cuda_status("torch")
    qtbot.waitUntil(lambda: win.fp16_action.isEnabled() == usable)
    if not usable:
        assert win.fp16_action.toolTip() == f"fp16 needs CUDA: {reason}"
        with qtbot.waitSignal(win.model_ready, timeout=60000) as loaded:
            win.device_combo.setCurrentIndex(win.device_combo.findData("auto"))
        assert loaded.args[0].precision == "fp32" and loaded.args[0].device == "cpu" and not shown
    win.close()


def test_top_k_reclassifies_rows_with_fewer_classes_and_exports_the_command_lines_cells(qtbot, window, settings,
                                                                                        tmp_path):
    from alexnet_gui.cli import main

    folder = tmp_path / "in"
    write_photos(folder, 3, size=(300, 200))
    write_tricky_folder(folder / "tricky")
    window.add_paths([str(folder)])
    qtbot.waitUntil(lambda: window.model.rowCount() > 0 and not window.is_busy(), timeout=120000)
    assert {len(r.result.top) for r in window.model.rows() if r.result.ok} == {5}
    readable = [r.path for r in window.model.rows() if r.result.ok]
    assert len(readable) == 3 + 10  # the photos and the tricky folder's readable images; five files fail

    window.set_top_k(10)  # rows kept five classes: classified again, failed rows left as they are
    assert settings.top_k == 10 and window.model.queued_paths() == readable
    qtbot.waitUntil(lambda: not window.model.queued_paths() and not window.is_busy(), timeout=120000)
    assert {len(r.result.top) for r in window.model.rows() if r.result.ok} == {10}
    window.table.selectRow(0)
    qtbot.waitUntil(lambda: len(window.shown_predictions()) == 5)  # the preview keeps its five bars

    for k in (10, 1):
        window.set_top_k(k)
        assert not window.is_busy()  # ten classes cover top-1: nothing to classify again
        gui_csv = window.export_csv(str(tmp_path / f"gui{k}.csv"))
        cli_csv = tmp_path / f"cli{k}.csv"
        assert main(["classify", str(folder), "--out", str(cli_csv), "--untrained", "--backend", "torch",
                     "--top-k", str(k)]) == 1
        with open(gui_csv, newline="", encoding="utf-8") as a, open(cli_csv, newline="", encoding="utf-8") as b:
            assert list(csv.reader(a)) == list(csv.reader(b))
    with pytest.raises(ValueError, match="between 1 and 1000"):
        window.set_top_k(0)


def test_after_the_model_loads_garbage_collections_no_longer_walk_it(qtbot, window, settings):
    import gc

    from alexnet_gui.core.model.weights import resolve_weights

    model = window.handle.worker.backend.model  # torch's nn.Module: thousands of tracked objects with its imports
    # gc.get_objects() lists what collections walk; frozen objects are left out (and still freed by refcounting).
    assert gc.get_freeze_count() > 0 and not any(obj is model for obj in gc.get_objects())
    with qtbot.waitSignal(window.model_ready, timeout=60000):  # a second load freezes its new model too
        window.set_weights(resolve_weights(untrained=True), "untrained")
    reloaded = window.handle.worker.backend.model
    assert reloaded is not model and not any(obj is reloaded for obj in gc.get_objects())


def test_images_queued_before_any_model_are_classified_once_one_loads(qtbot, settings, tmp_path):
    from alexnet_gui.core.model.weights import resolve_weights
    from alexnet_gui.gui.main_window import MainWindow

    photos = write_photos(tmp_path, 3, size=(160, 120))
    win = MainWindow(settings)  # not started: as while the first start's weights dialog is open
    qtbot.addWidget(win)
    with qtbot.waitSignal(win.controller.classify_finished, timeout=60000,
                          check_params_cb=lambda outcome: outcome.needs_model):
        win.add_paths([str(tmp_path)])
    qtbot.waitUntil(lambda: not win.is_busy())
    assert win.model.queued_paths() == [str(p) for p in photos]
    assert "classified as soon as one is" in win.statusBar().currentMessage()
    win.set_weights(resolve_weights(untrained=True), "untrained")
    qtbot.waitUntil(lambda: not win.model.queued_paths() and not win.is_busy(), timeout=60000)
    assert all(r.result is not None and r.result.ok for r in win.model.rows())
    win.close()


def test_a_job_whose_files_all_fail_reports_no_images_per_second(qtbot, window, tmp_path):
    (photo,) = write_photos(tmp_path, 1, size=(100, 80))
    with qtbot.waitSignal(window.controller.classify_finished, timeout=60000) as good:
        window.add_paths([str(photo)])
    assert good.args[0].rate > 0
    qtbot.waitUntil(lambda: not window.is_busy())
    label = window.model_label.text()
    assert f"last batch {good.args[0].rate:.1f} images/s" in label
    with qtbot.waitSignal(window.controller.classify_finished, timeout=60000) as failed:
        window.add_paths([str(tmp_path / "missing.jpg")])
    assert failed.args[0].rate == 0.0  # it took microseconds: a rate would read as hundreds of images/s
    qtbot.waitUntil(lambda: not window.is_busy())
    assert window.model.rows()[-1].result.error == "file not found"
    assert window.model_label.text() == label


def test_the_empty_table_says_to_drop_images_and_an_empty_filter_result_says_why(qtbot, window, tmp_path):
    from alexnet_gui.gui.widgets.results_table import EMPTY_HINT

    assert window.table.hint() == EMPTY_HINT
    window.table.grab()  # paints the hint
    (photo,) = write_photos(tmp_path, 1, size=(100, 80))
    window.add_paths([str(photo)])
    qtbot.waitUntil(lambda: window.model.rowCount() == 1 and not window.is_busy(), timeout=60000)
    assert window.table.hint() == ""
    window.filter_edit.setText("no such label")
    assert window.table.hint() == "No top-1 label or file name contains “no such label”"
    window.filter_edit.clear()
    assert window.table.hint() == ""


def test_exporting_before_anything_is_classified_writes_nothing_and_says_so(window, tmp_path):
    assert window.export_csv(str(tmp_path / "empty.csv")) is None
    assert not (tmp_path / "empty.csv").exists()
    assert window.statusBar().currentMessage() == "Nothing to export yet: no image has been classified."


def test_export_csv_never_overwrites_an_image_in_the_table(qtbot, window, tmp_path, monkeypatch):
    (photo,) = write_photos(tmp_path, 1, size=(100, 80))
    window.add_paths([str(photo)])
    qtbot.waitUntil(lambda: window.model.rowCount() == 1 and not window.is_busy(), timeout=60000)
    before = photo.read_bytes()
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *args: shown.append(args[-1]))
    assert window.export_csv(str(photo)) is None
    assert photo.read_bytes() == before
    assert shown == [f"the export {photo} is one of the inputs; it would be overwritten — choose another name"]
    assert window.export_csv(str(tmp_path)) is None  # a folder
    assert shown[-1] == f"the export {tmp_path} is a folder; give the name of a file to write"


def test_obsolete_view_requests_are_skipped_and_closing_drops_the_queue(qtbot, window):
    import threading

    jobs = window.controller.jobs
    blocker, ran = threading.Event(), []
    jobs.submit(lambda run: blocker.wait(30), key="hold")  # the inference thread is busy with this one
    # A user switching tabs: fifty requests for the same view pile up meanwhile.
    handles = [jobs.submit(lambda run, i=i: ran.append(i) or i, key="test") for i in range(50)]
    answered = []
    for handle in handles:
        handle.done.connect(answered.append)
    assert all(h.state == "cancelled" for h in handles[:-1])  # superseded at once
    blocker.set()
    # Polled, not waitSignal: the answer may come before waitSignal's event loop starts.
    qtbot.waitUntil(lambda: answered == [49], timeout=30000)
    assert ran == [49]  # only the newest was computed

    blocker.clear()
    jobs.submit(lambda run: blocker.wait(30), key="hold")
    for i in range(100):
        jobs.submit(lambda run, i=i: ran.append(i), key=f"queued{i}")
    jobs.worker.closing.set()  # as stop() does first
    blocker.set()
    assert jobs.stop(timeout_ms=30000)
    assert ran == [49]  # nothing of the queue ran after closing began
