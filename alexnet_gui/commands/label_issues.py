"""`alexnet-gui label-issues FOLDER|PROJECT --out issues.csv`: the labels most likely wrong, first."""

from __future__ import annotations

import argparse
import sys

from alexnet_gui.commands.argument_types import positive_int
from alexnet_gui.core.language import gettext as _


def _folds(text: str) -> int:
    value = positive_int(text)
    if value < 2:
        raise argparse.ArgumentTypeError(f"must be at least 2, got {value}")
    return value


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `label-issues` parser."""
    p = subparsers.add_parser(
        "label-issues",
        help="find labels that are probably wrong (cleanlab on out-of-fold heads)",
        description="Reads a folder of class sub-folders, or a labelling project's labels; computes the model's "
        "features (cached), trains K logistic-regression heads so each image is scored by a head that never saw "
        "it, and ranks the labels with cleanlab. Writes path,given_label,suggested_label,score,issue, most likely "
        "wrong first. Exit status: 0 done, 1 some images could not be read, 2 error.",
    )
    p.add_argument("source", metavar="FOLDER|PROJECT", help="class folders, or a project file")
    p.add_argument("--out", required=True, metavar="FILE", help="the CSV to write")
    p.add_argument("--folds", type=_folds, default=5, metavar="K", help="folds of the heads (default: 5)")
    p.add_argument("--seed", type=int, default=0, help="seed of the folds (default: 0)")
    weights = p.add_mutually_exclusive_group()
    weights.add_argument("--weights", metavar="FILE", help="the model whose features are used (PyTorch or Keras "
                         "file, or a model folder; default: torchvision's ImageNet weights)")
    weights.add_argument("--untrained", action="store_true", help="a seeded random network (tests and demos)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Rank and write."""
    import os
    from pathlib import Path

    from alexnet_gui.commands.model_options import UNTRAINED_WARNING
    from alexnet_gui.commands.progress_bar import progress_bar
    from alexnet_gui.core.errors import UserError
    from alexnet_gui.core.labelling.issues import find_label_issues, write_issues_csv
    from alexnet_gui.core.outputs.output_paths import check_output_file

    if not os.path.exists(args.source):
        raise UserError(_("{path} does not exist").format(path=args.source))
    out = check_output_file(args.out, inputs=[args.source, *([args.weights] if args.weights else [])])
    if args.untrained:
        print(_(UNTRAINED_WARNING), file=sys.stderr)
    bar: list = []

    def progress(done: int, total: int) -> None:
        if not bar:
            bar.append(progress_bar(total, _("features"), unit="img"))
        bar[0].update(done - bar[0].n)

    try:
        found = find_label_issues(args.source, weights=args.weights, untrained=args.untrained, folds=args.folds,
                                  seed=args.seed, on_progress=progress)
    finally:
        if bar:
            bar[0].close()
    assert found is not None  # nothing cancels the command line's run but Ctrl+C
    issues, failed = found
    write_issues_csv(Path(out), issues)
    flagged = sum(it.issue for it in issues)
    print(_("{flagged} of {total} labels look wrong; wrote {out}").format(flagged=flagged, total=len(issues), out=out),
          file=sys.stderr)
    if failed:
        print(_("skipped {n} unreadable images").format(n=len(failed)), file=sys.stderr)
        return 1
    return 0
