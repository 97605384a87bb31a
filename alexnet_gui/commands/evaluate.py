"""`alexnet-gui evaluate FOLDER`: top-1/top-5 accuracy on a folder whose sub-folders are named by ImageNet class."""

from __future__ import annotations

import argparse
import os
import sys

from alexnet_gui.commands.argument_types import positive_int
from alexnet_gui.commands.model_options import (
    UNTRAINED_WARNING,
    add_model_arguments,
    card_choices,
    choose_weights,
    open_backend,
)
from alexnet_gui.core.errors import UserError, exit_status_for
from alexnet_gui.core.language import gettext as _
from alexnet_gui.core.wording import counted


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `evaluate` parser."""
    p = subparsers.add_parser(
        "evaluate",
        help="accuracy on a labelled folder (sub-folders named by synset id or class name)",
        description="Classify every image under FOLDER/<class>/ where <class> is an ImageNet synset id "
        "(n02123045) or class name (tabby), and report top-1 and top-5 accuracy, per-class accuracy and the "
        "most confused pairs. With the ImageNet validation set in that layout, torchvision's weights score "
        "56.522% / 79.066%. Exit status: 0 done, 1 some images could not be read, 2 error.",
    )
    p.add_argument("folder", metavar="FOLDER", help="folder of class-named sub-folders")
    p.add_argument("--batch-size", type=positive_int, default=None, metavar="N",
        help="images per model call (default: 128 on CUDA; on the CPU 32, or 64 with --fast-decode)")
    p.add_argument("--workers", type=positive_int, default=None, metavar="N", help="decode threads")
    p.add_argument("--fast-decode", action="store_true", help="decode JPEGs at reduced scale (Pillow draft mode)")
    p.add_argument("--tta", choices=("none", "10crop"), default="none", help="test-time augmentation (default: none)")
    p.add_argument("--confused", type=positive_int, default=10, metavar="N", help="confused pairs to list (default: 10)")
    p.add_argument("--files", metavar="LIST",
                   help="evaluate only the images named in LIST, one path a line (a trained model's validation.txt)")
    p.add_argument("--report", metavar="DIR",
                   help="also write the confusion matrix (confusion.csv, confusion.png) and per_class.csv into DIR")
    add_model_arguments(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Find the labelled images, classify them, print the accuracy report."""
    from alexnet_gui.commands.progress_bar import progress_bar
    from alexnet_gui.core.analysis.evaluate import format_evaluation, trained_on_warning
    from alexnet_gui.core.model.loading import quick_card
    from alexnet_gui.core.pipeline.engine_options import EngineOptions
    from alexnet_gui.core.tasks.evaluate import evaluate_images, find_images_to_evaluate

    if not os.path.isdir(args.folder):
        raise UserError(_('{folder} is not a folder').format(folder=args.folder))
    report_dir = None
    if args.report is not None:
        from alexnet_gui.core.outputs.output_paths import check_output_folder, folder_within

        if folder_within(args.report, args.folder):
            raise UserError(
                _(
                    "--report {report} is inside the evaluated folder {folder}: its confusion.png would be read as an image; choose a folder outside it"
                ).format(report=args.report, folder=args.folder)
            )
        report_dir = check_output_folder(args.report, option="--report")
    weights = choose_weights(args)
    card = quick_card(weights, card_choices(args))
    backend = None
    if card is None:  # the class names come with the model: load it first
        backend = open_backend(args, weights)
        card = backend.card
    found = find_images_to_evaluate(args.folder, card.labels, args.files)
    if found.ignored_folders:
        names = ", ".join(found.ignored_folders[:5]) + (", ..." if len(found.ignored_folders) > 5 else "")
        what = "an ImageNet class" if card.labels.is_imagenet() else "one of the model's classes"
        print(
            _("ignored {counted} not named by {what}: {names}").format(
                counted=counted(len(found.ignored_folders), "sub-folder"), what=what, names=names
            ),
            file=sys.stderr,
        )
    if found.loose_images:
        print(
            _(
                "not evaluated: {counted} directly in {folder}, outside any class sub-folder (their class is unknown)"
            ).format(counted=counted(len(found.loose_images), "image"), folder=args.folder),
            file=sys.stderr,
        )
    backend = backend or open_backend(args, weights)
    options = EngineOptions(top_k=5, batch_size=args.batch_size, fast_decode=args.fast_decode,
                            decode_workers=args.workers, tta=args.tta)
    bar = progress_bar(len(found.truth), _("evaluating"))
    try:
        report = evaluate_images(backend, found, options=options, on_progress=lambda done, _total: bar.update(done - bar.n))
    finally:
        bar.close()
        backend.close()
    evaluation = report.evaluation
    if report.interrupted is not None:
        print(
            _("interrupted after {counted}; accuracy so far:").format(counted=counted(report.scored, "image")),
            file=sys.stderr,
        )
        print(format_evaluation(evaluation, confused=args.confused, labels=backend.card.labels))
        return exit_status_for(report.interrupted)  # 130 after Ctrl+C, 143 after SIGTERM, as classify
    trained_on = trained_on_warning(backend.card, args.folder)
    if trained_on:
        print(_("note: {sentence}").format(sentence=trained_on), file=sys.stderr)
    print(format_evaluation(evaluation, confused=args.confused, labels=backend.card.labels))
    if report_dir is not None:
        report_dir.mkdir(parents=True, exist_ok=True)
        report.confusion(backend.card.labels).write_files(report_dir, title=f"{backend.card.name}: {args.folder}")
        print(
            _("report: {value}, confusion.png and per_class.csv").format(value=report_dir / "confusion.csv"),
            file=sys.stderr,
        )
    if args.untrained:
        print(_(UNTRAINED_WARNING), file=sys.stderr)
    return 1 if evaluation.failed else 0
