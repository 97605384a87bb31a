"""10-crop test-time augmentation, as in the AlexNet paper (Krizhevsky et al. 2012, section 4.1).

The image is resized exactly as for the single centre crop (the card's recipe: short side 256 for torchvision's),
then cut into the four corner crops and the centre crop, plus the same five of its mirror image; the network's
probabilities for the ten are averaged. The order and positions are torchvision's `TenCrop` (a test checks them
against it), and the centre crop (index 4) equals `preprocess.preprocess(img, recipe)`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from PIL import Image

from alexnet_gui.core.language import N_
from alexnet_gui.core.model.preprocess import TORCHVISION, Recipe

TTA_MODES: tuple[str, ...] = ("none", "10crop")

#: names of the ten crops, in order
CROP_NAMES: tuple[str, ...] = (
    N_("top left"), N_("top right"), N_("bottom left"), N_("bottom right"), N_("centre"),
    N_("mirrored top left"), N_("mirrored top right"), N_("mirrored bottom left"), N_("mirrored bottom right"),
    N_("mirrored centre"),
)


def check_tta_mode(mode: str | None) -> str:
    """Return the mode ("none" for None), or raise ValueError for an unknown one."""
    mode = mode or "none"
    if mode not in TTA_MODES:
        raise ValueError(f"unknown test-time augmentation {mode!r}; choose one of {', '.join(TTA_MODES)}")
    return mode


def check_ten_crop_recipe(recipe: Recipe) -> None:
    """Refuse ten crops for a recipe that does not crop (a squash to the input size): all ten would be the
    same picture."""
    from alexnet_gui.core.errors import UserError

    if recipe.resize == "squash" and recipe.crop == recipe.size:
        raise UserError(f"--tta 10crop needs a recipe that crops; this model's ({recipe.describe()}) resizes "
                        "the whole image to its input, so all ten crops would be the same")


def _normalised_resize(img: Image.Image, recipe: Recipe) -> np.ndarray:
    """Return the recipe's resize of `img` (the exact path's own resize), normalised, as float32 (3, H, W)."""
    from alexnet_gui.core.model.preprocess import normalise, resize_for_crop

    return normalise(np.asarray(resize_for_crop(img, recipe)), recipe)


def crop_boxes(width: int, height: int, crop: int = 224) -> list[tuple[int, int]]:
    """Return the (left, top) of the five crops in a width x height image: corners, then centre (torchvision's)."""
    if width < crop or height < crop:
        raise ValueError(f"image {width}x{height} is smaller than the {crop} crop")
    centre = (int(round((width - crop) / 2.0)), int(round((height - crop) / 2.0)))
    return [(0, 0), (width - crop, 0), (0, height - crop), (width - crop, height - crop), centre]


def ten_crops(img: Image.Image, recipe: Recipe = TORCHVISION) -> np.ndarray:
    """Return the ten normalised crops of an RGB image as float32 (10, 3, crop, crop)."""
    check_ten_crop_recipe(recipe)
    size = recipe.crop
    arr = _normalised_resize(img, recipe)
    mirrored = arr[:, :, ::-1]
    _, h, w = arr.shape
    crops = [
        source[:, top:top + size, left:left + size]
        for source in (arr, mirrored)
        for left, top in crop_boxes(w, h, size)
    ]
    return np.ascontiguousarray(np.stack(crops))


def load_ten_crops(path: str, *, fast_decode: bool = False, recipe: Recipe = TORCHVISION) -> np.ndarray:
    """Open an image file like the exact path does and return its ten crops (10, 3, crop, crop)."""
    from alexnet_gui.core.pipeline.images import open_rgb

    return ten_crops(open_rgb(path, draft=fast_decode), recipe)


def average_crop_probs(probs: np.ndarray) -> np.ndarray:
    """Average probability rows per image: (N*10, C) → (N, C)."""
    return probs.reshape(-1, len(CROP_NAMES), probs.shape[-1]).mean(axis=1)


def crop_regions(width: int, height: int, recipe: Recipe = TORCHVISION) -> list[tuple[int, int, int, int]]:
    """Return the ten crops as boxes (left, top, right, bottom) in the original image's pixels.

    A mirrored crop covers the mirror-image region ("mirrored top left" is the original's top right, flipped).
    For drawing where each crop came from on the preview.
    """
    from alexnet_gui.core.model.preprocess import resized_dims

    size = recipe.crop
    rw, rh = resized_dims(width, height, recipe)
    sx, sy = width / rw, height / rh
    boxes = []
    for mirrored in (False, True):
        for left, top in crop_boxes(rw, rh, size):
            if mirrored:
                left = rw - size - left
            boxes.append((round(left * sx), round(top * sy), round((left + size) * sx), round((top + size) * sy)))
    return boxes


@dataclass(frozen=True)
class CropAnswers:
    """The network's answer for each of the ten crops of one image, and their average."""

    crops: np.ndarray  # (10, 3, S, S) normalised
    probs: np.ndarray  # (10, classes) probabilities per crop
    mean: np.ndarray  # (classes,) averaged: the 10-crop answer
    #: the model's class names (its card's) and the recipe the crops were made by, for showing them
    labels: Any = None
    recipe: Recipe = TORCHVISION

    def name(self, index: int) -> str:
        """A class's name by the model's labels (ImageNet's when none were given)."""
        from alexnet_gui.core.model.labels import category

        return self.labels.name(index) if self.labels is not None else category(index)

    def crop_top1(self) -> list[int]:
        """Return each crop's top-1 class index."""
        return [int(i) for i in np.argmax(self.probs, axis=1)]

    def disagreeing(self) -> list[int]:
        """Return the positions (0..9) of crops whose top-1 differs from the averaged answer's top-1."""
        best = int(np.argmax(self.mean))
        return [i for i, c in enumerate(self.crop_top1()) if c != best]


def answer_ten_crops(backend, img: Image.Image) -> CropAnswers:
    """Run the ten crops of an RGB image through a backend; for showing the crops and where they disagree."""
    crops = ten_crops(img, backend.card.preprocess)
    probs = backend.predict_probabilities(crops)
    return CropAnswers(crops, probs, probs.mean(axis=0), backend.card.labels, backend.card.preprocess)
