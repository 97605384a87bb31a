"""One image's activations at a layer, as the Feature maps view and `alexnet-gui features` show them."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from alexnet_gui.core.tasks.cancelling import Cancel, OnProgress

if TYPE_CHECKING:
    import numpy as np

    from alexnet_gui.core.backends.base import Backend


@dataclass(frozen=True)
class FeatureMapsReport:
    """The activations (C, H, W) of `layer` (the resolved name: `relu2` for conv2 after its ReLU) for the image
    at `path`, and the crop the network saw, denormalised to (H, W, 3) for drawing under them."""

    path: str
    layer: str
    activations: np.ndarray
    seen: np.ndarray


def feature_maps(backend: Backend, path: str | os.PathLike[str], layer: str, *, pre_relu: bool = False,
                 cancel: Cancel = None, on_progress: OnProgress = None) -> FeatureMapsReport:
    """Run one image up to `layer` (`convN` means after its ReLU unless `pre_relu`). One model call, so `cancel`
    is not polled; `on_progress` hears (0, 1) and (1, 1). An unreadable image or unknown layer is one UserError."""
    from alexnet_gui.core.analysis.visualize import feature_layer
    from alexnet_gui.core.model.preprocess import denormalise
    from alexnet_gui.core.pipeline.decode import load_image_input

    name = feature_layer(layer, pre_relu=pre_relu, layers=backend.card.layer_names())
    recipe = backend.card.preprocess
    if on_progress is not None:
        on_progress(0, 1)
    x = load_image_input(path, recipe=recipe)[None]
    activations = backend.activations(x, [name])[name][0]
    if on_progress is not None:
        on_progress(1, 1)
    return FeatureMapsReport(os.fspath(path), name, activations, denormalise(x[0], recipe))
