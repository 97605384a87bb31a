"""The app's session of rows is plain Python: it imports no Qt, and says which model made which rows."""

from __future__ import annotations

from alexnet_gui.core.outputs.results import Prediction, Result
from alexnet_gui.gui.session import Session
from tests.fresh_interpreter import imports_after


def test_the_session_imports_no_qt():
    imported, _ = imports_after("import alexnet_gui.gui.session", ("PySide6", "shiboken6", "superqt"))
    assert imported == []


def test_rows_results_requeue_and_origins():
    session = Session()
    assert [r.path for r in session.add(["a.jpg", "b.jpg", "a.jpg"])] == ["a.jpg", "b.jpg"]
    old = Result("a.jpg", None, (Prediction(3, "cat", 0.9),), "old@1 · torch on cpu fp32 · tta none")
    new = Result("b.jpg", None, (Prediction(1, "dog", 0.8),), "new@2 · onnx on cpu fp32 · tta none")
    gone = Result("c.jpg", None, (Prediction(0, "x", 1.0),), "new@2 · onnx on cpu fp32 · tta none")
    assert [r.path for r in session.set_results([old, new, gone])] == ["a.jpg", "b.jpg"]
    assert session.origins() == {"old@1 · torch on cpu fp32 · tta none": 1, "new@2 · onnx on cpu fp32 · tta none": 1}
    assert [r.path for r in session.rows_not_from("new@2")] == ["a.jpg"]
    assert session.paths_with_fewer_classes(2) == ["a.jpg", "b.jpg"]
    session.requeue(["a.jpg"])
    assert session.queued_paths() == ["a.jpg"] and session.row_for("a.jpg").status == "queued"
    session.remove([session.row_for("b.jpg")])
    assert [r.path for r in session.rows()] == ["a.jpg"] and len(session) == 1
