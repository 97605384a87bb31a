"""`alexnet-gui features IMAGE --layer conv2 --out maps.png`: one image's feature maps at a layer."""

from __future__ import annotations

import argparse
import sys

from alexnet_gui.commands.argument_types import scale_factor
from alexnet_gui.commands.model_options import add_model_arguments, open_backend
from alexnet_gui.core.language import gettext as _


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "features", help="save an image's feature maps at a layer as PNG (viridis, with colour bar)",
        description="Activations of conv1..conv5 (after ReLU unless --pre-relu) or pool1/pool2/pool5 for one image.",
    )
    p.add_argument("image", metavar="IMAGE")
    p.add_argument("--layer", default="conv1",
                   help="conv1..conv5, pool1, pool2, pool5, reluN, or norm1/norm2 for a model with LRN (default conv1)")
    p.add_argument("--pre-relu", action="store_true", help="show conv outputs before their ReLU")
    p.add_argument("--sort", action="store_true", help="order channels by mean activation, strongest first")
    p.add_argument("--scale", type=scale_factor, default=2, metavar="S",
                   help="nearest-neighbour magnification, 1..32 (default 2)")
    p.add_argument("--out", "-o", required=True, metavar="PNG")
    add_model_arguments(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from alexnet_gui.commands.model_options import model_input_files
    from alexnet_gui.core.analysis.visualize import (
        channel_order,
        feature_grid,
        feature_layer,
        save_png,
        with_colour_bar,
    )
    from alexnet_gui.core.model.archs import Architecture
    from alexnet_gui.core.outputs.output_paths import check_output_file
    from alexnet_gui.core.pipeline.decode import load_image_input
    from alexnet_gui.core.tasks.feature_maps import feature_maps

    every_layer = Architecture(lrn=True).layer_names()  # the names any AlexNet's layers can have
    feature_layer(args.layer, pre_relu=args.pre_relu, layers=every_layer)  # a misspelt name: before any loading
    check_output_file(args.out, inputs=[args.image, *model_input_files(args)])
    load_image_input(args.image)  # an unreadable image is refused before the model loads
    maps = feature_maps(open_backend(args), args.image, args.layer, pre_relu=args.pre_relu)
    layer, acts = maps.layer, maps.activations
    order = channel_order(acts, by_mean=args.sort)
    grid, layout, (vmin, vmax) = feature_grid(acts, order=order, scale=max(1, args.scale))
    save_png(with_colour_bar(grid, vmin, vmax), args.out)
    print(
        _("wrote {out}: {layer}, {value} channels of {value2}x{value3}, range {vmin:.3g}..{vmax:.3g}").format(
            out=args.out,
            layer=layer,
            value=acts.shape[0],
            value2=acts.shape[1],
            value3=acts.shape[2],
            vmin=vmin,
            vmax=vmax,
        ),
        file=sys.stderr,
    )
    return 0
