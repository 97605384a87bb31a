"""Issue 33 finding 6: the app's labelling project opened again, or switched, while a job uses it."""

from __future__ import annotations

import os
import threading

import pytest
from PySide6.QtWidgets import QMessageBox

from alexnet_gui.core.labelling.project import open_project
from tests.gui.test_review import make_project


@pytest.fixture
def labelling(window):
    from alexnet_gui.gui.widgets.labelling_menu import install_labelling

    menu = install_labelling(window)
    yield menu.labelling
    menu.labelling.close()


def test_opening_the_open_project_again_adds_to_it_instead_of_refusing_it_as_locked(labelling, window, tmp_path,
                                                                                   monkeypatch):
    from PIL import Image

    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *args: warnings.append(args[2]))
    file, _ = make_project(tmp_path)
    more = tmp_path / "more"
    more.mkdir()
    Image.new("RGB", (32, 24)).save(more / "e.png")
    assert labelling.open(os.fspath(file))
    first = labelling.project
    assert labelling.open(os.fspath(tmp_path / "." / file.name), [os.fspath(more)], create=False)
    assert warnings == []
    assert labelling.project is first and first.counts() == (0, 5)


def test_switching_projects_waits_for_the_job_using_the_old_one(labelling, window, qtbot, tmp_path):
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    file, paths = make_project(tmp_path / "one")
    other, _ = make_project(tmp_path / "two")
    assert labelling.open(os.fspath(file))
    started, go, wrote = threading.Event(), threading.Event(), threading.Event()

    def work(run, project):
        started.set()
        go.wait(10)
        project.set_label(paths["a.png"], "cat")  # a batch's write, after the switch was asked for
        wrote.set()
        return run.cancel()

    job = window.context.controller.run_tool("test", labelling.project_task(work))
    qtbot.waitUntil(started.is_set)
    go.set()
    assert labelling.open(os.fspath(other))
    assert wrote.is_set()  # closing the old project waited for the write in flight
    with qtbot.waitSignal(job.finished):
        pass
    assert job.state == "done"
    labelling.close()
    with open_project(file) as project:
        assert project.label_of(paths["a.png"]) == ("cat", "human")
