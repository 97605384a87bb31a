"""The Map view (issue 34): the core's 2-D layout of the table's classified images, coloured by label; a rectangle
drawn on it selects those rows in the table, and in a labelling project labels them at once."""

from __future__ import annotations

import os

import pytest
from PySide6.QtCore import QRectF

from tests.gui.embedding_photos import app_index, classify_folder, core_backend


@pytest.fixture
def map_window(qtbot, window, tmp_path):
    from alexnet_gui.gui.views import install_views

    views = install_views(window)
    window.show()
    paths = classify_folder(window, qtbot, tmp_path / "photos")
    view = views["map"]
    window.tabs.setCurrentWidget(view)
    with qtbot.waitSignal(view.last_job.done, timeout=60000):
        pass
    return window, view, paths


def _around(points, names) -> QRectF:
    """The smallest rectangle holding the points of `names`, a hair wider."""
    xs = [x for p, x, _y in points if os.path.basename(p) in names]
    ys = [y for p, _x, y in points if os.path.basename(p) in names]
    pad = 1e-6 * (1 + max(map(abs, xs + ys)))
    return QRectF(min(xs) - pad, min(ys) - pad, max(xs) - min(xs) + 2 * pad, max(ys) - min(ys) + 2 * pad)


def test_the_map_is_the_cores_layout_coloured_by_the_models_label(map_window):
    from alexnet_gui.core.embeddings.tasks import folder_map

    window, view, paths = map_window
    rows, _done = folder_map([r.path for r in window.model.rows()], app_index(window), core_backend(window))
    assert view.points() == [(p, x, y) for p, x, y, _label in rows]
    # The label recorded with each vector is the table's top-1.
    assert view.labels == [window.model.row_for(p).result.top[0].label for p, *_ in rows]
    assert len(view.scatter.points()) == 12


def test_a_rectangle_selects_those_rows_in_the_table(map_window):
    window, view, paths = map_window
    cats = {"chelsea.png", "chelsea_q60.jpg", "chelsea_small.png", "chelsea_crop.png"}
    rect = _around(view.points(), cats)
    inside = {os.path.basename(p) for p, x, y in view.points() if rect.contains(x, y)}
    selected = view.select_rect(rect)
    assert {os.path.basename(p) for p in selected} == inside and cats <= inside
    table_rows = {os.path.basename(window.model.row(i).path) for i in window.selection.source_rows()}
    assert table_rows == inside
    assert view.status.text() == f"{len(inside)} images selected on the map."


def test_in_a_labelling_project_the_selection_is_labelled_at_once(qtbot, map_window, tmp_path):
    from alexnet_gui.gui.widgets.labelling_menu import install_labelling

    window, view, paths = map_window
    menu = install_labelling(window)
    assert view.label_selection("cat") == 0
    assert view.status.text().startswith("Open a labelling project first")
    assert menu.labelling.open(str(tmp_path / "labels.sqlite"), [str(tmp_path / "photos")])
    qtbot.waitUntil(lambda: not window.is_busy(), timeout=120000)
    coffee = {"coffee.png", "coffee_q60.jpg", "coffee_small.png", "coffee_crop.png"}
    selected = view.select_rect(_around(view.points(), coffee))
    view.name.setText("espresso")
    assert view.label_selection() == len(selected)
    project = menu.labelling.project
    labelled = {os.path.basename(p) for p in paths if project.label_of(p) == ("espresso", "human")}
    assert labelled == {os.path.basename(p) for p in selected} and coffee <= labelled
    # Coloured by the project's label now.
    assert sorted(label for label, (p, *_rest) in zip(view.labels, view.points())
                  if os.path.basename(p) in coffee) == ["espresso"] * 4
