"""Where the network looks: the torch model that gradient methods differentiate (the backend's own, or one
borrowed for the ONNX backend) and one image explained by a method, for `alexnet-gui cam` and the app's
*Where it looks*, *Unit* and feature-visualisation views."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from alexnet_gui.core.language import gettext
from alexnet_gui.core.tasks.cancelling import Cancel, OnProgress

if TYPE_CHECKING:
    import numpy as np

    from alexnet_gui.core.analysis.attribution import Attribution
    from alexnet_gui.core.backends.base import Backend
    from alexnet_gui.core.model.choice import WeightsChoice


class GradientModels:
    """One borrowed torch model at a time (233 MB each), kept for the weights it was built from, so a view that
    explains image after image with the ONNX backend builds it once."""

    def __init__(self) -> None:
        self._key: object = None
        self._model: Any = None

    def get(self, key: object, build) -> Any:
        if self._model is None or key != self._key:
            self._model = None  # the old one goes before the new one is built
            self._model, self._key = build(), key
        return self._model

    def holds(self, key: object) -> bool:
        """Whether the model for `key` is built already (a view says "loading PyTorch" only when it is not)."""
        return self._model is not None and key == self._key

    def clear(self) -> None:
        self._key = self._model = None


def gradient_model(backend: Backend, weights: WeightsChoice | None = None, *, what: str = "",
                   models: GradientModels | None = None, key: object = None) -> Any:
    """The torch network to differentiate for `backend`: its own model when it is the torch backend, else one
    built from `weights` (kept in `models` under `key`, default the weights). `what` names the work that needs
    the gradients in the refusal of an ONNX graph the app did not build."""
    from alexnet_gui.core.errors import UserError

    if backend.card.architecture is None:
        raise UserError(
            gettext(
                "{what} needs the network's gradients: this ONNX graph was not built by the app; "
                "open its PyTorch or Keras file instead"
            ).format(what=what)
        )
    if "torch-model" in backend.capabilities:
        return backend.model  # type: ignore[attr-defined]  # the torch backend's "torch-model" capability
    if weights is None:
        raise ValueError("the ONNX backend's gradient model is built from its weights: pass them")
    from alexnet_gui.core.backends import torch_network

    chosen: WeightsChoice = weights
    models = models or GradientModels()
    return models.get(weights if key is None else key, lambda: torch_network(chosen))


def class_index(target: str | int, probs: np.ndarray) -> int:
    """top1..top5 (the model's ranks) or a class index, as a class index of this model; one UserError past its
    classes."""
    import numpy as np

    from alexnet_gui.core.errors import UserError

    classes = len(probs)
    text = str(target)
    if text.startswith("top"):
        rank = int(text[3:])
        if rank > classes:
            raise UserError(gettext('the model has {classes} classes: there is no {text}').format(
                classes=classes, text=text))
        return int(np.argsort(-probs, kind="stable")[rank - 1])
    if int(text) >= classes:
        raise UserError(gettext("the model's classes are 0..{value}, not {text}").format(value=classes - 1, text=text))
    return int(text)


@dataclass(frozen=True)
class Explanation:
    """One image explained: the class (or unit) explained, the model's probabilities, the method's answer and the
    crop the network saw (denormalised, (H, W, 3)) to draw it over."""

    path: str
    class_index: int
    probabilities: np.ndarray
    attribution: Attribution
    seen: np.ndarray


def explain_image(backend: Backend, path: str | os.PathLike[str], method: str, target: str | int = "top1", *,
                  layer: str | None = None, unit: int | None = None, weights: WeightsChoice | None = None,
                  models: GradientModels | None = None, cancel: Cancel = None,
                  on_progress: OnProgress = None) -> Explanation:
    """Classify the image, pick the class `target` names (top1..top5 or an index), and explain it by `method`
    (or, with `unit`, that unit of `layer`). A few model calls, so `cancel` is not polled; `on_progress` hears
    (0, 2), (1, 2) once classified and (2, 2)."""
    from alexnet_gui.core.analysis.attribution import attribute
    from alexnet_gui.core.model.preprocess import denormalise
    from alexnet_gui.core.pipeline.decode import load_image_input

    card = backend.card
    if on_progress is not None:
        on_progress(0, 2)
    x = load_image_input(path, recipe=card.preprocess)[None]
    probs = backend.predict_probabilities(x)[0]
    index = class_index(target, probs)
    if on_progress is not None:
        on_progress(1, 2)
    model = gradient_model(backend, weights, what=method, models=models)
    answer = attribute(model, card, x, method, index, layer=layer, unit=unit)
    if on_progress is not None:
        on_progress(2, 2)
    return Explanation(os.fspath(path), index, probs, answer, denormalise(x[0], card.preprocess))
