"""`alexnet-gui visualize --layer conv5 --unit 17 --out unit.png`: the image that maximises one unit (Lucid's
regularised feature visualisation), cached per model, layer, unit and settings."""

from __future__ import annotations

import argparse
import sys

from alexnet_gui.commands.argument_types import image_side, positive_int
from alexnet_gui.core.language import gettext as _


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `visualize` parser."""
    p = subparsers.add_parser(
        "visualize", help="the image that maximises one unit (feature visualisation), as PNG",
        description="Optimise an image, through a decorrelated Fourier parametrisation with random jitter, scaling "
        "and rotation each step (Lucid's method), to maximise UNIT of LAYER: a conv channel's mean activation, an "
        "fc6 or fc7 neuron, or a class logit with --layer fc8. The result is cached; the same settings answer at once.",
    )
    p.add_argument("--layer", default="conv5", help="conv1..conv5, relu, norm or pool layers, fc6, fc7, or fc8 (default conv5)")
    p.add_argument("--unit", type=int, required=True, metavar="N", help="the channel (the neuron for fc6 and fc7, the class for fc8)")
    p.add_argument("--steps", type=positive_int, default=256, metavar="N", help="optimisation steps (default 256)")
    p.add_argument("--size", type=image_side, default=None, metavar="PX", help="image side (default: the model's input)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", "-o", required=True, metavar="PNG")
    weights = p.add_mutually_exclusive_group()
    weights.add_argument("--weights", metavar="FILE", help="a PyTorch or Keras model file or model folder")
    weights.add_argument("--untrained", action="store_true", help="the seeded random network (meaningless)")
    p.add_argument("--preprocess", metavar="NAME|FILE", help="the model's preprocessing (see classify --help)")
    p.add_argument("--card", metavar="FILE", help="a model card JSON describing the weights")
    # On the CPU: the optimisation's image and colour transforms are CPU tensors (256 steps of conv5 take ~30 s).
    p.set_defaults(func=run, backend="torch", device="cpu", labels=None, precision="fp32")


def run(args: argparse.Namespace) -> int:
    """Visualise the unit (or take it from the cache) and save it."""
    import shutil
    import time

    from alexnet_gui.commands.model_options import model_input_files, open_backend
    from alexnet_gui.commands.progress_bar import progress_bar
    from alexnet_gui.core.analysis.feature_vis import cached_visualisation, save_visualisation, visualise_unit
    from alexnet_gui.core.cache_paths import cache_path
    from alexnet_gui.core.outputs.output_paths import check_output_file

    check_output_file(args.out, inputs=model_input_files(args))
    backend = open_backend(args)
    card = backend.card
    size = args.size or card.input_size
    cached = cached_visualisation(cache_path("visualizations"), card, args.layer, args.unit, args.steps, size,
                                  args.seed)
    if cached.is_file():
        shutil.copyfile(cached, args.out)
        print(
            _("wrote {out}: {layer} unit {unit} (from the cache)").format(
                out=args.out, layer=args.layer, unit=args.unit
            ),
            file=sys.stderr,
        )
        return 0
    bar = progress_bar(args.steps, f"{args.layer} unit {args.unit}", unit="step")
    started = time.perf_counter()
    try:
        vis = visualise_unit(
            backend.model,
            card,
            args.layer,
            args.unit,
            steps=args.steps,  # type: ignore[attr-defined]
            size=size,
            seed=args.seed,
            on_progress=lambda d, t: bar.update(d - bar.n),
        )
    finally:
        bar.close()
        backend.close()
    assert vis is not None
    save_visualisation(vis, cached)
    shutil.copyfile(cached, args.out)
    print(
        _("wrote {out}: {layer} unit {unit}, activation {activation:.4g} after {steps} steps ({value:.1f} s)").format(
            out=args.out,
            layer=args.layer,
            unit=args.unit,
            activation=vis.activation,
            steps=vis.steps,
            value=time.perf_counter() - started,
        ),
        file=sys.stderr,
    )
    return 0
