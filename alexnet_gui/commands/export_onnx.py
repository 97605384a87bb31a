"""`alexnet-gui export-onnx --out alexnet.onnx`: export the model for ONNX Runtime, checked and verified."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from alexnet_gui.core.language import gettext as _


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `export-onnx` parser."""
    p = subparsers.add_parser(
        "export-onnx",
        help="export a PyTorch or Keras AlexNet to an ONNX file that carries its model card",
        description="Export any AlexNet the app reads (PyTorch or Keras) to ONNX with a dynamic batch axis and every "
        "layer as a named output; its model card goes into the file's metadata and beside it (FILE.card.json), so "
        "the export describes itself. The file is checked with onnx.checker and verified against PyTorch.",
    )
    p.add_argument("--out", "-o", required=True, metavar="FILE", help="the .onnx file to write")
    weights = p.add_mutually_exclusive_group()
    weights.add_argument("--weights", metavar="FILE",
                         help="a PyTorch or Keras model file (default: torchvision's cache, else download)")
    weights.add_argument("--untrained", action="store_true", help="export a seeded random network (tests only)")
    p.add_argument("--labels", metavar="FILE", help="the model's class names (see classify --help)")
    p.add_argument("--preprocess", metavar="NAME|FILE", help="the model's preprocessing (see classify --help)")
    p.add_argument("--card", metavar="FILE", help="a model card JSON describing the weights")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Export, verify, report."""
    from alexnet_gui.commands.model_options import card_choices, describe_card, model_input_files
    from alexnet_gui.core.backends.onnx_export import export_onnx
    from alexnet_gui.core.errors import UserError
    from alexnet_gui.core.model.card import sidecar_path, write_sidecar
    from alexnet_gui.core.model.weights import resolve_weights
    from alexnet_gui.core.outputs.output_paths import check_output_file

    check_output_file(args.out, inputs=model_input_files(args), sidecars=[sidecar_path(args.out)])
    weights = resolve_weights(args.weights, untrained=args.untrained)
    if weights.kind == "onnx":
        raise UserError(_("--weights must be a PyTorch or Keras model to export from, not an .onnx model"))
    report = export_onnx(weights, Path(args.out), verify=True, choices=card_choices(args))
    card_file = write_sidecar(report.card, args.out)
    print(
        _("exported {out} from {source}; {report}").format(out=args.out, source=weights.source, report=report),
        file=sys.stderr,
    )
    print(
        _("{describe_card}; card also in {card_file}").format(
            describe_card=describe_card(report.card), card_file=card_file
        ),
        file=sys.stderr,
    )
    return 0
