"""`alexnet-gui model-info FILE`: print a model's card (architecture, labels, preprocessing, output, source, hash)."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "model-info", help="print a model file's card: what it is and how the app will run it",
        description="Read a model (PyTorch, ONNX, Keras, a model folder or a named download) and print its card: "
        "architecture, classes and labels, preprocessing, output kind, batch limit, source, SHA-256, and how each "
        "was chosen. --json prints the card as the JSON a sidecar holds.",
    )
    p.add_argument("weights", metavar="FILE", help="the model file, folder, or named model (bvlc-alexnet)")
    p.add_argument("--labels", metavar="FILE", help="the model's class names (see classify --help)")
    p.add_argument("--preprocess", metavar="NAME|FILE", help="the model's preprocessing (see classify --help)")
    p.add_argument("--card", metavar="FILE", help="a model card JSON describing the weights")
    p.add_argument("--json", action="store_true", help="print the card as JSON (schema alexnet-gui.card/1)")
    p.set_defaults(func=run)


def describe_model(args: argparse.Namespace):
    """The card of the model in args.weights, with the user's choices applied."""
    from alexnet_gui.commands.model_options import card_choices
    from alexnet_gui.core.model.loading import apply_choices, open_state_model
    from alexnet_gui.core.model.weights import resolve_weights

    weights = resolve_weights(args.weights, download=False)
    choices = card_choices(args)
    if weights.kind == "onnx":
        from alexnet_gui.core.backends.onnx_backend import OnnxBackend

        backend = OnnxBackend(weights, "cpu", prepack=False, choices=choices)
        try:
            return backend.card
        finally:
            backend.close()
    card, _ = open_state_model(weights)
    return apply_choices(card, choices, weights.path)


def run(args: argparse.Namespace) -> int:
    card = describe_model(args)
    if args.json:
        print(card.to_json())
    else:
        from alexnet_gui.core.wording import escape_controls

        print("\n".join(escape_controls(line) for line in card.summary_lines()))
    return 0
