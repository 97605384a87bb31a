"""`alexnet-gui export-labels FILE --format csv|jsonl|imagefolder --out OUT`: a project's labels as a file or as
class folders that `alexnet-gui train` reads."""

from __future__ import annotations

import argparse
import sys

from alexnet_gui.commands.argument_types import number_between, open_fraction
from alexnet_gui.core.language import gettext as _


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `export-labels` parser."""
    p = subparsers.add_parser(
        "export-labels",
        help="export a labelling project's labels (csv, jsonl, or class folders to train on)",
        description="csv and jsonl: one row per image (path,label,source,model_label,model_prob,agrees,labelled_at; "
        "jsonl adds the top-k). imagefolder: copies (or with --link hard-links) the human-labelled images into "
        "OUT/<label>/ (with --split: OUT/train/<label>/ and OUT/val/<label>/), so `alexnet-gui train OUT` reads "
        "it; labels unsafe as folder names get safe ones, recorded in OUT/labels.json. Nothing is moved or deleted.",
    )
    p.add_argument("file", metavar="FILE", help="the project file")
    p.add_argument("--format", choices=("csv", "jsonl", "imagefolder"), required=True, dest="fmt")
    p.add_argument("--out", required=True, metavar="OUT", help="the file (csv, jsonl) or new folder (imagefolder)")
    p.add_argument("--link", action="store_true", help="imagefolder: hard-link instead of copying")
    p.add_argument("--split", type=open_fraction, default=None, metavar="F",
                   help="imagefolder: hold out this share of each class in OUT/val (stratified, seeded)")
    p.add_argument("--seed", type=int, default=0, help="seed of --split (default: 0)")
    p.add_argument("--min-prob", type=number_between(0.0, 1.0, "a probability"), default=None, metavar="P",
                   help="also export the model's label of images it gives at least this probability")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Export and say what was written."""
    from alexnet_gui.core.errors import UserError
    from alexnet_gui.core.labelling.export import export_labels

    if args.fmt != "imagefolder" and (args.link or args.split is not None):
        raise UserError(_("--link and --split apply to --format imagefolder only"))
    report = export_labels(args.file, args.fmt, args.out, link=args.link, split=args.split, seed=args.seed,
                           min_prob=args.min_prob)
    print(_("wrote {images} images to {out}").format(images=report.images, out=report.out), file=sys.stderr)
    if report.split is not None:
        print(_("split: {train} to train on, {val} to validate with").format(train=report.split[0],
                                                                              val=report.split[1]), file=sys.stderr)
    for folder, label in sorted(report.renamed.items()):
        print(_("class {label!r} is in folder {folder} (see labels.json)").format(label=label, folder=folder),
              file=sys.stderr)
    if report.missing:
        print(_("not exported: {n} labelled images are missing").format(n=len(report.missing)), file=sys.stderr)
        return 1
    return 0
