"""`alexnet-gui export-onnx --out alexnet.onnx`: export the model for ONNX Runtime, checked and verified."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `export-onnx` parser."""
    p = subparsers.add_parser(
        "export-onnx",
        help="export AlexNet to an ONNX file (dynamic batch, intermediate outputs)",
        description="Export AlexNet to ONNX with a dynamic batch axis and every intermediate activation as a "
        "named output; the file is checked with onnx.checker and its outputs verified against PyTorch.",
    )
    p.add_argument("--out", "-o", required=True, metavar="FILE", help="the .onnx file to write")
    weights = p.add_mutually_exclusive_group()
    weights.add_argument("--weights", metavar="FILE", help="a .pth state_dict (default: torchvision's cache, else download)")
    weights.add_argument("--untrained", action="store_true", help="export a seeded random network (tests only)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Export, verify, report."""
    from alexnet_gui.core.backends.onnx_export import export_onnx
    from alexnet_gui.core.errors import UserError
    from alexnet_gui.core.model.weights import resolve_weights
    from alexnet_gui.core.outputs.output_paths import check_output_file

    check_output_file(args.out, inputs=[args.weights] if args.weights else [])
    weights = resolve_weights(args.weights, untrained=args.untrained)
    if weights.kind == "onnx":
        raise UserError("--weights must be a .pth state_dict to export from, not an .onnx model")
    report = export_onnx(weights, Path(args.out), verify=True)
    print(f"exported {args.out} from {weights.source}; {report}", file=sys.stderr)
    return 0
