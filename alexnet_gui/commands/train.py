"""`alexnet-gui train FOLDER --out MODEL_DIR`: teach a model the classes of a folder of class folders."""

from __future__ import annotations

import argparse
import sys

from alexnet_gui.commands.argument_types import number_between, open_fraction, positive_int
from alexnet_gui.core.errors import UserError
from alexnet_gui.core.language import gettext as _
from alexnet_gui.core.wording import counted


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `train` parser."""
    p = subparsers.add_parser(
        "train",
        help="teach a model your own classes from a folder of class folders",
        description="Train on FOLDER, which holds one sub-folder of images per class (nested folders inside a "
        "class count for it). Writes MODEL_DIR: model.pth and model.onnx with their model card (labels = the "
        "folder names), metrics.csv, and the saved model's validation report (report.txt, per_class.csv, "
        "confusion.csv, confusion.png). Exit status: 0 done, 1 done but some images could not be read, "
        "2 error, 130 interrupted (the best epoch so far is saved; --resume continues).",
    )
    p.add_argument("folder", metavar="FOLDER", help="folder of class sub-folders, or a labelling project file "
                   "(its human and folder labels are the classes)")
    p.add_argument("--out", required=True, metavar="MODEL_DIR", help="the model folder to write (must not exist)")
    val = p.add_mutually_exclusive_group()
    val.add_argument("--val", metavar="FOLDER", help="validation images, in the same layout")
    val.add_argument("--val-split", type=open_fraction, default=0.2, metavar="F",
                     help="hold out this share of each class for validation (default: 0.2)")
    p.add_argument("--mode", choices=("head", "finetune", "full"), default="head",
                   help="head: frozen conv layers, cached features, only the classifier trains (default); "
                   "finetune: conv5 and the classifier on augmented images; full: every layer")
    p.add_argument("--head", choices=("last", "classifier"), default="last",
                   help="with --mode head: train a new last layer on fc7 features (default), or all three fully "
                   "connected layers on pool5 features")
    p.add_argument("--epochs", type=positive_int, default=None, metavar="N",
                   help="at most this many epochs (default: 30 head, 15 finetune, 30 full)")
    p.add_argument("--lr", type=number_between(1e-8, 10.0, "a learning rate"), default=None, metavar="X",
                   help="AdamW learning rate (default: 1e-3 head, 1e-4 finetune, 2e-4 full)")
    p.add_argument("--batch-size", type=positive_int, default=None, metavar="N",
                   help="images per step (default: 64 head, 32 otherwise)")
    p.add_argument("--weight-decay", type=number_between(0.0, 1.0, "a weight decay"), default=1e-4, metavar="X",
                   help="AdamW weight decay (default: 1e-4)")
    p.add_argument("--patience", type=positive_int, default=5, metavar="N",
                   help="stop after N epochs without a better validation loss (default: 5)")
    p.add_argument("--seed", type=int, default=0, help="seed of the split, the new layer and the batches (default: 0)")
    p.add_argument("--class-weights", choices=("auto", "on", "off"), default="auto",
                   help="inverse-frequency loss weights: auto uses them when the largest class has 1.5 times the "
                   "smallest's images or more (default: auto)")
    p.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto",
                   help="auto trains on CUDA when it works (mixed precision outside --mode head) (default: auto)")
    p.add_argument("--workers", type=positive_int, default=None, metavar="N", help="decode threads")
    p.add_argument("--resume", action="store_true", help="continue the interrupted training in MODEL_DIR")
    p.add_argument("--force", action="store_true", help="replace the model files in an existing MODEL_DIR")
    group = p.add_argument_group("base model")
    weights = group.add_mutually_exclusive_group()
    weights.add_argument("--weights", metavar="FILE",
                         help="the model to start from: a PyTorch or Keras file, or a model folder (default: "
                         "torchvision's ImageNet weights)")
    weights.add_argument("--untrained", action="store_true",
                         help="start from a seeded random network (tests and demos: the features mean little)")
    group.add_argument("--preprocess", metavar="NAME|FILE", help="the base model's preprocessing (as in classify)")
    group.add_argument("--card", metavar="FILE", help="a model card describing the base weights")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Scan, split, train, save, validate the saved model and report."""
    from alexnet_gui.core.training.job import TrainRequest, finish_training, prepare_training
    from alexnet_gui.core.training.model_dir import describe_outcome
    from alexnet_gui.core.training.trainer import TrainSettings, describe_split

    settings = TrainSettings(args.mode, args.head, args.epochs, args.lr, args.batch_size, args.weight_decay,
                             args.patience, args.seed, args.class_weights, args.device, args.workers or 2)
    request = TrainRequest(args.folder, args.out, settings, args.val, args.val_split, args.weights, args.untrained,
                           args.preprocess, args.card, args.force, args.resume)
    prepared = prepare_training(request)
    folders, trainer = prepared.folders, prepared.trainer
    print(
        _("classes: {n_classes} in {folder}").format(n_classes=len(folders.classes), folder=args.folder),
        file=sys.stderr,
    )
    print("\n".join(folders.describe()), file=sys.stderr)
    if folders.loose:
        print(
            _("not used: {counted} directly in {folder}, in no class folder").format(
                counted=counted(len(folders.loose), "image"), folder=args.folder
            ),
            file=sys.stderr,
        )
    ratio = folders.imbalance()
    if ratio >= 1.5:
        print(
            _(
                "unbalanced: the largest class has {ratio:.1f} times the smallest's images (class-weighted loss: {class_weights})"
            ).format(ratio=ratio, class_weights=args.class_weights),
            file=sys.stderr,
        )
    print(describe_split(prepared.split), file=sys.stderr)
    print(
        _("base model: {card_id} — {describe}").format(
            card_id=prepared.base_card.card_id, describe=prepared.base_card.preprocess.describe()
        ),
        file=sys.stderr,
    )
    print(
        f"training: --mode {args.mode}"
        + (f" --head {args.head}" if args.mode == "head" else "")
        + f" on the {trainer.device.type.upper()}, up to {trainer.settings.epochs} epochs",
        file=sys.stderr,
    )
    interrupted: KeyboardInterrupt | None = None
    try:
        _follow(trainer)
    except KeyboardInterrupt as exc:
        trainer.cancel.set()
        interrupted = exc
    finished = finish_training(prepared, interrupted=interrupted is not None)
    if finished is None:
        if interrupted is not None:
            print(_("interrupted before the first epoch ended: nothing to save"), file=sys.stderr)
            raise interrupted
        raise UserError(_("no epoch could run"))
    if finished.trained.failed:
        print(
            _("skipped {counted}").format(counted=counted(len(finished.trained.failed), "unreadable image")),
            file=sys.stderr,
        )
    for line in describe_outcome(finished.out, finished.trained, finished.report):
        print(line, file=sys.stderr)
    if interrupted is not None:
        print(
            _(
                "interrupted: saved the best epoch so far ({best_epoch}); continue with: alexnet-gui train {folder} --out {out} --resume"
            ).format(best_epoch=finished.trained.best_epoch, folder=args.folder, out=args.out),
            file=sys.stderr,
        )
        raise interrupted
    return finished.exit_status


def _follow(trainer) -> None:
    """Show the training's progress: a bar for the features and each epoch's batches, a line per epoch."""
    from alexnet_gui.commands.progress_bar import progress_bar
    from alexnet_gui.core.training.trainer import EpochReport

    bar = None
    stage = None
    try:
        for event in trainer.run():
            if isinstance(event, EpochReport):
                if bar is not None:
                    bar.close()
                    bar, stage = None, None
                print(event.describe(trainer.settings.epochs), file=sys.stderr)
                continue
            key = (event.stage, event.epoch)
            if key != stage:
                if bar is not None:
                    bar.close()
                desc = (
                    _("features")
                    if event.stage == "features"
                    else _("epoch {epoch} {stage}").format(epoch=event.epoch, stage=event.stage)
                )
                bar = progress_bar(event.total, desc, unit="img" if event.stage != "epoch" else "batch")
                stage = key
            bar.update(event.done - bar.n)
    finally:
        if bar is not None:
            bar.close()
    if trainer.feature_images_per_second:
        print(
            _("features: {feature_images_per_second:.1f} images/s").format(
                feature_images_per_second=trainer.feature_images_per_second
            ),
            file=sys.stderr,
        )
