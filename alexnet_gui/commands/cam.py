"""`alexnet-gui cam IMAGE --class top1|INDEX --out cam.png`: Grad-CAM overlaid on what the network saw."""

from __future__ import annotations

import argparse
import sys

from alexnet_gui.commands.model_options import add_precision_argument


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "cam", help="save a Grad-CAM overlay (which region drove a class) as PNG",
        description="Grad-CAM at conv5 for the top-1 class or any class index, over the 224x224 crop.",
    )
    p.add_argument("image", metavar="IMAGE")
    p.add_argument("--class", dest="target", default="top1", metavar="top1|topN|INDEX",
                   help="top1..top5, or an ImageNet class index 0..999 (default top1)")
    p.add_argument("--alpha", type=float, default=0.5, help="heat-map opacity 0..1 (default 0.5)")
    p.add_argument("--out", "-o", required=True, metavar="PNG")
    p.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto")
    add_precision_argument(p)
    weights = p.add_mutually_exclusive_group()
    weights.add_argument("--weights", metavar="FILE", help="a .pth state_dict (default: torchvision's cache)")
    weights.add_argument("--untrained", action="store_true", help="the seeded random network (meaningless)")
    p.set_defaults(func=run, backend="torch")


def parse_target(text: str, probs) -> int:
    """Turn top1..top5 or an index into a class index."""
    import numpy as np

    from alexnet_gui.core.errors import UserError

    if text.startswith("top") and text[3:].isdigit() and 1 <= int(text[3:]) <= 1000:
        return int(np.argsort(-probs, kind="stable")[int(text[3:]) - 1])
    if text.isdigit() and 0 <= int(text) < 1000:
        return int(text)
    raise UserError(f"--class must be top1..top5 or a class index 0..999, not {text!r}")


def run(args: argparse.Namespace) -> int:
    from alexnet_gui.commands.model_options import open_backend
    from alexnet_gui.core.engine import softmax
    from alexnet_gui.core.gradcam import alexnet_cam_layer, grad_cam
    from alexnet_gui.core.labels import category
    from alexnet_gui.core.preprocess import denormalise, load_input
    from alexnet_gui.core.visualize import overlay, save_png

    x = load_input(args.image)[None]
    backend = open_backend(args)
    probs = softmax(backend.predict(x))[0]
    target = parse_target(args.target, probs)
    cam = grad_cam(backend.model, alexnet_cam_layer(backend.model), x, target)
    save_png(overlay(denormalise(x[0]), cam, alpha=min(max(args.alpha, 0.0), 1.0), vmin=0.0, vmax=1.0), args.out)
    print(f"wrote {args.out}: Grad-CAM of class {target} ({category(target)}, p={probs[target]:.4f})", file=sys.stderr)
    return 0
