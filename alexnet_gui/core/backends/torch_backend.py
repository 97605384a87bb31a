"""PyTorch backend: the card's architecture built by `model.archs` (torchvision's key names), weights loaded
strictly."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence

import numpy as np
import torch

from alexnet_gui.core.backends.base import (
    Backend,
    BackendError,
    check_precision,
    precision_on,
)
from alexnet_gui.core.language import gettext
from alexnet_gui.core.model.archs import FC_LAYERS, build_network, feature_index
from alexnet_gui.core.model.card import ModelCard
from alexnet_gui.core.model.loading import NO_CHOICES, CardChoices, apply_choices, open_state_model
from alexnet_gui.core.model.weights import WeightsChoice


def cuda_status() -> tuple[bool, str]:
    """Whether torch can run on CUDA here, and why (not)."""
    if not torch.cuda.is_available():
        if torch.version.cuda is None:
            return False, gettext("this torch build has no CUDA support")
        return False, gettext("torch found no usable CUDA device (no GPU or no driver)")
    try:
        torch.zeros(1, device="cuda").add_(1)
    except Exception as exc:  # noqa: BLE001 - any CUDA failure means: use the CPU
        return False, gettext("CUDA failed a test operation ({reason})").format(reason=exc)
    return True, torch.cuda.get_device_name(0)


def build_model(weights: WeightsChoice, choices: CardChoices = NO_CHOICES) -> tuple[ModelCard, torch.nn.Module]:
    """Return the model's card (the user's choices applied) and its network in eval mode, weights loaded
    strictly."""
    base, model = build_base_model(weights)
    return apply_choices(base, choices, weights.path), model


def build_base_model(weights: WeightsChoice) -> tuple[ModelCard, torch.nn.Module]:
    """`build_model` before any choice: the card the file itself gives (what the ONNX cache keeps)."""
    if weights.kind == "onnx":
        raise BackendError("an .onnx model runs on the onnx backend only; choose --backend onnx or a PyTorch file")
    card, state = open_state_model(weights)
    assert card.architecture is not None  # a PyTorch or Keras file always has one
    model = build_network(card.architecture)
    try:
        model.load_state_dict(state, strict=True)
    except RuntimeError as exc:
        first = str(exc).splitlines()[0].rstrip(":")
        raise BackendError(f"{weights.path} does not fit its card's architecture ({first})") from None
    return card, model.eval()


class TorchBackend(Backend):
    """Runs torchvision's AlexNet with torch on the CPU or CUDA."""

    name = "torch"
    capabilities = frozenset({"activations", "torch-model", "device-tensors"})

    def __init__(self, weights: WeightsChoice, device: str = "auto", precision: str = "fp32",
                 choices: CardChoices = NO_CHOICES) -> None:
        self._choices = choices
        check_precision(precision, device)
        usable, reason = cuda_status() if device in ("auto", "cuda") else (False, "CPU requested")
        if device == "cuda" and not usable:
            raise BackendError(f"CUDA is not usable with torch: {reason}")
        where = "cuda" if usable else "cpu"
        detail = f"cuda:0 {reason}" if usable else "cpu"
        self._build(weights, torch.device(where), precision_on(precision, where), detail)

    @classmethod
    def on_torch_device(cls, weights: WeightsChoice, torch_device: torch.device | str,
                        precision: str = "fp32") -> TorchBackend:
        """Build on exactly this torch device and precision, with no CUDA checks and no CPU fallback.

        For tests: torch runs half precision on the CPU too (slowly), so fp16 parity can be checked without a GPU.
        """
        check_precision(precision, "auto")  # only the name: here any device runs either precision
        backend = cls.__new__(cls)
        backend._choices = NO_CHOICES
        backend._build(weights, torch.device(torch_device), precision, str(torch_device))
        return backend

    def _build(self, weights: WeightsChoice, torch_device: torch.device, precision: str, detail: str) -> None:
        self.device = torch_device.type
        self._torch_device = torch_device
        self.precision = precision
        self._dtype = torch.float16 if precision == "fp16" else torch.float32
        self.card, model = build_model(weights, self._choices)
        assert self.card.architecture is not None
        self._layer_index = feature_index(self.card.architecture)
        self._layer_names = self.card.unit_layers()
        self.model = model.to(self._torch_device, self._dtype)
        self.weights_source = weights.source
        self.provider = f"torch {torch.__version__} ({detail})"

    def _to_device(self, batch: np.ndarray) -> torch.Tensor:
        x = torch.from_numpy(np.ascontiguousarray(batch, dtype=np.float32))
        if self.device == "cuda":
            # Pinned host memory lets the copy overlap with work already queued on the GPU.
            x = x.pin_memory().to(self._torch_device, non_blocking=True)
        # fp16: the float32 batch crosses to the device and is halved there (a cast on the GPU costs nothing).
        return x if self._dtype == torch.float32 else x.to(self._dtype)

    def predict(self, batch: np.ndarray) -> np.ndarray:
        with torch.inference_mode():
            return self.model(self._to_device(batch)).float().cpu().numpy()

    @contextlib.contextmanager
    def _capture(self, layers: Sequence[str]) -> Iterator[dict[str, torch.Tensor]]:
        unknown = [n for n in layers if n not in self._layer_names]
        if unknown:
            raise BackendError(f"unknown layer {unknown[0]!r}; choose from {', '.join(self._layer_names)}")
        captured: dict[str, torch.Tensor] = {}
        handles = []
        for name in layers:
            def hook(_module, _inputs, output, name=name):
                # torchvision's ReLUs are in-place: without the clone a conv's output would be overwritten.
                captured[name] = output.detach().clone()
            features, classifier = self.model.features, self.model.classifier
            assert isinstance(features, torch.nn.Sequential) and isinstance(classifier, torch.nn.Sequential)
            module = classifier[FC_LAYERS[name]] if name in FC_LAYERS else features[self._layer_index[name]]
            handles.append(module.register_forward_hook(hook))
        try:
            yield captured
        finally:
            for handle in handles:
                handle.remove()

    def activations(self, batch: np.ndarray, layers: Sequence[str]) -> dict[str, np.ndarray]:
        with self._capture(layers) as captured, torch.inference_mode():
            self.model(self._to_device(batch))
        return {name: captured[name].float().cpu().numpy() for name in layers}

    def predict_with_activations(self, batch: np.ndarray,
                                 layers: Sequence[str]) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        with self._capture(layers) as captured, torch.inference_mode():
            logits = self.model(self._to_device(batch))
        return logits.float().cpu().numpy(), {name: captured[name].float().cpu().numpy() for name in layers}

    def close(self) -> None:
        self.model = None  # type: ignore[assignment]  # unusable after close, as the interface says
        if self.device == "cuda":
            torch.cuda.empty_cache()

    def predict_tensor(self, x: torch.Tensor) -> np.ndarray:
        """Logits (N, classes) float32 for a normalised (N, 3, S, S) float32 batch that is already a torch tensor,
        normally on this backend's device (`classify --decode gpu` decodes straight into it)."""
        with torch.inference_mode():
            return self.model(x.to(self._torch_device, self._dtype)).float().cpu().numpy()
