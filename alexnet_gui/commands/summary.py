"""`alexnet-gui summary [--weights FILE]`: a model's layers, output shapes for its input size and parameter counts."""

from __future__ import annotations

import argparse

from alexnet_gui.core.language import gettext as _


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "summary", help="print a model's layer table (shapes, parameters); torchvision's AlexNet by default",
        description="The layer table of the model in --weights (its architecture as its card describes it), or of "
        "torchvision's AlexNet when none is given; no weights are downloaded.",
    )
    p.add_argument("--weights", metavar="FILE", help="a PyTorch or Keras model file (default: torchvision's layout)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from alexnet_gui.core.analysis.architecture import format_table, layer_table
    from alexnet_gui.core.errors import UserError

    arch = None
    if args.weights:
        from alexnet_gui.core.model.loading import open_state_model
        from alexnet_gui.core.model.weights import resolve_weights

        weights = resolve_weights(args.weights, download=False)
        if weights.kind == "onnx":
            raise UserError(_("an ONNX graph's layers are its own; `alexnet-gui model-info FILE` prints its card"))
        card, _model = open_state_model(weights)
        arch = card.architecture
        print(f"{card.card_id}: {arch.describe() if arch else ''}")
    print(format_table(layer_table(arch)))
    return 0
