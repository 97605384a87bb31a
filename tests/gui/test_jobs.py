"""Typed jobs on the inference thread, and the controller without a window (issue 32).

Each submitted task gets its own handle: answers never cross between views, a newer request with the same key
supersedes the older one (which reports cancelled, never done), and a failing task fails only its own handle.
"""

from __future__ import annotations

import threading

import pytest
from PySide6.QtWidgets import QMessageBox


@pytest.fixture
def jobs(qtbot):
    from alexnet_gui.gui.jobs import JobRunner

    runner = JobRunner()
    yield runner
    assert runner.stop()


def _record(handle) -> dict:
    seen: dict = {"done": [], "failed": [], "cancelled": 0}
    handle.done.connect(seen["done"].append)
    handle.failed.connect(seen["failed"].append)
    handle.cancelled.connect(lambda: seen.__setitem__("cancelled", seen["cancelled"] + 1))
    return seen


def test_two_views_never_receive_each_others_answers(qtbot, jobs):
    filters = jobs.submit(lambda run: "the filters' answer", key="filters")
    features = jobs.submit(lambda run: "the feature maps' answer", key="features")
    a, b = _record(filters), _record(features)
    qtbot.waitUntil(lambda: filters.is_finished() and features.is_finished(), timeout=30000)
    assert a["done"] == ["the filters' answer"] and b["done"] == ["the feature maps' answer"]


def test_a_quick_re_request_supersedes_the_old_one(qtbot, jobs):
    blocker = threading.Event()
    started = threading.Event()
    old = jobs.submit(lambda run: started.set() or blocker.wait(30) and "old", key="features")
    seen_old = _record(old)
    qtbot.waitUntil(started.is_set, timeout=30000)  # the old one is running: it cannot just be skipped
    new = jobs.submit(lambda run: "new", key="features")
    seen_new = _record(new)
    assert old.state == "cancelled" and seen_old["cancelled"] == 1 and old.cancel_event.is_set()
    blocker.set()
    qtbot.waitUntil(new.is_finished, timeout=30000)  # after the old one: its answer came first, and was dropped
    assert seen_new["done"] == ["new"] and seen_old["done"] == [] and seen_old["failed"] == []


def test_a_failing_job_fails_only_its_own_handle(qtbot, jobs):
    from alexnet_gui.core.errors import UserError

    def refuse(run):
        raise UserError("this one cannot be computed")

    bad = jobs.submit(refuse, key="cam")
    good = jobs.submit(lambda run: 42, key="unit")
    no_model = jobs.submit(lambda run: run.backend)
    seen_bad, seen_good, seen_none = _record(bad), _record(good), _record(no_model)
    qtbot.waitUntil(lambda: bad.is_finished() and good.is_finished() and no_model.is_finished(), timeout=30000)
    assert seen_bad == {"done": [], "failed": ["this one cannot be computed"], "cancelled": 0}
    assert seen_good == {"done": [42], "failed": [], "cancelled": 0}
    assert seen_none["failed"] == ["no model is loaded"]


def test_progress_and_pieces_reach_only_their_handle_even_when_sent_at_once(qtbot, jobs):
    def task(run):
        run.send("piece")
        run.progress(1, 2)
        return "answer"

    handle = jobs.submit(task)
    pieces, reports = [], []
    handle.partial.connect(pieces.append)  # connected after submit: nothing is missed
    handle.progress.connect(lambda done, total: reports.append((done, total)))
    qtbot.waitUntil(handle.is_finished, timeout=30000)
    assert pieces == ["piece"] and reports == [(1, 2)] and handle.state == "done"


def test_the_controller_loads_a_model_without_any_window(qtbot, settings):
    from alexnet_gui.core.model.weights import resolve_weights
    from alexnet_gui.gui.controller import AppController
    from alexnet_gui.gui.worker import LoadedModel, LoadRequest

    controller = AppController(settings)
    try:
        with qtbot.waitSignal(controller.model_loaded, timeout=60000) as loaded:
            controller.load(LoadRequest("torch", "cpu", resolve_weights(untrained=True)))
        assert isinstance(loaded.args[0], LoadedModel) and loaded.args[0].untrained
        assert controller.loaded is loaded.args[0] and loaded.args[0].card_id == "untrained-seed0"
    finally:
        assert controller.stop()


def test_a_refused_model_is_neither_the_chosen_weights_nor_a_recent_model(qtbot, window, tmp_path, monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, title, text: shown.append(title))
    mode, recent, title = window.settings.weights_mode, window.settings.recent_models, window.windowTitle()
    before = window.weights
    bad = tmp_path / "not_alexnet.pth"
    bad.write_bytes(b"not weights")
    assert window.open_model(str(bad))  # a model file by its name: the load itself refuses it
    qtbot.waitUntil(lambda: bool(shown), timeout=60000)
    assert shown == ["Model not loaded"]
    assert window.settings.weights_mode == mode and window.settings.weights_file == ""
    assert window.settings.recent_models == recent and str(bad) not in window.settings.recent_models
    assert window.weights is before and window.windowTitle() == title  # not "loading the model…" for good
