"""`alexnet-gui examples FOLDER --layer conv5 --unit 17 --top 9 --out grid.png`: the images of a folder that a unit
responds to most, each as the patch of the input that unit saw."""

from __future__ import annotations

import argparse
import sys

from alexnet_gui.commands.argument_types import image_side, positive_int
from alexnet_gui.commands.model_options import add_model_arguments
from alexnet_gui.core.language import gettext as _


def _top(text: str) -> int:
    from alexnet_gui.core.analysis.unit_examples import KEEP

    value = positive_int(text)
    if value > KEEP:
        raise argparse.ArgumentTypeError(f"at most {KEEP}, got {value}")
    return value


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `examples` parser."""
    p = subparsers.add_parser(
        "examples", help="the images of a folder that most activate one unit, as their receptive-field patches",
        description="Run every image under FOLDER through the model once (the index of each unit's top images is "
        "cached, so other units of the same folder answer at once) and save the TOP images that activate UNIT of "
        "LAYER most, each cut to the part of the input the unit sees at its strongest position.",
    )
    p.add_argument("folder", metavar="FOLDER", help="images or folders of images")
    p.add_argument("--layer", default="conv5", help="a layer of the model: conv1..conv5, relu, norm or pool layers, "
                   "fc6 or fc7 (default conv5)")
    p.add_argument("--unit", type=int, required=True, metavar="N", help="the channel (or fc neuron) of that layer")
    p.add_argument("--top", type=_top, default=9, metavar="N", help="how many images (default 9, at most 32)")
    p.add_argument("--size", type=image_side, default=96, metavar="PX", help="each patch's side in the PNG (default 96)")
    p.add_argument("--out", "-o", required=True, metavar="PNG")
    p.add_argument("--batch-size", type=positive_int, default=32, metavar="N")
    add_model_arguments(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Index the folder (or read the cached index), pick the unit's top images, save the grid."""
    from alexnet_gui.commands.model_options import model_input_files, open_backend
    from alexnet_gui.commands.progress_bar import progress_bar
    from alexnet_gui.core.analysis.unit_examples import examples_grid
    from alexnet_gui.core.analysis.visualize import save_png
    from alexnet_gui.core.errors import UserError
    from alexnet_gui.core.outputs.output_paths import check_output_file
    from alexnet_gui.core.pipeline.engine import iter_image_paths
    from alexnet_gui.core.tasks.unit_examples import check_unit_layer, find_unit_examples

    paths = list(iter_image_paths([args.folder]))
    if not paths:
        raise UserError(_('no images under {folder}').format(folder=args.folder))
    check_output_file(args.out, inputs=[*paths, *model_input_files(args)])
    backend = open_backend(args)
    try:
        check_unit_layer(backend, args.layer)  # before the bar
        with progress_bar(len(paths), _("indexing")) as bar:
            report = find_unit_examples(backend, paths, args.layer, args.unit, top=args.top,
                                        batch_size=args.batch_size, on_progress=lambda d, t: bar.update(d - bar.n))
    finally:
        backend.close()
    found = report.examples
    save_png(examples_grid(found, size=args.size), args.out)
    print(
        _("wrote {out}: the {n_found} images of {n_paths} that most activate {layer} unit {unit}").format(
            out=args.out, n_found=len(found), n_paths=len(paths), layer=args.layer, unit=args.unit
        ),
        file=sys.stderr,
    )
    for e in found:
        t, left, b, r = e.box
        print(
            _(
                "  {value:10.4g}  {path}  (at {value2},{value3}; input box rows {t}-{value4}, columns {left}-{value5})"
            ).format(
                value=e.value,
                path=e.path,
                value2=e.position[0],
                value3=e.position[1],
                t=t,
                value4=b - 1,
                left=left,
                value5=r - 1,
            ),
            file=sys.stderr,
        )
    if report.failed:
        print(_("could not read {n_failed} images (not indexed)").format(n_failed=len(report.failed)), file=sys.stderr)
    return 1 if report.failed else 0
