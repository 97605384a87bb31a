"""A model's raw scores → class probabilities → the top-k predictions, named by the model's own labels."""

from __future__ import annotations

from typing import TYPE_CHECKING

from alexnet_gui.core.language import N_
from alexnet_gui.core.outputs.results import Prediction

if TYPE_CHECKING:
    import numpy as np

    from alexnet_gui.core.model.labels import Labels


#: an image's reason when the model's scores for it are not numbers (NaN weights, a recipe dividing by ~0, an
#: infinite logit): ranking NaNs would name class 0 with probability "nan"
NAN_SCORES = N_("the model's scores are not numbers (NaN)")


def ranked_or_reason(probs: np.ndarray, k: int, labels: Labels | None = None) -> tuple[Prediction, ...] | str:
    """`top_predictions` of one probability row, or NAN_SCORES when the row holds a NaN."""
    import numpy as np

    if np.isnan(probs).any():
        return NAN_SCORES
    return top_predictions(probs, k, labels)


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax in float64, so tiny probabilities do not round to zero before the top-k."""
    import numpy as np

    z = logits.astype(np.float64)
    # An infinite logit makes its row NaN (inf - inf): quietly, since that row is reported as NAN_SCORES.
    with np.errstate(invalid="ignore"):
        z -= z.max(axis=1, keepdims=True)
        np.exp(z, out=z)
        z /= z.sum(axis=1, keepdims=True)
    return z


def to_probabilities(scores: np.ndarray, output: str) -> np.ndarray:
    """Probabilities (float64) from a model's output: softmax of logits; a model that outputs probabilities
    already (the ONNX Model Zoo's, ending in Softmax) is taken as it is, never softmaxed twice."""
    import numpy as np

    if output == "probabilities":
        return scores.astype(np.float64)
    return softmax(scores)


def top_predictions(probs: np.ndarray, k: int, labels: Labels | None = None) -> tuple[Prediction, ...]:
    """Return the k most probable classes of one probability row, highest first (ties by lower index), named
    by `labels` (ImageNet's when None)."""
    import numpy as np

    if labels is None:
        from alexnet_gui.core.model.labels import imagenet_labels

        labels = imagenet_labels()
    order = np.argsort(-probs, kind="stable")[: min(k, len(probs))]
    return tuple(Prediction(int(i), labels.name(int(i)), float(probs[i])) for i in order)
