"""One file → the network's input by the card's recipe, or the one sentence why it cannot be read.

The engine's decode threads, the GPU decoder's fallback, Ray's workers and `compare` all decode through here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from alexnet_gui.core.model.preprocess import TORCHVISION, Recipe

if TYPE_CHECKING:
    import numpy as np


def decode_input(path: str, fast_decode: bool, tta: str = "none", recipe: Recipe = TORCHVISION) -> np.ndarray | str:
    """Return the normalised input for `path` (ten crops for tta="10crop"), or the one-sentence reason it cannot be
    read."""
    x = decode_crop(path, fast_decode, tta, recipe)
    if isinstance(x, bytes):
        from alexnet_gui.core.model.preprocess import crop_from_bytes, normalise

        return normalise(crop_from_bytes(x), recipe)
    return x


def decode_crop(path: str, fast_decode: bool, tta: str = "none",
                recipe: Recipe = TORCHVISION) -> bytes | np.ndarray | str:
    """Like `decode_input`, but a single crop comes back as its raw pixels (`preprocess.load_crop_bytes`, made
    without numpy): the engine's queue holds these and normalises a batch at once."""
    from alexnet_gui.core.errors import UserError
    from alexnet_gui.core.model.preprocess import load_crop_bytes

    try:
        if tta == "10crop":
            from alexnet_gui.core.pipeline.tta import load_ten_crops

            return load_ten_crops(path, fast_decode=fast_decode, recipe=recipe)
        return load_crop_bytes(path, fast_decode=fast_decode, recipe=recipe)
    except UserError as exc:
        return str(exc)
    except Exception as exc:  # noqa: BLE001 - one unexpected decoder failure must not stop a 100,000-file run
        return f"could not read image ({type(exc).__name__}: {exc})"
