"""The labelling project (core/labelling/project.py, queue.py) and `alexnet-gui project`: labels survive a kill -9,
review orders, undo, re-scans, and each refusal in one sentence with the file unchanged."""

from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from PIL import Image

from alexnet_gui.cli import main
from alexnet_gui.core.errors import UserError
from alexnet_gui.core.labelling.project import open_project
from alexnet_gui.core.labelling.queue import bulk_accept, review_queue
from alexnet_gui.core.outputs.results import Prediction, Result

ROOT = Path(__file__).resolve().parents[1]


def write_images(folder: Path, names: list[str]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, name in enumerate(names):
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        Image.new("RGB", (8, 8), (i * 20 % 256, 0, 0)).save(path)
        paths.append(path)
    return paths


def made_up_results(probs: dict[Path, list[float]], labels=("cat", "dog", "fox")) -> list[Result]:
    """Predictions written by hand, for the orders only (nothing here depends on a model)."""
    results = []
    for path, p in probs.items():
        order = sorted(range(len(p)), key=lambda i: -p[i])
        results.append(Result(str(path), None, tuple(Prediction(i, labels[i], p[i]) for i in order)))
    return results


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_label_given_survives_the_process_being_killed_at_once(tmp_path):
    images = write_images(tmp_path / "imgs", ["a.png", "b.png"])
    project = tmp_path / "p.sqlite"
    script = textwrap.dedent(f"""
        import os, signal
        from alexnet_gui.core.labelling.project import open_project
        p = open_project({str(project)!r})
        p.add_paths([{str(tmp_path / "imgs")!r}])
        p.set_label({str(images[1])!r}, "dog")
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    run = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == -signal.SIGKILL, run.stderr
    with open_project(project) as p:
        assert p.label_of(images[1]) == ("dog", "human")
        assert p.label_of(images[0]) is None
        assert p.counts() == (1, 2)
    rows = sqlite3.connect(project).execute("SELECT label, source FROM labels").fetchall()
    assert rows == [("dog", "human")]


def test_the_queue_goes_least_confident_first_with_ties_by_path_and_by_the_other_orders(tmp_path):
    a, b, c, d, e = write_images(tmp_path / "imgs", ["e.png", "d.png", "c.png", "b.png", "a.png"])
    with open_project(tmp_path / "p.sqlite") as p:
        p.add_paths([tmp_path / "imgs"])
        p.record_predictions("{}", "made-up", made_up_results({
            a: [0.5, 0.4, 0.1],     # margin 0.1
            b: [0.9, 0.05, 0.05],   # margin 0.85
            c: [0.45, 0.35, 0.2],   # margin 0.1 (tie with a: by path, c.png before e.png)
            d: [0.34, 0.33, 0.33],  # margin 0.01, highest entropy
        }), 3, ["cat", "dog", "fox"])
        names = lambda order: [Path(r.path).name for r in review_queue(p, order)]  # noqa: E731
        # e (a.png here) was never classified: it comes last in every order but file order.
        assert names("least-confident") == ["b.png", "c.png", "e.png", "d.png", "a.png"]
        assert names("most-confident") == ["d.png", "c.png", "e.png", "b.png", "a.png"]
        assert names("entropy") == ["b.png", "c.png", "e.png", "d.png", "a.png"]
        assert names("file") == ["a.png", "b.png", "c.png", "d.png", "e.png"]
        p.set_label(c, "fox")
        assert names("least-confident") == ["b.png", "e.png", "d.png", "a.png"]
        with pytest.raises(UserError, match=r"^unknown review order 'random'; choose least-confident, entropy, "
                                            r"most-confident, file$"):
            review_queue(p, "random")


def test_undo_restores_each_step_and_bulk_accept_is_one_step(tmp_path):
    a, b, c = write_images(tmp_path / "imgs", ["a.png", "b.png", "c.png"])
    with open_project(tmp_path / "p.sqlite") as p:
        p.add_paths([tmp_path / "imgs"])
        p.record_predictions("{}", "made-up", made_up_results({a: [0.9, 0.05, 0.05], b: [0.2, 0.7, 0.1],
                                                               c: [0.4, 0.3, 0.3]}), 3, ["cat", "dog", "fox"])
        p.set_label(a, "fox")
        p.set_label(a, "cat")
        assert bulk_accept(p, 0.6) == 1  # b only: a has a label, c is below
        assert p.label_of(b) == ("dog", "model")
        assert p.undo() == [str(b)]
        assert p.label_of(b) is None
        assert p.undo() == [str(a)]
        assert p.label_of(a) == ("fox", "human")
        assert p.undo() == [str(a)]
        assert p.label_of(a) is None
        assert p.undo() == []


def test_a_label_the_model_lacks_is_kept_as_the_users_own_class(tmp_path):
    (a,) = write_images(tmp_path / "imgs", ["a.png"])
    with open_project(tmp_path / "p.sqlite") as p:
        p.add_paths([tmp_path / "imgs"])
        p.record_predictions("{}", "made-up", made_up_results({a: [0.6, 0.3, 0.1]}), 3, ["cat", "dog", "fox"])
        p.set_label(a, "catt")
    with open_project(tmp_path / "p.sqlite") as p:
        assert p.label_of(a) == ("catt", "human")
        assert p.user_classes() == ["catt"]
        assert p.classes() == ["cat", "dog", "fox", "catt"]


def test_a_rescan_marks_vanished_images_missing_keeps_their_labels_and_reclassifies_changed_ones(tmp_path):
    a, b, c = write_images(tmp_path / "imgs", ["a.png", "b.png", "c.png"])
    with open_project(tmp_path / "p.sqlite") as p:
        p.add_paths([tmp_path / "imgs"])
        p.record_predictions("{}", "made-up", made_up_results({a: [0.6, 0.3, 0.1], b: [0.6, 0.3, 0.1],
                                                               c: [0.6, 0.3, 0.1]}), 3, ["cat", "dog", "fox"])
        p.set_label(a, "cat")
        assert p.to_classify() == []
    a.unlink()
    Image.new("RGB", (16, 16)).save(b)
    os.utime(b, ns=(1, 1))
    with open_project(tmp_path / "p.sqlite") as p:
        report = p.rescan()
        assert (report.missing, report.changed) == (1, 1)
        assert p.missing() == [str(a)]
        assert p.label_of(a) == ("cat", "human")
        assert p.to_classify() == [str(b)]
        assert p.counts() == (0, 2)


def test_folder_labels_come_from_the_class_folders(tmp_path):
    write_images(tmp_path / "data", ["cats/1.png", "cats/deep/2.png", "dogs/3.png", "loose.png"])
    with open_project(tmp_path / "p.sqlite") as p:
        p.add_paths([tmp_path / "data"], folder_labels=True)
        assert [(Path(r.path).name, r.label, r.source) for r in p.rows()] == [
            ("1.png", "cats", "folder"), ("2.png", "cats", "folder"), ("3.png", "dogs", "folder"),
            ("loose.png", None, None)]


def test_a_file_that_is_not_a_project_is_refused_unchanged(tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("hello\n")
    other = tmp_path / "other.sqlite"
    db = sqlite3.connect(other)
    db.execute("CREATE TABLE t (x)")
    db.commit()
    db.close()
    before = digest(other)
    for path in (text, other):
        with pytest.raises(UserError, match=f"^{path} is not an alexnet-gui labelling project$"):
            open_project(path)
    assert text.read_text() == "hello\n"
    assert digest(other) == before


def test_a_project_from_a_newer_schema_is_refused_unchanged(tmp_path):
    path = tmp_path / "p.sqlite"
    open_project(path).close()
    db = sqlite3.connect(path)
    db.execute("PRAGMA user_version = 7")
    db.commit()
    db.close()
    before = digest(path)
    with pytest.raises(UserError, match=r"^.*p\.sqlite was made by a newer alexnet-gui \(project schema 7; this one "
                                        r"reads up to 1\): update the app to open it$"):
        open_project(path)
    assert digest(path) == before


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root may write a read-only file")
def test_a_read_only_project_is_refused(tmp_path):
    path = tmp_path / "p.sqlite"
    open_project(path).close()
    path.chmod(0o444)
    with pytest.raises(UserError, match=r"is read-only: labels could not be saved \(copy it somewhere writable\)$"):
        open_project(path)
    with open_project(path, readonly=True) as p:  # reading (an export) still works
        assert p.counts() == (0, 0)


def test_a_project_open_in_another_process_is_refused(tmp_path, capsys):
    path = tmp_path / "p.sqlite"
    open_project(path).close()
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys; from alexnet_gui.core.labelling.project import open_project; "
         f"p = open_project({str(path)!r}); print('open', flush=True); sys.stdin.readline()"],
        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline() == "open\n"
        with pytest.raises(UserError, match=f"^{path} is open in another running alexnet-gui \\(it is locked\\): "
                                            "close it there first$"):
            open_project(path)
        assert main(["export-labels", str(path), "--format", "csv", "--out", str(tmp_path / "x.csv")]) == 2
        assert capsys.readouterr().err == (f"error: {path} is open in another running alexnet-gui (it is locked): "
                                           "close it there first\n")
    finally:
        holder.communicate("\n")
    with open_project(path) as p:
        assert p.counts() == (0, 0)


def test_the_project_command_adds_classifies_and_counts(tmp_path, capsys):
    write_images(tmp_path / "data", ["cats/1.png", "dogs/2.png", "3.png"])
    project = tmp_path / "p.sqlite"
    args = ["project", str(project), str(tmp_path / "data"), "--folder-labels", "--untrained", "--backend", "torch",
            "--device", "cpu"]
    assert main(args) == 0
    assert capsys.readouterr().out == "labelled 2/3\n"
    with open_project(project) as p:
        assert p.to_classify() == []
        rows = p.rows()
        assert all(len(r.top_probs) == 9 and r.margin is not None for r in rows)
        assert len(p.model_labels()) == 1000
    assert main(["project", str(project)]) == 0  # nothing new: no model is loaded
    assert capsys.readouterr().out == "labelled 2/3\n"


def test_the_project_command_refuses_a_missing_path_and_a_foreign_file(tmp_path, capsys):
    assert main(["project", str(tmp_path / "p.sqlite"), str(tmp_path / "nowhere")]) == 2
    assert capsys.readouterr().err == f"error: {tmp_path / 'nowhere'} does not exist\n"
    assert not (tmp_path / "p.sqlite").exists()
    foreign = tmp_path / "x.csv"
    foreign.write_text("a,b\n")
    assert main(["project", str(foreign)]) == 2
    assert capsys.readouterr().err == f"error: {foreign} is not an alexnet-gui labelling project\n"
    assert foreign.read_text() == "a,b\n"


def test_a_snapshot_of_an_open_project_holds_its_committed_labels_and_opens_while_the_original_is_locked(tmp_path):
    paths = write_images(tmp_path / "images", ["a.png", "b.png"])
    with open_project(tmp_path / "p.sqlite") as project:
        project.add_paths([tmp_path / "images"])
        project.set_label(paths[0], "cat")
        with pytest.raises(UserError, match="is open in another running alexnet-gui"):
            open_project(tmp_path / "p.sqlite", readonly=True)
        copy = project.snapshot(tmp_path / "copy.sqlite")
        with open_project(copy, readonly=True) as snapshot:
            assert snapshot.label_of(paths[0]) == ("cat", "human")
            assert snapshot.counts() == (1, 2)


def test_a_label_from_another_thread_never_joins_a_transaction_in_flight(tmp_path):
    import threading

    paths = write_images(tmp_path / "images", ["a.png", "b.png"])
    with open_project(tmp_path / "p.sqlite") as project:
        project.add_paths([tmp_path / "images"])
        inside, release = threading.Event(), threading.Event()

        def batch() -> None:
            try:
                with project._write():  # a batch's transaction, rolled back
                    project._db.execute("UPDATE images SET stale = 0")
                    inside.set()
                    release.wait(10)
                    raise RuntimeError("the batch failed")
            except RuntimeError:
                pass

        worker = threading.Thread(target=batch)
        worker.start()
        inside.wait(10)
        labeller = threading.Thread(target=project.set_label, args=(paths[0], "cat"))
        labeller.start()
        # Without the project's lock the label joins the batch's transaction here and returns at once (then is
        # rolled back with it); with it, the label waits for the batch to end. Either way it passes only if kept.
        labeller.join(1)
        release.set()
        worker.join(10)
        labeller.join(10)
        assert project.label_of(paths[0]) == ("cat", "human")  # not rolled back with the batch


def test_the_queues_paths_and_the_table_rows_match_the_full_rows(tmp_path):
    from alexnet_gui.core.labelling.queue import ORDERS, review_paths

    paths = write_images(tmp_path / "images", ["a.png", "b.png", "c.png", "d.png"])
    with open_project(tmp_path / "p.sqlite") as project:
        project.add_paths([tmp_path / "images"])
        project.record_predictions("{}", "made-up", made_up_results(
            {paths[0]: [0.5, 0.3, 0.2], paths[1]: [0.1, 0.8, 0.1], paths[2]: [0.4, 0.35, 0.25]}), 3, ["cat", "dog", "fox"])
        project.set_label(paths[1], "dog")
        for order in ORDERS:
            assert review_paths(project, order) == [r.path for r in review_queue(project, order)]
        assert project.table_rows() == [(r.path, r.top_indices[0] if r.top_indices else None, r.model_label,
                                         r.model_prob, r.label, r.source, "made-up" if r.top_labels else None)
                                        for r in project.rows(order="i.id")]
