"""Inference backends behind one small interface (see `base.py`); each is imported only when chosen."""

from __future__ import annotations

from typing import TYPE_CHECKING

from alexnet_gui.core.language import gettext

if TYPE_CHECKING:
    from alexnet_gui.core.backends.base import Backend
    from alexnet_gui.core.model.loading import CardChoices
    from alexnet_gui.core.model.weights import WeightsChoice

BACKEND_NAMES = ("onnx", "torch")
DEVICES = ("auto", "cpu", "cuda")


def _check(name: str, device: str, precision: str = "fp32") -> None:
    from alexnet_gui.core.backends.base import BackendError, check_precision

    if name not in BACKEND_NAMES:
        raise BackendError(f"unknown backend {name!r}; choose one of {', '.join(BACKEND_NAMES)}")
    if device not in DEVICES:
        raise BackendError(f"unknown device {device!r}; choose one of {', '.join(DEVICES)}")
    check_precision(precision, device)


def _torch_installed() -> bool:
    from alexnet_gui.core.diagnostics import available_backends

    return "torch" in available_backends()


def _require_torch() -> None:
    if not _torch_installed():
        from alexnet_gui.core.backends.base import BackendError

        raise BackendError("the PyTorch backend is not installed here: the desktop bundle runs ONNX Runtime only "
                           "(`pip install alexnet-gui` has both); choose the onnx backend")


def torch_network(weights: WeightsChoice):
    """The network of `weights` as a torch module in eval mode, weights loaded strictly: gradients for a model the
    running backend (ONNX Runtime) cannot differentiate."""
    _require_torch()
    from alexnet_gui.core.backends.torch_backend import build_model

    return build_model(weights)[1]


# ONNX Runtime prepacks weights at load, mostly reordering the 234 MB of fully-connected weights for its GEMM.
# Measured on 2 Zen 4 cores: that costs about 0.25 CPU-seconds at load and saves about 0.23 ms per image at batch
# 32 afterwards (0.207 vs 0.215 s a batch): it pays for itself after about a thousand images.
PREPACK_FROM_IMAGES = 1000


def prepack_pays_off(images: int) -> bool:
    """Whether a run of `images` images repays ONNX Runtime's weight prepacking (see PREPACK_FROM_IMAGES)."""
    return images >= PREPACK_FROM_IMAGES


def load_backend(name: str, weights: WeightsChoice, device: str = "auto", precision: str = "fp32",
                 prepack: bool = True, choices: CardChoices | None = None, calibrate: str | None = None) -> Backend:
    """Create the named backend ("onnx" or "torch") on `device` ("auto", "cpu" or "cuda") in `precision`
    ("fp32", or "fp16": CUDA only, refused with device "cpu", fp32 on the CPU when "auto" finds no CUDA; the
    backend's `precision` says what runs). `prepack` False opens an ONNX model faster for short runs
    (see `prepack_pays_off`); torch ignores it. `choices` are the user's labels, preprocessing and card file,
    applied to the model's own card (`backend.card`). `precision` "int8" runs the onnx backend's quantised copy on
    the CPU, calibrated on the folder `calibrate` or the built-in set (the torch backend refuses it)."""
    from alexnet_gui.core.model.loading import NO_CHOICES

    choices = choices or NO_CHOICES
    _check(name, device, precision)
    # fp16 without usable CUDA needs no handling here: each backend runs fp32 on the CPU under "auto"
    # (`base.precision_on`) and raises its own CUDA error under "cuda".
    if name == "torch":
        if precision == "int8":
            from alexnet_gui.core.backends.base import BackendError

            raise BackendError("--precision int8 runs on the onnx backend (ONNX Runtime's int8 kernels); choose "
                               "--backend onnx")
        _require_torch()
        from alexnet_gui.core.backends.torch_backend import TorchBackend

        return TorchBackend(weights, device, precision=precision, choices=choices)
    from alexnet_gui.core.backends.onnx_backend import OnnxBackend

    return OnnxBackend(weights, device, precision=precision, prepack=prepack, choices=choices, calibrate=calibrate)


def cuda_status(name: str) -> tuple[bool, str]:
    """Whether the backend can run on CUDA here, with the reason in a few words."""
    _check(name, "auto")
    if name == "torch":
        if not _torch_installed():
            return False, gettext("PyTorch is not installed (the desktop bundle runs ONNX Runtime only)")
        from alexnet_gui.core.backends.torch_backend import cuda_status as status
    else:
        from alexnet_gui.core.backends.onnx_backend import cuda_status as status
    return status()
