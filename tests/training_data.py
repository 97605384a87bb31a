"""Labelled folders and small base models for the training tests: scikit-learn's handwritten digits (real images,
10 classes) and scikit-image's photos, written as ImageFolder trees; narrow AlexNets so a training takes seconds."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

NARROW = {"conv": (16, 32, 32, 32, 32), "fc": (64, 64)}


def write_digits(root: Path, per_class: int | None = None) -> Path:
    """The digits as 8x8 grayscale PNGs, one folder per digit (the first `per_class` of each, or all)."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    taken: dict[int, int] = {}
    for i, (img, target) in enumerate(zip(digits.images, digits.target)):
        if per_class is not None and taken.get(int(target), 0) >= per_class:
            continue
        taken[int(target)] = taken.get(int(target), 0) + 1
        folder = root / str(target)
        folder.mkdir(parents=True, exist_ok=True)
        Image.fromarray((img * 255 / 16).astype(np.uint8), "L").save(folder / f"{i:04d}.png")
    return root


def write_photo_classes(root: Path, per_class: int = 8) -> Path:
    """Three classes (cat, coffee, rocket) of crops of scikit-image's photos: each image a different crop, some
    mirrored, as JPEG."""
    from skimage import data

    rng = np.random.default_rng(0)
    for name, pixels in (("cat", data.chelsea()), ("coffee", data.coffee()), ("rocket", data.rocket())):
        folder = root / name
        folder.mkdir(parents=True, exist_ok=True)
        img = Image.fromarray(pixels)
        w, h = img.size
        for i in range(per_class):
            cw, ch = int(w * rng.uniform(0.6, 0.9)), int(h * rng.uniform(0.6, 0.9))
            x, y = int(rng.integers(0, w - cw)), int(rng.integers(0, h - ch))
            crop = img.crop((x, y, x + cw, y + ch))
            if i % 2:
                crop = crop.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
            crop.save(folder / f"{name}{i}.jpg", quality=90)
    return root


def write_narrow_base(path: Path, seed: int = 0, classes: int = 7) -> Path:
    """A seeded torchvision-layout AlexNet with narrow layers (a few hundred kB) saved as a state_dict."""
    import torch

    from alexnet_gui.core.model.archs import Architecture, build_network

    torch.manual_seed(seed)
    model = build_network(Architecture(conv=NARROW["conv"], fc=NARROW["fc"], classes=classes))
    torch.save(model.state_dict(), path)
    return path
