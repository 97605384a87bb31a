"""`alexnet-gui cam IMAGE [--method M] --class top1|INDEX --out cam.png`: where the network looks, by Grad-CAM and
the CAM family (pytorch-grad-cam) or pixel attributions (Captum), overlaid on what the network saw; guided
backpropagation and deconvolution also for one unit (`--layer conv5 --unit 17`)."""

from __future__ import annotations

import argparse
import sys

from alexnet_gui.commands.argument_types import number_between
from alexnet_gui.commands.model_options import add_precision_argument
from alexnet_gui.core.language import gettext as _


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "cam", help="save where the network looks (Grad-CAM, other CAMs, attributions, deconvolution) as PNG",
        description="Explain the top-1 class, any class index, or (guided backpropagation and deconvolution) one "
        "unit of a layer, over the crop the model saw (its card's preprocessing). Methods: gradcam (conv5 after its "
        "ReLU), gradcam++, scorecam, eigencam, layercam (pytorch-grad-cam), saliency, integrated-gradients, "
        "occlusion, guided-backprop, deconvolution (Captum).",
    )
    p.add_argument("image", metavar="IMAGE")
    p.add_argument("--class", dest="target", type=class_target, default="top1", metavar="top1..top5|INDEX",
                   help="top1..top5, or a class index of the model (default top1)")
    from alexnet_gui.core.analysis.attribution_methods import METHODS

    p.add_argument("--method", choices=METHODS, default="gradcam", help="the attribution method (default gradcam)")
    p.add_argument("--layer", default=None, metavar="LAYER",
                   help="with --unit: the layer whose unit to explain (default conv5)")
    p.add_argument("--unit", type=int, default=None, metavar="N",
                   help="guided-backprop and deconvolution: explain this unit's strongest activation, not a class")
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


def run(args: argparse.Namespace) -> int:
    from alexnet_gui.commands.model_options import model_input_files, open_backend
    from alexnet_gui.core.analysis.attribution_methods import DESCRIPTIONS, UNIT_METHODS
    from alexnet_gui.core.analysis.visualize import overlay, save_png
    from alexnet_gui.core.errors import UserError
    from alexnet_gui.core.outputs.output_paths import check_output_file
    from alexnet_gui.core.pipeline.decode import load_image_input
    from alexnet_gui.core.tasks.attribution import explain_image

    if args.unit is not None and args.method not in UNIT_METHODS:
        raise UserError(_('--unit applies to --method {join} only').format(join=' and '.join(UNIT_METHODS)))
    if args.layer is not None and args.unit is None:
        raise UserError(_("--layer needs --unit (the unit of that layer to explain)"))
    check_output_file(args.out, inputs=[args.image, *model_input_files(args)])
    load_image_input(args.image)  # an unreadable image is refused before the model loads
    backend = open_backend(args)
    explained = explain_image(backend, args.image, args.method, args.target, layer=args.layer, unit=args.unit)
    answer = explained.attribution
    if answer.kind == "map":
        image = overlay(explained.seen, answer.values, alpha=args.alpha, vmin=0.0, vmax=1.0)
    else:
        import numpy as np

        image = (answer.values * 255).round().astype(np.uint8)
    save_png(image, args.out)
    probability = explained.probabilities[explained.class_index]
    what = answer.target if args.unit is not None else f"{answer.target}, p={probability:.4f}"
    print(
        _("wrote {out}: {value} — {what}").format(out=args.out, value=_(DESCRIPTIONS[args.method]), what=what),
        file=sys.stderr,
    )
    return 0
