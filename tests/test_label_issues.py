"""Label errors (core/labelling/issues.py, `alexnet-gui label-issues`) and training on a project's labels."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from alexnet_gui.cli import main
from alexnet_gui.core.labelling.issues import ISSUE_COLUMNS, out_of_fold_probabilities, rank_label_issues
from alexnet_gui.core.labelling.project import open_project
from tests.training_data import write_digits, write_narrow_base


@pytest.fixture(autouse=True)
def own_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("ALEXNET_GUI_CACHE", str(tmp_path / "cache"))


@pytest.fixture(scope="module")
def narrow(tmp_path_factory) -> Path:
    return write_narrow_base(tmp_path_factory.mktemp("base") / "narrow.pth")


def test_cleanlab_puts_most_planted_errors_of_the_digits_at_the_top():
    from sklearn.datasets import load_digits

    digits = load_digits()
    features, labels = digits.data.astype(np.float32), digits.target.copy()
    rng = np.random.default_rng(0)
    planted = rng.choice(len(labels), round(0.05 * len(labels)), replace=False)
    labels[planted] = (labels[planted] + rng.integers(1, 10, len(planted))) % 10
    probs = out_of_fold_probabilities(features, labels, 10, folds=5, seed=0)
    paths = [f"{i:04d}.png" for i in range(len(labels))]
    issues = rank_label_issues(paths, labels, [str(d) for d in range(10)], probs)
    top = {int(Path(it.path).stem) for it in issues[: round(1.5 * len(planted))]}
    found = len(top & set(planted.tolist())) / len(planted)
    assert found >= 0.7, found
    # Flagged rows first, then the rest by score, lowest first; a flagged row suggests another class.
    flags = [it.issue for it in issues]
    assert flags == sorted(flags, reverse=True)
    unflagged = [it.score for it in issues if not it.issue]
    assert unflagged == sorted(unflagged)
    assert all(it.suggested_label != it.given_label for it in issues if it.issue)


def test_the_command_writes_every_image_ranked_with_its_verdict(tmp_path, narrow, capsys):
    data = write_digits(tmp_path / "data", per_class=6)
    shutil.move(data / "3" / sorted(p.name for p in (data / "3").iterdir())[0], data / "8" / "moved.png")
    out = tmp_path / "issues.csv"
    status = main(["label-issues", str(data), "--weights", str(narrow), "--folds", "3", "--out", str(out)])
    assert status == 0
    rows = list(csv.reader(out.read_text(encoding="utf-8").splitlines()))
    assert tuple(rows[0]) == ISSUE_COLUMNS and len(rows) == 61
    by_path = {r[0]: r for r in rows[1:]}
    assert by_path[str(data / "8" / "moved.png")][1] == "8"
    flagged = [r for r in rows[1:] if r[4] == "yes"]
    assert rows[1:len(flagged) + 1] == flagged
    rest = [float(r[3]) for r in rows[len(flagged) + 1:]]
    assert rest == sorted(rest)
    assert capsys.readouterr().err.splitlines()[-1] == f"{len(flagged)} of 60 labels look wrong; wrote {out}"


def test_label_issues_refuses_bad_options_in_one_sentence(tmp_path, capsys):
    assert main(["label-issues", str(tmp_path / "none"), "--untrained", "--out", str(tmp_path / "x.csv")]) == 2
    assert capsys.readouterr().err == f"error: {tmp_path / 'none'} does not exist\n"
    assert main(["label-issues", str(tmp_path), "--untrained", "--folds", "1", "--out", str(tmp_path / "x.csv")]) == 2
    assert "argument --folds: must be at least 2, got 1" in capsys.readouterr().err


def test_train_reads_a_projects_labels_and_the_classes_are_its_labels(tmp_path, narrow, capsys):
    data = write_digits(tmp_path / "data", per_class=6)
    for extra in ("4", "5", "6", "7", "8", "9"):
        shutil.rmtree(data / extra)
    project = tmp_path / "p.sqlite"
    with open_project(project) as p:
        p.add_paths([data], folder_labels=True)
        for image in sorted((data / "0").iterdir())[:2]:
            p.set_label(image, "zero")  # a human correction wins over its folder
    out = tmp_path / "model"
    assert main(["train", str(project), "--out", str(out), "--weights", str(narrow), "--epochs", "2"]) == 0
    card = json.loads((out / "model.pth.card.json").read_text())
    assert card["labels"]["names"] == ["0", "1", "2", "3", "zero"]
    assert card["training"]["counts"]["train"]["zero"] + card["training"]["counts"]["validation"]["zero"] == 2
    assert f"classes: 5 in {project}" in capsys.readouterr().err
