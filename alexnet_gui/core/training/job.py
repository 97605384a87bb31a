"""One training from the user's request to a finished model folder, shared by `alexnet-gui train` and the app's
*Tools > Train on labelled folders…*: check and scan the data, split it, open the base model, train (the caller
follows `Prepared.trainer.run()`), then save, export, validate the saved model and write the report."""

from __future__ import annotations

import contextlib
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from alexnet_gui.core.errors import UserError, describe_os_error
from alexnet_gui.core.language import gettext
from alexnet_gui.core.training.folders import (
    ClassFolders,
    Split,
    check_trainable,
    scan_class_folders,
    split_by_folder,
    split_stratified,
)

if TYPE_CHECKING:
    from alexnet_gui.core.analysis.confusion import ConfusionMatrix
    from alexnet_gui.core.analysis.evaluate import Evaluation
    from alexnet_gui.core.model.card import ModelCard
    from alexnet_gui.core.training.trainer import TrainedModel, Trainer, TrainSettings


@dataclass(frozen=True)
class TrainRequest:
    """What the user asked for."""

    data: str
    out: str
    settings: TrainSettings
    val: str | None = None
    val_split: float = 0.2
    weights: str | None = None
    untrained: bool = False
    preprocess: str | None = None
    card: str | None = None
    force: bool = False
    resume: bool = False


@dataclass
class Prepared:
    """A training ready to run: its data, split, model folder and trainer."""

    request: TrainRequest
    folders: ClassFolders
    split: Split
    out: Path
    base_card: ModelCard
    trainer: Trainer


@dataclass
class Finished:
    """A saved model folder and its validation report."""

    out: Path
    trained: TrainedModel
    card: ModelCard
    evaluation: Evaluation
    matrix: ConfusionMatrix
    report: dict = field(default_factory=dict)
    interrupted: bool = False

    @property
    def exit_status(self) -> int:
        """0, or 1 when some images could not be read."""
        return 1 if self.trained.failed or self.evaluation.failed else 0


def scan_request(request: TrainRequest) -> tuple[ClassFolders, Split]:
    """The classes and the split, or one UserError for data not in the layout."""
    from alexnet_gui.core.outputs.output_paths import folder_within

    if request.val is not None and Path(request.data).is_dir() and (
            folder_within(request.val, request.data) or folder_within(request.data, request.val)):
        raise UserError(
            gettext(
                "--val {val} and the data folder {folder} overlap: validation needs images the training does not see"
            ).format(val=request.val, folder=request.data)
        )
    if Path(request.data).is_file():  # a labelling project: its human and folder labels are the classes
        from alexnet_gui.core.labelling.training import project_class_folders

        folders = project_class_folders(request.data)
    else:
        folders = scan_class_folders(request.data)
    check_trainable(folders, with_val_folder=request.val is not None)
    if request.val is not None:
        return folders, split_by_folder(folders, scan_class_folders(request.val, what="validation"))
    return folders, split_stratified(folders, request.val_split, request.settings.seed)


def open_base(request: TrainRequest) -> tuple[ModelCard, dict]:
    """The base model's card (with the user's --preprocess and --card) and state_dict."""
    from alexnet_gui.core.model.loading import CardChoices, apply_choices, open_state_model
    from alexnet_gui.core.model.weights import resolve_weights

    weights = resolve_weights(request.weights, untrained=request.untrained, prefer="pth")
    if weights.kind == "onnx":
        raise UserError(
            gettext("{path} is an ONNX graph: training starts from a PyTorch or Keras file (or --untrained)").format(
                path=weights.path
            )
        )
    base, state = open_state_model(weights)
    return apply_choices(base, CardChoices(None, request.preprocess, request.card), weights.path), state


def _missing_folders(path: Path) -> list[Path]:
    """`path` and those of its parents that do not exist yet, deepest first."""
    missing = []
    path = path.absolute()
    while not os.path.lexists(path) and path != path.parent:
        missing.append(path)
        path = path.parent
    return missing


def prepare_training(request: TrainRequest, *, cancel: threading.Event | None = None) -> Prepared:
    """Everything before the first epoch; nothing is written unless the data, the model folder and the base
    model are all usable."""
    from alexnet_gui.core.cache_paths import cache_path
    from alexnet_gui.core.training.model_dir import CHECKPOINT, prepare_model_dir
    from alexnet_gui.core.training.trainer import Trainer

    folders, split = scan_request(request)
    data = [request.data] + ([request.val] if request.val else [])
    made = _missing_folders(Path(request.out))
    out = prepare_model_dir(request.out, data, force=request.force, resume=request.resume)
    try:
        base_card, base_state = open_base(request)
    except BaseException:
        for folder in made:  # a base model that cannot be opened leaves no empty MODEL_DIR behind
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise
    trainer = Trainer(base_card, base_state, folders.classes, split, request.settings,
                      cache_dir=cache_path("features"), data_root=request.data, checkpoint=out / CHECKPOINT,
                      resume=request.resume, cancel=cancel)
    return Prepared(request, folders, split, out, base_card, trainer)


def finish_training(prepared: Prepared, *, interrupted: bool = False, cancel=None,
                    on_progress=None) -> Finished | None:
    """Save the best epoch (also after an interruption: the checkpoint then stays for --resume), export it,
    validate the saved model and write the report; None when no epoch finished.

    Everything is written into a staging folder first and replaces MODEL_DIR's files only once complete: a
    failure or a kill on the way (`--force` over an earlier model, a report that cannot be drawn) leaves the
    previous model as it was, and the checkpoint for --resume."""
    from alexnet_gui.core.analysis.confusion import ConfusionMatrix
    from alexnet_gui.core.training.model_dir import (
        begin_staging,
        commit_staged,
        discard_staged,
        export_model,
        finish_cards,
        remove_checkpoint,
        save_model,
        validate_saved,
        write_metrics,
        write_report,
    )

    out = prepared.out
    trained = prepared.trainer.outcome(name=out.name)
    if trained is None:
        return None
    stage = begin_staging(out)
    try:
        card = save_model(stage, trained)
        write_metrics(stage, trained.history, trained.best_epoch)
        val = [(p, c) for p, c in prepared.split.val if p not in trained.failed]
        evaluation = validate_saved(stage, val, cancel=cancel, on_progress=on_progress)
        matrix = ConfusionMatrix.from_records(evaluation.records, card.labels)
        report = write_report(stage, evaluation, matrix, card, val, trained.failed)
        card = finish_cards(stage, card, report)
        export_model(stage)  # after the report: the ONNX file carries the finished card
    except OSError as exc:
        discard_staged(out)
        raise UserError(
            gettext(
                "cannot save the model in {out}: {reason}; the files there are as they were, and --resume saves this training once that is fixed"
            ).format(out=out, reason=describe_os_error(exc))
        ) from None
    except BaseException:
        discard_staged(out)
        raise
    commit_staged(out)
    if not interrupted:
        remove_checkpoint(out)
    return Finished(out, trained, card, evaluation, matrix, report, interrupted)
