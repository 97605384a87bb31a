"""Sorting classified images into label folders: thresholds, name clashes, dry plan, copy and move."""

import fcntl
import hashlib
import io
import os
import signal
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from alexnet_gui.core.errors import UserError
from alexnet_gui.core.outputs.results import Prediction, Result
from alexnet_gui.core.outputs.sort_files import UNCERTAIN_FOLDER, apply_sort, describe_plan, plan_sort


def image_bytes(tag: str) -> bytes:
    """A tiny PNG whose bytes differ by `tag`: the sort copies only files that open as images."""
    buf = io.BytesIO()
    Image.new("RGB", (4, 4), tuple(hashlib.sha256(tag.encode()).digest()[:3])).save(buf, "PNG")
    return buf.getvalue()


def classified(path, label, prob, index=0):
    return Result(str(path), None, (Prediction(index, label, prob), Prediction(index + 1, "other", 1 - prob)))


@pytest.fixture
def inputs(tmp_path):
    src = tmp_path / "in"
    (src / "a").mkdir(parents=True)
    (src / "b").mkdir()
    files = {}
    for rel, content in [("a/cat.jpg", image_bytes("cat-a")), ("b/cat.jpg", image_bytes("cat-b")), ("dog.png", image_bytes("dog")), ("blurry.jpg", image_bytes("?"))]:
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
    (out / "tabby" / "cat.jpg").write_bytes(image_bytes("already there"))
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
    assert "     2  tabby/" in text and text.endswith("not readable, left where they are: 1 image")
    # Planning (the dry run) touches nothing.
    assert sorted(p.name for p in (out / "tabby").iterdir()) == ["cat.jpg"]
    assert not (out / "beagle").exists()


def test_copy_keeps_sources_and_never_overwrites(inputs):
    out, files, results = inputs
    plan = plan_sort(results, out)
    # A file appears after planning under a planned name: it is kept and the copy takes the next number.
    (out / "beagle").mkdir(parents=True)
    (out / "beagle" / "dog.png").write_bytes(image_bytes("late arrival"))
    done = apply_sort(plan)
    assert [os.path.relpath(final, out) for _, final, _ in done] == [
        "tabby/cat.jpg", "tabby/cat (1).jpg", "beagle/dog (1).png", "beagle/blurry.jpg",
    ]
    assert (out / "tabby" / "cat.jpg").read_bytes() == image_bytes("cat-a")
    assert (out / "tabby" / "cat (1).jpg").read_bytes() == image_bytes("cat-b")
    assert (out / "beagle" / "dog.png").read_bytes() == image_bytes("late arrival")
    assert (out / "beagle" / "dog (1).png").read_bytes() == image_bytes("dog")
    assert all(p.exists() for p in files.values())
    assert os.stat(out / "beagle" / "blurry.jpg").st_mtime_ns == os.stat(files["blurry.jpg"]).st_mtime_ns


def test_move_removes_sources_and_reports_a_vanished_file(inputs):
    out, files, results = inputs
    plan = plan_sort(results, out, threshold=0.75)
    files["dog.png"].unlink()
    done = apply_sort(plan, move=True)
    finals = {os.path.basename(step.source): (final, error) for step, final, error in done}
    assert finals["dog.png"] == (None, f"file not found: {files['dog.png']}")
    assert os.path.relpath(finals["blurry.jpg"][0], out) == f"{UNCERTAIN_FOLDER}/blurry.jpg"
    assert (out / "tabby" / "cat.jpg").read_bytes() == image_bytes("cat-a")
    assert (out / "tabby" / "cat (1).jpg").read_bytes() == image_bytes("cat-b")
    assert not files["a/cat.jpg"].exists() and not files["blurry.jpg"].exists()


def test_bad_threshold_and_out_being_a_file_are_user_errors(inputs, tmp_path):
    _, _, results = inputs
    with pytest.raises(UserError, match="between 0 and 1"):
        plan_sort(results, tmp_path / "out", threshold=1.5)
    (tmp_path / "file").write_text("x")
    with pytest.raises(UserError, match="not a folder"):
        plan_sort(results, tmp_path / "file")


def test_sort_command_dry_run_then_copy(tmp_path, monkeypatch, capsys):
    from alexnet_gui.cli import main
    from alexnet_gui.commands import sort as sort_command
    from tests.known_answers import ColourCodedBackend, write_colour_image

    src = tmp_path / "in"
    src.mkdir()
    for code in (10, 20, 30):
        write_colour_image(src / f"img{code}.png", code)
    # code 10 → tench with p 0.957 (logits 10 and 999 zeros); 20, 30 → tabby with p 0.6186 (logits 10, 9, ..., 6)
    answers = {10: [0], 20: [281, 1, 2, 3, 4], 30: [281, 1, 2, 3, 4]}
    monkeypatch.setattr(sort_command, "open_backend", lambda args: ColourCodedBackend(answers))
    out = src / "sorted"  # inside the input folder: a second run must not sort the sorted files again
    args = ["sort", str(src), "--out", str(out), "--threshold", "0.7"]
    assert main([*args, "--dry-run"]) == 0
    text = capsys.readouterr().out
    assert f"copy 3 images into {out}:\n       2  _uncertain/\n       1  tench/\n" in text
    assert f"{src / 'img20.png'} → {out / '_uncertain' / 'img20.png'}" in text
    assert not out.exists()
    assert main(args) == 0
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*.png")) == [
        "_uncertain/img20.png", "_uncertain/img30.png", "tench/img10.png",
    ]
    assert main(args) == 0  # the same again: numbered names, nothing overwritten, sorted files not re-sorted
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*.png")) == [
        "_uncertain/img20 (1).png", "_uncertain/img20.png", "_uncertain/img30 (1).png", "_uncertain/img30.png",
        "tench/img10 (1).png", "tench/img10.png",
    ]
    assert len(list(src.glob("*.png"))) == 3


def test_sort_from_a_classify_csv_moves_files(tmp_path, capsys):
    from alexnet_gui.cli import main
    from alexnet_gui.core.outputs.results import CsvResultWriter, Prediction, Result

    (tmp_path / "=odd.jpg").write_bytes(image_bytes("1"))
    (tmp_path / "b.jpg").write_bytes(image_bytes("2"))
    with CsvResultWriter(tmp_path / "r.csv", 1) as writer:
        writer.write(Result(str(tmp_path / "=odd.jpg"), None, (Prediction(281, "tabby", 0.9),)))
        writer.write(Result(str(tmp_path / "b.jpg"), None, (Prediction(0, "tench", 0.8),)))
        writer.write(Result(str(tmp_path / "c.jpg"), "file not found"))
    out = tmp_path / "out"
    assert main(["sort", "--from-csv", str(tmp_path / "r.csv"), "--out", str(out), "--move"]) == 1
    assert (out / "tabby" / "=odd.jpg").read_bytes() == image_bytes("1")
    assert (out / "tench" / "b.jpg").read_bytes() == image_bytes("2")
    assert not (tmp_path / "b.jpg").exists()
    assert "2 images moved" in capsys.readouterr().err


def test_sort_from_a_crafted_csv_sorts_only_regular_image_files(tmp_path, capsys):
    from alexnet_gui.cli import main
    from alexnet_gui.core.outputs.results import CsvResultWriter, Prediction, Result

    secret = tmp_path / "passwd"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n")
    fifo = tmp_path / "pipe.jpg"
    os.mkfifo(fifo)
    photo = tmp_path / "photo.png"
    photo.write_bytes(image_bytes("photo"))
    (tmp_path / "links").mkdir()
    link = tmp_path / "links" / "rel.png"
    link.symlink_to(os.path.join("..", "photo.png"))
    top = (Prediction(281, "tabby", 0.9),)
    with CsvResultWriter(tmp_path / "r.csv", 1) as writer:
        for path in (secret, fifo, "/dev/zero", link, photo):
            writer.write(Result(str(path), None, top))
    with open(tmp_path / "r.csv", "a", encoding="utf-8") as f:
        f.write(f"{photo},,notanumber,tabby,0.5\n")
        f.write("bad\x00name.jpg,,1,tabby,0.5\n")
    out = tmp_path / "out"
    assert main(["sort", "--from-csv", str(tmp_path / "r.csv"), "--out", str(out), "--move", "--dry-run"]) == 1
    printed = capsys.readouterr().out
    assert f"{secret}: not an image file (not sorted)" in printed
    assert f"{fifo}: not a regular file (not sorted)" in printed
    assert "/dev/zero: not a regular file (not sorted)" in printed
    assert f"{link}: a symbolic link: not moved" in printed
    assert "its class or probability is not a number (not sorted)" in printed
    assert main(["sort", "--from-csv", str(tmp_path / "r.csv"), "--out", str(out), "--move"]) == 1
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()) == ["tabby/photo.png"]
    assert secret.exists() and link.is_symlink() and link.resolve().name == "photo.png"


def test_a_move_killed_mid_copy_leaves_no_truncated_image_and_the_next_sort_finishes_it(tmp_path):
    from alexnet_gui.cli import main
    from alexnet_gui.core.outputs.results import CsvResultWriter

    src = tmp_path / "in"
    src.mkdir()
    noise = np.random.default_rng(0).integers(0, 256, (200, 300, 3), dtype=np.uint8)
    Image.fromarray(noise).save(src / "big.png")
    (src / "small.png").write_bytes(image_bytes("small"))
    originals = {p.name: p.read_bytes() for p in src.iterdir()}
    with CsvResultWriter(tmp_path / "r.csv", 1) as writer:
        for name in ("big.png", "small.png"):
            writer.write(Result(str(src / name), None, (Prediction(281, "tabby", 0.9),)))
    out = tmp_path / "out"
    args = ["sort", "--from-csv", str(tmp_path / "r.csv"), "--out", str(out), "--move"]
    # kill -9 halfway through copying big.png to another file system (tests/sort_kill_run.py)
    killed = subprocess.run([sys.executable, "-m", "tests.sort_kill_run", *args], capture_output=True, text=True,
                            timeout=120)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    [left] = (out / "tabby").iterdir()
    assert left.name.startswith(".alexnet-gui-sort.") and left.name.endswith(".part")  # never under a real name
    assert left.stat().st_size == len(originals["big.png"]) // 2
    assert {p.name: p.read_bytes() for p in src.iterdir()} == originals  # the move had not taken the source
    assert main(args) == 0
    assert {p.name: p.read_bytes() for p in (out / "tabby").iterdir()} == originals  # no "big (1).png", no .part
    assert list(src.iterdir()) == []


def test_a_copy_another_sort_is_writing_is_left_alone(inputs):
    out, _files, results = inputs
    folder = out / "tabby"
    folder.mkdir(parents=True)
    busy, abandoned = folder / ".alexnet-gui-sort.4242.0.part", folder / ".alexnet-gui-sort.4243.0.part"
    busy.write_bytes(b"half a copy")
    abandoned.write_bytes(b"half a copy")
    with open(busy, "rb") as writer:
        fcntl.flock(writer, fcntl.LOCK_EX)  # as the running sort that writes it holds it
        done = apply_sort(plan_sort(results, out))
        assert [error for _step, _final, error in done] == [None] * 4
        assert busy.read_bytes() == b"half a copy" and not abandoned.exists()
    assert sorted(p.name for p in folder.iterdir()) == [busy.name, "cat (1).jpg", "cat.jpg"]


def test_a_class_name_holding_a_nul_sorts_into_a_folder_named_without_it(tmp_path, capsys):
    from alexnet_gui.cli import main
    from alexnet_gui.core.outputs.results import CsvResultWriter

    (tmp_path / "a.png").write_bytes(image_bytes("a"))
    with CsvResultWriter(tmp_path / "r.csv", 1) as writer:
        writer.write(Result(str(tmp_path / "a.png"), None, (Prediction(3, "tab\x00by", 0.9),)))
    assert main(["sort", "--from-csv", str(tmp_path / "r.csv"), "--out", str(tmp_path / "out")]) == 0
    assert (tmp_path / "out" / "tab_by" / "a.png").read_bytes() == image_bytes("a")
    assert "1 image copied into" in capsys.readouterr().err
