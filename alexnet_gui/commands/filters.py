"""`alexnet-gui filters --layer conv1 --out conv1.png`: a convolution layer's kernels as a picture."""

from __future__ import annotations

import argparse
import sys

from alexnet_gui.commands.argument_types import scale_factor
from alexnet_gui.core.analysis.kernels import CONV_NAMES, CONV_SHAPES
from alexnet_gui.core.language import gettext as _


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "filters", help="save a grid of a conv layer's kernels as PNG",
        description="conv1's kernels as an RGB grid (the 2012 network's 96 as its two groups of 48); deeper layers' "
        "kernels for one input channel in grey.",
    )
    p.add_argument("--layer", choices=CONV_NAMES, default="conv1", help="which convolution (default conv1)")
    p.add_argument("--channel", type=int, default=0, metavar="C", help="input channel for conv2..conv5 (default 0)")
    p.add_argument("--joint", action="store_true", help="one min-max range for all kernels instead of one each")
    p.add_argument("--scale", type=scale_factor, default=4, metavar="S",
                   help="nearest-neighbour magnification, 1..32 (default 4)")
    p.add_argument("--out", "-o", required=True, metavar="PNG")
    weights = p.add_mutually_exclusive_group()
    weights.add_argument("--weights", metavar="FILE", help="a PyTorch, Keras or ONNX model file (default: torchvision's cache)")
    weights.add_argument("--untrained", action="store_true", help="the seeded random network (meaningless)")
    p.set_defaults(func=run)


def conv_weight(weights, layer: str):
    """(the (K, C, h, w) weight array of a conv layer, its number of groups) for a WeightsChoice (PyTorch, Keras,
    ONNX or untrained); an ONNX graph's groups are not read (1)."""
    from alexnet_gui.core.analysis.kernels import onnx_kernels, state_dict_kernels
    from alexnet_gui.core.model.loading import open_state_model

    if weights.kind == "onnx":
        return onnx_kernels(weights.path)[layer], 1
    card, state = open_state_model(weights)
    arch = card.architecture
    return state_dict_kernels(state, arch)[layer], arch.groups[CONV_NAMES.index(layer)]


def run(args: argparse.Namespace) -> int:
    from alexnet_gui.commands.model_options import model_input_files
    from alexnet_gui.core.analysis.visualize import filters_grid, save_png
    from alexnet_gui.core.errors import UserError
    from alexnet_gui.core.model.weights import resolve_weights
    from alexnet_gui.core.outputs.output_paths import check_output_file

    if args.weights is None:  # torchvision's layout: checked before its weights load
        channels = CONV_SHAPES[args.layer][1]
        if args.layer != "conv1" and not 0 <= args.channel < channels:
            raise UserError(
                _("{layer} has input channels 0..{value}, not {channel}").format(
                    layer=args.layer, value=channels - 1, channel=args.channel
                )
            )
    check_output_file(args.out, inputs=model_input_files(args))
    weight, groups = conv_weight(resolve_weights(args.weights, untrained=args.untrained), args.layer)
    if not 0 <= args.channel < weight.shape[1]:
        grouped = " in each group" if args.layer != "conv1" else ""
        raise UserError(
            _("{layer} has input channels 0..{value}{grouped}, not {channel}").format(
                layer=args.layer, value=weight.shape[1] - 1, grouped=grouped, channel=args.channel
            )
        )
    in_channel = None if args.layer == "conv1" else args.channel
    grid, layout = filters_grid(weight, joint=args.joint, in_channel=in_channel, scale=max(1, args.scale))
    save_png(grid, args.out)
    from alexnet_gui.core.analysis.visualize import describe_kernels

    print(
        _("wrote {out}: {describe_kernels}; {value}x{value2} pixels").format(
            out=args.out,
            describe_kernels=describe_kernels(args.layer, weight, groups, in_channel),
            value=grid.shape[1],
            value2=grid.shape[0],
        ),
        file=sys.stderr,
    )
    return 0
