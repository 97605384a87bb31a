"""Issue 33's app: a labelling project in the window (table columns, progress line, refusals), the review mode's
keys, its queue orders, undo, bulk accept, label errors as a queue, exports from the menu, and a label surviving
a SIGKILL of the app right after its key press."""

from __future__ import annotations

import csv
import os
import select
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from alexnet_gui.core.labelling.project import open_project
from alexnet_gui.core.outputs.results import Prediction, Result

ROOT = Path(__file__).resolve().parents[2]
LABELS = ("cat", "dog", "fox", "owl", "ant", "bee", "cow", "elk", "emu", "yak")
#: top-1 probability per image: the margins make the least-confident order c, a, d, b
PROBS = {"a.png": 0.5, "b.png": 0.9, "c.png": 0.4, "d.png": 0.7}


def prediction(path: Path, top1: float, first: int) -> Result:
    """A made-up top-9 whose first class is LABELS[first] with `top1`, the rest sharing what is left."""
    rest = (1.0 - top1) / 9
    order = [first] + [i for i in range(len(LABELS)) if i != first][:8]
    return Result(str(path), None, tuple(Prediction(i, LABELS[i], top1 if k == 0 else rest)
                                         for k, i in enumerate(order)))


def make_project(tmp_path: Path) -> tuple[Path, dict[str, Path]]:
    """A project of four images with stored predictions (no model needed to review them)."""
    folder = tmp_path / "images"
    folder.mkdir()
    paths = {}
    for i, name in enumerate(PROBS):
        paths[name] = folder / name
        Image.new("RGB", (32, 24), (60 * i, 90, 30)).save(paths[name])
    file = tmp_path / "p.sqlite"
    with open_project(file) as project:
        project.add_paths([folder])
        project.record_predictions("{}", "made-up", [prediction(paths[n], p, i) for i, (n, p) in
                                                     enumerate(PROBS.items())], len(LABELS), LABELS)
    return file, paths


@pytest.fixture
def labelling(window):
    from alexnet_gui.gui.widgets.labelling_menu import install_labelling

    menu = install_labelling(window)
    yield menu
    menu.labelling.close()


def shown(review) -> str:
    return os.path.basename(review.current().path) if review.current() else ""


def test_a_project_shows_its_images_labels_and_progress_in_the_table(labelling, window, qtbot, tmp_path):
    file, paths = make_project(tmp_path)
    assert labelling.labelling.open(os.fspath(file))
    model = window.model
    assert model.total_rows() == 4
    titles = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert titles[-3:] == ["Label", "Source", "Agrees"]
    labelling.labelling.label(os.fspath(paths["a.png"]), "cat")
    labelling.labelling.label(os.fspath(paths["b.png"]), "yak")
    row_a, row_b = model.position_of(os.fspath(paths["a.png"])), model.position_of(os.fspath(paths["b.png"]))
    cells = [[model.index(r, c).data() for c in range(model.columnCount() - 3, model.columnCount())]
             for r in (row_a, row_b)]
    assert cells == [["cat", "human", "yes"], ["yak", "human", "no"]]
    qtbot.waitUntil(lambda: labelling.progress.text() == "labelled 2 / 4")
    assert model.index(row_a, 2).data() == "cat"  # the stored prediction's top-1


def test_every_key_labels_skips_undoes_and_searches_committed_before_the_next_image(labelling, qtbot, tmp_path):
    file, paths = make_project(tmp_path)
    labelling.labelling.open(os.fspath(file))
    review = labelling.show_review()
    project = labelling.labelling.project
    assert shown(review) == "c.png"  # least confident first
    qtbot.keyClick(review, Qt.Key.Key_3)  # c's third choice
    assert project.label_of(paths["c.png"]) == ("dog", "human")
    assert shown(review) == "a.png"
    qtbot.keyClick(review, Qt.Key.Key_Return)  # Enter = 1: a's top-1, cat
    assert project.label_of(paths["a.png"]) == ("cat", "human")
    assert shown(review) == "d.png"
    qtbot.keyClick(review, Qt.Key.Key_Space)  # skipped: no label
    assert project.label_of(paths["d.png"]) is None
    assert shown(review) == "b.png"
    qtbot.keyClick(review, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # undoes a's label, shows a again
    assert project.label_of(paths["a.png"]) is None
    assert shown(review) == "a.png"
    qtbot.keyClicks(review, "ya")  # letters go to the class search
    assert review.search.text() == "ya"
    qtbot.keyClick(review.search, Qt.Key.Key_Return)
    assert project.label_of(paths["a.png"]) == ("yak", "human")
    assert shown(review) == "d.png"
    qtbot.keyClicks(review, "Zebu")  # a class the model lacks: the user's own
    qtbot.keyClick(review.search, Qt.Key.Key_Return)
    assert project.label_of(paths["d.png"]) == ("Zebu", "human")
    assert "Zebu" in project.user_classes()
    qtbot.waitUntil(lambda: labelling.progress.text() == "labelled 3 / 4")


def test_the_queue_shows_the_chosen_order(labelling, tmp_path):
    file, _paths = make_project(tmp_path)
    labelling.labelling.open(os.fspath(file))
    review = labelling.show_review()
    seen = {}
    for key in ("least-confident", "entropy", "most-confident", "file"):
        review.order.setCurrentIndex(review.order.findData(key))
        seen[key] = [os.path.basename(path) for path in review.paths]
    assert seen == {"least-confident": ["c.png", "a.png", "d.png", "b.png"],
                    "entropy": ["c.png", "a.png", "d.png", "b.png"],
                    "most-confident": ["b.png", "d.png", "a.png", "c.png"],
                    "file": ["a.png", "b.png", "c.png", "d.png"]}
    assert review.choices.item(0).text() == "1. cat  50.0 %"  # file order: a first, its top-1 shown numbered
    review.order.setCurrentIndex(review.order.findData("least-confident"))
    assert [review.choices.item(k).text() for k in (0, 1)] == ["1. fox  40.0 %", "2. cat  6.7 %"]


def test_the_choices_list_is_as_wide_as_its_longest_choice(labelling, tmp_path):
    """A long class name with its probability was cut off behind a horizontal scroll bar at a fixed 220 px."""
    from dataclasses import replace

    file, _paths = make_project(tmp_path)
    labelling.labelling.open(os.fspath(file))
    review = labelling.show_review()
    item = review.current()
    review._item = replace(item, choices=(("red-backed sandpiper, dunlin, Erolia alpina, a long name", 0.00102),))
    review.show_current()
    needed = review.choices.sizeHintForColumn(0)
    assert needed > 220
    assert review.choices.minimumWidth() >= needed + 2 * review.choices.frameWidth()


def test_bulk_accept_labels_the_sure_images_as_one_undo_step(labelling, qtbot, tmp_path):
    file, paths = make_project(tmp_path)
    labelling.labelling.open(os.fspath(file))
    review = labelling.show_review()
    review.min_prob.setValue(0.6)
    review.bulk.click()
    project = labelling.labelling.project
    assert project.label_of(paths["b.png"]) == ("dog", "model")
    assert project.label_of(paths["d.png"]) == ("owl", "model")
    assert [os.path.basename(path) for path in review.paths] == ["c.png", "a.png"]
    qtbot.keyClick(review, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert project.label_of(paths["b.png"]) is None and project.label_of(paths["d.png"]) is None


def test_refusals_are_one_sentence_in_a_message_box_and_the_app_stays_usable(labelling, monkeypatch, tmp_path):
    told = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: told.append(text))
    foreign = tmp_path / "notes.sqlite"
    foreign.write_bytes(b"not a database at all, just text" * 4)
    before = foreign.read_bytes()
    assert not labelling.labelling.open(os.fspath(foreign))
    assert told == [f"{foreign} is not an alexnet-gui labelling project"]
    assert foreign.read_bytes() == before
    file, _paths = make_project(tmp_path)
    with open_project(file):  # held by another "app"
        assert not labelling.labelling.open(os.fspath(file))
    assert told[-1] == f"{file} is open in another running alexnet-gui (it is locked): close it there first"
    assert labelling.labelling.open(os.fspath(file))  # usable: the same file opens once released


def test_export_from_the_menu_writes_the_cores_files(labelling, qtbot, tmp_path):
    from alexnet_gui.gui.widgets.export_labels_dialog import ExportChoice

    file, paths = make_project(tmp_path)
    labelling.labelling.open(os.fspath(file))
    labelling.labelling.label(os.fspath(paths["a.png"]), "cat")
    labelling.labelling.label(os.fspath(paths["b.png"]), "my own")
    out = tmp_path / "labels.csv"
    job = labelling.export_labels(ExportChoice("csv", os.fspath(out)))
    with qtbot.waitSignal(job.done, timeout=30000):
        pass
    rows = list(csv.DictReader(out.read_text(encoding="utf-8").splitlines()))
    assert [(Path(r["path"]).name, r["label"], r["source"], r["model_label"], r["agrees"]) for r in rows] == [
        ("a.png", "cat", "human", "cat", "yes"), ("b.png", "my own", "human", "dog", "no"),
        ("c.png", "", "", "fox", ""), ("d.png", "", "", "owl", "")]
    folders = tmp_path / "folders"
    job = labelling.export_labels(ExportChoice("imagefolder", os.fspath(folders), link=True))
    with qtbot.waitSignal(job.done, timeout=30000):
        pass
    assert sorted(p.relative_to(folders).as_posix() for p in folders.rglob("*.png")) == ["cat/a.png", "my own/b.png"]
    assert os.path.samefile(folders / "cat" / "a.png", paths["a.png"])  # --link: the same file


def test_exporting_over_the_project_itself_is_refused(labelling, monkeypatch, tmp_path):
    from alexnet_gui.gui.widgets.export_labels_dialog import ExportChoice

    told = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: told.append(text))
    file, _paths = make_project(tmp_path)
    labelling.labelling.open(os.fspath(file))
    before = file.stat().st_size
    assert labelling.export_labels(ExportChoice("csv", os.fspath(file))) is None
    assert len(told) == 1 and os.fspath(file) in told[0]
    assert file.stat().st_size == before


def test_label_errors_open_as_a_review_queue_given_against_suggested(labelling, qtbot, tmp_path):
    from alexnet_gui.core.labelling.issues import LabelIssue

    file, paths = make_project(tmp_path)
    labelling.labelling.open(os.fspath(file))
    issues = [LabelIssue(os.fspath(paths["b.png"]), "cat", "dog", 0.01, True),
              LabelIssue(os.fspath(paths["a.png"]), "cat", "cat", 0.9, False)]
    from alexnet_gui.gui.widgets.labelling_menu import Issues

    labelling._show_issues(Issues(issues, {}))
    review = labelling.review
    assert shown(review) == "b.png"
    assert review.caption.text() == "Label issue 1 of 2. b.png: given label cat, suggested dog"
    assert [c[0] for c in review.current().choices[:2]] == ["dog", "cat"]
    qtbot.keyClick(review, Qt.Key.Key_Return)  # Enter: the suggested label
    assert labelling.labelling.project.label_of(paths["b.png"]) == ("dog", "human")
    assert shown(review) == "a.png"


def test_find_label_errors_runs_the_cores_task_as_a_job(labelling, qtbot, tmp_path):
    folder = tmp_path / "classes"
    for c, colour in (("red", (220, 20, 20)), ("blue", (20, 20, 220))):
        (folder / c).mkdir(parents=True)
        for i in range(6):
            Image.new("RGB", (40, 40), tuple(min(255, v + 5 * i) for v in colour)).save(folder / c / f"{c}{i}.png")
    file = tmp_path / "p.sqlite"
    with open_project(file) as project:
        project.add_paths([folder], folder_labels=True)
    labelling.labelling.open(os.fspath(file))
    job = labelling.find_label_errors()
    with qtbot.waitSignal(job.done, timeout=120000):
        pass
    review = labelling.review
    assert review.issue_mode and len(review.paths) == 12
    assert {item.given for item in review.issue_items.values()} == {"red", "blue"}


SCRIPT = textwrap.dedent("""
    import os
    import sys
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication
    from alexnet_gui.gui import app
    from alexnet_gui.gui.app_options import AppOptions

    def press():
        review = [w for w in QApplication.allWidgets() if type(w).__name__ == "ReviewView"][0]
        if review.current() is None:
            QTimer.singleShot(50, press)
            return
        focus = review.window().focusWidget()  # offscreen windows are never active: the window's focus widget
        print("focus", type(focus).__name__ if focus else None, flush=True)
        QTest.keyClick(review, Qt.Key.Key_2)
        print("pressed", flush=True)

    QTimer.singleShot(0, press)
    QTimer.singleShot(120_000, lambda: os._exit(3))  # a review that never shows an image ends the app, not the run
    app.main([], options=AppOptions(sys.argv[1], True))
""")


def _lines(proc: subprocess.Popen, count: int, timeout: float) -> list[str]:
    """The child's first `count` lines of stdout, fewer if it ends or `timeout` seconds pass first."""
    # os.read on the pipe itself: a buffered readline could hold the second line where select cannot see it.
    data, deadline = b"", time.monotonic() + timeout
    while data.count(b"\n") < count and select.select([proc.stdout], [], [], max(0, deadline - time.monotonic()))[0]:
        chunk = os.read(proc.stdout.fileno(), 4096)
        if not chunk:
            break
        data += chunk
    return [line.strip() for line in data.decode().splitlines()[:count]]


def test_a_label_survives_a_sigkill_right_after_its_key_press_and_review_starts_with_the_focus(tmp_path):
    file, paths = make_project(tmp_path)
    config = tmp_path / "config" / "alexnet-gui"
    config.mkdir(parents=True)
    (config / "alexnet-gui.conf").write_text("[model]\nweights_mode=untrained\nbackend=torch\n")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path / "config")}
    err = tmp_path / "stderr.txt"  # a file, not a pipe: Qt's warnings cannot fill it and stall the app
    with open(err, "wb") as err_file, subprocess.Popen([sys.executable, "-c", SCRIPT, os.fspath(file)], cwd=ROOT,
                                                       env=env, stdout=subprocess.PIPE, stderr=err_file) as proc:
        try:
            lines = _lines(proc, 2, timeout=150)
            proc.send_signal(signal.SIGKILL)  # right after the key press: no clean close
        finally:
            proc.kill()
    assert lines == ["focus ReviewView", "pressed"], f"exit {proc.returncode}; stderr:\n{err.read_text()}"
    assert proc.returncode == -signal.SIGKILL
    with open_project(file) as project:
        assert project.label_of(paths["c.png"]) == ("cat", "human")  # c's second choice


def test_images_classified_after_opening_fill_the_review_queue(labelling, qtbot, tmp_path):
    folder = tmp_path / "images"
    folder.mkdir()
    for i in range(3):
        Image.new("RGB", (32, 32), (80 * i, 40, 200)).save(folder / f"{i}.png")
    file = tmp_path / "p.sqlite"
    assert labelling.labelling.open(os.fspath(file), [os.fspath(folder)])  # created, nothing classified yet
    review = labelling.show_review()
    qtbot.waitUntil(lambda: review.current() is not None and len(review.current().choices) == 9, timeout=60000)
    assert review.choices.count() == 9
    assert labelling.labelling.project.to_classify() == []


@pytest.mark.parametrize("words, sentence", [
    (["--project"], "error: --project needs a FILE (a labelling project, created when it does not exist)"),
    (["--project", "--review"], "error: --project needs a FILE (a labelling project, created when it does not exist)"),
    (["--review"], "error: --review needs --project FILE (the labelling project to review)"),
])
def test_the_apps_project_options_without_their_file_are_one_sentence_and_exit_2(words, sentence, capsys):
    from alexnet_gui.cli import main

    assert main(words) == 2
    assert capsys.readouterr().err.strip() == sentence


def test_the_project_option_takes_its_file_out_of_the_paths():
    from alexnet_gui.gui.app_options import AppOptions, split_app_options

    assert split_app_options(["--project", "new.sqlite", "--review", "photos"]) == (
        AppOptions("new.sqlite", True), ["photos"])
    assert split_app_options(["--project=p.sqlite", "a", "b"]) == (AppOptions("p.sqlite", False), ["a", "b"])


def test_train_on_my_labels_opens_the_training_dialog_on_the_projects_labels_in_head_mode(labelling, tmp_path):
    file, paths = make_project(tmp_path)
    labelling.labelling.open(os.fspath(file))
    labelling.labelling.label(os.fspath(paths["a.png"]), "cat")
    labelling.labelling.label(os.fspath(paths["b.png"]), "dog")
    labelling.labelling.label(os.fspath(paths["c.png"]), "dog")
    labelling.labelling.label(os.fspath(paths["d.png"]), "cat")
    dialog = labelling.train_on_labels()
    try:
        assert dialog.mode.currentData() == "head"
        assert dialog.out_edit.text() == os.fspath(tmp_path / "p-model")
        data = dialog.data_edit.text()
        assert Path(data).name == "p.sqlite" and Path(data) != file  # the committed copy, not the locked file
        classes = {dialog.classes.item(r, 0).text(): dialog.classes.item(r, 1).text()
                   for r in range(dialog.classes.rowCount())}
        assert classes == {"cat": "2", "dog": "2"}, dialog.summary.text()
    finally:
        dialog.close()


def test_the_unlabelled_rest_is_classified_again_with_the_model_that_runs(labelling, window, qtbot, tmp_path):
    file, paths = make_project(tmp_path)
    labelling.labelling.open(os.fspath(file))
    labelling.labelling.label(os.fspath(paths["a.png"]), "cat")
    job = labelling.reclassify_unlabelled()
    with qtbot.waitSignal(job.done, timeout=60000):
        pass
    cards = {Path(r[0]).name: r[6] for r in labelling.labelling.project.table_rows()}
    card = window.model_info.card.card_id
    assert cards == {"a.png": "made-up", "b.png": card, "c.png": card, "d.png": card}
