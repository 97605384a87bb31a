"""Training from labelled folders (issue 18): the layout and split, the trainer, MODEL_DIR, and `train`/`evaluate`
on the command line. Real labelled images: scikit-learn's digits and scikit-image's photos; narrow base networks
keep each training to seconds."""

from __future__ import annotations

import csv
import json
import re
import threading
from pathlib import Path

import numpy as np
import pytest

from alexnet_gui.cli import main
from alexnet_gui.core.errors import UserError
from alexnet_gui.core.training.folders import (
    check_trainable,
    scan_class_folders,
    split_by_folder,
    split_stratified,
)
from tests.training_data import write_digits, write_narrow_base, write_photo_classes


@pytest.fixture(scope="module")
def digits(tmp_path_factory) -> Path:
    """All 1,797 digits."""
    return write_digits(tmp_path_factory.mktemp("digits") / "data")


@pytest.fixture(scope="module")
def few_digits(tmp_path_factory) -> Path:
    """20 digits of each class."""
    return write_digits(tmp_path_factory.mktemp("few") / "data", per_class=20)


@pytest.fixture(scope="module")
def narrow(tmp_path_factory) -> Path:
    return write_narrow_base(tmp_path_factory.mktemp("base") / "narrow.pth")


@pytest.fixture(autouse=True)
def own_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("ALEXNET_GUI_CACHE", str(tmp_path / "cache"))


def evaluate_top1(capsys, *args) -> str:
    assert main(["evaluate", *args]) == 0
    out = capsys.readouterr().out
    return next(line for line in out.splitlines() if line.startswith("top-1 accuracy"))


# --- the layout and the split ----------------------------------------------------------------------------------
def test_classes_are_the_sorted_folder_names_and_nested_folders_count(tmp_path):
    write_photo_classes(tmp_path / "data", per_class=3)
    nested = tmp_path / "data" / "cat" / "more" / "deeper"
    nested.mkdir(parents=True)
    (tmp_path / "data" / "cat" / "cat0.jpg").rename(nested / "cat0.jpg")
    (tmp_path / "data" / "empty").mkdir()
    folders = scan_class_folders(tmp_path / "data")
    assert folders.classes == ("cat", "coffee", "rocket")
    assert folders.counts == (3, 3, 3)
    assert str(nested / "cat0.jpg") in folders.images[0]
    assert folders.empty == ("empty",)


def test_the_split_is_stratified_and_seeded(few_digits):
    folders = scan_class_folders(few_digits)
    split = split_stratified(folders, 0.2, seed=0)
    train, val = split.counts(10)
    assert train == [16] * 10 and val == [4] * 10
    assert split == split_stratified(folders, 0.2, seed=0)
    assert split.val != split_stratified(folders, 0.2, seed=1).val
    assert not {p for p, _ in split.train} & {p for p, _ in split.val}


def test_a_tiny_class_keeps_one_image_on_each_side(tmp_path):
    write_photo_classes(tmp_path / "data", per_class=2)
    split = split_stratified(scan_class_folders(tmp_path / "data"), 0.9, seed=0)
    assert split.counts(3) == ([1, 1, 1], [1, 1, 1])


@pytest.mark.parametrize("case, message", [
    ("missing", "is not a folder"),
    ("loose", "is not a folder of class folders: training needs one sub-folder of images per class"),
    ("one class", "has only one class (cat): training needs at least two class sub-folders"),
    ("one image", "class 'rocket' has 1 image"),
])
def test_folders_not_in_the_layout_are_one_sentence(tmp_path, case, message):
    data = tmp_path / "data"
    if case != "missing":
        write_photo_classes(data, per_class=3)
    if case == "loose":
        for path in list(data.rglob("*.jpg")):
            path.rename(data / path.name)
    if case == "one class":
        for name in ("coffee", "rocket"):
            for path in (data / name).iterdir():
                path.unlink()
            (data / name).rmdir()
    if case == "one image":
        for path in sorted((data / "rocket").iterdir())[1:]:
            path.unlink()
    with pytest.raises(UserError, match=re.escape(message)):
        check_trainable(scan_class_folders(data))


def test_a_validation_folder_must_not_bring_new_classes(tmp_path):
    train = scan_class_folders(write_photo_classes(tmp_path / "train", per_class=2))
    val_root = write_photo_classes(tmp_path / "val", per_class=2)
    (val_root / "rocket").rename(val_root / "spaceship")
    with pytest.raises(UserError, match="has classes the training folder lacks: spaceship"):
        split_by_folder(train, scan_class_folders(val_root))


# --- training on the digits, reproduced by evaluate -------------------------------------------------------------
@pytest.fixture(scope="module")
def trained_digits(digits, narrow, tmp_path_factory):
    """`alexnet-gui train` on all the digits from the narrow base (--mode head)."""
    out = tmp_path_factory.mktemp("models") / "digits-model"
    mp = pytest.MonkeyPatch()
    mp.setenv("ALEXNET_GUI_CACHE", str(tmp_path_factory.mktemp("cache")))
    try:
        status = main(["train", str(digits), "--out", str(out), "--weights", str(narrow), "--epochs", "25"])
    finally:
        mp.undo()
    assert status == 0
    return out


def test_training_on_the_digits_writes_a_complete_model_folder(trained_digits, digits):
    names = {p.name for p in trained_digits.iterdir()}
    assert {"model.pth", "model.pth.card.json", "model.onnx", "model.onnx.card.json", "metrics.csv",
            "confusion.csv", "confusion.png", "per_class.csv", "report.txt", "validation.txt"} <= names
    assert ".training" not in names  # a finished training leaves no checkpoint
    card = json.loads((trained_digits / "model.pth.card.json").read_text())
    assert card["labels"]["names"] == [str(d) for d in range(10)]
    assert card["architecture"]["classes"] == 10 and card["architecture"]["conv"] == [16, 32, 32, 32, 32]
    t = card["training"]
    assert t["counts"]["validation"] == {"0": 36, "1": 36, "2": 35, "3": 37, "4": 36, "5": 36, "6": 36, "7": 36,
                                         "8": 35, "9": 36}
    assert sum(t["counts"]["train"].values()) == 1797 - 359
    assert t["split"] == f"stratified 20% of {digits}, seed 0"
    assert t["settings"]["mode"] == "head" and t["settings"]["seed"] == 0
    assert {"torch", "torchvision", "python", "alexnet_gui"} <= set(t["versions"])
    with open(trained_digits / "metrics.csv") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == t["epochs_run"] == len(t["metrics"])
    assert [r["best"] for r in rows].count("1") == 1
    assert int(next(r for r in rows if r["best"] == "1")["epoch"]) == t["best_epoch"]
    # Real learning on real digits: chance is 10 %.
    report = t["validation_report"]
    assert report["images"] == 359 and report["top1_accuracy"] > 0.75
    import onnx

    embedded = next(p.value for p in onnx.load(str(trained_digits / "model.onnx"), load_external_data=False)
                    .metadata_props if p.key == "alexnet_gui.card")
    assert json.loads(embedded)["training"]["validation_report"] == report  # the export describes itself fully
    # The saved model (its cached-feature scaling folded into the layer) scores what its best epoch scored.
    assert report["top1_accuracy"] == pytest.approx(t["best_val_accuracy"], abs=1 / 359 + 1e-9)


def test_the_confusion_matrix_files_agree_with_the_report(trained_digits):
    card = json.loads((trained_digits / "model.pth.card.json").read_text())
    report = card["training"]["validation_report"]
    with open(trained_digits / "confusion.csv") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["true \\ predicted", *[str(d) for d in range(10)]]
    counts = np.array([[int(c) for c in row[1:]] for row in rows[1:]])
    assert counts.sum() == 359 and np.trace(counts) == report["top1"]
    with open(trained_digits / "per_class.csv") as f:
        per_class = {r["class"]: r for r in csv.DictReader(f)}
    assert int(per_class["8"]["correct"]) == counts[8, 8] == report["per_class"]["8"]["correct"]
    assert per_class["8"]["accuracy"] == f"{100 * counts[8, 8] / counts[8].sum():.2f}"
    from PIL import Image

    with Image.open(trained_digits / "confusion.png") as png:
        assert png.size[0] > 300


@pytest.mark.parametrize("backend", ["onnx", "torch"])
def test_evaluate_reproduces_the_reported_accuracy_exactly(trained_digits, digits, capsys, backend):
    report = json.loads((trained_digits / "model.pth.card.json").read_text())["training"]["validation_report"]
    line = evaluate_top1(capsys, str(digits), "--weights", str(trained_digits), "--backend", backend,
                         "--files", str(trained_digits / "validation.txt"))
    assert line == f"top-1 accuracy: {100 * report['top1'] / 359:.3f}% ({report['top1']}/359)"


def test_the_model_folder_classifies_with_its_own_labels(trained_digits, digits, tmp_path, capsys):
    csv_path = tmp_path / "out.csv"
    images = sorted((digits / "3").iterdir())[:5]
    assert main(["classify", *map(str, images), "--weights", str(trained_digits), "--top-k", "3",
                 "--out", str(csv_path)]) == 0
    with open(csv_path) as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 5
    assert {r["top1_label"] for r in rows} <= {str(d) for d in range(10)}
    assert "10 classes (class folders of" in capsys.readouterr().err


def test_evaluate_writes_the_confusion_report_on_request(trained_digits, digits, tmp_path, capsys):
    assert main(["evaluate", str(digits), "--weights", str(trained_digits), "--files",
                 str(trained_digits / "validation.txt"), "--report", str(tmp_path / "rep")]) == 0
    assert (tmp_path / "rep" / "confusion.csv").read_text() == (trained_digits / "confusion.csv").read_text()
    assert (tmp_path / "rep" / "per_class.csv").read_text() == (trained_digits / "per_class.csv").read_text()


def test_evaluate_files_naming_an_image_outside_the_classes_is_refused(trained_digits, digits, tmp_path, capsys):
    listed = tmp_path / "list.txt"
    listed.write_text(f"{digits / '3' / '0003.png'}\n{tmp_path / 'elsewhere.png'}\n")
    assert main(["evaluate", str(digits), "--weights", str(trained_digits), "--files", str(listed)]) == 2
    assert "1 image in" in capsys.readouterr().err


# --- the trainer: resume, interruption, modes, imbalance -------------------------------------------------------
def _trainer(data: Path, narrow: Path, tmp_path: Path, **settings):
    from alexnet_gui.core.model.loading import open_state_model
    from alexnet_gui.core.model.weights import resolve_weights
    from alexnet_gui.core.training.trainer import Trainer, TrainSettings

    folders = scan_class_folders(data)
    split = split_stratified(folders, 0.25, seed=0)
    card, state = open_state_model(resolve_weights(narrow))
    checkpoint = settings.pop("checkpoint", None)
    resume = settings.pop("resume", False)
    return Trainer(card, state, folders.classes, split, TrainSettings(**settings), cache_dir=tmp_path / "features",
                   data_root=str(data), checkpoint=checkpoint, resume=resume)


def _run(trainer, stop_after: int | None = None):
    from alexnet_gui.core.training.trainer import EpochReport

    for event in trainer.run():
        if isinstance(event, EpochReport) and event.epoch == stop_after:
            trainer.cancel.set()
    return trainer


def test_a_cancelled_training_keeps_its_best_epoch_and_resumes_to_the_same_result(few_digits, narrow, tmp_path):
    whole = _run(_trainer(few_digits, narrow, tmp_path, epochs=6, patience=99)).outcome(name="m")
    checkpoint = tmp_path / "ckpt" / "checkpoint.pt"
    first = _run(_trainer(few_digits, narrow, tmp_path, epochs=6, patience=99, checkpoint=checkpoint), stop_after=3)
    partial = first.outcome(name="m")
    assert [h.epoch for h in partial.history] == [1, 2, 3] and partial.stopped == "interrupted"
    assert checkpoint.is_file()
    resumed = _run(_trainer(few_digits, narrow, tmp_path, epochs=6, patience=99, checkpoint=checkpoint,
                            resume=True)).outcome(name="m")
    assert [h.epoch for h in resumed.history] == list(range(1, 7))
    assert [h.val_loss for h in resumed.history] == pytest.approx([h.val_loss for h in whole.history], rel=1e-5)
    for key, value in whole.model.state_dict().items():
        assert np.allclose(value.numpy(), resumed.model.state_dict()[key].numpy(), atol=1e-6), key


def test_resume_refuses_a_checkpoint_of_other_settings(few_digits, narrow, tmp_path):
    checkpoint = tmp_path / "checkpoint.pt"
    _run(_trainer(few_digits, narrow, tmp_path, epochs=1, checkpoint=checkpoint))
    other = _trainer(few_digits, narrow, tmp_path, epochs=2, seed=5, checkpoint=checkpoint, resume=True)
    with pytest.raises(UserError, match="was made with other data, classes or settings"):
        _run(other)


def test_the_same_seed_trains_the_same_model(few_digits, narrow, tmp_path):
    a = _run(_trainer(few_digits, narrow, tmp_path, epochs=3)).outcome(name="m")
    b = _run(_trainer(few_digits, narrow, tmp_path, epochs=3)).outcome(name="m")
    assert [h.val_loss for h in a.history] == [h.val_loss for h in b.history]


def test_the_features_are_extracted_once_then_read_from_the_cache(few_digits, narrow, tmp_path):
    first = _run(_trainer(few_digits, narrow, tmp_path, epochs=1))
    second = _run(_trainer(few_digits, narrow, tmp_path, epochs=1, learning_rate=0.01))
    assert first.feature_images_per_second > 0 and second.feature_images_per_second == 0.0
    assert len(list((tmp_path / "features").glob("*.npy"))) == 1


@pytest.mark.parametrize("mode, head", [("head", "classifier"), ("finetune", "last"), ("full", "last")])
def test_every_mode_trains_and_its_model_matches_its_card(few_digits, narrow, tmp_path, mode, head):
    import torch

    trainer = _run(_trainer(few_digits, narrow, tmp_path, mode=mode, head=head, epochs=2, batch_size=16))
    trained = trainer.outcome(name="m")
    assert len(trained.history) == 2 and trained.card.classes == 10
    assert trained.card.training["settings"]["mode"] == mode
    x = torch.zeros(2, 3, 224, 224)
    assert trained.model(x).shape == (2, 10)
    frozen = "features.0.weight"  # conv1: frozen in head and finetune, trained in full
    base = torch.load(narrow, weights_only=True)[frozen]
    assert torch.equal(trained.model.state_dict()[frozen], base) == (mode != "full")


def test_unbalanced_classes_get_weighted_loss_and_balanced_ones_do_not(tmp_path, narrow):
    data = write_photo_classes(tmp_path / "data", per_class=8)
    for path in sorted((data / "rocket").iterdir())[3:]:
        path.unlink()
    trainer = _run(_trainer(data, narrow, tmp_path, epochs=1))
    assert trainer.class_weights is not None and trainer.class_weights[2] > trainer.class_weights[0]
    balanced = _run(_trainer(write_photo_classes(tmp_path / "even", per_class=4), narrow, tmp_path, epochs=1))
    assert balanced.class_weights is None


# --- the command line: bad data, refusals ----------------------------------------------------------------------
def test_unreadable_images_are_listed_skipped_and_counted(tmp_path, narrow, capsys):
    data = write_photo_classes(tmp_path / "data", per_class=6)
    (data / "cat" / "broken.jpg").write_bytes(b"not a jpeg")
    out = tmp_path / "model"
    assert main(["train", str(data), "--out", str(out), "--weights", str(narrow), "--epochs", "3"]) == 1
    err = capsys.readouterr().err
    assert "skipped 1 unreadable image" in err
    with open(out / "unreadable.csv") as f:
        rows = list(csv.DictReader(f))
    assert [Path(r["path"]).name for r in rows] == ["broken.jpg"]
    assert json.loads((out / "model.pth.card.json").read_text())["training"]["unreadable"] == 1


def test_training_on_photos_reports_what_evaluate_finds(tmp_path, narrow, capsys):
    data = write_photo_classes(tmp_path / "data", per_class=8)
    out = tmp_path / "photos-model"
    assert main(["train", str(data), "--out", str(out), "--weights", str(narrow), "--val-split", "0.25"]) == 0
    report = json.loads((out / "model.pth.card.json").read_text())["training"]["validation_report"]
    assert report["images"] == 6
    line = evaluate_top1(capsys, str(data), "--weights", str(out), "--files", str(out / "validation.txt"))
    assert line.endswith(f"({report['top1']}/6)")


def test_an_existing_model_folder_is_refused_unless_forced(tmp_path, narrow, capsys):
    data = write_photo_classes(tmp_path / "data", per_class=3)
    out = tmp_path / "model"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    args = ["train", str(data), "--out", str(out), "--weights", str(narrow), "--epochs", "1"]
    assert main(args) == 2
    assert "exists and is not empty: choose another --out, add --force" in capsys.readouterr().err
    assert main([*args, "--force"]) == 0
    assert (out / "notes.txt").read_text() == "mine" and (out / "model.pth").is_file()


def test_a_model_folder_inside_the_data_is_refused(tmp_path, narrow, capsys, no_model):
    data = write_photo_classes(tmp_path / "data", per_class=3)
    assert main(["train", str(data), "--out", str(data / "model"), "--untrained"]) == 2
    assert "overlap: the model folder must be outside the images" in capsys.readouterr().err


def test_resume_without_an_interrupted_training_is_refused(tmp_path, capsys, no_model):
    data = write_photo_classes(tmp_path / "data", per_class=3)
    assert main(["train", str(data), "--out", str(tmp_path / "m"), "--resume", "--untrained"]) == 2
    assert "nothing to resume in" in capsys.readouterr().err


@pytest.mark.parametrize("option, message", [
    (["--val-split", "1"], "must be between 0 and 1"),
    (["--mode", "everything"], "invalid choice"),
    (["--epochs", "0"], "must be at least 1"),
])
def test_bad_options_exit_2(tmp_path, capsys, option, message, no_model):
    assert main(["train", str(tmp_path), "--out", str(tmp_path / "m"), *option]) == 2
    assert message in capsys.readouterr().err


def test_an_onnx_base_cannot_be_trained(trained_digits, digits, tmp_path, capsys):
    assert main(["train", str(digits), "--out", str(tmp_path / "m"), "--weights",
                 str(trained_digits / "model.onnx")]) == 2
    assert "is an ONNX graph: training starts from a PyTorch or Keras file" in capsys.readouterr().err


def test_the_model_folder_gives_each_backend_its_own_file(trained_digits):
    from alexnet_gui.core.model.weights import resolve_weights

    assert resolve_weights(trained_digits, prefer="onnx").kind == "onnx"
    assert resolve_weights(trained_digits).kind == "pth"


def test_cancelled_extraction_leaves_nothing_in_the_cache(few_digits, narrow, tmp_path):
    from alexnet_gui.core.training.trainer import Progress

    trainer = _trainer(few_digits, narrow, tmp_path, epochs=1)
    for event in trainer.run():
        if isinstance(event, Progress) and event.stage == "features":
            trainer.cancel.set()
    assert trainer.outcome(name="m") is None
    assert list((tmp_path / "features").iterdir()) == []


def test_threads_are_not_left_behind(few_digits, narrow, tmp_path):
    before = threading.active_count()
    _run(_trainer(few_digits, narrow, tmp_path, epochs=1))
    assert threading.active_count() == before


@pytest.mark.parametrize("signame, status", [("SIGINT", 130), ("SIGTERM", 143)])
def test_an_interrupted_training_saves_its_best_epoch_and_resumes(few_digits, narrow, tmp_path, signame, status):
    import os
    import subprocess
    import sys

    out = tmp_path / "model"
    env = {**os.environ, "ALEXNET_GUI_CACHE": str(tmp_path / "cache")}
    args = ["train", str(few_digits), "--out", str(out), "--weights", str(narrow), "--epochs", "6",
            "--patience", "99"]
    run = subprocess.run([sys.executable, "-m", "tests.train_signal_run", signame, "2", *args], env=env,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == status, run.stderr
    assert "interrupted: saved the best epoch so far (2); continue with: alexnet-gui train" in run.stderr
    card = json.loads((out / "model.pth.card.json").read_text())
    assert card["training"]["epochs_run"] == 2 and card["training"]["stopped"] == "interrupted"
    assert (out / ".training" / "checkpoint.pt").is_file() and (out / "model.onnx").is_file()
    resumed = subprocess.run([sys.executable, "-m", "alexnet_gui", *args, "--resume"], env=env,
                             capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    assert "epoch 3/6" in resumed.stderr and "epoch 1/6" not in resumed.stderr
    card = json.loads((out / "model.pth.card.json").read_text())
    assert [m["epoch"] for m in card["training"]["metrics"]] == [1, 2, 3, 4, 5, 6]
    assert not (out / ".training").exists()


# --- MODEL_DIR is replaced only by a complete model (issue 35) ---------------------------------------------------
def files_of(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


@pytest.fixture
def existing_model(tmp_path, narrow):
    """A trained MODEL_DIR; one of its classes is named like a formula (`$` is mathtext to matplotlib)."""
    data = write_photo_classes(tmp_path / "data", per_class=3)
    (data / "coffee").rename(data / "cost_$5_to_$10")
    out = tmp_path / "model"
    assert main(["train", str(data), "--out", str(out), "--weights", str(narrow), "--epochs", "1"]) == 0
    return data, out, files_of(out)


def test_a_class_named_like_a_formula_is_drawn_as_written(existing_model):
    _data, out, files = existing_model
    assert {"model.onnx", "model.onnx.card.json", "confusion.png", "report.txt"} <= set(files)
    assert b"cost_$5_to_$10" in files["per_class.csv"] and files["confusion.png"].startswith(b"\x89PNG")


@pytest.mark.parametrize("case", ["a broken base model", "no readable image"])
def test_a_forced_training_that_fails_leaves_the_old_model_as_it_was(existing_model, narrow, tmp_path, capsys,
                                                                       case):
    data, out, before = existing_model
    base = narrow
    if case == "a broken base model":
        base = tmp_path / "broken.pth"
        base.write_bytes(b"not a model")
    else:
        data = tmp_path / "unreadable"
        for name in ("a", "b"):
            (data / name).mkdir(parents=True)
            for i in range(3):
                (data / name / f"{i}.jpg").write_bytes(b"not a jpeg")
    capsys.readouterr()
    assert main(["train", str(data), "--out", str(out), "--weights", str(base), "--epochs", "1", "--force"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.splitlines()[-1].startswith("error: ")
    assert files_of(out) == before and not (out / ".training").exists()


def test_a_forced_training_whose_report_cannot_be_written_keeps_the_old_model_and_resumes(existing_model, narrow,
                                                                                          monkeypatch, capsys):
    import errno

    from alexnet_gui.core.analysis.confusion import ConfusionMatrix

    data, out, before = existing_model
    draw = ConfusionMatrix.render_png

    def disk_full(self, path, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(ConfusionMatrix, "render_png", disk_full)
    args = ["train", str(data), "--out", str(out), "--weights", str(narrow), "--epochs", "2", "--seed", "1"]
    capsys.readouterr()
    assert main([*args, "--force"]) == 2
    assert capsys.readouterr().err.splitlines()[-1] == (
        f"error: cannot save the model in {out}: the disk is full; the files there are as they were, and --resume "
        "saves this training once that is fixed")
    assert files_of(out) == before
    assert [p.name for p in (out / ".training").iterdir()] == ["checkpoint.pt"]
    monkeypatch.setattr(ConfusionMatrix, "render_png", draw)
    assert main([*args, "--resume"]) == 0
    after = files_of(out)
    assert set(after) == set(before) and after["model.pth"] != before["model.pth"]
    card = json.loads(after["model.pth.card.json"])
    assert card["training"]["epochs_run"] == 2 and card["training"]["settings"]["seed"] == 1
    assert json.loads(after["model.onnx.card.json"])["training"] == card["training"]
    assert not (out / ".training").exists()


@pytest.mark.parametrize("val", [lambda data: data, lambda data: data / "cat", lambda data: data.parent])
def test_a_validation_folder_overlapping_the_data_is_refused(tmp_path, capsys, no_model, val):
    data = write_photo_classes(tmp_path / "data", per_class=3)
    folder = val(data)
    assert main(["train", str(data), "--out", str(tmp_path / "m"), "--val", str(folder), "--untrained"]) == 2
    assert capsys.readouterr().err.strip() == (
        f"error: --val {folder} and the data folder {data} overlap: validation needs images the training does not see"
    )
    assert not (tmp_path / "m").exists()
