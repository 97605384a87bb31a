"""MODEL_DIR, what a training leaves: the weights with their card, an ONNX export carrying the card, the metrics
per epoch, and the validation report of the saved model (per-class accuracy, the confusion matrix as CSV and PNG).

It opens everywhere a model does (`--weights MODEL_DIR`, the app). The report is made by running the saved
model.pth through the same engine `evaluate` uses, so `evaluate DATA --weights MODEL_DIR --files
MODEL_DIR/validation.txt` gives the same figures to the image (through PyTorch, and through ONNX Runtime from the
export, whose outputs differ from torch's by rounding only: a test checks both).
"""

from __future__ import annotations

import os
import shutil
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from alexnet_gui.core.errors import UserError
from alexnet_gui.core.language import gettext
from alexnet_gui.core.outputs.results import SpreadsheetCsvWriter
from alexnet_gui.core.wording import counted

if TYPE_CHECKING:
    from alexnet_gui.core.analysis.confusion import ConfusionMatrix
    from alexnet_gui.core.analysis.evaluate import Evaluation
    from alexnet_gui.core.model.card import ModelCard
    from alexnet_gui.core.training.trainer import EpochReport, TrainedModel

MODEL_FILE = "model.pth"
ONNX_FILE = "model.onnx"
CHECKPOINT = Path(".training") / "checkpoint.pt"
#: where a training writes its model and report before they replace MODEL_DIR's files (same file system: renames)
STAGING = Path(".training") / "new"
REPORT_FILES = ("metrics.csv", "confusion.csv", "confusion.png", "per_class.csv", "report.txt", "validation.txt",
                "unreadable.csv")
#: the files a training writes; `--force` replaces these and nothing else in the folder, once the new ones are complete
OWN_FILES = (MODEL_FILE, MODEL_FILE + ".card.json", ONNX_FILE, ONNX_FILE + ".card.json", *REPORT_FILES)


def prepare_model_dir(out: str | os.PathLike[str], data: list[str], *, force: bool = False,
                      resume: bool = False) -> Path:
    """Check and create MODEL_DIR: never inside the data (it would become a class) nor holding it; an existing
    model there is refused unless `force` or `resume`. Nothing in it is removed here: `commit_staged` replaces the
    training's own files only once the new model and its report are complete."""
    from alexnet_gui.core.outputs.output_paths import check_output_folder, folder_within

    path = check_output_folder(out)
    for folder in data:
        if folder_within(path, folder) or folder_within(folder, path):
            raise UserError(
                gettext(
                    "--out {out} and the data folder {folder} overlap: the model folder must be outside the images (inside, it would be read as a class)"
                ).format(out=out, folder=folder)
            )
    if resume:
        if not (path / CHECKPOINT).is_file():
            raise UserError(
                gettext("nothing to resume in {out}: it has no interrupted training ({CHECKPOINT})").format(
                    out=out, CHECKPOINT=CHECKPOINT
                )
            )
        return path
    if path.is_dir() and any(path.iterdir()):
        if not force:
            raise UserError(
                gettext(
                    "{out} exists and is not empty: choose another --out, add --force to replace the model files in it, or --resume to continue an interrupted training there"
                ).format(out=out)
            )
    path.mkdir(parents=True, exist_ok=True)
    return path


def begin_staging(out: Path) -> Path:
    """An empty folder in MODEL_DIR to write the new model and report into (a killed run's leftovers removed)."""
    stage = out / STAGING
    shutil.rmtree(stage, ignore_errors=True)
    stage.mkdir(parents=True)
    return stage


def commit_staged(out: Path) -> None:
    """Move the complete new files from the staging folder over MODEL_DIR's, and remove an old file the new
    training did not write (an `unreadable.csv` of a run whose images were all read). The model's own files go
    last, each card just after its model, so the folder never opens without a model."""
    stage = out / STAGING
    for name in (*REPORT_FILES, ONNX_FILE, ONNX_FILE + ".card.json", MODEL_FILE, MODEL_FILE + ".card.json"):
        if (stage / name).exists():
            os.replace(stage / name, out / name)
        else:
            (out / name).unlink(missing_ok=True)
    discard_staged(out)


def discard_staged(out: Path) -> None:
    """Remove the staging folder and what is in it (a finish that failed: MODEL_DIR keeps its previous files)."""
    shutil.rmtree(out / STAGING, ignore_errors=True)


def remove_checkpoint(out: Path) -> None:
    """Remove a finished training's checkpoint (an interrupted one stays for --resume)."""
    (out / CHECKPOINT).unlink(missing_ok=True)
    try:
        (out / CHECKPOINT).parent.rmdir()
    except OSError:
        pass  # absent, or holding something that is not ours


def save_model(out: Path, trained: TrainedModel) -> ModelCard:
    """Write the state_dict and its card; return the card (with the file's SHA-256)."""
    import torch

    from alexnet_gui.core.model.card import write_sidecar
    from alexnet_gui.core.model.weights import file_sha256

    target = out / MODEL_FILE
    tmp = out / f".{MODEL_FILE}.{os.getpid()}.tmp"
    try:
        torch.save(trained.model.state_dict(), tmp)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    card = replace(trained.card, sha256=file_sha256(target))
    write_sidecar(card, target)
    return card


def write_metrics(out: Path, history: list[EpochReport], best_epoch: int) -> Path:
    """metrics.csv: epoch, train_loss, train_accuracy, val_loss, val_accuracy, seconds, best (1 on the kept one)."""
    path = out / "metrics.csv"
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = SpreadsheetCsvWriter(f)
        writer.writerow(["epoch", "train_loss", "train_accuracy", "val_loss", "val_accuracy", "seconds", "best"])
        for h in history:
            writer.writerow([h.epoch, f"{h.train_loss:.6f}", f"{h.train_accuracy:.6f}", f"{h.val_loss:.6f}",
                             f"{h.val_accuracy:.6f}", f"{h.seconds:.3f}", int(h.epoch == best_epoch)])
    return path


def export_model(out: Path):
    """Export model.pth (with its card) to model.onnx, the card in its metadata and beside it; a previous
    model.onnx (of an interrupted run, now resumed) is replaced."""
    from alexnet_gui.core.backends.onnx_export import export_onnx
    from alexnet_gui.core.model.card import write_sidecar
    from alexnet_gui.core.model.weights import WeightsChoice

    pth = out / MODEL_FILE
    report = export_onnx(WeightsChoice("pth", pth.resolve(), f"file {pth}"), out / ONNX_FILE)
    write_sidecar(report.card, out / ONNX_FILE)
    return report


def validate_saved(out: Path, val: list[tuple[str, int]], *, backend: str = "torch", cancel=None,
                   on_progress=None) -> Evaluation:
    """Classify the validation images with the saved model, as `evaluate` does."""
    from alexnet_gui.core.analysis.evaluate import evaluate_results
    from alexnet_gui.core.backends import load_backend
    from alexnet_gui.core.model.weights import resolve_weights
    from alexnet_gui.core.pipeline.engine_options import EngineOptions, engine_for

    weights = resolve_weights(out / (ONNX_FILE if backend == "onnx" else MODEL_FILE))
    model = load_backend(backend, weights, "auto", prepack=False)
    try:
        engine = engine_for(model, EngineOptions(top_k=min(5, model.card.classes)))
        return evaluate_results(engine.run([p for p, _ in val], cancel=cancel, on_progress=on_progress), dict(val))
    finally:
        model.close()


def write_report(out: Path, evaluation: Evaluation, matrix: ConfusionMatrix, card: ModelCard,
                 val: list[tuple[str, int]], failed: dict[str, str]) -> dict:
    """Write the validation report's files; return its figures for the card."""
    from alexnet_gui.core.analysis.evaluate import format_evaluation

    matrix.write_files(out, title=f"{card.name}: validation")
    # surrogateescape: a file name that is not UTF-8 is listed by its own bytes, which `evaluate --files` reads back
    (out / "validation.txt").write_text("".join(f"{os.path.abspath(p)}\n" for p, _ in val), encoding="utf-8",
                                        errors="surrogateescape")
    if failed:
        with open(out / "unreadable.csv", "w", newline="", encoding="utf-8") as f:
            writer = SpreadsheetCsvWriter(f)
            writer.writerow(["path", "error"])
            writer.writerows(sorted(failed.items()))
    else:
        (out / "unreadable.csv").unlink(missing_ok=True)
    text = format_evaluation(evaluation, labels=card.labels)
    (out / "report.txt").write_text(text + "\n", encoding="utf-8")
    return {"images": evaluation.images, "top1": evaluation.top1, "top1_accuracy": evaluation.top1_accuracy,
            "unreadable": len(evaluation.failed),
            "per_class": {card.labels.name(c): {"images": n, "correct": ok} for c, n, ok in matrix.per_class()}}


def finish_cards(out: Path, card: ModelCard, report: dict) -> ModelCard:
    """Add the saved model's validation figures to its card (`export_model` then carries it into the ONNX
    file)."""
    from alexnet_gui.core.model.card import write_sidecar

    card = replace(card, training={**(card.training or {}), "validation_report": report})
    write_sidecar(card, out / MODEL_FILE)
    return card


def describe_outcome(out: Path, trained: TrainedModel, report: dict) -> list[str]:
    """The closing lines on the terminal."""
    best = next(h for h in trained.history if h.epoch == trained.best_epoch)
    lines = [
        f"{trained.stopped}: kept epoch {trained.best_epoch} of {len(trained.history)} "
        f"(validation loss {best.val_loss:.4f})",
        f"validation accuracy of the saved model: {100 * report['top1_accuracy']:.2f}% "
        f"({report['top1']}/{report['images']})",
    ]
    if trained.failed:
        lines.append(f"skipped {counted(len(trained.failed), 'unreadable image')} (listed in {out / 'unreadable.csv'})")
    lines.append(f"model: {out} (model.pth, model.onnx, their cards; report.txt, confusion.png, metrics.csv)")
    return lines
