"""Exports of a labelling project (core/labelling/export.py, `alexnet-gui export-labels`): the CSV's bytes, the
JSON Lines, class folders the training reads, safe folder names, and the refusals."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from alexnet_gui.cli import main
from alexnet_gui.core.labelling.project import open_project
from alexnet_gui.core.training.folders import scan_class_folders
from tests.test_labelling_project import digest, made_up_results, write_images


@pytest.fixture
def project(tmp_path):
    """Four images: a human label agreeing with the model, one disagreeing (an unsafe class name), a model label
    from bulk accept, and an unlabelled one; two share a file name in different folders."""
    a, b, c, d = write_images(tmp_path / "imgs", ["x/a.png", "y/a.png", "=c.png", "d.png"])
    path = tmp_path / "p.sqlite"
    with open_project(path) as p:
        p.add_paths([tmp_path / "imgs"])
        p.record_predictions("{}", "made-up", made_up_results({a: [0.7, 0.2, 0.1], b: [0.6, 0.3, 0.1],
                                                               c: [0.1, 0.85, 0.05], d: [0.3, 0.3, 0.4]}),
                             3, ["cat", "dog", "fox"])
        p.set_label(a, "cat")
        p.set_label(b, "cat")
        p.set_label(c, "big/dog")
        p.set_label(d, "dog", source="model")
    return path, (a, b, c, d)


def labelled_at(path: Path) -> dict[str, str]:
    with open_project(path, readonly=True) as p:
        return {r.path: r.labelled_at for r in p.rows()}


def test_the_csv_has_one_row_per_image_with_every_cell_exact(project, tmp_path, capsys):
    path, (a, b, c, d) = project
    out = tmp_path / "labels.csv"
    assert main(["export-labels", str(path), "--format", "csv", "--out", str(out)]) == 0
    t = labelled_at(path)
    # Sorted by path ("=c.png" first; its cell starts with "/", so no formula quote is needed).
    assert out.read_bytes().decode() == (
        "path,label,source,model_label,model_prob,agrees,labelled_at\n"
        f"{c},big/dog,human,dog,0.850000,no,{t[str(c)]}\n"
        f"{d},dog,model,fox,0.400000,no,{t[str(d)]}\n"
        f"{a},cat,human,cat,0.700000,yes,{t[str(a)]}\n"
        f"{b},cat,human,cat,0.600000,yes,{t[str(b)]}\n"
    )
    assert capsys.readouterr().err == f"wrote 4 images to {out}\n"


def test_jsonl_carries_the_same_fields_and_the_top_k(project, tmp_path):
    path, (a, b, c, d) = project
    out = tmp_path / "labels.jsonl"
    assert main(["export-labels", str(path), "--format", "jsonl", "--out", str(out)]) == 0
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["path"] for r in records] == [str(c), str(d), str(a), str(b)]
    assert records[0]["label"] == "big/dog" and records[0]["agrees"] is False
    assert records[2]["top"] == [{"index": 0, "label": "cat", "prob": 0.7}, {"index": 1, "label": "dog", "prob": 0.2},
                                 {"index": 2, "label": "fox", "prob": 0.1}]


def test_imagefolder_copies_the_human_labels_into_safe_class_folders_the_trainer_reads(project, tmp_path, capsys):
    path, (a, b, c, d) = project
    before = {p: digest(p) for p in (a, b, c, d)}
    out = tmp_path / "export"
    assert main(["export-labels", str(path), "--format", "imagefolder", "--out", str(out)]) == 0
    assert capsys.readouterr().err == (f"wrote 3 images to {out}\n"
                                       "class 'big/dog' is in folder big_dog (see labels.json)\n")
    folders = scan_class_folders(out)
    assert folders.classes == ("big_dog", "cat")
    # Two files named a.png in one class: the second gets a new name, nothing is overwritten.
    assert [sorted(os.path.basename(f) for f in files) for files in folders.images] == [["=c.png"],
                                                                                        ["a (1).png", "a.png"]]
    assert json.loads((out / "labels.json").read_text())["folders"] == {"big_dog": "big/dog", "cat": "cat"}
    assert {p: digest(p) for p in (a, b, c, d)} == before  # the sources untouched
    assert digest(out / "big_dog" / "=c.png") == before[c]


def test_imagefolder_with_a_split_and_min_prob_and_links(project, tmp_path):
    path, (a, b, c, d) = project
    out = tmp_path / "export"
    assert main(["export-labels", str(path), "--format", "imagefolder", "--out", str(out), "--split", "0.5",
                 "--min-prob", "0.4", "--link"]) == 0
    train, val = scan_class_folders(out / "train"), scan_class_folders(out / "val")
    # d's model label (0.40) counts with --min-prob 0.4; the class of one image stays on the training side.
    assert train.classes == ("big_dog", "cat", "dog") and train.counts == (1, 1, 1)
    assert val.classes == ("cat",) and val.counts == (1,)
    linked = Path(train.images[2][0])
    assert os.stat(linked).st_ino == os.stat(d).st_ino


def test_imagefolder_refuses_a_non_empty_folder_and_one_inside_the_images(project, tmp_path, capsys):
    path, _ = project
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "keep.txt").write_text("mine")
    assert main(["export-labels", str(path), "--format", "imagefolder", "--out", str(busy)]) == 2
    assert capsys.readouterr().err == f"error: {busy} exists and is not empty: choose a new folder for the export\n"
    inside = tmp_path / "imgs" / "export"
    assert main(["export-labels", str(path), "--format", "imagefolder", "--out", str(inside)]) == 2
    assert capsys.readouterr().err == (f"error: --out {inside} is inside {tmp_path / 'imgs'}, a folder of the "
                                       "project's images: choose a folder outside it\n")
    assert not inside.exists() and (busy / "keep.txt").read_text() == "mine"


def test_bad_export_options_are_one_sentence(project, tmp_path, capsys):
    path, _ = project
    assert main(["export-labels", str(path), "--format", "csv", "--out", str(tmp_path / "x.csv"), "--link"]) == 2
    assert capsys.readouterr().err == "error: --link and --split apply to --format imagefolder only\n"
    assert main(["export-labels", str(path), "--format", "csv", "--out", str(path)]) == 2
    assert capsys.readouterr().err == f"error: --out {path} is one of the inputs; it would be overwritten — choose another name\n"
    assert main(["export-labels", str(path), "--format", "imagefolder", "--out", str(tmp_path / "o"),
                 "--split", "1.5"]) == 2
    assert "argument --split: must be from 0 to 1, got 1.5" in capsys.readouterr().err
