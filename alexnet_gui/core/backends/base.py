"""The one interface every inference backend implements.

A backend runs one model, described by its card (`backend.card`): it takes a float32 batch shaped
(N, 3, S, S), already made by the card's recipe (`core.model.preprocess`), and returns float32 scores shaped
(N, classes) as a numpy array: logits or probabilities, as `card.output` says. Nothing else crosses the boundary:
no torch tensors leave a backend, so callers never need torch. What a backend can do beyond that is declared in
`capabilities`, never probed.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

    from alexnet_gui.core.model.card import ModelCard

from alexnet_gui.core.errors import UserError

# Layers of torchvision's AlexNet, in network order. `convN` is the convolution's output before its ReLU, `reluN`
# after it, `poolN` after the max-pool that follows; a card with LRN adds `norm1`/`norm2` (see
# `ModelCard.layer_names`, which is what views and commands ask a backend for).
ACTIVATION_LAYERS: tuple[str, ...] = (
    "conv1", "relu1", "pool1",
    "conv2", "relu2", "pool2",
    "conv3", "relu3",
    "conv4", "relu4",
    "conv5", "relu5", "pool5",
)

#: What a backend may declare beyond `predict`: "activations" (layer outputs by name), "torch-model" (a torch
#: module in `model`, for gradients: Grad-CAM, kernels), "device-tensors" (`predict_tensor` on a device tensor).
CAPABILITIES = frozenset({"activations", "torch-model", "device-tensors"})

# Numeric precisions a backend can run in. fp16 runs on CUDA only: on a CPU half precision is slower, not faster.
# int8 runs on the CPU only, with ONNX Runtime's static quantisation (see backends/onnx_int8.py): on CUDA its
# provider has no int8 convolutions and would fall back to slower paths.
PRECISIONS: tuple[str, ...] = ("fp32", "fp16", "int8")


class BackendError(UserError):
    """A backend could not be created or run; the message is one sentence for the user."""


class ModelRunError(BackendError):
    """The model itself failed on a batch (a user's graph fixed to another batch size, or returning another number of
    classes than it declares): the engine stops with it at the first batch, and gives later batches' images it as
    their reason."""


def checked_scores(scores: np.ndarray, n: int, classes: int) -> np.ndarray:
    """`scores` when they are (n, classes), else the ModelRunError that says what the model returned instead."""
    if scores.ndim != 2 or scores.shape[0] != n or scores.shape[1] != classes:
        from alexnet_gui.core.language import gettext

        raise ModelRunError(
            gettext("the model returned scores shaped {shape} for {n} images, but it declares {classes} classes").format(
                shape="x".join(map(str, scores.shape)), n=n, classes=classes
            )
        )
    return scores


def check_precision(precision: str, device: str) -> None:
    """Refuse an unknown precision, and fp16 on a device that is explicitly the CPU (fp16 needs CUDA)."""
    if precision not in PRECISIONS:
        raise BackendError(f"unknown precision {precision!r}; choose one of {', '.join(PRECISIONS)}")
    if precision == "fp16" and device == "cpu":
        raise BackendError("--precision fp16 needs CUDA; choose --device auto or cuda on a machine with an NVIDIA GPU, "
                           "or --precision fp32 on the CPU")
    if precision == "int8" and device == "cuda":
        raise BackendError("--precision int8 runs on the CPU; choose --device cpu or auto, or --precision fp16 on CUDA")


def precision_on(precision: str, device: str) -> str:
    """The precision that really runs on `device` ("cpu" or "cuda"): fp16 only on CUDA, int8 on the CPU (a backend
    asked for int8 runs on the CPU), fp32 otherwise."""
    if precision == "int8":
        return "int8"
    return precision if device == "cuda" else "fp32"


class Backend(ABC):
    """Runs AlexNet on preprocessed batches."""

    #: "torch" or "onnx"
    name: str
    #: the device that actually runs the model: "cpu" or "cuda"
    device: str
    #: the precision that actually runs: "fp32", or "fp16" (on CUDA only: asked for with device "auto" and no
    #: usable CUDA, fp16 falls back to fp32 on the CPU). Weights and arithmetic are half precision; inputs and
    #: the returned logits and activations stay float32 numpy arrays either way.
    precision: str = "fp32"
    #: human-readable detail, e.g. "CUDAExecutionProvider" or "torch 2.14.1 (cuda:0)"
    provider: str
    #: where the weights came from, for the status bar, the summary and the provenance sidecar
    weights_source: str
    #: the model's card: architecture, labels, preprocessing, output kind, batch limit, source, hash
    card: ModelCard
    #: what this backend can do beyond predict (see CAPABILITIES)
    capabilities: frozenset[str] = frozenset()
    #: what an int8 model was calibrated on ("" unless int8 runs)
    calibration: str = ""
    #: how an int8 model was quantised (`onnx_int8.QUANTISATION` when it was made; "" unless int8 runs)
    quantisation: str = ""

    @abstractmethod
    def predict(self, batch: np.ndarray) -> np.ndarray:
        """Return scores (N, classes) float32 (logits or probabilities, see `card.output`) for a batch made by the
        card's recipe, (N, 3, S, S) float32."""

    @abstractmethod
    def activations(self, batch: np.ndarray, layers: Sequence[str]) -> dict[str, np.ndarray]:
        """Return the named layers' activations (see `card.layer_names()`) for a batch, as numpy arrays."""

    def predict_with_activations(self, batch: np.ndarray,
                                 layers: Sequence[str]) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """`predict` and `activations` of the same batch; backends that can do both in one run override this
        (the live view asks for both every frame)."""
        return self.predict(batch), self.activations(batch, layers)

    def predict_probabilities(self, batch: np.ndarray) -> np.ndarray:
        """Class probabilities (N, classes) float64: softmax of logits, or the model's own probabilities."""
        from alexnet_gui.core.pipeline.scores import to_probabilities

        return to_probabilities(self.predict(batch), self.card.output)

    def close(self) -> None:  # noqa: B027 - optional: a backend with nothing to free keeps this
        """Release device memory and sessions; the backend is unusable afterwards."""
