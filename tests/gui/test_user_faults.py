"""Issue 32's faults a user met on screen ("What a user meets today", 1-7), each as the user met it.

Each test fails on the window before the control layer's rebuild (6f1f1b8's main_window.py) and passes now.
"""

from __future__ import annotations

import csv

import pytest
from PySide6.QtWidgets import QMessageBox

from tests.image_fixtures import write_photos


def _classify(window, qtbot, tmp_path, n: int = 3) -> list[str]:
    paths = [str(p) for p in write_photos(tmp_path, n, size=(160, 120), seed=11)]
    window.add_paths(paths)
    qtbot.waitUntil(lambda: window.model.rowCount() == n and not window.is_busy()
                    and all(r.result is not None for r in window.model.rows()), timeout=60000)
    return paths


# --- 1. a refused model ------------------------------------------------------------------------------------------
def test_after_a_refused_model_where_it_looks_still_explains_with_the_model_that_runs(qtbot, window, tmp_path,
                                                                                      monkeypatch):
    from alexnet_gui.gui.views import install_views

    monkeypatch.setattr(QMessageBox, "warning", lambda *_args: None)
    views = install_views(window)
    window.show()
    _classify(window, qtbot, tmp_path, 1)
    bad = tmp_path / "not_alexnet.pth"
    bad.write_bytes(b"not weights")
    with qtbot.waitSignal(window.controller.model_failed, timeout=60000):
        window.open_model(str(bad))
    cam = views["cam"]
    window.tabs.setCurrentWidget(cam)
    # The old window took the refused file as its weights: the map failed with that file's error for every image.
    qtbot.waitUntil(lambda: cam._data is not None or "not_alexnet" in cam.status.text(), timeout=120000)
    assert cam._data is not None and "not_alexnet" not in cam.status.text()


# --- 2. a cancelled re-run, and an export that says what it left out --------------------------------------------
def test_cancelling_classify_all_again_keeps_every_old_result(qtbot, window, tmp_path):
    _classify(window, qtbot, tmp_path)
    before = [r.result for r in window.model.rows()]
    window.classify_again_action.trigger()
    window.cancel_action.trigger()  # Esc
    qtbot.waitUntil(lambda: not window.is_busy(), timeout=60000)
    assert all(r.result is not None for r in window.model.rows())
    assert [r.result.path for r in window.model.rows()] == [r.path for r in before]
    assert [window.model.status_text(r) for r in window.model.rows()] == ["done"] * 3
    out = tmp_path / "out.csv"
    assert window.export_csv(str(out))
    assert window.statusBar().currentMessage() == f"Wrote all 3 rows to {out}"


def test_an_export_says_which_rows_it_wrote_and_how_many_it_left_out(qtbot, window, tmp_path):
    _classify(window, qtbot, tmp_path)
    queued = tmp_path / "later.jpg"
    window.model.add_paths([str(queued)])  # shown as queued: not classified yet
    out = tmp_path / "all.csv"
    assert window.export_csv(str(out))
    with open(out, newline="", encoding="utf-8") as f:
        assert len(list(csv.reader(f))) == 1 + 3
    assert window.statusBar().currentMessage() == (
        f"Wrote 3 of 4 rows to {out}. 1 row not classified yet was left out: classify it (F5) and export again.")
    window.table.selectRow(0)
    window.table.selectionModel().select(window.model.index(3, 0), window.table.selectionModel().SelectionFlag.Select
                                         | window.table.selectionModel().SelectionFlag.Rows)
    assert window.export_csv(str(tmp_path / "chosen.csv"))
    assert window.statusBar().currentMessage().startswith("Wrote 1 of the 2 selected rows to ")
    window.table.selectRow(1)  # one row selected is no selection: every row is written, and the line says so
    assert window.export_csv(str(tmp_path / "one.csv"))
    assert window.statusBar().currentMessage().startswith(f"Wrote 3 of 4 rows to {tmp_path / 'one.csv'}. ")


def test_an_export_is_refused_where_its_provenance_would_overwrite_an_input(qtbot, window, tmp_path, monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, title, text: shown.append(text))
    _classify(window, qtbot, tmp_path, 1)
    # A CSV whose provenance sidecar is one of the table's images: the export must not write over the image.
    victim = tmp_path / "victim.csv.provenance.json"
    victim.write_bytes(b"an image the user queued")
    window.model.add_paths([str(victim)])
    assert window.export_csv(str(tmp_path / "victim.csv")) is None
    assert victim.read_bytes() == b"an image the user queued" and len(shown) == 1



# --- 3. keyboard-only use ------------------------------------------------------------------------------------------
def _active(qtbot, window):
    from alexnet_gui.gui.views import install_views

    install_views(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=10000)


def test_tab_and_shift_tab_leave_the_results_table(qtbot, window, tmp_path):
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    _active(qtbot, window)
    _classify(window, qtbot, tmp_path, 2)
    for key, modifier in ((Qt.Key.Key_Tab, Qt.KeyboardModifier.NoModifier),
                          (Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)):
        window.table.setFocus()
        qtbot.waitUntil(window.table.hasFocus, timeout=5000)
        QTest.keyClick(window.table, key, modifier)
        assert not window.table.hasFocus()  # the old table moved its current cell instead


def test_the_keyboard_switches_the_right_hand_tabs_from_the_table(qtbot, window, tmp_path):
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    ctrl, alt = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.AltModifier
    _active(qtbot, window)
    window.table.setFocus()
    tabs = window.tabs
    assert tabs.count() >= 6 and tabs.currentIndex() == 0
    QTest.keyClick(window.table, Qt.Key.Key_PageDown, ctrl)
    assert tabs.currentIndex() == 1
    QTest.keyClick(window.table, Qt.Key.Key_Tab, ctrl)
    assert tabs.currentIndex() == 2
    QTest.keyClick(window.table, Qt.Key.Key_PageUp, ctrl)
    QTest.keyClick(window.table, Qt.Key.Key_PageUp, ctrl)
    assert tabs.currentIndex() == 0
    QTest.keyClick(window.table, Qt.Key.Key_PageUp, ctrl)  # round to the last one
    assert tabs.currentIndex() == tabs.count() - 1
    QTest.keyClick(window.table, Qt.Key.Key_4, alt)
    assert tabs.currentIndex() == 3
    QTest.keyClick(window.table, Qt.Key.Key_1, alt)
    assert tabs.currentIndex() == 0


def test_f1_lists_the_windows_keys_and_esc_or_close_shuts_it(qtbot, window):
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QDialogButtonBox

    _active(qtbot, window)
    window.table.setFocus()
    QTest.keyClick(window.table, Qt.Key.Key_F1)
    dialog = window.keyboard.keys_dialog
    qtbot.waitUntil(dialog.isVisible, timeout=5000)
    rows = {(dialog.table.item(i, 0).text(), dialog.table.item(i, 1).text()) for i in range(dialog.table.rowCount())}
    assert {("F5", "Classify queued"), ("Ctrl+E", "Export CSV…")} <= rows
    assert (", ".join(f"Alt+{n}" for n in range(1, 10)), "The view at that place") in rows
    assert ("Ctrl+PgDown, Ctrl+Tab", "Next view") in rows
    QTest.keyClick(dialog.table, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    dialog = window.keyboard.show_keys()
    dialog.buttons.button(QDialogButtonBox.StandardButton.Close).click()
    assert not dialog.isVisible()


def test_the_ten_crops_and_accuracy_windows_close_with_esc_or_their_close_button(qtbot, window, tmp_path):
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QDialogButtonBox

    from tests.known_answers import write_colour_image

    (photo,) = _classify(window, qtbot, tmp_path, 1)
    labelled = tmp_path / "labelled" / "n01440764"
    labelled.mkdir(parents=True)
    for i in range(3):
        write_colour_image(labelled / f"x{i}.png", 10 + i)
    tools = window.tools_menu
    for name, start in (("TenCropsDialog", lambda: tools.show_ten_crops(photo)),
                        ("EvaluationDialog", lambda: tools.evaluate_folder(str(labelled.parent)))):
        start()
        qtbot.waitUntil(lambda n=name: bool(tools.dialogs) and type(tools.dialogs[-1]).__name__ == n, timeout=60000)
        dialog = tools.dialogs[-1]
        qtbot.waitUntil(dialog.isVisible, timeout=5000)
        QTest.keyClick(dialog.focusWidget() or dialog, Qt.Key.Key_Escape)
        assert not dialog.isVisible()
        dialog.show()
        dialog.buttons.button(QDialogButtonBox.StandardButton.Close).click()  # the old windows had none
        assert not dialog.isVisible()


# --- 4. views that showed stale state ------------------------------------------------------------------------------
@pytest.fixture
def shown_views(qtbot, window):
    from alexnet_gui.gui.views import install_views

    views = install_views(window)
    window.show()
    return views


def _show(window, qtbot, view, until):
    window.tabs.setCurrentWidget(view)
    qtbot.waitUntil(until, timeout=120000)


def test_feature_maps_forget_the_clicked_channel_of_another_layer_and_follow_it_to_another_image(
        qtbot, window, shown_views, tmp_path):
    import numpy as np

    from alexnet_gui.core.analysis.visualize import overlay

    first, second = _classify(window, qtbot, tmp_path, 2)
    window.table.selectRow(0)
    features = shown_views["features"]
    _show(window, qtbot, features, lambda: features._data is not None and features._data.path == first)
    x0, y0 = features._layout.origin(3)
    features._on_click(x0 + 1, y0 + 1)
    channel = features.channel
    assert features.deconvolve.isEnabled() and features.large.array() is not None
    # Another image, the same layer: the same channel, drawn over the new image.
    window.table.selectRow(1)
    qtbot.waitUntil(lambda: features._data.path == second, timeout=60000)
    _, _, acts, crop = features._data
    assert features.channel == channel
    assert np.array_equal(features.large.array(), overlay(crop, acts[channel], alpha=0.6))
    # Another layer: the old layer's channel is gone, and Deconvolution cannot trace the wrong unit.
    layer = features._data.layer
    features.layer.setCurrentIndex((features.layer.currentIndex() + 2) % features.layer.count())
    qtbot.waitUntil(lambda: features._data.layer != layer, timeout=60000)
    assert features.channel is None and features.large.array() is None
    assert not features.deconvolve.isEnabled() and not features.visualise.isEnabled()


def test_filters_drop_the_enlarged_kernel_of_another_layer(qtbot, window, shown_views):
    view = shown_views["filters"]
    _show(window, qtbot, view, lambda: view.canvas.array() is not None)
    x, y = view._layout.origin(9)
    view._on_click(x + 1, y + 1)
    assert view.large.array() is not None
    view.layer.setCurrentText("conv2")
    assert view.large.array() is None  # the old view kept conv1's kernel 9 beside conv2's grid
    view.layer.setCurrentText("conv1")
    assert view.large.array() is None


def test_the_unit_tab_clears_the_old_units_pictures_while_a_new_one_computes(qtbot, window, shown_views, tmp_path,
                                                                            monkeypatch):
    monkeypatch.setenv("ALEXNET_GUI_CACHE", str(tmp_path / "cache"))
    _classify(window, qtbot, tmp_path, 2)
    unit = shown_views["unit"]
    window.tabs.setCurrentWidget(unit)
    unit.show_unit("conv1", 3, "examples")
    qtbot.waitUntil(lambda: unit._data is not None and unit._data[:2] == ("conv1", 3), timeout=60000)
    assert unit.examples_canvas.array() is not None
    unit.show_unit("conv1", 5, "examples")
    assert unit.examples_canvas.array() is None  # not conv1 unit 3's images under unit 5's name
    qtbot.waitUntil(lambda: unit._data[:2] == ("conv1", 5), timeout=60000)
    assert unit.examples_canvas.array() is not None


# --- 5. long work with progress and Cancel -------------------------------------------------------------------------
def test_feature_visualisation_counts_its_steps_in_the_progress_bar_and_esc_stops_it(qtbot, window, shown_views,
                                                                                    tmp_path, monkeypatch):
    from PySide6.QtCore import Qt

    monkeypatch.setenv("ALEXNET_GUI_CACHE", str(tmp_path / "cache"))
    unit = shown_views["unit"]
    window.tabs.setCurrentWidget(unit)
    unit.steps = 200
    controller = window.controller
    reports = []

    def press_esc_at_the_third_step(done, total):
        reports.append((done, total))
        if done == 3:
            window.cancel_action.trigger()

    controller.jobs.submitted.connect(lambda job: job.progress.connect(press_esc_at_the_third_step,
                                                                       Qt.ConnectionType.DirectConnection))
    with qtbot.waitSignal(controller.job_progress, timeout=120000) as first:
        unit.show_unit("conv5", 7, "vis")
        assert window.is_busy() and window.cancel_button.isVisibleTo(window)
    assert first.args[:3] == ["feature visualisation", 1, 200]
    qtbot.waitUntil(lambda: not window.is_busy(), timeout=120000)
    assert reports[-1][0] < 200 and unit._data is None and unit.vis_canvas.array() is None
    assert unit.status.text() == "Feature visualisation of conv5 unit 7 cancelled."
    assert not list((tmp_path / "cache").rglob("*.png"))  # nothing half-optimised is cached


def test_a_batch_shows_its_count_at_once_and_the_first_start_says_it_prepares_the_model(qtbot, settings, tmp_path):
    from alexnet_gui.gui.main_window import MainWindow

    window = MainWindow(settings)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.model_ready, timeout=60000):
        window.start()
        assert window.model_label.text() == ("loading model (torch on auto)… a model's first start prepares it once "
                                             "(10-20 s); later starts take a second or two")
    _classify(window, qtbot, tmp_path)
    window.classify_all_again()
    # Before the first batch ends: the count, and when the time left will show (the old bar was a bare busy bar).
    assert window.progress_bar.format() == "0/3 · ETA after the first batch" and window.progress_bar.maximum() == 3
    qtbot.waitUntil(lambda: not window.is_busy(), timeout=60000)
    window.load_model()
    assert window.model_label.text() == "loading model (torch on auto)…"  # a model already ran: no first start
    qtbot.waitUntil(lambda: not window.is_busy() and window.model_label.text() != "loading model (torch on auto)…",
                    timeout=60000)
    window.close()


# --- 7. what users look for: the rows' right-click menu, Ctrl+C, Undo remove --------------------------------------
def test_the_rows_right_click_menu_opens_shows_and_copies(qtbot, window, tmp_path, monkeypatch):
    from PySide6.QtGui import QDesktopServices, QGuiApplication

    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()) or True)
    paths = _classify(window, qtbot, tmp_path, 2)
    window.show()
    rect = window.table.visualRect(window.model.index(1, 1))
    menu = window.row_actions.menu_at(rect.center())
    assert window.selected_path() == paths[1]  # the row right-clicked becomes the current one
    actions = {a.text(): a for a in menu.actions() if a.text()}
    assert list(actions)[:4] == ["Open", "Show in folder", "Copy path", "Copy prediction"]
    actions["Open"].trigger()
    actions["Show in folder"].trigger()
    assert opened == [paths[1], str(tmp_path)]
    actions["Copy path"].trigger()
    assert QGuiApplication.clipboard().text() == paths[1]
    from alexnet_gui.core.wording import format_probability

    top = window.model.row(1).result.top[0]
    actions["Copy prediction"].trigger()
    assert QGuiApplication.clipboard().text() == f"{top.label}\t{format_probability(top.prob)}"  # as the table
    assert {"Copy rows as CSV", "Remove selected", "Undo remove"} <= set(actions)


def test_ctrl_c_copies_the_selected_rows_as_the_export_writes_them(qtbot, window, tmp_path):
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtTest import QTest

    _classify(window, qtbot, tmp_path, 3)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=10000)
    window.table.selectRow(0)
    window.table.selectionModel().select(window.model.index(2, 0), window.table.selectionModel().SelectionFlag.Select
                                         | window.table.selectionModel().SelectionFlag.Rows)
    out = window.export_csv(str(tmp_path / "two.csv"))
    window.table.setFocus()
    QGuiApplication.clipboard().setText("")
    QTest.keyClick(window.table, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    with open(out, newline="", encoding="utf-8") as f:
        assert QGuiApplication.clipboard().text() == f.read()
    assert window.statusBar().currentMessage() == "Copied 2 rows as CSV."


def test_undo_puts_back_the_removed_rows_with_their_results(qtbot, window, tmp_path):
    paths = _classify(window, qtbot, tmp_path, 3)
    results = {r.path: r.result for r in window.model.rows()}
    assert not window.row_actions.undo_action.isEnabled()
    select = window.table.selectionModel()
    # Not selectRow: it reads the keyboard's modifiers, which an earlier test's Ctrl+C may leave held offscreen.
    select.select(window.model.index(1, 0), select.SelectionFlag.ClearAndSelect | select.SelectionFlag.Rows)
    window.remove_action.trigger()
    assert [r.path for r in window.model.rows()] == [paths[0], paths[2]]
    assert window.row_actions.undo_action.isEnabled()
    window.row_actions.undo_action.trigger()
    assert sorted(r.path for r in window.model.rows()) == sorted(paths)
    assert all(r.result is results[r.path] for r in window.model.rows())
    assert window.statusBar().currentMessage() == "Put back 1 row." and not window.row_actions.undo_action.isEnabled()
    edit_menu = [m for m in window.remove_action.associatedObjects() if type(m).__name__ == "QMenu"][0]
    assert window.row_actions.undo_action in edit_menu.actions()
    assert window.row_actions.undo_action.shortcut().toString() == "Ctrl+Z"


def _wheel(widget, x: float, y: float, clicks: int) -> None:
    from PySide6.QtCore import QPoint, QPointF, Qt
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication

    event = QWheelEvent(QPointF(x, y), QPointF(widget.mapToGlobal(QPoint(int(x), int(y)))), QPoint(0, 0),
                        QPoint(0, 120 * clicks), Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
                        Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(widget, event)


def test_the_views_and_the_preview_zoom_about_the_pointer_pan_and_fit_again(qtbot):
    import numpy as np
    from PySide6.QtCore import QPoint, QPointF, Qt
    from PySide6.QtGui import QImage

    from alexnet_gui.gui.widgets.image_canvas import ImageCanvas
    from alexnet_gui.gui.widgets.image_preview import ImagePreview

    canvas = ImageCanvas()
    qtbot.addWidget(canvas)
    canvas.resize(200, 200)
    canvas.set_array(np.zeros((100, 100, 3), np.uint8))
    assert canvas.picture_rect().getRect() == (0, 0, 200, 200)
    assert canvas.picture_pixel(QPointF(50, 50)) == (25, 25)
    _wheel(canvas, 50, 50, 3)  # 1.25 ** 3 about the pointer: the pixel under it stays under it
    assert canvas.picture_rect().width() == round(200 * 1.25 ** 3)
    assert canvas.picture_pixel(QPointF(50, 50)) == (25, 25) and canvas.picture_pixel(QPointF(0, 0)) != (0, 0)
    before = canvas.picture_rect()
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=QPoint(100, 100))
    qtbot.mouseMove(canvas, QPoint(80, 90))
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=QPoint(80, 90))
    assert canvas.picture_rect().topLeft() - before.topLeft() == QPoint(-20, -10)  # dragged with the pointer
    canvas.set_array(np.full((100, 100, 3), 9, np.uint8))  # the same picture redrawn keeps its zoom
    assert canvas.picture_rect() != canvas.rect()
    qtbot.mouseDClick(canvas, Qt.MouseButton.LeftButton, pos=QPoint(10, 10))
    assert canvas.picture_rect().getRect() == (0, 0, 200, 200)

    preview = ImagePreview()
    qtbot.addWidget(preview)
    preview.resize(400, 300)
    image = QImage(400, 300, QImage.Format.Format_RGB888)
    preview.set_image(image, (400, 300))
    _wheel(preview, 200, 150, 2)
    assert preview.image_rect().getRect() == (-112, -84, 625, 469)  # 1.5625x about the centre
    preview.setFocus()
    qtbot.keyClick(preview, Qt.Key.Key_0)
    assert preview.image_rect().getRect() == (0, 0, 400, 300)
    qtbot.keyClick(preview, Qt.Key.Key_Plus)
    assert preview.image_rect().width() == 500
    preview.set_image(image, (400, 300))  # the next image starts fitted
    assert preview.image_rect().getRect() == (0, 0, 400, 300)


# --- 6. the smaller ones -------------------------------------------------------------------------------------------
def test_the_filter_matches_file_names_too_and_esc_clears_it(qtbot, window, tmp_path):
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    paths = _classify(window, qtbot, tmp_path, 3)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=10000)
    window.filter_edit.setFocus()
    QTest.keyClicks(window.filter_edit, "PHOTO_001")  # a file name, in another case
    assert [window.model.row(i).path for i in range(window.model.rowCount())] == [paths[1]]
    QTest.keyClick(window.filter_edit, Qt.Key.Key_Escape)
    assert window.filter_edit.text() == "" and window.model.rowCount() == 3


def test_small_probabilities_keep_their_percent_sign_and_never_read_in_exponents():
    from alexnet_gui.core.wording import format_probability

    assert format_probability(4.43e-08) == "< 0.001 %"  # was "4.43e-06 %"
    assert format_probability(4.43e-06) == "< 0.001 %"
    assert format_probability(0.0000123) == "0.00123 %" and format_probability(0.5) == "50.0 %"
    for exponent in range(1, 30):
        text = format_probability(10.0 ** -exponent)
        assert text.endswith(" %") and "e" not in text


def test_the_architecture_table_cannot_be_edited(qtbot, window):
    from PySide6.QtWidgets import QAbstractItemView

    from alexnet_gui.gui.views import install_views

    view = install_views(window)["architecture"]
    assert view.table.editTriggers() == QAbstractItemView.EditTrigger.NoEditTriggers


def test_training_without_a_model_folder_asks_for_one_in_the_forms_words(qtbot, window, tmp_path):
    from alexnet_gui.gui.widgets.train_dialog import TrainDialog

    dialog = TrainDialog(window.context)
    qtbot.addWidget(dialog)
    dialog.data_edit.setText(str(tmp_path))
    dialog.out_edit.setText("  ")
    dialog.start()
    assert dialog.worker is None
    assert dialog.status.text() == "Choose the model folder: where the trained model is saved."  # not "--out …"


def test_at_800x600_every_column_of_the_table_shows(qtbot, window, tmp_path):
    from alexnet_gui.gui.results_model import COL_LABEL, COL_NAME, COL_PROB, COL_STATUS

    _classify(window, qtbot, tmp_path, 1)
    window.resize(800, 600)
    window.show()
    qtbot.waitExposed(window)
    table = window.table
    header = table.horizontalHeader()
    qtbot.waitUntil(lambda: table.viewport().width() < 500, timeout=5000)
    for column in (COL_NAME, COL_LABEL, COL_PROB, COL_STATUS):  # each starts inside what the table shows
        assert header.sectionViewportPosition(column) + 20 < table.viewport().width(), column
    assert header.sectionSize(COL_NAME) >= 60 and header.sectionSize(COL_LABEL) >= 60
    window.resize(1280, 760)
    qtbot.waitUntil(lambda: header.sectionSize(COL_NAME) == 170, timeout=5000)  # room again: the full widths


def test_a_drop_into_a_sorted_or_filtered_table_is_shown_or_explained(qtbot, window, tmp_path):
    from PySide6.QtCore import Qt

    from tests.gui.test_main_window import drop

    write_photos(tmp_path / "many", 30, size=(64, 48))
    window.add_paths([str(tmp_path / "many")])
    qtbot.waitUntil(lambda: window.model.rowCount() == 30 and not window.is_busy(), timeout=120000)
    window.show()
    qtbot.waitExposed(window)
    window.table.sortByColumn(1, Qt.SortOrder.DescendingOrder)  # by file name, z to a
    window.table.scrollToTop()
    (late,) = write_photos(tmp_path / "late", 1, size=(64, 48))
    (tmp_path / "late" / late.name).rename(tmp_path / "late" / "aaa.jpg")
    drop(window, [tmp_path / "late" / "aaa.jpg"])
    qtbot.waitUntil(lambda: window.model.total_rows() == 31, timeout=60000)
    assert window.statusBar().currentMessage() == (
        "1 image added in the table's order (sorted by File); scrolled to the first.")
    position = window.model.position_of(str(tmp_path / "late" / "aaa.jpg"))
    assert position == 30 and window.table.viewport().rect().intersects(
        window.table.visualRect(window.model.index(position, 1)))  # the old table left it below the fold
    qtbot.waitUntil(lambda: not window.is_busy(), timeout=60000)
    window.filter_edit.setText("no such label")
    (hidden,) = write_photos(tmp_path / "hidden", 1, size=(64, 48), seed=4)
    drop(window, [hidden])
    qtbot.waitUntil(lambda: window.model.total_rows() == 32, timeout=60000)
    assert window.statusBar().currentMessage() == (
        "1 added image hidden by the filter “no such label”: Esc in the filter box shows every row.")
    qtbot.waitUntil(lambda: not window.is_busy(), timeout=60000)


def test_a_language_change_offers_to_restart_and_restarts_the_same_command(qtbot, window, monkeypatch):
    import sys

    from PySide6.QtCore import QProcess

    started = []
    monkeypatch.setenv("LANGUAGE", "en")
    monkeypatch.setattr(QProcess, "startDetached", lambda program, arguments: started.append((program, arguments))
                        or (True, 1))
    window.show()
    window.language_actions["zh_CN"].trigger()
    box = window.view_menu.restart_box
    qtbot.waitUntil(box.isVisible, timeout=5000)
    assert box.windowTitle() == "Restart alexnet-gui?" and "from the next start" in box.text()
    buttons = {b.text(): b for b in box.buttons()}
    assert set(buttons) == {"Restart now", "Later"} and box.defaultButton() is buttons["Later"]
    buttons["Restart now"].click()
    assert not window.isVisible()
    assert started == [(sys.executable, sys.orig_argv[1:])]
    window.language_actions["system"].trigger()


# --- 7. Grad-CAM for any class ---------------------------------------------------------------------------------------
def test_where_it_looks_explains_any_class_by_name_or_number(qtbot, window, shown_views, tmp_path, torch_backend):
    import numpy as np

    from alexnet_gui.core.analysis.gradcam import alexnet_cam_layer, grad_cam
    from alexnet_gui.core.pipeline.decode import load_input

    (path,) = _classify(window, qtbot, tmp_path, 1)
    window.table.selectRow(0)
    cam = shown_views["cam"]
    _show(window, qtbot, cam, lambda: cam._data is not None and cam._data[0] == path)
    top5 = [p.index for p in window.model.row(0).result.top[:5]]
    wanted = next(i for i in (817, 1, 2, 3, 4, 5, 6) if i not in top5)  # a class outside the top five
    name = torch_backend.card.labels.name(wanted)
    for typed in (name.upper(), str(wanted), f"{name} ({wanted})"):
        cam.any_class.setText(typed)
        cam.any_class.returnPressed.emit()
        qtbot.waitUntil(lambda: cam._data[1].target.startswith(f"class {wanted} "), timeout=60000)
        assert cam.target.currentData() == wanted and cam.any_class.text() == ""
    model = torch_backend.model
    expected = grad_cam(model, alexnet_cam_layer(model), load_input(path)[None], wanted)
    assert np.abs(cam._data[1].values - expected).max() <= 1e-5
    assert cam.any_class.completer().model().rowCount() == 1000
    cam.any_class.setText("no such class")
    cam.any_class.returnPressed.emit()
    assert cam.status.text() == "The model has no class “no such class”." and cam.any_class.text() == "no such class"


# --- 7. recent folders and the last session ------------------------------------------------------------------------
def test_recent_folders_and_the_last_session_come_back_at_the_next_start(qtbot, window, settings, tmp_path):
    from alexnet_gui.gui.main_window import MainWindow

    folder = tmp_path / "album"
    write_photos(folder, 2, size=(64, 48))
    (single,) = write_photos(tmp_path / "loose", 1, size=(64, 48), seed=2)
    assert not window.recent.reopen_action.isEnabled()  # a first start has no last session
    window.add_paths([str(folder)])
    window.add_paths([str(single)])
    qtbot.waitUntil(lambda: window.model.total_rows() == 3 and not window.is_busy(), timeout=60000)
    window.close()

    again = MainWindow(settings)
    qtbot.addWidget(again)
    with qtbot.waitSignal(again.model_ready, timeout=60000):
        again.start()
    assert again.recent.reopen_action.isEnabled()
    assert again.recent.reopen_action.text() == "Reopen last session (2 items)"
    again.recent.reopen_action.trigger()
    qtbot.waitUntil(lambda: again.model.total_rows() == 3 and not again.is_busy(), timeout=60000)
    again.recent.fill_menu()
    assert [a.text() for a in again.recent.menu.actions()] == [str(folder)]
    again.model.clear()
    again.recent.menu.actions()[0].trigger()
    qtbot.waitUntil(lambda: again.model.total_rows() == 2 and not again.is_busy(), timeout=60000)
    again.close()


# --- 6. the theme --------------------------------------------------------------------------------------------------
def test_leaving_high_contrast_for_light_recolours_the_model_card(qtbot, window, qapp):
    from PySide6.QtGui import QPalette

    window.model_panel.show()
    window.show()
    text = window.model_panel.text
    try:
        for _ in range(4):  # the old window kept the card black in most runs: several switches catch it
            window.set_theme("high-contrast")
            qapp.processEvents()
            assert text.palette().color(QPalette.ColorRole.Base).name() == "#000000"
            window.set_theme("light")
            qapp.processEvents()
            assert text.palette().color(QPalette.ColorRole.Base).name() == "#ffffff"
            assert window.model_panel.palette().color(QPalette.ColorRole.Window).name() == "#efefef"
    finally:
        window.set_theme("system")


def test_accuracy_on_the_training_folder_says_the_model_was_trained_on_it(qtbot, window, tmp_path):
    import dataclasses

    from tests.known_answers import write_colour_image

    labelled = tmp_path / "labelled"
    (labelled / "n01440764").mkdir(parents=True)
    for i in range(2):
        write_colour_image(labelled / "n01440764" / f"x{i}.png", 10 + i)
    backend = window.handle.worker.backend  # as if the model loaded had been trained on this folder
    backend.card = dataclasses.replace(backend.card, training={"data": str(labelled)})
    tools = window.tools_menu
    tools.evaluate_folder(str(labelled))
    qtbot.waitUntil(lambda: bool(tools.dialogs) and type(tools.dialogs[-1]).__name__ == "EvaluationDialog",
                    timeout=60000)
    assert tools.dialogs[-1].text.toPlainText().startswith(
        f"these images include the ones the model was trained on ({labelled}): the accuracy below overstates how "
        "it does on images it has not seen\n\nimages: 2 classified")


def test_the_window_opens_with_the_focus_in_the_table_so_the_arrows_move_through_rows(qtbot, window, tmp_path):
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    paths = _classify(window, qtbot, tmp_path, 3)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=10000)
    assert window.focusWidget() is window.table
    backend = window.current_backend()
    QTest.keyClick(window.focusWidget(), Qt.Key.Key_Down)
    assert window.selected_path() == paths[1] and window.current_backend() == backend  # not another backend


def test_a_model_opened_during_a_batch_says_it_waits_for_the_batch(qtbot, window, tmp_path, monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, title, text: shown.append(title))
    write_photos(tmp_path / "many", 40, size=(160, 120))
    window.add_paths([str(tmp_path / "many")])
    assert window.is_busy()
    bad = tmp_path / "not_alexnet.pth"
    bad.write_bytes(b"not weights")
    window.open_model(str(bad))
    # The old window said nothing for the 21-32 s the refusal waited behind the batch.
    assert window.statusBar().currentMessage() == "The model loads once the running work ends; Esc stops it now."
    qtbot.waitUntil(lambda: shown == ["Model not loaded"], timeout=120000)
    qtbot.waitUntil(lambda: not window.is_busy(), timeout=120000)
