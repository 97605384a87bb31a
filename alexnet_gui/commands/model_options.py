"""The options every model-running sub-command shares (--backend, --device, --precision, --weights, --untrained,
--labels, --preprocess, --card), and turning them into a ready backend with what was chosen (its model card among
it) reported on stderr."""

from __future__ import annotations

import argparse
import sys

from alexnet_gui.core.backends.base import PRECISIONS, Backend, check_precision
from alexnet_gui.core.language import N_
from alexnet_gui.core.language import gettext as _
from alexnet_gui.core.wording import counted, escape_controls

UNTRAINED_WARNING = N_("WARNING: --untrained runs a seeded random network: its predictions are meaningless "
                       "(for demos and tests only).")


def add_model_arguments(parser: argparse.ArgumentParser, *, default_backend: str = "onnx") -> None:
    """Add --backend, --device, --precision, --weights and --untrained to a sub-command's parser."""
    group = parser.add_argument_group("model")
    group.add_argument(
        "--backend", choices=("onnx", "torch"), default=default_backend,
        help=f"inference backend (default: {default_backend})",
    )
    group.add_argument(
        "--device", choices=("auto", "cpu", "cuda"), default="auto",
        help="auto uses CUDA when the backend can, otherwise the CPU (default: auto)",
    )
    add_precision_argument(group)
    weights = group.add_mutually_exclusive_group()
    weights.add_argument(
        "--weights", metavar="FILE",
        help="a PyTorch file (.pth, .pt, .pkl, .pth.tar), an ONNX model (.onnx), a Keras model (.h5, .keras), a "
        "model folder, or a named download (bvlc-alexnet) (default: torchvision's ImageNet weights from its cache, "
        "else downloaded)",
    )
    weights.add_argument(
        "--untrained", action="store_true",
        help="use a seeded random network; predictions are meaningless (demos and tests only)",
    )
    group.add_argument(
        "--labels", metavar="FILE",
        help="the model's class names: class_indices.json, a JSON list, or one name per line (default: the card's, "
        "else a labels file beside the weights, else ImageNet's for 1000 classes)",
    )
    group.add_argument(
        "--preprocess", metavar="NAME|FILE",
        help="the model's preprocessing: a preset (torchvision, tutorial, caffe, openvino-caffe, keras-tutorial, "
        "alexnet2012) or a JSON recipe (default: the card's, else the model family's own)",
    )
    group.add_argument("--card", metavar="FILE",
                       help="a model card JSON describing the weights (its schema: docs/formats.md)")


def add_precision_argument(group) -> None:
    """Add --precision (fp32, or fp16 on CUDA) to a parser or argument group."""
    group.add_argument(
        "--precision", choices=PRECISIONS, default="fp32",
        help="fp16 runs half precision on CUDA only (with --device auto and no CUDA it runs fp32 on the CPU); int8 "
        "runs a quantised copy on the CPU with the onnx backend, about 3x the model's fp32 speed (default: fp32)",
    )
    group.add_argument(
        "--calibrate", metavar="FOLDER", default=None,
        help="with --precision int8: calibrate the quantised model on up to 64 of your own images (default: the "
        "built-in set of 24 photos); cached per model and calibration set",
    )


def _download_progress():
    """Return (progress callback, close) drawing a byte bar on stderr (a terminal only) for the weights download."""
    from alexnet_gui.commands.progress_bar import progress_bar

    bar: list = []

    def progress(done: int, total: int | None) -> None:
        if not bar:
            bar.append(progress_bar(total, _("downloading weights"), unit="B", unit_scale=True))
        bar[0].update(done - bar[0].n)

    def close() -> None:
        if bar:
            bar[0].close()

    return progress, close


def choose_weights(args: argparse.Namespace):
    """Resolve --weights/--untrained (downloading with a progress bar if needed); warn loudly when untrained."""
    from alexnet_gui.core.model.weights import resolve_weights

    progress, close = _download_progress()
    try:
        weights = resolve_weights(args.weights, untrained=args.untrained, progress=progress,
                                  prefer="onnx" if getattr(args, "backend", None) == "onnx" else "pth")
    finally:
        close()
    if weights.kind == "untrained":
        print(_(UNTRAINED_WARNING), file=sys.stderr)
    return weights


def model_input_files(args: argparse.Namespace) -> list[str]:
    """Every file the model options make a command read, for `check_output_file`'s `inputs`: the weights (a model
    folder's every file), the card and labels files found beside them, the torchvision file used when no
    --weights is given, --labels, --card, a --preprocess recipe file, and the --calibrate folder's images."""
    import os

    from alexnet_gui.core.model.card import sidecar_path
    from alexnet_gui.core.model.labels import LABEL_FILE_NAMES
    from alexnet_gui.core.model.weights import cached_weights_path

    files: list[str] = []
    weights = getattr(args, "weights", None)
    if weights is None and not getattr(args, "untrained", False):
        cached = cached_weights_path()
        weights = os.fspath(cached) if cached is not None else None
    if weights is not None:
        if os.path.isdir(weights):
            files += [entry.path for entry in os.scandir(weights) if entry.is_file()]
        else:
            folder = os.path.dirname(os.path.abspath(weights))
            files += [weights, os.fspath(sidecar_path(weights)), os.path.join(folder, "card.json"),
                      *(os.path.join(folder, name) for name in LABEL_FILE_NAMES)]
    files += [value for value in (getattr(args, name, None) for name in ("labels", "card", "preprocess"))
              if value is not None]  # a --preprocess preset names no file: it matches none
    calibrate = getattr(args, "calibrate", None)
    if calibrate is not None and os.path.isdir(calibrate):
        from alexnet_gui.core.pipeline.engine import iter_image_paths

        files += list(iter_image_paths([calibrate]))
    return files


def report_core_notices() -> None:
    """Print the core's notices (preparing the ONNX model once, a damaged cache file made again, cache eviction) on
    stderr as plain lines. Set up here, on the thread that loads the model: logging's import (~10 ms) stays off the
    command line's way to its first decode."""
    import logging

    logger = logging.getLogger("alexnet_gui")
    if not any(getattr(h, "alexnet_gui_cli", False) for h in logger.handlers):

        class CurrentStderr(logging.StreamHandler):
            # sys.stderr as it is when a notice comes, not as it was when the first command ran: a later command in
            # the same process (the app, a test's capture) may have replaced it, and the old one may be closed.
            @property  # type: ignore[override]
            def stream(self):
                return sys.stderr

            @stream.setter
            def stream(self, _value) -> None:
                pass

        handler = CurrentStderr()
        handler.setFormatter(logging.Formatter("%(message)s"))
        handler.alexnet_gui_cli = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False


def card_choices(args: argparse.Namespace):
    """The user's --labels, --preprocess and --card, for the model loader."""
    from alexnet_gui.core.model.loading import CardChoices

    return CardChoices(getattr(args, "labels", None), getattr(args, "preprocess", None), getattr(args, "card", None))


def describe_card(card) -> str:
    """The line on stderr that says which card and preprocessing run, so a wrong guess can be seen."""
    arch = card.architecture.describe() if card.architecture is not None else f"ONNX graph ({card.input_size} px)"
    return escape_controls(f"model: {card.card_id} — {arch}; {card.classes} classes ({card.labels.source}); output "
                           f"{card.output}; preprocessing {card.preprocess.describe()}")


def open_backend(args: argparse.Namespace, weights=None, images: int | None = None) -> Backend:
    """Resolve weights (unless given, from `choose_weights`) and load the chosen backend, telling the user on
    stderr what was picked and why. `images`, when known, is how many images it will classify: a short run
    skips ONNX Runtime's weight prepacking, which would cost more than it saves."""
    from alexnet_gui.core.backends import cuda_status, load_backend, prepack_pays_off

    report_core_notices()
    precision = getattr(args, "precision", "fp32")
    check_precision(precision, args.device)  # before a weights download, not after
    if weights is None:
        weights = choose_weights(args)
    prepack = True if images is None else prepack_pays_off(images)
    calibrate = getattr(args, "calibrate", None)
    if calibrate is not None and precision != "int8":
        from alexnet_gui.core.errors import UserError

        raise UserError(_("--calibrate applies to --precision int8 only"))
    backend = load_backend(args.backend, weights, args.device, precision, prepack=prepack,
                           choices=card_choices(args), calibrate=calibrate)
    args.weights_choice = weights  # for the provenance sidecar (file and SHA-256)
    note = ""
    reason = _("the model fell back to the CPU")
    if args.device == "auto" and backend.device == "cpu":
        usable, why = cuda_status(args.backend)
        if not usable:
            reason = why
            note = _(" (CUDA not used: {reason})").format(reason=reason)
    if backend.precision == "int8" and precision != "int8":  # the lean bundle's model is int8
        print(_("precision: int8, not {precision}: this desktop bundle carries the int8 model only").format(
            precision=precision), file=sys.stderr)
    elif backend.precision != precision:  # fp16 asked for, and "auto" found no CUDA
        print(
            _(
                "precision: {precision} on the {upper}, not {precision2} ({precision2} needs CUDA; CUDA not used: {reason})"
            ).format(precision=backend.precision, upper=backend.device.upper(), precision2=precision, reason=reason),
            file=sys.stderr,
        )
    print(
        _("backend: {name} on {device}{note} — {provider}; weights: {weights_source}").format(
            name=backend.name,
            device=backend.device,
            note=note,
            provider=backend.provider,
            weights_source=escape_controls(backend.weights_source),
        ),
        file=sys.stderr,
    )
    if backend.precision == "int8":
        print(
            _("precision: int8 on the CPU, calibrated on {calibration}").format(calibration=backend.calibration),
            file=sys.stderr,
        )
    print(describe_card(backend.card), file=sys.stderr)
    top_k = getattr(args, "top_k", None)
    if isinstance(top_k, int) and top_k > backend.card.classes:
        print(
            _("note: the model has {counted}; --top-k {top_k} gives {classes} per image").format(
                counted=counted(backend.card.classes, "class", "classes"), top_k=top_k, classes=backend.card.classes
            ),
            file=sys.stderr,
        )
    return backend
