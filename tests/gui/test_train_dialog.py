"""Tools > Train on labelled folders…: classes before starting, live curves, Cancel, the clickable confusion matrix,
Copy misclassified, Use this model."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt

from tests.training_data import write_digits, write_narrow_base, write_photo_classes


@pytest.fixture
def narrow_window(window, tmp_path, monkeypatch):
    """The window running a narrow network, so a training from it takes seconds."""
    from alexnet_gui.core.model.weights import resolve_weights

    monkeypatch.setenv("ALEXNET_GUI_CACHE", str(tmp_path / "cache"))
    window.controller.weights = resolve_weights(write_narrow_base(tmp_path / "narrow.pth"))
    return window


def _train(qtbot, dialog, timeout=120_000):
    with qtbot.waitSignal(dialog.finished_training, timeout=timeout) as done:
        dialog.start_button.click()
    return done.args[0]


def test_training_in_the_app_shows_curves_and_a_matrix_to_click_into(narrow_window, qtbot, tmp_path):
    window = narrow_window
    data = write_digits(tmp_path / "digits", per_class=15)
    dialog = window.tools_menu.train_on_folders(str(data))
    assert dialog.classes.rowCount() == 10
    assert [dialog.classes.item(i, 1).text() for i in range(10)] == ["15"] * 10
    assert dialog.summary.text() == "10 classes, 150 images: 120 to train on, 30 to validate with."
    assert dialog.out_edit.text() == f"{data}-model"
    dialog.epochs.setValue(4)
    finished = _train(qtbot, dialog)
    assert finished is not None and not finished.interrupted, dialog.status.text()
    assert dialog.curves.epochs == [1, 2, 3, 4]
    assert len(dialog.curves.points["val_accuracy"]) == 4
    card = json.loads((finished.out / "model.pth.card.json").read_text())
    report = card["training"]["validation_report"]
    assert f"({report['top1']}/30) on validation" in dialog.status.text()

    view = dialog.confusion
    assert dialog.tabs.currentWidget() is view
    assert view.model.rowCount() == view.model.columnCount() == 10
    # A click on a cell shows exactly that cell's images.
    t, p = max(((t, p) for (t, p) in finished.matrix.cells), key=lambda c: len(finished.matrix.cells[c]))
    index = view.model.index(view.model.classes.index(t), view.model.classes.index(p))
    view.table.scrollTo(index)
    qtbot.mouseClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=view.table.visualRect(index).center())
    assert view.cell == (t, p)
    assert view.thumbnails.count() == finished.matrix.count(t, p)
    assert view.model.data(index) == str(finished.matrix.count(t, p))

    rows_before = window.model.rowCount()
    view.open_button.click()
    qtbot.waitUntil(lambda: window.model.rowCount() == rows_before + finished.matrix.count(t, p),
                    timeout=30_000)

    wrong = finished.matrix.misclassified()
    if wrong:
        view.copy_misclassified(str(tmp_path / "review"))
        qtbot.waitUntil(lambda: view.copy_outcome is not None, timeout=30_000)
        path, true, predicted = wrong[0]
        names = finished.card.labels
        assert (tmp_path / "review" / names.name(true) / f"as {names.name(predicted)}" /
                path.rsplit("/", 1)[1]).is_file()
        assert len(list((tmp_path / "review").rglob("*.png"))) == len(wrong)

    with qtbot.waitSignal(window.model_ready, timeout=60_000):
        dialog.use_button.click()
    assert window.weights.path == (finished.out / "model.pth").resolve()


def test_cancel_saves_the_best_epoch_so_far(narrow_window, qtbot, tmp_path):
    from alexnet_gui.core.training.trainer import EpochReport

    window = narrow_window
    dialog = window.tools_menu.train_on_folders(str(write_digits(tmp_path / "digits", per_class=10)))
    dialog.epochs.setValue(200)

    def cancel_after_two(step):
        if isinstance(step[1], EpochReport) and step[1].epoch == 2:
            dialog.cancel_button.click()

    dialog.start_button.clicked.connect(lambda: dialog.worker.yielded.connect(cancel_after_two))
    finished = _train(qtbot, dialog)
    assert finished.interrupted and 2 <= len(finished.trained.history) < 200
    assert (finished.out / "model.pth").is_file() and (finished.out / ".training" / "checkpoint.pt").is_file()
    assert dialog.status.text().startswith("Cancelled; saved the best epoch so far")
    qtbot.waitUntil(lambda: dialog.start_button.isEnabled())


def test_a_folder_not_in_the_layout_says_why_and_cannot_start(narrow_window, qtbot, tmp_path):
    data = write_photo_classes(tmp_path / "photos", per_class=3)
    for path in (data / "rocket").iterdir():
        path.unlink()
    for path in (data / "coffee").iterdir():
        path.unlink()
    dialog = narrow_window.tools_menu.train_on_folders(str(data))
    assert "has only one class (cat)" in dialog.summary.text()
    assert not dialog.start_button.isEnabled()


def test_a_model_folder_that_exists_is_one_sentence_and_the_app_stays_usable(narrow_window, qtbot, tmp_path):
    data = write_photo_classes(tmp_path / "photos", per_class=3)
    out = tmp_path / "taken"
    out.mkdir()
    (out / "mine.txt").write_text("keep")
    dialog = narrow_window.tools_menu.train_on_folders(str(data))
    dialog.out_edit.setText(str(out))
    assert _train(qtbot, dialog) is None
    assert "exists and is not empty" in dialog.last_error
    assert (out / "mine.txt").read_text() == "keep"
    qtbot.waitUntil(lambda: dialog.start_button.isEnabled())
