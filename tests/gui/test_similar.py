"""The Similar tab (issue 34): the table's images nearest to the selected row, as the core's search computes them,
from the vectors the app recorded while classifying (no second pass), superseded on quick selection changes."""

from __future__ import annotations

import os

import pytest

from tests.gui.embedding_photos import app_index, classify_folder, core_backend


@pytest.fixture
def similar_window(qtbot, window, tmp_path):
    from alexnet_gui.gui.views import install_views

    views = install_views(window)
    window.show()
    paths = classify_folder(window, qtbot, tmp_path / "photos")
    return window, views["similar"], paths


def _select(window, path: str) -> None:
    window.table.selectRow(window.model.position_of(path))


def test_the_tab_shows_the_neighbours_the_core_computes_from_the_recorded_vectors(qtbot, similar_window):
    from alexnet_gui.core.embeddings.tasks import similar

    window, view, paths = similar_window
    query = next(p for p in paths if os.path.basename(p) == "chelsea.png")
    _select(window, query)
    window.tabs.setCurrentWidget(view)
    with qtbot.waitSignal(view.last_job.done, timeout=60000):
        pass
    # Recorded while classifying: the search computed no vector (the model did not run again).
    assert view._data.computed == 0 and view._data.searched == len(paths) - 1
    found, _done = similar(query, [r.path for r in window.model.rows()], app_index(window), core_backend(window),
                           k=6)
    assert view.neighbours() == [(p, d) for _rank, p, d in found]
    # The cat's three copies come first, and the tab says so with their distances.
    assert {os.path.basename(p) for p, _d in view.neighbours()[:3]} == {"chelsea_q60.jpg", "chelsea_small.png",
                                                                       "chelsea_crop.png"}
    assert view.list.count() == 6
    assert view.list.item(0).text() == f"1. {os.path.basename(found[0][1])}\n{found[0][2]:.4f}"


def test_the_shared_units_link_to_the_unit_tab(qtbot, similar_window):
    import numpy as np

    from alexnet_gui.core.embeddings.search import shared_units

    window, view, paths = similar_window
    query = next(p for p in paths if os.path.basename(p) == "coffee.png")
    _select(window, query)
    window.tabs.setCurrentWidget(view)
    with qtbot.waitSignal(view.last_job.done, timeout=60000):
        pass
    index = app_index(window)
    shown = [query, *[p for p, _d in view.neighbours()]]
    vectors = index.vectors([index.rows(index.hashes(shown))[h] for h in index.hashes(shown)])
    units = shared_units(vectors[0], vectors[1:])
    assert [u for u, _s in view._data.units] == [u for u, _s in units] and len(units) == 5
    # By hand: the product of the query's activation and the neighbours' mean, largest first.
    score = vectors[0] * vectors[1:].mean(axis=0)
    assert units[0][0] == int(np.argmax(score))
    assert f'href="fc7:{units[0][0]}"' in view.units.text()
    view.units.linkActivated.emit(f"fc7:{units[0][0]}")
    unit = window.views["unit"]
    assert window.tabs.currentWidget() is unit
    assert (unit.layer.currentText(), unit.unit.value()) == ("fc7", units[0][0])


def test_quick_selection_changes_supersede_the_older_searches(qtbot, similar_window):
    window, view, paths = similar_window
    window.tabs.setCurrentWidget(view)
    with qtbot.waitSignal(view.last_job.done, timeout=60000):
        pass
    jobs = []
    for name in ("coffee_crop.png", "astronaut_q60.jpg", "chelsea_small.png"):
        _select(window, next(p for p in paths if os.path.basename(p) == name))
        jobs.append(view.last_job)
    with qtbot.waitSignal(jobs[-1].done, timeout=60000):
        pass
    assert [j.state for j in jobs] == ["cancelled", "cancelled", "done"]
    assert os.path.basename(view._data.query) == "chelsea_small.png"
    assert {os.path.basename(p) for p, _d in view.neighbours()[:3]} == {"chelsea.png", "chelsea_q60.jpg",
                                                                       "chelsea_crop.png"}


def test_an_image_dropped_on_the_tab_is_the_query(qtbot, similar_window, tmp_path):
    from PIL import Image

    window, view, paths = similar_window
    outside = tmp_path / "outside.jpg"
    Image.open(next(p for p in paths if os.path.basename(p) == "astronaut.png")).save(outside, quality=80)
    window.tabs.setCurrentWidget(view)
    view.search_for(str(outside))
    with qtbot.waitSignal(view.last_job.done, timeout=60000):
        pass
    assert view._data.query == str(outside)
    assert os.path.basename(view.neighbours()[0][0]).startswith("astronaut")


def test_recording_follows_the_model_menus_setting(qtbot, window, tmp_path):
    from alexnet_gui.gui.views import install_views
    from tests.image_fixtures import write_photos

    install_views(window)
    assert window.embedding_actions.record_action.isChecked()  # on by default
    window.embedding_actions.record_action.trigger()  # off
    assert window.settings.record_embeddings is False
    off = [str(p) for p in write_photos(tmp_path / "off", 2, size=(160, 120), seed=3416)]
    window.add_paths(off)
    qtbot.waitUntil(lambda: not window.is_busy() and window.model.rowCount() == 2
                    and all(r.result is not None for r in window.model.rows()), timeout=60000)
    window.embedding_actions.record_action.trigger()  # on again: from the next batch on
    on = [str(p) for p in write_photos(tmp_path / "on", 2, size=(160, 120), seed=3417)]
    window.add_paths(on)
    qtbot.waitUntil(lambda: not window.is_busy() and window.model.rowCount() == 4
                    and all(r.result is not None for r in window.model.rows()), timeout=60000)
    index = app_index(window)
    assert index.rows(index.hashes(off)) == {}
    assert len(index.rows(index.hashes(on))) == 2
