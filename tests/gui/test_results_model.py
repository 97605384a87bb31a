"""The results model sorts and filters itself: one model signal per filter change or delete, however many rows, and
the selection follows its rows."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QAbstractItemView, QTableView

from alexnet_gui.core.outputs.results import Prediction, Result
from alexnet_gui.gui.results_model import COL_LABEL, COL_NAME, COL_PROB, ResultsModel

N = 10_000


@pytest.fixture
def table(qtbot):
    model = ResultsModel()
    paths = [f"/photos/img{i:05d}.jpg" for i in range(N)]
    model.add_paths(paths)
    model.set_results([Result(p, None, (Prediction(i % 1000, f"label{i % 1000}", (i % 997) / 997),))
                       for i, p in enumerate(paths)])
    view = QTableView()
    view.setModel(model)
    view.setSortingEnabled(True)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    qtbot.addWidget(view)
    return model, view


class Signals:
    """Counts the model's structural signals."""

    def __init__(self, model):
        self.counts = {"inserted": 0, "removed": 0, "layout": 0, "reset": 0}
        model.rowsInserted.connect(lambda *a: self.bump("inserted"))
        model.rowsRemoved.connect(lambda *a: self.bump("removed"))
        model.layoutChanged.connect(lambda *a: self.bump("layout"))
        model.modelReset.connect(lambda *a: self.bump("reset"))

    def bump(self, name):
        self.counts[name] += 1


def test_a_filter_change_is_one_layout_change_at_10000_rows_and_keeps_the_selection(table):
    model, view = table
    view.sortByColumn(COL_PROB, Qt.SortOrder.DescendingOrder)
    target = next(i for i in range(model.rowCount()) if model.row(i).path == "/photos/img01012.jpg")
    view.selectRow(target)
    signals = Signals(model)
    for text in ("l", "la", "label1", "LABEL12", "", "label12"):
        model.set_filter(text)
    assert signals.counts == {"inserted": 0, "removed": 0, "layout": 4, "reset": 0}  # "l", "la" show every row
    shown = [model.row(i).path for i in range(model.rowCount())]
    assert len(shown) == 110 and all("label12" in model.row(i).result.top[0].label for i in range(110))
    probs = [model.row(i).result.top[0].prob for i in range(model.rowCount())]
    assert probs == sorted(probs, reverse=True)
    # img01012 has label12: it stays selected and current through every change
    assert view.selectionModel().currentIndex().data(Qt.ItemDataRole.ToolTipRole) == "/photos/img01012.jpg"
    assert [i.row() for i in view.selectionModel().selectedRows()] == [shown.index("/photos/img01012.jpg")]
    model.set_filter("q")  # hides every row, and with it the selection
    assert model.rowCount() == 0 and not view.selectionModel().currentIndex().isValid()


def test_deleting_every_row_with_the_current_row_near_the_bottom_is_one_removal(table):
    model, view = table
    view.selectionModel().setCurrentIndex(model.index(N - 10, COL_NAME), QItemSelectionModel.SelectionFlag.NoUpdate)
    view.selectAll()
    signals = Signals(model)
    model.remove_rows([i.row() for i in view.selectionModel().selectedRows()])
    assert model.rowCount() == 0 and model.total_rows() == 0
    assert signals.counts == {"inserted": 0, "removed": 1, "layout": 0, "reset": 0}


def test_scattered_deletes_are_one_reset_and_remove_exactly_those_rows(table):
    model, _ = table
    signals = Signals(model)
    model.remove_rows(list(range(0, N, 2)))
    assert signals.counts["reset"] == 1 and signals.counts["removed"] == 0
    assert [model.row(i).path for i in range(3)] == ["/photos/img00001.jpg", "/photos/img00003.jpg",
                                                     "/photos/img00005.jpg"]
    assert model.row_for("/photos/img00002.jpg") is None and model.total_rows() == N // 2


def test_sorting_by_name_label_and_probability_and_back_to_the_added_order(table):
    model, _ = table
    model.sort(COL_LABEL, Qt.SortOrder.AscendingOrder)
    labels = [model.row(i).result.top[0].label for i in range(model.rowCount())]
    assert labels == sorted(labels)
    model.sort(COL_NAME, Qt.SortOrder.DescendingOrder)
    assert model.row(0).path == "/photos/img09999.jpg"
    model.sort(-1)
    assert model.row(0).path == "/photos/img00000.jpg"


def test_rows_that_failed_are_drawn_in_the_error_colour(qtbot):
    model = ResultsModel()
    model.add_paths(["/a.jpg", "/b.jpg"])
    model.set_results([Result("/a.jpg", "not an image file")])
    assert model.index(0, 1).data(Qt.ItemDataRole.ForegroundRole).color().name() == "#c62828"  # the light theme's error red
    assert model.index(1, 1).data(Qt.ItemDataRole.ForegroundRole) is None


@pytest.mark.parametrize("prob, text", [(0.0010253, "0.103 %"), (0.4567, "45.7 %"), (1.0, "100.0 %"),
                                        (0.0, "0.0 %"), (0.00001234, "0.00123 %")])
def test_small_probabilities_keep_three_significant_digits(prob, text):
    from alexnet_gui.core.wording import format_probability

    assert format_probability(prob) == text


def test_a_16_bit_png_thumbnail_shows_its_picture_not_white(qtbot, tmp_path):
    import numpy as np
    from PIL import Image

    from alexnet_gui.gui.results_model import THUMB_SIZE, ResultsModel

    ramp = np.tile(np.linspace(0, 65535, 64), (48, 1)).astype(np.uint16)  # dark on the left, light on the right
    path = tmp_path / "deep.png"
    Image.fromarray(ramp).save(path)
    with Image.open(path) as saved:
        assert saved.mode.startswith("I")
    model = ResultsModel()
    model.add_paths([str(path)])
    model.index(0, 0).data(Qt.ItemDataRole.DecorationRole)  # asks for it
    qtbot.waitUntil(lambda: model.index(0, 0).data(Qt.ItemDataRole.DecorationRole) is not None, timeout=10000)
    image = model.index(0, 0).data(Qt.ItemDataRole.DecorationRole).toImage()
    assert image.width() == THUMB_SIZE
    left, right = image.pixelColor(1, image.height() // 2), image.pixelColor(image.width() - 2, image.height() // 2)
    assert left.red() < 40 and right.red() > 200  # the ramp, dark to light (Pillow's convert made it all white)
