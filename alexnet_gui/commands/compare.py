"""`alexnet-gui compare PATH ...`: the same images through PyTorch and ONNX Runtime, side by side."""

from __future__ import annotations

import argparse
import os
import sys

from alexnet_gui.commands.argument_types import top_k_count
from alexnet_gui.commands.model_options import (
    UNTRAINED_WARNING,
    add_precision_argument,
    choose_weights,
    open_backend,
)
from alexnet_gui.core.backends.base import check_precision
from alexnet_gui.core.errors import UserError
from alexnet_gui.core.language import gettext as _


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `compare` parser."""
    p = subparsers.add_parser(
        "compare",
        help="run images through both PyTorch and ONNX Runtime (or fp32 and int8) and compare the answers",
        description="Run each image through the PyTorch and the ONNX Runtime backend with the same weights (with "
        "--precision int8: ONNX Runtime's fp32 model against its int8 copy, to see what int8 costs on your images) "
        "and print, per image, both top-k lists, the largest score difference, whether the top-1 agrees and each "
        "backend's latency; then a summary. Exit status: 0 all top-1 agree, 1 some disagree or failed, 2 error.",
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="image files and/or folders")
    p.add_argument("--top-k", type=top_k_count, default=5, metavar="K", help="classes shown per backend (default: 5)")
    p.add_argument("--fast-decode", action="store_true", help="decode JPEGs at reduced scale (Pillow draft mode)")
    p.add_argument("--quiet", "-q", action="store_true", help="print only the summary")
    # The shared model options minus --backend: both backends always run.
    group = p.add_argument_group("model")
    group.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto", help="for both backends (default: auto)")
    add_precision_argument(group)  # fp16 on CUDA: torch's half model against ONNX Runtime's fp16 copy
    weights = group.add_mutually_exclusive_group()
    weights.add_argument("--weights", metavar="FILE",
                         help="a PyTorch or Keras model file (default: torchvision's cache, else download)")
    weights.add_argument("--untrained", action="store_true", help="a seeded random network (demos and tests only)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Compare the two backends image by image; print each comparison and the summary."""
    from alexnet_gui.core.analysis.compare import format_comparison, format_summary
    from alexnet_gui.core.pipeline.engine import iter_image_paths
    from alexnet_gui.core.tasks.compare import backends_to_compare, compare_paths

    if args.weights and str(args.weights).lower().endswith(".onnx"):
        raise UserError(_("compare needs a .pth state_dict for --weights: PyTorch cannot run an .onnx model"))
    paths = list(iter_image_paths(args.paths))
    if not paths:
        raise UserError(_('no image files found in {join}').format(join=', '.join(args.paths)))
    if not any(os.path.isfile(p) for p in paths):  # before loading two backends for nothing
        raise UserError(f"nothing to compare: {paths[0]}: file not found" if len(paths) == 1 else
                        f"nothing to compare: none of the {len(paths)} paths is a file")
    check_precision(args.precision, args.device)  # before a weights download, not after
    weights = choose_weights(args)  # once for both backends (and one warning when untrained)
    backends = []
    try:
        for name, precision in backends_to_compare(args.precision):
            args.backend, args.precision = name, precision
            backends.append(open_backend(args, weights))
        show = None if args.quiet else lambda comparison: print(format_comparison(comparison, top_k=args.top_k))
        report = compare_paths(backends, paths, top_k=args.top_k, fast_decode=args.fast_decode, on_comparison=show)
    finally:
        for backend in backends:
            backend.close()
    summary = report.summary
    print(format_summary(summary))
    if args.untrained:
        print(_(UNTRAINED_WARNING), file=sys.stderr)
    return 0 if summary.agree == summary.images and not summary.failed else 1
