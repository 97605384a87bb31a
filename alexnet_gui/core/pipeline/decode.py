"""One file → the network's input by the card's recipe, or the one sentence why it cannot be read.

The engine's decode threads, the GPU decoder's fallback, Ray's workers, `compare`, the view commands and the app's
views all open images through here; `model.preprocess` holds the pixel arithmetic, with no files.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from alexnet_gui.core.model.preprocess import (
    TORCHVISION,
    Recipe,
    crop_from_bytes,
    normalise,
)

if TYPE_CHECKING:
    import numpy as np


def decode_input(path: str, fast_decode: bool, tta: str = "none", recipe: Recipe = TORCHVISION) -> np.ndarray | str:
    """Return the normalised input for `path` (ten crops for tta="10crop"), or the one-sentence reason it cannot be
    read."""
    x = decode_crop(path, fast_decode, tta, recipe)
    if isinstance(x, bytes):
        return normalise(crop_from_bytes(x), recipe)
    return x


def decode_crop(path: str, fast_decode: bool, tta: str = "none",
                recipe: Recipe = TORCHVISION) -> bytes | np.ndarray | str:
    """Like `decode_input`, but a single crop comes back as its raw pixels (`preprocess.load_crop_bytes`, made
    without numpy): the engine's queue holds these and normalises a batch at once."""
    from alexnet_gui.core.errors import UserError

    try:
        if tta == "10crop":
            from alexnet_gui.core.pipeline.tta import load_ten_crops

            return load_ten_crops(path, fast_decode=fast_decode, recipe=recipe)
        return load_crop_bytes(path, fast_decode=fast_decode, recipe=recipe)
    except UserError as exc:
        return str(exc)
    except Exception as exc:  # noqa: BLE001 - one unexpected decoder failure must not stop a 100,000-file run
        return f"could not read image ({type(exc).__name__}: {exc})"


def load_crop(path: str | os.PathLike[str], *, fast_decode: bool = False, recipe: Recipe = TORCHVISION) -> np.ndarray:
    """Open `path` and return the (crop, crop, 3) uint8 pixels the network sees; `fast_decode` decodes JPEGs at a
    reduced DCT scale first and resamples only the cropped region."""
    return crop_from_bytes(load_crop_bytes(path, fast_decode=fast_decode, recipe=recipe))


def load_crop_bytes(path: str | os.PathLike[str], *, fast_decode: bool = False,
                    recipe: Recipe = TORCHVISION) -> bytes:
    """`load_crop`'s pixels as raw bytes (crop x crop x 3, row-major RGB), made with Pillow alone.

    The engine's decode threads call this: without numpy they need not wait for its import (~60 ms, running on
    the model's loading thread at the command line's start), and the bytes take a quarter of a float input's
    memory while they wait for their batch."""
    from alexnet_gui.core.model.preprocess import centre_crop, resample_crop_only
    from alexnet_gui.core.pipeline.images import open_rgb

    if fast_decode:
        return resample_crop_only(open_rgb(path, draft=True), recipe).tobytes()
    return centre_crop(open_rgb(path), recipe).tobytes()


def load_input(path: str | os.PathLike[str], *, fast_decode: bool = False, recipe: Recipe = TORCHVISION) -> np.ndarray:
    """Open `path` and return its (3, crop, crop) float32 network input (see `load_crop`)."""
    return normalise(load_crop(path, fast_decode=fast_decode, recipe=recipe), recipe)


def load_image_input(path: str | os.PathLike[str], *, fast_decode: bool = False,
                     recipe: Recipe = TORCHVISION) -> np.ndarray:
    """`load_input` for a command given one image: an unreadable file is a UserError that names it."""
    from alexnet_gui.core.errors import UserError
    from alexnet_gui.core.pipeline.images import ImageError

    try:
        return load_input(path, fast_decode=fast_decode, recipe=recipe)
    except ImageError as exc:
        raise UserError(f"{os.fspath(path)}: {exc}") from None
