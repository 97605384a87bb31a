"""Where the network looks, by more methods than Grad-CAM: the CAM family from pytorch-grad-cam (Grad-CAM++,
Score-CAM, Eigen-CAM, LayerCAM) and pixel attributions from Captum (Saliency, Integrated Gradients, Occlusion,
guided backpropagation, deconvolution), for a class or, for guided backpropagation and deconvolution, for one unit
of a layer (Zeiler and Fergus's view: the unit's strongest activation traced back to the pixels). Needs torch.

The libraries do the mathematics; this module picks each method's settings, hands it the card's network with
out-of-place ReLUs (Captum's ReLU hooks cannot run on AlexNet's in-place ones), and turns what comes back into a
map to lay over the crop, or an image.
"""

from __future__ import annotations

import contextlib
import io
import warnings
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from alexnet_gui.core.analysis.attribution_methods import (
    CAM_METHODS,
    METHODS,
    UNIT_METHODS,
)
from alexnet_gui.core.errors import UserError
from alexnet_gui.core.language import gettext


@dataclass(frozen=True)
class Attribution:
    """A method's answer: `kind` "map" is (H, W) in [0, 1] to lay over the crop; "image" is (H, W, 3) in [0, 1]
    to show as it is (guided backpropagation, deconvolution)."""

    method: str
    kind: str
    values: np.ndarray
    #: what was explained, in words ("class 281 (tabby)" or "conv5 unit 17")
    target: str


@contextlib.contextmanager
def out_of_place_relus(model: nn.Module) -> Iterator[nn.Module]:
    """The model with its ReLUs computing out of place for the duration (and restored after)."""
    relus = [m for m in model.modules() if isinstance(m, nn.ReLU) and m.inplace]
    for m in relus:
        m.inplace = False
    try:
        yield model
    finally:
        for m in relus:
            m.inplace = True


def _layer(model: nn.Module, arch, name: str) -> nn.Module:
    from alexnet_gui.core.model.archs import feature_index

    index = feature_index(arch)
    if name not in index:
        raise UserError(
            gettext("no layer {name!r} in this network; layers: {join}").format(name=name, join=", ".join(index))
        )
    features = model.features
    assert isinstance(features, nn.Sequential)
    return features[index[name]]


def _normalised_map(values: np.ndarray) -> np.ndarray:
    """Non-negative values scaled to a maximum of 1 (all zeros stay zeros)."""
    values = np.maximum(values.astype(np.float32), 0.0)
    peak = float(values.max())
    return values / peak if peak > 0 else values


def gradient_image(gradient: np.ndarray, channels: str = "RGB") -> np.ndarray:
    """A (3, H, W) input gradient as an RGB picture: centred on grey, 0.1 per standard deviation (the Toolbox's
    and Springenberg et al.'s rendering), in the image's own colour order."""
    g = gradient[::-1] if channels == "BGR" else gradient
    g = g - g.mean()
    g = g / (g.std() + 1e-12) * 0.1 + 0.5
    return np.clip(g.transpose(1, 2, 0), 0.0, 1.0).astype(np.float32)


def unit_selector(unit: int):
    """Captum's neuron selector for one channel: its strongest activation anywhere in the map (a vector's own
    value for a fully connected layer)."""

    def select(output: torch.Tensor) -> torch.Tensor:
        chosen = output[:, unit]
        return chosen.amax(dim=(1, 2)) if chosen.dim() == 3 else chosen

    return select


def attribute(model: nn.Module, card, x: np.ndarray, method: str, class_index: int, *,
              layer: str | None = None, unit: int | None = None) -> Attribution:
    """Explain `class_index` (or, for guided backpropagation and deconvolution with `layer` and `unit`, that unit)
    for one input x (1, 3, H, W) by `method`."""
    if method not in METHODS:
        raise UserError(
            gettext("unknown method {method!r}; methods: {join}").format(method=method, join=", ".join(METHODS))
        )
    if card.architecture is None:
        raise UserError(
            gettext("{method} needs the network's gradients: open the model's PyTorch or Keras file").format(
                method=method
            )
        )
    if unit is not None and method not in UNIT_METHODS:
        raise UserError(gettext('--unit applies to {join} only').format(join=' and '.join(UNIT_METHODS)))
    first = next(model.parameters())
    inp = torch.as_tensor(np.asarray(x, dtype=np.float32)).to(first.device, first.dtype)
    model.eval()
    name = card.labels.name(class_index)
    target = f"class {class_index} ({name})"
    if method == "gradcam":
        from alexnet_gui.core.analysis.gradcam import alexnet_cam_layer, grad_cam

        return Attribution(method, "map", grad_cam(model, alexnet_cam_layer(model, card.architecture), inp,
                                                   class_index), target)
    with out_of_place_relus(model), torch.enable_grad(), warnings.catch_warnings():
        # Captum says it is hooking the ReLUs (for guided backpropagation and deconvolution): that is the method.
        warnings.filterwarnings("ignore", message="Setting backward hooks on ReLU activations")
        inp = inp.clone().requires_grad_(True)  # Captum warns (an error under the tests) unless it already does
        if method in CAM_METHODS:
            return Attribution(method, "map", _cam(model, card.architecture, inp, method, class_index), target)
        if unit is not None:
            from alexnet_gui.core.model.archs import layer_channels

            chosen = layer or "conv5"
            module = _layer(model, card.architecture, chosen)
            count = layer_channels(card.architecture, chosen)
            if not 0 <= unit < count:
                raise UserError(
                    gettext("{chosen} has units 0..{value}, not {unit}").format(
                        chosen=chosen, value=count - 1, unit=unit
                    )
                )
            values = _unit_attribution(model, module, inp, method, unit)
            return Attribution(method, "image", gradient_image(values, card.preprocess.channels),
                               f"{chosen} unit {unit}")
        values = _pixel_attribution(model, card, inp, method, class_index)
    if method in ("guided-backprop", "deconvolution"):
        return Attribution(method, "image", gradient_image(values, card.preprocess.channels), target)
    if method == "saliency":
        return Attribution(method, "map", _normalised_map(np.abs(values).max(axis=0)), target)
    if method == "integrated-gradients":
        return Attribution(method, "map", _normalised_map(np.abs(values).sum(axis=0)), target)
    return Attribution(method, "map", _normalised_map(values.mean(axis=0)), target)  # occlusion: score drops


def _cam(model, arch, inp, method: str, class_index: int) -> np.ndarray:
    import pytorch_grad_cam as cams
    from pytorch_grad_cam.utils.model_targets import ClassifierOutputTarget

    from alexnet_gui.core.analysis.gradcam import alexnet_cam_layer

    kind = {"gradcam++": cams.GradCAMPlusPlus, "scorecam": cams.ScoreCAM, "eigencam": cams.EigenCAM,
            "layercam": cams.LayerCAM}[method]
    with kind(model=model, target_layers=[alexnet_cam_layer(model, arch)]) as cam:
        if method == "scorecam":
            cam.batch_size = 32
        # Score-CAM draws a tqdm bar of its own on stderr; the caller shows progress its own way.
        with contextlib.redirect_stderr(io.StringIO()):
            grey = cam(input_tensor=inp.float(), targets=[ClassifierOutputTarget(class_index)])[0]
    return np.asarray(grey, dtype=np.float32)


def _pixel_attribution(model, card, inp, method: str, class_index: int) -> np.ndarray:
    import captum.attr as ca

    if method == "saliency":
        values = ca.Saliency(model).attribute(inp, target=class_index, abs=False)
    elif method == "integrated-gradients":
        values = ca.IntegratedGradients(model).attribute(inp, baselines=black_input(card, inp), target=class_index,
                                                          n_steps=32, internal_batch_size=8)
    elif method == "occlusion":
        values = ca.Occlusion(model).attribute(inp, sliding_window_shapes=(3, 32, 32), strides=(3, 16, 16),
                                               baselines=0.0, target=class_index, perturbations_per_eval=16)
    elif method == "guided-backprop":
        values = ca.GuidedBackprop(model).attribute(inp, target=class_index)
    else:
        values = ca.Deconvolution(model).attribute(inp, target=class_index)
    return values.detach()[0].float().cpu().numpy()


def _unit_attribution(model, layer: nn.Module, inp, method: str, unit: int) -> np.ndarray:
    import captum.attr as ca

    kind = ca.NeuronGuidedBackprop if method == "guided-backprop" else ca.NeuronDeconvolution
    values = kind(model, layer).attribute(inp, neuron_selector=unit_selector(unit))
    return values.detach()[0].float().cpu().numpy()


def black_input(card, like: torch.Tensor) -> torch.Tensor:
    """A black image in the network's input units (the recipe's normalisation of zeros)."""
    from alexnet_gui.core.model.preprocess import normalise

    size = like.shape[-1]
    black = normalise(np.zeros((size, size, 3), np.uint8), card.preprocess)
    return torch.from_numpy(black)[None].to(like.device, like.dtype)
