"""argparse types shared by the sub-commands: each checks its value's range, so a bad option is exit 2 with a message
before any model loads."""

from __future__ import annotations

import argparse
from collections.abc import Callable


def positive_int(text: str) -> int:
    """A whole number, at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def scale_factor(text: str) -> int:
    """A nearest-neighbour magnification, 1..32."""
    value = positive_int(text)
    if value > 32:
        raise argparse.ArgumentTypeError(f"must be at most 32, got {value}")
    return value


#: The largest side a drawn image (a feature visualisation, an example patch) may have: 1024 px is four times
#: AlexNet's input, while 100,000 would ask numpy for tens of gigabytes before any work.
MAX_IMAGE_SIDE = 1024


def image_side(text: str) -> int:
    """A side in pixels of an image the app draws, 1..MAX_IMAGE_SIDE."""
    value = positive_int(text)
    if value > MAX_IMAGE_SIDE:
        raise argparse.ArgumentTypeError(f"must be at most {MAX_IMAGE_SIDE} pixels, got {value}")
    return value


def top_k_count(text: str) -> int:
    """Classes per image, 1..1000."""
    value = positive_int(text)
    if value > 1000:
        raise argparse.ArgumentTypeError(f"ImageNet has 1000 classes, got {value}")
    return value


def number_between(low: float, high: float, what: str = "a number") -> Callable[[str], float]:
    """The type of a number from `low` to `high` (inclusive); `what` names it in the message for text that is not
    a number."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}") from None
        if not low <= value <= high:  # also refuses nan
            raise argparse.ArgumentTypeError(f"must be from {low:g} to {high:g}, got {value:g}")
        return value

    return parse


def open_fraction(text: str) -> float:
    """The type of a share held out (`--val-split`, `--split`): a number strictly between 0 and 1."""
    value = number_between(0.0, 1.0, "a fraction like 0.2")(text)
    if value in (0.0, 1.0):
        raise argparse.ArgumentTypeError(f"must be between 0 and 1 (exclusive), got {value:g}")
    return value
