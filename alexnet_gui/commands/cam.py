"""`alexnet-gui cam IMAGE --class top1|INDEX --out cam.png`: Grad-CAM overlaid on what the network saw."""

from __future__ import annotations

import argparse
import sys

from alexnet_gui.commands.argument_types import number_between
from alexnet_gui.commands.model_options import add_precision_argument


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "cam", help="save a Grad-CAM overlay (which region drove a class) as PNG",
        description="Grad-CAM at conv5 (after its ReLU) for the top-1 class or any class index, over the crop the "
        "model saw (its card's preprocessing).",
    )
    p.add_argument("image", metavar="IMAGE")
    p.add_argument("--class", dest="target", type=class_target, default="top1", metavar="top1..top5|INDEX",
                   help="top1..top5, or a class index of the model (default top1)")
    p.add_argument("--alpha", type=number_between(0, 1), default=0.5, help="heat-map opacity 0..1 (default 0.5)")
    p.add_argument("--out", "-o", required=True, metavar="PNG")
    p.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto")
    add_precision_argument(p)
    weights = p.add_mutually_exclusive_group()
    weights.add_argument("--weights", metavar="FILE", help="a PyTorch or Keras model file (default: torchvision's cache)")
    weights.add_argument("--untrained", action="store_true", help="the seeded random network (meaningless)")
    p.add_argument("--labels", metavar="FILE", help="the model's class names (see classify --help)")
    p.add_argument("--preprocess", metavar="NAME|FILE", help="the model's preprocessing (see classify --help)")
    p.add_argument("--card", metavar="FILE", help="a model card JSON describing the weights")
    p.set_defaults(func=run, backend="torch")


def class_target(text: str) -> str:
    """An argparse type: top1..top5 or a class index, checked before any model loads (the index against the model's
    class count once it has loaded)."""
    rank = text[3:] if text.startswith("top") else None
    if (rank is not None and rank.isdigit() and 1 <= int(rank) <= 5) or text.isdigit():
        return text
    raise argparse.ArgumentTypeError(f"must be top1..top5 or a class index, not {text!r}")


def parse_target(text: str, probs) -> int:
    """Turn top1..top5 or an index (already checked by `class_target`) into a class index of this model."""
    import numpy as np

    from alexnet_gui.core.errors import UserError

    classes = len(probs)
    if text.startswith("top"):
        rank = int(text[3:])
        if rank > classes:
            raise UserError(f"the model has {classes} classes: there is no {text}")
        return int(np.argsort(-probs, kind="stable")[rank - 1])
    if int(text) >= classes:
        raise UserError(f"the model's classes are 0..{classes - 1}, not {text}")
    return int(text)


def run(args: argparse.Namespace) -> int:
    from alexnet_gui.commands.model_options import open_backend
    from alexnet_gui.core.analysis.gradcam import alexnet_cam_layer, grad_cam
    from alexnet_gui.core.analysis.visualize import overlay, save_png
    from alexnet_gui.core.model.preprocess import denormalise
    from alexnet_gui.core.outputs.output_paths import check_output_file
    from alexnet_gui.core.pipeline.decode import load_image_input

    check_output_file(args.out, inputs=[args.image, *([args.weights] if args.weights else [])])
    load_image_input(args.image)  # an unreadable image is refused before the model loads
    backend = open_backend(args)
    card = backend.card
    x = load_image_input(args.image, recipe=card.preprocess)[None]
    probs = backend.predict_probabilities(x)[0]
    target = parse_target(args.target, probs)
    model = backend.model  # type: ignore[attr-defined]  # the torch backend ("torch-model" capability)
    cam = grad_cam(model, alexnet_cam_layer(model, card.architecture), x, target)
    save_png(overlay(denormalise(x[0], card.preprocess), cam, alpha=args.alpha, vmin=0.0, vmax=1.0), args.out)
    print(f"wrote {args.out}: Grad-CAM of class {target} ({card.labels.name(target)}, p={probs[target]:.4f})",
          file=sys.stderr)
    return 0
