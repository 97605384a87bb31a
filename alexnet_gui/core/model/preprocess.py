"""Image → normalised network input, exactly as `AlexNet_Weights.IMAGENET1K_V1.transforms()` does it.

Written with Pillow and numpy so that the ONNX path never imports torch; tests keep these numbers and the
result equal to torchvision's (max abs difference <= 1e-5).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING

from PIL import Image

if TYPE_CHECKING:
    import numpy as np

RESIZE_SIZE = 256
CROP_SIZE = 224
MEAN = (0.485, 0.456, 0.406)
STD = (0.229, 0.224, 0.225)


@cache
def _mean_std():
    # numpy is imported where it is used: decoding starts before its import ends (see core/pipeline/engine.py).
    import numpy as np

    return np.array(MEAN, dtype=np.float32).reshape(3, 1, 1), np.array(STD, dtype=np.float32).reshape(3, 1, 1)


def resized_size(width: int, height: int, size: int = RESIZE_SIZE) -> tuple[int, int]:
    """Return (width, height) after resizing the short side to `size` (torchvision's rule: long side truncated)."""
    if width <= height:
        return size, int(size * height / width)
    return int(size * width / height), size


def _crop_origin(width: int, height: int, crop: int = CROP_SIZE) -> tuple[int, int]:
    # torchvision's center_crop rounds half-way offsets with Python's round().
    return int(round((width - crop) / 2.0)), int(round((height - crop) / 2.0))


def _geometry(img: Image.Image) -> tuple[int, int]:
    """The full image's size when `img` is its JPEG draft; otherwise img.size.

    Pillow copies `info` into crops, resizes and rotations, so `full_size` is trusted only while `img` still has a
    DCT-scaled size of it (ceil(full / s) for s in 1, 2, 4, 8).
    """
    full = img.info.get("full_size")
    if full is not None:
        fw, fh = full
        for s in (1, 2, 4, 8):
            if img.size == (-(-fw // s), -(-fh // s)):
                return fw, fh
    return img.size


def resize_for_crop(img: Image.Image) -> Image.Image:
    """Resize the short side to 256 with Pillow's antialiased bilinear filter, as torchvision does for PIL images.

    A draft-decoded JPEG is resized to the size its full-resolution image would get, so the crop stays put.
    """
    new = resized_size(*_geometry(img))
    return img if new == img.size else img.resize(new, Image.Resampling.BILINEAR)


def normalise(rgb: np.ndarray) -> np.ndarray:
    """(H, W, 3) uint8 → (3, H, W) float32 scaled to [0, 1] then standardised with ImageNet mean/std."""
    return normalise_batch(rgb[None])[0]


def normalise_batch(crops: Sequence[np.ndarray] | np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """N (H, W, 3) uint8 crops (a list or one array) → (N, 3, H, W) float32, each image scaled and standardised as
    `normalise` describes.

    With `out`, a float32 (M, 3, H, W) buffer with M >= N, the result is its first N images: a batch loop that
    reuses one buffer spares the kernel zeroing fresh pages for every batch (19 MB for 32 images).
    """
    import numpy as np

    mean, std = _mean_std()
    n = len(crops)
    height, width = crops[0].shape[:2]
    x = np.empty((n, 3, height, width), np.float32) if out is None else out[:n]
    for image, crop in zip(x, crops):
        np.copyto(image, crop.transpose(2, 0, 1), casting="unsafe")  # uint8 → float32 is exact
    x /= 255.0
    x -= mean
    x /= std
    return x


def crop_rgb(img: Image.Image) -> np.ndarray:
    """Return the (224, 224, 3) uint8 pixels the network sees of an RGB image (resize 256, centre crop 224)."""
    import numpy as np

    return np.asarray(_centre_crop(img))


def _centre_crop(img: Image.Image) -> Image.Image:
    """`crop_rgb` as a Pillow image."""
    resized = resize_for_crop(img)
    left, top = _crop_origin(*resized.size)
    return resized.crop((left, top, left + CROP_SIZE, top + CROP_SIZE))


def crop_rgb_crop_only(img: Image.Image) -> np.ndarray:
    """Like `crop_rgb`, but resample only the pixels the crop keeps (Pillow's resize with a source box).

    The filter centres and widths are the full resize's, yet Pillow takes the box in single precision, so some
    values move by one grey level (0.0175 normalised; about 0.1 % of a photo's, more on extreme enlargements):
    used by --fast-decode only, where it halves the resampling of a 1024x768 photo.
    """
    import numpy as np

    return np.asarray(_resample_crop_only(img))


def _resample_crop_only(img: Image.Image) -> Image.Image:
    """`crop_rgb_crop_only` as a Pillow image."""
    width, height = _geometry(img)
    rw, rh = resized_size(width, height)
    left, top = _crop_origin(rw, rh)
    sx, sy = img.size[0] / rw, img.size[1] / rh
    box = (left * sx, top * sy, (left + CROP_SIZE) * sx, (top + CROP_SIZE) * sy)
    return img.resize((CROP_SIZE, CROP_SIZE), Image.Resampling.BILINEAR, box=box)


def preprocess(img: Image.Image) -> np.ndarray:
    """Return the (3, 224, 224) float32 network input for an RGB image."""
    return normalise(crop_rgb(img))


def load_crop(path: str | os.PathLike[str], *, fast_decode: bool = False) -> np.ndarray:
    """Open `path` and return the (224, 224, 3) uint8 crop the network sees; `fast_decode` decodes JPEGs at a
    reduced DCT scale first and resamples only the cropped region."""
    return crop_from_bytes(load_crop_bytes(path, fast_decode=fast_decode))


def load_crop_bytes(path: str | os.PathLike[str], *, fast_decode: bool = False) -> bytes:
    """`load_crop`'s pixels as raw bytes (224 x 224 x 3, row-major RGB), made with Pillow alone.

    The engine's decode threads call this: without numpy they need not wait for its import (~60 ms, running on
    the model's loading thread at the command line's start), and the bytes take a quarter of a float input's
    memory while they wait for their batch."""
    from alexnet_gui.core.pipeline.images import open_rgb

    if fast_decode:
        return _resample_crop_only(open_rgb(path, draft=True)).tobytes()
    return _centre_crop(open_rgb(path)).tobytes()


def crop_from_bytes(pixels: bytes) -> np.ndarray:
    """The (224, 224, 3) uint8 array over `load_crop_bytes`' result (a view, not a copy)."""
    import numpy as np

    return np.frombuffer(pixels, np.uint8).reshape(CROP_SIZE, CROP_SIZE, 3)


def load_input(path: str | os.PathLike[str], *, fast_decode: bool = False) -> np.ndarray:
    """Open `path` and return its (3, 224, 224) float32 network input (see `load_crop`)."""
    return normalise(load_crop(path, fast_decode=fast_decode))


def load_image_input(path: str | os.PathLike[str], *, fast_decode: bool = False) -> np.ndarray:
    """`load_input` for a command given one image: an unreadable file is a UserError that names it."""
    from alexnet_gui.core.errors import UserError
    from alexnet_gui.core.pipeline.images import ImageError

    try:
        return load_input(path, fast_decode=fast_decode)
    except ImageError as exc:
        raise UserError(f"{os.fspath(path)}: {exc}") from None


def crop_box(width: int, height: int) -> tuple[int, int, int, int]:
    """Return the (left, top, right, bottom) box, in original pixels, of what the 224x224 crop shows."""
    rw, rh = resized_size(width, height)
    left, top = _crop_origin(rw, rh)
    sx, sy = width / rw, height / rh
    return (
        round(left * sx), round(top * sy),
        round((left + CROP_SIZE) * sx), round((top + CROP_SIZE) * sy),
    )


def denormalise(x: np.ndarray) -> np.ndarray:
    """(3, H, W) normalised input → (H, W, 3) uint8 RGB, for showing what the network saw."""
    import numpy as np

    mean, std = _mean_std()
    rgb = (x * std + mean) * 255.0
    return np.clip(np.rint(rgb), 0, 255).astype(np.uint8).transpose(1, 2, 0)
