"""Grad-CAM (Selvaraju et al.): which region of the image drove a class score. Needs torch.

Hooks keep their handles and are removed by a context manager, as pytorch-grad-cam does.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import numpy as np
import torch
from torch import nn


@contextlib.contextmanager
def _capture(layer: nn.Module) -> Iterator[dict[str, torch.Tensor]]:
    store: dict[str, torch.Tensor] = {}

    def forward_hook(_module, _inputs, output):
        store["activation"] = output
        output.register_hook(lambda grad: store.__setitem__("gradient", grad))

    handle = layer.register_forward_hook(forward_hook)
    try:
        yield store
    finally:
        handle.remove()


def grad_cam(model: nn.Module, layer: nn.Module, x: np.ndarray | torch.Tensor, class_index: int) -> np.ndarray:
    """Return the (h, w) Grad-CAM of `class_index` at `layer`'s output for one input (1, 3, H, W), in [0, 1].

    Gradients of the class score w.r.t. the layer's activations are averaged per channel; the channel-weighted
    sum of activations goes through a ReLU and is scaled so its maximum is 1 (all zeros if nothing is positive).
    """
    first = next(model.parameters())
    # A half-precision model (--precision fp16) takes its input in half precision; the map is returned in float32.
    inp = torch.as_tensor(np.asarray(x, dtype=np.float32) if not isinstance(x, torch.Tensor) else x)
    inp = inp.to(first.device, first.dtype)
    model.eval()
    with _capture(layer) as store, torch.enable_grad():
        inp = inp.clone().requires_grad_(True)
        score = model(inp)[0, class_index]
        model.zero_grad(set_to_none=True)
        score.backward()
    activation = store["activation"].detach()[0].float()
    weights = store["gradient"].detach()[0].float().mean(dim=(1, 2))
    cam = torch.relu((weights[:, None, None] * activation).sum(dim=0))
    peak = cam.max()
    cam = cam / peak if peak > 0 else cam
    return cam.cpu().numpy().astype(np.float32)


def alexnet_cam_layer(model: nn.Module, arch=None) -> nn.Module:
    """The layer Grad-CAM looks at in the card's AlexNet: conv5 after its ReLU, the last spatial map."""
    from alexnet_gui.core.model.archs import TORCHVISION_ARCH, feature_index

    features = model.features
    assert isinstance(features, nn.Sequential)
    return features[feature_index(arch or TORCHVISION_ARCH)["relu5"]]
