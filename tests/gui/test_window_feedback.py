"""What the user sees while working: the title, the drop highlight, feedback for a drop during a batch, a readable
progress bar, a window that fits its screen, and a status-bar speed that belongs to a real batch."""

from __future__ import annotations

import os

from PySide6.QtCore import QMimeData, QPointF, QSize, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDragLeaveEvent
from PySide6.QtWidgets import QApplication

from tests.gui.test_main_window import drop
from tests.image_fixtures import write_photos


def test_the_title_names_the_model_once_and_never_a_stale_one(qtbot, window):
    app_name = QApplication.applicationDisplayName() or "alexnet-gui"
    assert window.windowTitle() == "UNTRAINED network: predictions are meaningless"
    assert app_name not in window.windowTitle()  # Qt adds " — alexnet-gui" itself
    window.controller.model_loading.emit("torch on cpu")
    qtbot.waitUntil(lambda: window.windowTitle() == "loading the model…")


def test_dragging_files_over_the_window_highlights_the_table_until_they_leave(qtbot, window, tmp_path):
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(tmp_path))])
    enter = QDragEnterEvent(QPointF(10, 10).toPoint(), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window, enter)
    assert window.table.drop_highlighted() and window.table.hint() == "Drop to classify these images"
    image = window.table.viewport().grab().toImage()  # paints it (two painters at once crashed here)
    assert image.pixelColor(1, 1) == window.table.palette().highlight().color()
    QApplication.sendEvent(window, QDragLeaveEvent())
    assert not window.table.drop_highlighted()


def test_a_folder_dropped_during_a_batch_is_acknowledged_at_once(qtbot, window, tmp_path):
    write_photos(tmp_path / "first", 40, size=(320, 240))
    write_photos(tmp_path / "second", 3, size=(64, 48))
    window.add_paths([str(tmp_path / "first")])
    assert window.is_busy()
    drop(window, [tmp_path / "second"])
    assert window.statusBar().currentMessage() == "Added second: classified after the current batch."
    qtbot.waitUntil(lambda: window.model.total_rows() == 43 and not window.is_busy(), timeout=120000)


def test_the_progress_bar_is_wide_enough_for_its_text(window):
    bar = window.progress_bar
    text = "12345/100000 · 999.9 img/s · ETA 99999 s"
    assert bar.minimumWidth() > bar.fontMetrics().horizontalAdvance(text)


def test_the_window_fits_a_small_or_scaled_screen():
    from alexnet_gui.gui.main_window import fitting_size

    assert fitting_size(QSize(1920, 1200), 1280, 760) == QSize(1280, 760)
    assert fitting_size(QSize(800, 500), 1280, 760) == QSize(720, 450)  # 1600x1000 at QT_SCALE_FACTOR=2


def test_a_one_image_rerun_does_not_set_the_batch_speed(qtbot, window, tmp_path):
    photos = write_photos(tmp_path, 40, size=(160, 120))
    with qtbot.waitSignal(window.controller.classify_finished, timeout=120000):
        window.add_paths([str(tmp_path)])
    qtbot.waitUntil(lambda: not window.is_busy())
    batch_label = window.model_label.text()
    assert "images/s" in batch_label
    with qtbot.waitSignal(window.controller.classify_finished, timeout=60000):
        window.controller.classify([os.fspath(photos[0])], walk=False)  # as a backend switch re-runs the selected image
    qtbot.waitUntil(lambda: not window.is_busy())
    assert window.model_label.text() == batch_label


def test_deleting_the_shown_rows_clears_the_preview(qtbot, window, tmp_path):
    write_photos(tmp_path, 2, size=(100, 80))
    window.add_paths([str(tmp_path)])
    qtbot.waitUntil(lambda: window.model.rowCount() == 2 and not window.is_busy(), timeout=60000)
    window.table.selectRow(0)
    qtbot.waitUntil(lambda: len(window.shown_predictions()) > 0)
    window.table.selectAll()
    window.remove_action.trigger()
    assert window.model.rowCount() == 0
    assert window.shown_predictions() == [] and window.detail.text() == ""


def test_the_empty_filter_hint_names_the_text_typed_last(qtbot, window, tmp_path):
    (photo,) = write_photos(tmp_path, 1, size=(100, 80))
    window.add_paths([str(photo)])
    qtbot.waitUntil(lambda: window.model.rowCount() == 1 and not window.is_busy(), timeout=60000)
    painted = []
    real_paint = type(window.table).paintEvent

    def recording_paint(table, event):
        painted.append(table.hint())
        real_paint(table, event)

    window.show()
    type(window.table).paintEvent = recording_paint
    try:
        for text in ("q", "qx", "qxy"):
            window.filter_edit.setText(text)
            qtbot.waitUntil(lambda text=text: bool(painted) and painted[-1] == f"No top-1 label or file name contains “{text}”")
    finally:
        type(window.table).paintEvent = real_paint


def test_the_weights_dialog_opens_over_the_windows_centre(qtbot, window, monkeypatch):
    from alexnet_gui.gui.widgets.weights_dialog import WeightsDialog

    window.move(100, 80)
    window.show()
    seen = []
    monkeypatch.setattr(WeightsDialog, "exec", lambda dialog: seen.append(dialog.frameGeometry().center()) or 0)
    window.ask_for_weights()
    (centre,) = seen
    assert (centre - window.frameGeometry().center()).manhattanLength() <= 2


def test_thumbnails_are_drawn_at_the_screens_pixel_ratio(qtbot, tmp_path):
    from PySide6.QtGui import QImage

    from alexnet_gui.gui.results_model import THUMB_SIZE, _ThumbnailJob, _ThumbnailSignals

    (photo,) = write_photos(tmp_path, 1, size=(400, 300))
    signals = _ThumbnailSignals()
    got: list[QImage] = []
    signals.loaded.connect(lambda path, image: got.append(image))
    _ThumbnailJob(str(photo), signals, 2.0).run()
    (image,) = got
    assert image.width() == 2 * THUMB_SIZE and image.devicePixelRatio() == 2.0  # sharp on a 200 % screen
