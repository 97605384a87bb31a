"""Test backends whose answers are a known function of the input, and images that carry a code in their colour."""

from __future__ import annotations

import numpy as np
from PIL import Image

from alexnet_gui.core.backends.base import Backend
from alexnet_gui.core.model.loading import torchvision_card

#: the card the test backends run under: torchvision's (1000 ImageNet classes, its recipe)
TEST_CARD = torchvision_card("test backend")

# ImageNet normalisation, repeated here so the test backends decode the colour without the code under test.
_MEAN = np.array([0.485, 0.456, 0.406])
_STD = np.array([0.229, 0.224, 0.225])


def red_code(x: np.ndarray) -> int:
    """Return the red value (0..255) of a normalised single-colour input (3, 224, 224)."""
    return int(round((float(x[0].mean()) * _STD[0] + _MEAN[0]) * 255))


class ColourCodedBackend(Backend):
    """Answers by the image's red value: `answers[red]` is the list of classes it ranks first, second, ...

    The logits are 10, 9, 8, ... for the listed classes and 0 for all others, so top-k is exactly the list.
    """

    device, provider, weights_source = "cpu", "numpy", "colour code"
    card = TEST_CARD

    def __init__(self, answers: dict[int, list[int]], name: str = "colour"):
        self.answers = answers
        self.name = name

    def predict(self, batch):
        logits = np.zeros((len(batch), 1000), np.float32)
        for row, x in zip(logits, batch):
            for rank, index in enumerate(self.answers[red_code(x)]):
                row[index] = 10 - rank
        return logits

    def activations(self, batch, layers):
        raise NotImplementedError


class LinearBackend(Backend):
    """Logits are a fixed random linear function of a 4x4-pooled input: different crops get different answers."""

    name, device, provider, weights_source = "linear", "cpu", "numpy", "seeded random matrix"
    card = TEST_CARD

    def __init__(self, seed: int = 0, scale: float = 1.0):
        self.weights = np.random.default_rng(seed).normal(size=(3 * 56 * 56, 1000)) * scale
        self.calls = 0

    def logits_of(self, batch: np.ndarray) -> np.ndarray:
        pooled = batch.reshape(len(batch), 3, 56, 4, 56, 4).mean(axis=(3, 5)).reshape(len(batch), -1)
        return pooled.astype(np.float64) @ self.weights

    def predict(self, batch):
        self.calls += 1
        return self.logits_of(batch).astype(np.float32)

    def activations(self, batch, layers):
        raise NotImplementedError


def write_colour_image(path, red: int, size=(64, 48)) -> None:
    """Write a single-colour PNG whose red value is the code a ColourCodedBackend reads."""
    Image.new("RGB", size, (red, 90, 160)).save(path)


def use_backend(monkeypatch, backend) -> None:
    """Make `classify` run this backend: no weights are resolved, no model is loaded."""
    from alexnet_gui.commands import classify as classify_command

    monkeypatch.setattr(classify_command, "choose_weights", lambda args: None)
    monkeypatch.setattr(classify_command, "open_backend", lambda args, weights=None, images=None: backend)


def write_colour_folder(folder, codes=range(10, 120, 10)):
    """A folder of colour-coded PNGs, `img010.png` ... (red value = code); returns the folder."""
    folder.mkdir()
    for code in codes:
        write_colour_image(folder / f"img{code:03d}.png", code)
    return folder
