"""PyTorch backend: torchvision's AlexNet architecture, so the real state_dict loads with strict=True."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence

import numpy as np
import torch
import torchvision

from alexnet_gui.core.backends.base import ACTIVATION_LAYERS, Backend, BackendError
from alexnet_gui.core.weights import WeightsChoice, load_state_dict, untrained_state_dict

# ACTIVATION_LAYERS[i] is the output of model.features[i].
_LAYER_INDEX = {name: i for i, name in enumerate(ACTIVATION_LAYERS)}


def cuda_status() -> tuple[bool, str]:
    """Whether torch can run on CUDA here, and why (not)."""
    if not torch.cuda.is_available():
        if torch.version.cuda is None:
            return False, "this torch build has no CUDA support"
        return False, "torch found no usable CUDA device (no GPU or no driver)"
    try:
        torch.zeros(1, device="cuda").add_(1)
    except Exception as exc:  # noqa: BLE001 - any CUDA failure means: use the CPU
        return False, f"CUDA failed a test operation ({exc})"
    return True, torch.cuda.get_device_name(0)


def build_model(weights: WeightsChoice) -> torch.nn.Module:
    """Return torchvision's AlexNet in eval mode with the chosen weights loaded strictly."""
    if weights.kind == "onnx":
        raise BackendError("an .onnx model runs on the onnx backend only; choose --backend onnx or a .pth file")
    state = untrained_state_dict(0) if weights.kind == "untrained" else load_state_dict(weights.path)
    model = torchvision.models.alexnet(weights=None)
    try:
        model.load_state_dict(state, strict=True)
    except RuntimeError as exc:
        first = str(exc).splitlines()[0].rstrip(":")
        raise BackendError(f"{weights.path} is not an AlexNet state_dict ({first})") from None
    return model.eval()


class TorchBackend(Backend):
    """Runs torchvision's AlexNet with torch on the CPU or CUDA."""

    name = "torch"

    def __init__(self, weights: WeightsChoice, device: str = "auto") -> None:
        usable, reason = cuda_status() if device in ("auto", "cuda") else (False, "CPU requested")
        if device == "cuda" and not usable:
            raise BackendError(f"CUDA is not usable with torch: {reason}")
        self.device = "cuda" if usable else "cpu"
        self._torch_device = torch.device(self.device)
        self.model = build_model(weights).to(self._torch_device)
        self.weights_source = weights.source
        detail = f"cuda:0 {reason}" if usable else "cpu"
        self.provider = f"torch {torch.__version__} ({detail})"

    def _to_device(self, batch: np.ndarray) -> torch.Tensor:
        x = torch.from_numpy(np.ascontiguousarray(batch, dtype=np.float32))
        if self.device == "cuda":
            # Pinned host memory lets the copy overlap with work already queued on the GPU.
            return x.pin_memory().to(self._torch_device, non_blocking=True)
        return x

    def predict(self, batch: np.ndarray) -> np.ndarray:
        with torch.inference_mode():
            return self.model(self._to_device(batch)).float().cpu().numpy()

    @contextlib.contextmanager
    def _capture(self, layers: Sequence[str]) -> Iterator[dict[str, torch.Tensor]]:
        unknown = [n for n in layers if n not in _LAYER_INDEX]
        if unknown:
            raise BackendError(f"unknown layer {unknown[0]!r}; choose from {', '.join(ACTIVATION_LAYERS)}")
        captured: dict[str, torch.Tensor] = {}
        handles = []
        for name in layers:
            def hook(_module, _inputs, output, name=name):
                # torchvision's ReLUs are in-place: without the clone a conv's output would be overwritten.
                captured[name] = output.detach().clone()
            handles.append(self.model.features[_LAYER_INDEX[name]].register_forward_hook(hook))
        try:
            yield captured
        finally:
            for handle in handles:
                handle.remove()

    def activations(self, batch: np.ndarray, layers: Sequence[str]) -> dict[str, np.ndarray]:
        with self._capture(layers) as captured, torch.inference_mode():
            self.model(self._to_device(batch))
        return {name: captured[name].float().cpu().numpy() for name in layers}

    def close(self) -> None:
        self.model = None
        if self.device == "cuda":
            torch.cuda.empty_cache()
