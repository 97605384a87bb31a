"""`alexnet-gui sort PATH ... --out DIR`: copy (or move) images into DIR/<top-1 label>/ folders."""

from __future__ import annotations

import argparse
import os
import sys

from alexnet_gui.commands.argument_types import number_between, positive_int
from alexnet_gui.commands.model_options import (
    UNTRAINED_WARNING,
    add_model_arguments,
    open_backend,
)
from alexnet_gui.core.errors import UserError
from alexnet_gui.core.language import gettext as _
from alexnet_gui.core.wording import counted


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `sort` parser."""
    p = subparsers.add_parser(
        "sort",
        help="copy or move images into folders named by their top-1 class",
        description="Classify images (or read a classify CSV with --from-csv) and copy them into "
        "OUT/<top-1 label>/, or move them with --move. Below --threshold they go into OUT/_uncertain/. "
        "Existing files are never overwritten: a clashing name gets a ' (1)', ' (2)', ... suffix. "
        "Exit status: 0 done, 1 some files could not be read or copied, 2 error.",
    )
    p.add_argument("paths", nargs="*", metavar="PATH", help="image files and/or folders")
    p.add_argument("--out", "-o", required=True, metavar="DIR", help="the folder to sort into (created if needed)")
    p.add_argument("--from-csv", metavar="CSV", help="sort the files of an earlier `classify` CSV instead of classifying")
    p.add_argument("--move", action="store_true", help="move the files instead of copying them")
    p.add_argument(
        "--threshold", type=number_between(0, 1, "a probability like 0.5"), default=None, metavar="P",
        help="top-1 probability below which an image goes into _uncertain/ (default: none)",
    )
    p.add_argument("--dry-run", "-n", action="store_true", help="print what would happen and change nothing")
    p.add_argument("--batch-size", type=positive_int, default=None, metavar="N",
        help="images per model call (default: 128 on CUDA; on the CPU 32, or 64 with --fast-decode)")
    p.add_argument("--fast-decode", action="store_true", help="decode JPEGs at reduced scale (Pillow draft mode)")
    p.add_argument("--tta", choices=("none", "10crop"), default="none", help="test-time augmentation (default: none)")
    add_model_arguments(p)
    p.set_defaults(func=run)


def _classify(args: argparse.Namespace, paths: list[str]):
    from alexnet_gui.commands.progress_bar import progress_bar
    from alexnet_gui.core.pipeline.engine_options import EngineOptions
    from alexnet_gui.core.tasks.classify import classify_paths

    backend = open_backend(args)
    options = EngineOptions(top_k=1, batch_size=args.batch_size, fast_decode=args.fast_decode, tta=args.tta)
    try:
        with progress_bar(len(paths), _("classifying")) as bar:
            return classify_paths(backend, paths, options=options, on_progress=lambda d, _t: bar.update(d - bar.n)).results
    finally:
        backend.close()


def run(args: argparse.Namespace) -> int:
    """Classify (or read the CSV), plan, then copy/move or just print the plan."""
    from alexnet_gui.core.outputs.output_paths import check_output_folder
    from alexnet_gui.core.outputs.sort_files import (
        apply_sort,
        describe_plan,
        plan_sort,
        results_from_csv,
    )
    from alexnet_gui.core.pipeline.engine import iter_image_paths

    if args.from_csv and args.paths:
        raise UserError(_("give either PATHs to classify or --from-csv, not both"))
    check_output_folder(args.out)
    if args.from_csv:
        results = results_from_csv(args.from_csv)
    else:
        if not args.paths:
            raise UserError(_("give image files or folders to sort, or --from-csv with a classify CSV"))
        out = os.path.realpath(args.out)
        # Files already inside OUT (an earlier sort into a folder under the input) are not sorted again.
        found = list(iter_image_paths(args.paths))
        paths = [p for p in found if not (os.path.realpath(p) + os.sep).startswith(out + os.sep)]
        if found and not paths:
            raise UserError(
                _("every image in {join} is already inside --out {out}: nothing to sort").format(
                    join=", ".join(args.paths), out=args.out
                )
            )
        if not paths:
            raise UserError(_("no image files found in {join}").format(join=", ".join(args.paths)))
        results = _classify(args, paths)
        if args.untrained:
            print(_(UNTRAINED_WARNING), file=sys.stderr)
    plan = plan_sort(results, args.out, threshold=args.threshold, move=args.move)
    print(describe_plan(plan, move=args.move))
    if args.dry_run:
        for step in plan.steps:
            print(f"{step.source} → {step.target}")
        for result in plan.skipped:
            print(_("{path}: {error} (not sorted)").format(path=result.path, error=result.error))
        print(_("dry run: nothing was copied or moved"), file=sys.stderr)
        return 1 if plan.skipped else 0  # the real sort's status: some files cannot be sorted
    outcome = apply_sort(plan, move=args.move)
    errors = [(step, error) for step, _target, error in outcome if error]
    for step, error in errors:
        print(f"{step.source}: {error}", file=sys.stderr)
    summary = (
        _("{counted} moved into {out}, {n_errors} failed, {n_skipped} could not be read")
        if args.move
        else _("{counted} copied into {out}, {n_errors} failed, {n_skipped} could not be read")
    )
    print(
        summary.format(
            counted=counted(len(outcome) - len(errors), "image"),
            out=args.out,
            n_errors=len(errors),
            n_skipped=len(plan.skipped),
        ),
        file=sys.stderr,
    )
    return 1 if errors or plan.skipped else 0
