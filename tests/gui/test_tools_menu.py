"""The Tools menu: compare view, ten crops view, sort confirmation, TTA toggle, accuracy report, crop rectangle."""

import numpy as np
import pytest
from PySide6.QtWidgets import QDialogButtonBox

from alexnet_gui.core.analysis.compare import compare_input
from alexnet_gui.core.outputs.results import Prediction, Result
from alexnet_gui.core.pipeline.tta import answer_ten_crops
from tests.known_answers import LinearBackend, write_colour_image


class Shifted(LinearBackend):
    def __init__(self, name, shift):
        super().__init__()
        self.name, self.shift = name, shift

    def predict(self, batch):
        out = super().predict(batch)
        out[:, 0] += self.shift
        return out


def test_compare_view_shows_both_top5_agreement_difference_and_summary(qtbot):
    from alexnet_gui.core.analysis.compare import Comparison
    from alexnet_gui.gui.widgets.compare_view import CompareView

    x = np.random.default_rng(0).normal(size=(3, 224, 224)).astype(np.float32)
    same = compare_input([Shifted("torch", 0.0), Shifted("onnx", 0.5)], x, path="a.jpg")
    differ = compare_input([Shifted("torch", 0.0), Shifted("onnx", 500.0)], x, path="b.jpg")
    view = CompareView()
    qtbot.addWidget(view)
    view.set_comparisons([same, differ, Comparison("c.jpg", "not an image file")])
    headers = [view.table.horizontalHeaderItem(i).text() for i in range(view.table.columnCount())]
    assert headers == ["Image", "torch top-5", "onnx top-5", "torch ms", "onnx ms", "Top-1 agree", "Max |Δ logit|"]
    assert view.cell_text(0, 5) == "yes" and view.cell_text(0, 6) == "0.5"
    assert view.cell_text(1, 5) == "NO" and view.cell_text(1, 6) == "500"
    assert view.cell_text(1, 2).splitlines()[0] == "tench 100.0 %"
    assert len(view.cell_text(0, 1).splitlines()) == 5
    # Every column and row shown whole: the dialog is sized from this, and rows from the widths
    table = view.table
    for row in range(table.rowCount()):
        lines = max(len(view.cell_text(row, c).splitlines()) for c in range(table.columnCount()))
        assert table.rowHeight(row) >= lines * table.fontMetrics().lineSpacing()
    assert view.content_size().width() >= table.horizontalHeader().length()
    assert view.cell_text(2, 1) == "error: not an image file"
    assert view.summary.text().startswith("2 images compared (1 could not be read): top-1 agreement 1/2 (50.0%)")


def test_ten_crops_view_outlines_the_crops_that_disagree(qtbot):
    from alexnet_gui.core.model.labels import category
    from alexnet_gui.gui.widgets.crops_view import TenCropsView
    from tests.test_tta import corners_image

    answers = answer_ten_crops(LinearBackend(seed=3, scale=2.0), corners_image())
    view = TenCropsView()
    qtbot.addWidget(view)
    view.set_answers(answers)
    red = [i for i, label in enumerate(view.images) if "red" in label.styleSheet()]
    assert red == answers.disagreeing() and 0 < len(red) < 10
    assert f"{10 - len(red)} of 10 crops agree" in view.heading.text()
    assert view.captions[5].text().startswith("mirrored top left\n")
    best, top1 = int(answers.mean.argmax()), int(answers.crop_top1()[5])
    assert view.heading.text().startswith(f"10-crop answer: {category(best)} {answers.mean[best] * 100:.1f} % — ")
    assert view.captions[5].text() == f"mirrored top left\n{category(top1)} {answers.probs[5, top1] * 100:.1f} %"
    assert view.images[0].pixmap().width() == 112


def test_sort_dialog_lists_counts_per_folder_and_updates_with_the_threshold(qtbot, tmp_path):
    from alexnet_gui.gui.widgets.sort_dialog import SortDialog

    results = [
        Result(str(tmp_path / "a.jpg"), None, (Prediction(281, "tabby", 0.9),)),
        Result(str(tmp_path / "b.jpg"), None, (Prediction(281, "tabby", 0.4),)),
        Result(str(tmp_path / "c.jpg"), None, (Prediction(0, "tench", 0.8),)),
        Result(str(tmp_path / "d.jpg"), "not an image file"),
    ]
    dialog = SortDialog(results)
    qtbot.addWidget(dialog)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert not ok.isEnabled()
    dialog.out_edit.setText(str(tmp_path / "out"))
    assert ok.text() == "Copy 3 images"
    assert "     2  tabby/\n       1  tench/" in dialog.preview.toPlainText()
    dialog.threshold_check.setChecked(True)  # 0.5
    dialog.move_radio.setChecked(True)
    assert ok.text() == "Move 3 images"
    text = dialog.preview.toPlainText()
    assert text.startswith("move 3 images") and "     1  _uncertain/" in text
    assert "not readable, left where they are: 1 image\n" in text
    assert dialog.plan.folder_counts() == {"_uncertain": 1, "tabby": 1, "tench": 1}
    assert not (tmp_path / "out").exists()


@pytest.fixture
def colour_images(tmp_path):
    folder = tmp_path / "imgs"
    folder.mkdir()
    paths = []
    for code in (10, 20, 30):
        write_colour_image(folder / f"img{code}.png", code, size=(320, 240))
        paths.append(str(folder / f"img{code}.png"))
    return paths


def test_tools_in_the_window_tta_crops_rectangle_sort_and_accuracy(qtbot, window, tmp_path, colour_images):
    from alexnet_gui.core.model.preprocess import crop_box
    from alexnet_gui.core.pipeline.engine import Engine

    tools = window.tools_menu
    tools.tta_action.setChecked(True)
    assert window.controller.options.tta == "10crop"
    window.add_paths(colour_images)
    qtbot.waitUntil(lambda: len(window.model.results()) == 3, timeout=60000)
    qtbot.waitUntil(lambda: not window.is_busy(), timeout=60000)
    shown = window.model.results()
    expected = list(Engine(window.handle.worker.backend, top_k=window.controller.options.top_k, tta="10crop").run(colour_images))
    assert [r.top[0].index for r in shown] == [r.top[0].index for r in expected]
    assert [p.prob for p in shown[0].top] == pytest.approx([p.prob for p in expected[0].top], abs=1e-6)

    window.table.selectRow(0)
    qtbot.waitUntil(lambda: window.preview._crop is not None)
    assert window.preview._crop == crop_box(320, 240) == (54, 15, 265, 225)  # 341x256 resize, crop at (58, 16)

    tools.show_ten_crops(colour_images[0])
    qtbot.waitUntil(lambda: bool(tools.dialogs) and type(tools.dialogs[-1]).__name__ == "TenCropsDialog", timeout=30000)
    assert len(tools.dialogs[-1].view.images) == 10

    labelled = tmp_path / "labelled"
    (labelled / "n01440764").mkdir(parents=True)
    write_colour_image(labelled / "n01440764" / "x.png", 10)
    tools.evaluate_folder(str(labelled))
    qtbot.waitUntil(lambda: type(tools.dialogs[-1]).__name__ == "EvaluationDialog", timeout=30000)
    assert "top-1 accuracy:" in tools.dialogs[-1].text.toPlainText()
    assert "1 classified, 0 could not be read" in tools.dialogs[-1].text.toPlainText()
    assert tools.dialogs[-1].confusion.matrix.images == 1  # the one image, in its cell of the matrix

    dialog = tools.sort_rows(str(tmp_path / "sorted"))
    assert dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).text() == "Copy 3 images"
    tools.last_sort_outcome = None
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert window.is_busy()  # the copying runs on the worker, with the progress bar and Cancel
    qtbot.waitUntil(lambda: tools.last_sort_outcome is not None and not window.is_busy(), timeout=30000)
    copied = sorted(p.name for p in (tmp_path / "sorted").rglob("*.png"))
    assert copied == ["img10.png", "img20.png", "img30.png"]
    assert all(final is not None for _, final, _ in tools.last_sort_outcome)


@pytest.mark.slow
def test_compare_from_the_window_runs_both_backends(qtbot, window, colour_images, onnx_backend):
    # onnx_backend: the untrained model is exported once per session, so the worker finds it cached.
    tools = window.tools_menu
    tools.compare_selection(colour_images)
    qtbot.waitUntil(lambda: bool(tools.dialogs) and type(tools.dialogs[-1]).__name__ == "CompareDialog", timeout=120000)
    view = tools.dialogs[-1].view
    assert view.table.rowCount() == 3
    assert [view.cell_text(r, 5) for r in range(3)] == ["yes"] * 3
    assert all(float(view.cell_text(r, 6)) < 1e-3 for r in range(3))
    assert view.summary.text().startswith("3 images compared (0 could not be read): top-1 agreement 3/3")


def test_exported_csv_gets_a_provenance_sidecar(qtbot, window, tmp_path, colour_images):
    import json

    window.tools_menu.set_tta(True)
    window.add_paths(colour_images)
    qtbot.waitUntil(lambda: len(window.model.results()) == 3, timeout=60000)
    qtbot.waitUntil(lambda: not window.is_busy(), timeout=60000)
    out = window.export_csv(str(tmp_path / "export.csv"))
    prov = json.loads((tmp_path / "export.csv.provenance.json").read_text())
    assert out == str(tmp_path / "export.csv")
    assert (prov["backend"], prov["device"], prov["tta"], prov["top_k"]) == ("torch", "cpu", "10crop", 5)
    assert prov["weights"]["kind"] == "untrained" and prov["weights"]["sha256"] is None
    assert prov["counts"] == {"images": 3, "classified": 3, "failed": 0, "rows": 3}


def test_accuracy_on_a_folder_shows_progress_and_cancel_keeps_a_partial_report(qtbot, window, tmp_path):
    from PySide6.QtCore import Qt

    labelled = tmp_path / "labelled" / "n01440764"
    labelled.mkdir(parents=True)
    for i in range(40):
        write_colour_image(labelled / f"x{i:02d}.png", 10 + i)
    tools, controller = window.tools_menu, window.controller
    assert controller.options.batch_size is None  # the engine's: 32 images a batch on the CPU
    reports = []

    def press_cancel_at_the_first_report(done, total):
        reports.append(("evaluate", done, total))
        window.cancel()

    # Direct: Cancel is pressed on the worker thread the moment the first batch is reported, so the cut is exact.
    def on_submitted(job):
        job.progress.connect(press_cancel_at_the_first_report, Qt.ConnectionType.DirectConnection)

    controller.jobs.submitted.connect(on_submitted)
    with qtbot.waitSignal(controller.job_progress, timeout=60000) as first:
        tools.evaluate_folder(str(labelled.parent))
        assert window.is_busy() and window.cancel_button.isVisibleTo(window) and window.progress_bar.isVisibleTo(window)
    # core.tasks.evaluate counts image by image; the engine checks Cancel between batches, so the first batch ends.
    assert first.args[:3] == ["accuracy on a folder", 1, 40]
    qtbot.waitUntil(lambda: bool(tools.dialogs) and type(tools.dialogs[-1]).__name__ == "EvaluationDialog",
                    timeout=60000)
    controller.jobs.submitted.disconnect(on_submitted)
    text = tools.dialogs[-1].text.toPlainText()
    assert text.startswith(
        "cancelled after 32 of 40 images: the figures below cover those only\n\nimages: 32 classified")
    assert reports == [("evaluate", done, 40) for done in range(1, 33)]
    assert not window.is_busy() and not window.cancel_button.isVisibleTo(window)
    assert window.progress_bar.format().startswith("accuracy on a folder: 32/40 · ETA ")


def test_accuracy_on_a_folder_honours_fast_jpeg_decoding(qtbot, window, tmp_path, monkeypatch):
    # The app's evaluate once built its own engine and dropped Model > Fast JPEG decoding; it now runs
    # core.tasks.evaluate with the app's options, as the command line's --fast-decode does.
    from alexnet_gui.core.pipeline import engine as engine_module

    built = []
    init = engine_module.Engine.__init__

    def recording_init(self, *args, **kwargs):
        init(self, *args, **kwargs)
        built.append((self.fast_decode, self.top_k))

    monkeypatch.setattr(engine_module.Engine, "__init__", recording_init)
    labelled = tmp_path / "labelled" / "n01440764"
    labelled.mkdir(parents=True)
    write_colour_image(labelled / "x.jpg", 10, size=(640, 480))
    tools = window.tools_menu
    window.controller.set_fast_decode(True)
    tools.evaluate_folder(str(labelled.parent))
    qtbot.waitUntil(lambda: bool(tools.dialogs) and type(tools.dialogs[-1]).__name__ == "EvaluationDialog",
                    timeout=60000)
    assert built == [(True, 5)]  # fast decoding, and evaluate's top five whatever the table shows
    assert "1 classified, 0 could not be read" in tools.dialogs[-1].text.toPlainText()


def test_a_tool_that_fails_hides_the_progress_bar_and_says_why(qtbot, window, tmp_path):
    tools = window.tools_menu
    tools.evaluate_folder(str(tmp_path / "missing"))
    qtbot.waitUntil(lambda: hasattr(tools, "last_error"), timeout=60000)
    assert not window.is_busy() and not window.progress_bar.isVisibleTo(window)
    assert str(tmp_path / "missing") in tools.last_error


def test_the_menus_read_file_edit_view_model_tools_help(window):
    titles = [action.text() for action in window.menuBar().actions()]
    assert titles == ["&File", "&Edit", "&View", "&Model", "&Tools", "&Help"]
