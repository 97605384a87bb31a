"""Issue 33's reviewer findings on the labelling project: hostile file names, unreadable images, a failed commit,
an interrupted export, and the app's project switching (core/labelling/*, commands/project.py)."""

from __future__ import annotations

import csv
import os
import sqlite3

import pytest

from alexnet_gui.cli import main
from alexnet_gui.core.errors import UserError
from alexnet_gui.core.labelling.project import open_project
from tests.test_labelling_project import write_images

NOT_UTF8 = os.fsdecode(b"\xff\xfe.png")  # what os.listdir gives for it: the bytes as surrogates
MODEL = ["--untrained", "--backend", "torch", "--device", "cpu"]


# --- 4: a file whose name is not UTF-8 ---------------------------------------------------------------------------

def test_a_file_named_in_no_encoding_is_added_classified_labelled_and_exported_escaped(tmp_path, capsys):
    images = tmp_path / "imgs"
    write_images(images, ["a.png", NOT_UTF8])
    project = tmp_path / "p.sqlite"
    assert main(["project", str(project), str(images), "--no-classify"]) == 0
    assert capsys.readouterr().out == "labelled 0/2\n"
    assert main(["project", str(project), *MODEL]) == 0  # the engine opens the file by its real name
    capsys.readouterr()
    escaped = f"{images}/\\xff\\xfe.png"
    with open_project(project) as p:
        assert p.to_classify() == []
        assert [r.path for r in p.rows(order="i.id")] == [f"{images}/a.png", escaped]
        assert all(len(r.top_probs) == 9 for r in p.rows())
        p.set_label(escaped, "cat")
        p.set_label(images / NOT_UTF8, "cat")  # the file's own name finds the same row
        p.set_label(images / "a.png", "dog")
        assert p.label_of(escaped) == ("cat", "human")
    out = tmp_path / "labels.csv"
    assert main(["export-labels", str(project), "--format", "csv", "--out", str(out)]) == 0
    rows = list(csv.reader(out.read_bytes().decode("utf-8").splitlines()))
    assert sorted((r[0], r[1]) for r in rows[1:]) == [(escaped, "cat"), (f"{images}/a.png", "dog")]
    folders = tmp_path / "folders"
    assert main(["export-labels", str(project), "--format", "imagefolder", "--out", str(folders)]) == 0
    assert (folders / "cat" / NOT_UTF8).read_bytes() == (images / NOT_UTF8).read_bytes()
    os.rename(images / NOT_UTF8, tmp_path / "elsewhere.png")
    with open_project(project) as p:  # a rescan finds it gone and back by its real name
        assert p.rescan().missing == 1
        os.rename(tmp_path / "elsewhere.png", images / NOT_UTF8)
        assert p.rescan().returned == 1


# --- 5: images that cannot be read ---------------------------------------------------------------------------------

def test_the_project_command_exits_1_on_unreadable_images_and_tries_them_again_next_run(tmp_path, capsys):
    images = tmp_path / "imgs"
    write_images(images, ["a.png", "b.png"])
    (images / "bad.jpg").write_bytes(b"not a jpeg")
    project = tmp_path / "p.sqlite"
    assert main(["project", str(project), str(images), *MODEL]) == 1
    captured = capsys.readouterr()
    assert captured.out == "labelled 0/3\n"
    assert captured.err.endswith("1 image could not be read (their reasons are in the project)\n")
    with open_project(project) as p:
        assert p.to_classify() == [str(images / "bad.jpg")]  # kept to classify: the next run tries it again
        (error,) = [r[0] for r in p._db.execute("SELECT error FROM predictions WHERE error IS NOT NULL")]
        assert error
    (images / "bad.jpg").unlink()
    write_images(images, ["bad.jpg"])  # now a real image, under the same name
    assert main(["project", str(project), *MODEL]) == 0
    assert capsys.readouterr().out == "labelled 0/3\n"
    with open_project(project) as p:
        assert p.to_classify() == []
        assert all(len(r.top_probs) == 9 for r in p.rows())


# --- 7: a COMMIT that fails --------------------------------------------------------------------------------------

class _CommitFails:
    """The project's connection, whose next COMMIT fails as a full disk makes it fail."""

    def __init__(self, db) -> None:
        self.db = db
        self.fail_next = True

    def execute(self, sql, *args):
        if sql == "COMMIT" and self.fail_next:
            self.fail_next = False
            raise sqlite3.OperationalError("database or disk is full")
        return self.db.execute(sql, *args)

    def __getattr__(self, name):
        return getattr(self.db, name)


def test_a_failed_commit_is_one_sentence_and_the_next_label_is_saved(tmp_path):
    paths = write_images(tmp_path / "imgs", ["a.png", "b.png"])
    file = tmp_path / "p.sqlite"
    with open_project(file) as project:
        project.add_paths([tmp_path / "imgs"])
        real = project._db
        project._db = _CommitFails(real)
        with pytest.raises(UserError) as refused:
            project.set_label(paths[0], "cat")
        assert str(refused.value) == f"cannot save the label to {file}: database or disk is full"
        assert not real.in_transaction  # rolled back: the next label does not join it
        project.set_label(paths[1], "dog")
        project._db = real
    with open_project(file) as project:
        assert project.label_of(paths[0]) is None
        assert project.label_of(paths[1]) == ("dog", "human")


# --- 8: an imagefolder export interrupted mid-copy -----------------------------------------------------------------

def test_an_imagefolder_export_that_fails_mid_copy_leaves_no_truncated_image_under_its_name(tmp_path, monkeypatch,
                                                                                           capsys):
    import errno
    import shutil

    paths = write_images(tmp_path / "imgs", ["a.png"])
    file = tmp_path / "p.sqlite"
    with open_project(file) as project:
        project.add_paths([tmp_path / "imgs"])
        project.set_label(paths[0], "cat")

    def disk_full(fsrc, fdst, length=0):
        fdst.write(fsrc.read(10))
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(shutil, "copyfileobj", disk_full)
    out = tmp_path / "export"
    assert main(["export-labels", str(file), "--format", "imagefolder", "--out", str(out)]) == 2
    assert capsys.readouterr().err == f"error: cannot write {out}: the disk is full\n"
    assert sorted(p.name for p in (out / "cat").iterdir()) == []  # no 10-byte a.png, no temporary copy
