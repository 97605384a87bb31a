"""Sorting classified images into label folders: thresholds, name clashes, dry plan, copy and move."""

import os

import pytest

from alexnet_gui.core.errors import UserError
from alexnet_gui.core.results import Prediction, Result
from alexnet_gui.core.sort_files import UNCERTAIN_FOLDER, apply_sort, describe_plan, plan_sort


def classified(path, label, prob, index=0):
    return Result(str(path), None, (Prediction(index, label, prob), Prediction(index + 1, "other", 1 - prob)))


@pytest.fixture
def inputs(tmp_path):
    src = tmp_path / "in"
    (src / "a").mkdir(parents=True)
    (src / "b").mkdir()
    files = {}
    for rel, content in [("a/cat.jpg", b"cat-a"), ("b/cat.jpg", b"cat-b"), ("dog.png", b"dog"), ("blurry.jpg", b"?")]:
        (src / rel).write_bytes(content)
        files[rel] = src / rel
    results = [
        classified(files["a/cat.jpg"], "tabby", 0.9, 281),
        classified(files["b/cat.jpg"], "tabby", 0.8, 281),
        classified(files["dog.png"], "beagle", 0.7, 162),
        classified(files["blurry.jpg"], "beagle", 0.3, 162),
        Result(str(src / "broken.jpg"), "not an image file"),
    ]
    return tmp_path / "out", files, results


def test_plan_groups_by_label_with_threshold_and_numbered_clashes(inputs):
    out, files, results = inputs
    (out / "tabby").mkdir(parents=True)
    (out / "tabby" / "cat.jpg").write_bytes(b"already there")
    plan = plan_sort(results, out, threshold=0.5)
    assert [(os.path.relpath(s.target, out), s.folder) for s in plan.steps] == [
        ("tabby/cat (1).jpg", "tabby"),
        ("tabby/cat (2).jpg", "tabby"),
        ("beagle/dog.png", "beagle"),
        (f"{UNCERTAIN_FOLDER}/blurry.jpg", UNCERTAIN_FOLDER),
    ]
    assert plan.folder_counts() == {"tabby": 2, UNCERTAIN_FOLDER: 1, "beagle": 1}
    assert [r.error for r in plan.skipped] == ["not an image file"]
    text = describe_plan(plan, move=False)
    assert text.splitlines()[0] == f"copy 4 images into {out}:"
    assert "     2  tabby/" in text and "1 images could not be read" in text
    # Planning (the dry run) touches nothing.
    assert sorted(p.name for p in (out / "tabby").iterdir()) == ["cat.jpg"]
    assert not (out / "beagle").exists()


def test_copy_keeps_sources_and_never_overwrites(inputs):
    out, files, results = inputs
    plan = plan_sort(results, out)
    # A file appears after planning under a planned name: it is kept and the copy takes the next number.
    (out / "beagle").mkdir(parents=True)
    (out / "beagle" / "dog.png").write_bytes(b"late arrival")
    done = apply_sort(plan)
    assert [os.path.relpath(final, out) for _, final, _ in done] == [
        "tabby/cat.jpg", "tabby/cat (1).jpg", "beagle/dog (1).png", "beagle/blurry.jpg",
    ]
    assert (out / "tabby" / "cat.jpg").read_bytes() == b"cat-a"
    assert (out / "tabby" / "cat (1).jpg").read_bytes() == b"cat-b"
    assert (out / "beagle" / "dog.png").read_bytes() == b"late arrival"
    assert (out / "beagle" / "dog (1).png").read_bytes() == b"dog"
    assert all(p.exists() for p in files.values())
    assert os.stat(out / "beagle" / "blurry.jpg").st_mtime_ns == os.stat(files["blurry.jpg"]).st_mtime_ns


def test_move_removes_sources_and_reports_a_vanished_file(inputs):
    out, files, results = inputs
    plan = plan_sort(results, out, threshold=0.75)
    files["dog.png"].unlink()
    done = apply_sort(plan, move=True)
    finals = {os.path.basename(step.source): (final, error) for step, final, error in done}
    assert finals["dog.png"][0] is None and "no such file" in finals["dog.png"][1]
    assert os.path.relpath(finals["blurry.jpg"][0], out) == f"{UNCERTAIN_FOLDER}/blurry.jpg"
    assert (out / "tabby" / "cat.jpg").read_bytes() == b"cat-a"
    assert (out / "tabby" / "cat (1).jpg").read_bytes() == b"cat-b"
    assert not files["a/cat.jpg"].exists() and not files["blurry.jpg"].exists()


def test_bad_threshold_and_out_being_a_file_are_user_errors(inputs, tmp_path):
    _, _, results = inputs
    with pytest.raises(UserError, match="between 0 and 1"):
        plan_sort(results, tmp_path / "out", threshold=1.5)
    (tmp_path / "file").write_text("x")
    with pytest.raises(UserError, match="not a folder"):
        plan_sort(results, tmp_path / "file")
