"""The 1000 ImageNet-1k category names, in class-index order.

They are torchvision's `AlexNet_Weights.IMAGENET1K_V1.meta["categories"]`, shipped as a data file so that the
ONNX path can name classes without importing torchvision; a test keeps the copy equal to the original.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files


@cache
def _load_categories() -> tuple[str, ...]:
    text = files("alexnet_gui.core").joinpath("data/imagenet_categories.txt").read_text(encoding="utf-8")
    return tuple(text.splitlines())


def __getattr__(name: str):
    # CATEGORIES is read on first use, not at import, to keep start-up free of file I/O.
    if name == "CATEGORIES":
        return _load_categories()
    raise AttributeError(name)


def category(index: int) -> str:
    """Return the category name of an ImageNet class index (0..999)."""
    return _load_categories()[index]
