"""Batched JPEG decoding on the model's device (nvJPEG on CUDA), for `classify --decode gpu`.

On a GPU the model classifies thousands of images a second and decoding JPEGs on the CPU becomes the bottleneck.
Here the CPU only reads each file's bytes and its header (size, format, EXIF orientation); torchvision's
`decode_jpeg` decodes the whole batch on the device, where it is also resized, cropped and normalised.
On the CPU the same code runs with libjpeg-turbo, which is how the tests exercise it.

The result approximates the exact CPU path (`decode.load_input`): the resize follows Pillow's two passes
(rounding to whole grey levels between them, in Pillow's order), so on the CPU the input differs from the exact
one by about 0.001 RMS in normalised units; nvJPEG's inverse DCT and chroma upsampling may add to that.
EXIF orientations are applied on the device too (flips and transposes, as ImageOps.exif_transpose does).
Files the device decoder should not take (not a JPEG, CMYK, a file that does not end where a JPEG ends, one the
decoder refuses) go through the CPU path instead, so they get its result or its one-sentence reason.

Torch and torchvision are imported inside the functions: importing this module costs nothing.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import torch

# The JPEG modes whose RGB conversion decode_jpeg and Pillow agree on (greyscale is replicated, as Pillow does).
_DEVICE_MODES = frozenset({"RGB", "L"})
# What may follow a JPEG's end-of-image marker without counting as a sign of truncation.
_PADDING = b"\x00\r\n \t"


@dataclass
class Prepared:
    """One file after the CPU's share of the work: its bytes for the device decoder, or its CPU-path result."""

    path: str
    #: the whole file as a CPU uint8 tensor-to-be (None when the CPU path handled the file)
    data: np.ndarray | None = None
    #: EXIF orientation, 1..8 (1: as stored)
    orientation: int = 1
    #: (width, height) from the header, before orientation
    size: tuple[int, int] = (0, 0)
    #: the CPU path's (3, 224, 224) input or its one-sentence reason, for files not decoded on the device
    fallback: np.ndarray | str | None = None


def _cpu_path(path: str) -> np.ndarray | str:
    from alexnet_gui.core.pipeline.decode import decode_input

    return decode_input(path, False)


def prepare(path: str | os.PathLike[str]) -> Prepared:
    """Do the CPU's share for one file (thread-safe): the same checks as the CPU path (missing, empty, not an
    image, decompression bomb: the header's size against `images.MAX_PIXELS`), the EXIF orientation, the bytes.

    A file the device should not decode gets the CPU path's result right here, on the calling thread.
    """
    from alexnet_gui.core.pipeline.images import open_checked

    path = os.fspath(path)
    try:
        im = open_checked(path)  # lazy: reads the header only
    except Exception:  # noqa: BLE001 - the CPU path gives the same reason text
        return Prepared(path, fallback=_cpu_path(path))
    try:
        if im.format != "JPEG" or im.mode not in _DEVICE_MODES:
            return Prepared(path, fallback=_cpu_path(path))
        size = im.size
        try:
            # getexif also reads an XMP orientation, as ImageOps.exif_transpose (the CPU path) does.
            orientation = im.getexif().get(0x0112, 1)
        except Exception:  # noqa: BLE001 - a broken EXIF block: the CPU path keeps the image unrotated
            return Prepared(path, fallback=_cpu_path(path))
    finally:
        im.close()
    try:
        data = np.fromfile(path, dtype=np.uint8)
    except OSError:
        return Prepared(path, fallback=_cpu_path(path))
    # A truncated JPEG may decode to a grey-filled picture on some decoders; Pillow refuses it ("truncated JPEG").
    # Files that do not end with the end-of-image marker (also those with trailers after it) take the CPU path.
    if not data[-64:].tobytes().rstrip(_PADDING).endswith(b"\xff\xd9"):
        return Prepared(path, fallback=_cpu_path(path))
    return Prepared(path, data=data, orientation=orientation if orientation in range(1, 9) else 1, size=size)


def decode_batch(paths: Sequence[str | os.PathLike[str]], device: torch.device | str) -> list[torch.Tensor | str]:
    """Return, per path in order, its (3, 224, 224) float32 normalised input on `device`, or the one-sentence
    reason it cannot be read (the CPU path's words)."""
    return decode_prepared([prepare(p) for p in paths], device)


def decode_prepared(items: Sequence[Prepared], device: torch.device | str) -> list[torch.Tensor | str]:
    """Decode the prepared files' JPEGs in one batched call on `device`, then resize, crop and normalise there."""
    import torch
    from torchvision.io import ImageReadMode, decode_jpeg

    device = torch.device(device)
    out: list[torch.Tensor | str | None] = [None] * len(items)
    todo = [i for i, item in enumerate(items) if item.data is not None]
    images: list[torch.Tensor | None] = []
    if todo:
        data = [torch.from_numpy(items[i].data) for i in todo]
        try:
            images = decode_jpeg(data, mode=ImageReadMode.RGB, device=device)
        except RuntimeError:
            # One bad file fails the whole batched call: decode one by one, the refused ones on the CPU.
            images = []
            for one in data:
                try:
                    images.append(decode_jpeg(one, mode=ImageReadMode.RGB, device=device))
                except RuntimeError:
                    images.append(None)
    for i, image in zip(todo, images):
        item = items[i]
        w, h = item.size
        if image is None or tuple(image.shape) != (3, h, w):
            out[i] = _to_device(_cpu_path(item.path), device)
        else:
            out[i] = to_input(_orient(image, item.orientation))
    for i, item in enumerate(items):
        if item.data is None:
            # Prepared without the file's bytes always carries the CPU path's answer (see `prepare`)
            out[i] = _to_device(item.fallback if item.fallback is not None else "unreadable", device)
    return out  # type: ignore[return-value]


def _to_device(x: np.ndarray | str, device: torch.device) -> torch.Tensor | str:
    import torch

    return x if isinstance(x, str) else torch.from_numpy(x).to(device)


def _orient(image: torch.Tensor, orientation: int) -> torch.Tensor:
    """Apply an EXIF orientation to a (C, H, W) tensor exactly as ImageOps.exif_transpose does to a picture."""
    if orientation == 2:  # mirrored left-right
        return image.flip(-1)
    if orientation == 3:  # rotated 180°
        return image.flip(-2, -1)
    if orientation == 4:  # mirrored top-bottom
        return image.flip(-2)
    if orientation == 5:  # transposed (main diagonal)
        return image.transpose(-2, -1)
    if orientation == 6:  # rotate 90° clockwise to display
        return image.transpose(-2, -1).flip(-1)
    if orientation == 7:  # transversed (anti-diagonal)
        return image.transpose(-2, -1).flip(-2, -1)
    if orientation == 8:  # rotate 90° counter-clockwise to display
        return image.transpose(-2, -1).flip(-2)
    return image


def _resample(x: torch.Tensor, height: int, width: int) -> torch.Tensor:
    import torch.nn.functional as F

    y = F.interpolate(x, size=(height, width), mode="bilinear", antialias=True, align_corners=False)
    return y.round_().clamp_(0, 255)


def to_input(image: torch.Tensor) -> torch.Tensor:
    """(3, H, W) uint8 RGB on any device → (3, 224, 224) float32 normalised network input on the same device.

    Resize the short side to 256 (bilinear, antialiased, `preprocess.resized_size`'s truncation), centre-crop 224
    (`preprocess._crop_origin`'s rounding), scale to [0, 1] and standardise with ImageNet's mean and std.
    Like Pillow, resize one axis at a time and round to whole grey levels in between; Pillow (13) shrinks a
    picture more than twice as tall as wide vertically first, and every other one horizontally first.
    """
    import torch

    from alexnet_gui.core.model.preprocess import (
        CROP_SIZE,
        MEAN,
        STD,
        _crop_origin,
        resized_size,
    )

    _, h, w = image.shape
    new_w, new_h = resized_size(w, h)
    x = image.unsqueeze(0).float()
    if h > 2 * w and new_h < h:
        x = _resample(x, new_h, w)
        if new_w != w:
            x = _resample(x, new_h, new_w)
    else:
        if new_w != w:
            x = _resample(x, h, new_w)
        if new_h != h:
            x = _resample(x, new_h, new_w)
    left, top = _crop_origin(new_w, new_h)
    x = x[0, :, top:top + CROP_SIZE, left:left + CROP_SIZE]
    mean = torch.tensor(MEAN, dtype=torch.float32, device=x.device).view(3, 1, 1)
    std = torch.tensor(STD, dtype=torch.float32, device=x.device).view(3, 1, 1)
    return ((x / 255.0 - mean) / std).contiguous()
