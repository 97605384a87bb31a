"""Open any image file Pillow can read as a fully decoded RGB image, or say in one sentence why not."""

from __future__ import annotations

import errno
import functools
import os
import stat
import threading
import warnings
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from alexnet_gui.core.errors import UserError
from alexnet_gui.core.language import N_

#: The files a folder walk classifies (a file named on its own is always tried): photo and raster formats Pillow
#: opens, AVIF among them (Pillow 11.2+), so a folder and a named file agree.
IMAGE_EXTENSIONS: frozenset[str] = frozenset({
    ".jpg", ".jpeg", ".jpe", ".jfif", ".png", ".bmp", ".dib", ".gif", ".tif", ".tiff", ".webp",
    ".ppm", ".pgm", ".pbm", ".pnm", ".tga", ".ico", ".jp2", ".j2k", ".sgi", ".pcx", ".qoi", ".avif", ".avifs",
})

#: Refuse images above this many pixels (Pillow's own bomb limit, 2 x MAX_IMAGE_PIXELS by default),
#: checked from the header before any pixel is decoded.
MAX_PIXELS = 178_956_970

#: Refuse images whose long side is more than this many times the short one. Preprocessing resizes the short side
#: to 256 before the crop, so the work follows the resized size, not the file's: a 1x40000 PNG (160 bytes) would
#: become 256x10,240,000 pixels (7.9 GB). At 256:1 the resized image is at most 256x65,536 (50 MB), and the crop
#: of such a strip shows a 224-pixel sliver of it anyway.
MAX_ASPECT_RATIO = 256

# The short side the exact path resizes to; draft decoding must never go below it.
_DRAFT_MIN_SIDE = 256
_MAX_JPEG_BLOCK = 64 << 20


# warnings.catch_warnings swaps the process-wide filter list; decode threads entering it together can restore a
# stale list and let DecompressionBombWarning escape (an exception under -W error). Serialise the header read.
_OPEN_LOCK = threading.Lock()


class ImageError(UserError):
    """A file that cannot be classified; the message is the reason, one sentence."""


def _header_size(path: str) -> tuple[int, int] | None:
    """Read an image's size from its header the way Image.open does, but without the bomb check."""
    with open(path, "rb") as fp:
        prefix = fp.read(16)
        Image.init()
        for fmt in Image.ID:
            factory, accept = Image.OPEN[fmt]
            if accept and not accept(prefix):
                continue
            fp.seek(0)
            try:
                return factory(fp, path).size
            except Exception:  # noqa: BLE001 - try the next plugin, as Pillow does
                continue
    return None


def _is_truncation(exc: BaseException) -> bool:
    # Pillow says "image file is truncated" while decoding and "Truncated File Read" while parsing headers.
    return "truncated" in str(exc).lower()


def _format_name(path: str) -> str:
    """The format Pillow identifies from the first bytes, else the file's suffix (for errors before Image.open returns)."""
    with open(path, "rb") as fp:
        prefix = fp.read(16)
    Image.init()
    for fmt in Image.ID:
        accept = Image.OPEN[fmt][1]
        if accept and accept(prefix):
            return fmt
    return Path(path).suffix.lstrip(".").upper() or "image"


def _too_large(size: tuple[int, int]) -> ImageError:
    return ImageError(f"image too large ({size[0]}x{size[1]} pixels)")


def open_checked(path: str) -> Image.Image:
    try:
        st = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        raise ImageError(N_("file not found")) from None
    except PermissionError:
        raise ImageError(N_("permission denied")) from None
    except ValueError:  # an embedded NUL byte
        raise ImageError(N_("invalid file name")) from None
    except OSError as exc:
        if exc.errno == errno.ENAMETOOLONG:
            raise ImageError(N_("file name too long")) from None
        raise ImageError(f"cannot read the file ({exc.strerror})") from None
    if os.path.isdir(path):
        try:
            os.listdir(path)
        except OSError as exc:
            raise ImageError(f"folder could not be read ({(exc.strerror or 'error').lower()})") from None
        raise ImageError(N_("is a folder, not an image file"))
    if not stat.S_ISREG(st.st_mode):
        # A FIFO would block the reader forever, a device could stream without end.
        raise ImageError(N_("not a regular file"))
    if st.st_size == 0:
        raise ImageError(N_("empty file"))
    try:
        with _OPEN_LOCK, warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            # Damaged TIFF/ICO headers warn ("Tag data larger than file") and are then refused or read anyway.
            warnings.simplefilter("ignore", UserWarning)
            im = Image.open(path)
    except Image.DecompressionBombError:
        size = _header_size(path)
        raise (_too_large(size) if size else ImageError(N_("image too large"))) from None
    except UnidentifiedImageError:
        raise ImageError(N_("not an image file")) from None
    except PermissionError:
        raise ImageError(N_("permission denied")) from None
    except (OSError, SyntaxError, ValueError) as exc:
        if _is_truncation(exc):
            raise ImageError(f"truncated {_format_name(path)}") from None
        raise ImageError(f"unreadable image header ({exc})") from None
    if im.format == "TIFF":
        silence_libtiff()  # before its pixels are decoded
    w, h = im.size
    if w * h > MAX_PIXELS:
        im.close()
        raise _too_large((w, h))
    if w == 0 or h == 0:
        im.close()
        raise ImageError(N_("image has zero pixels"))
    if max(w, h) > MAX_ASPECT_RATIO * min(w, h):
        im.close()
        raise ImageError(f"image too elongated to classify ({w}x{h} pixels; at most {MAX_ASPECT_RATIO}:1)")
    if im.format == "JPEG":
        # Pillow feeds its decoder 64 kB at a time and takes the GIL back after every read and every chunk, 74 times
        # for a 2.4 MB photo; while the model's imports hold the GIL, each of those waits a switch interval. With
        # the whole file as one block, the read and the decode take it back once each.
        im.decodermaxblock = max(im.decodermaxblock, min(st.st_size, _MAX_JPEG_BLOCK))
    return im


@functools.cache
def silence_libtiff() -> None:
    """Stop libtiff printing its warnings and errors ("LZWDecode: Not enough data at scanline 85") on stderr, where
    they break the progress bar and say nothing the row's reason does not. Pillow sets no handlers of its own, so
    the library Pillow loaded gets NULL handlers through ctypes; where it cannot be found, nothing changes."""
    import ctypes

    try:
        with open("/proc/self/maps", encoding="utf-8") as maps:
            paths = {line.split()[-1] for line in maps if "/libtiff" in line}
    except OSError:
        return
    for path in paths:
        try:
            lib = ctypes.CDLL(path)
            lib.TIFFSetWarningHandler(None)
            lib.TIFFSetErrorHandler(None)
        except (OSError, AttributeError):
            continue


def _to_rgb(im: Image.Image) -> Image.Image:
    mode = im.mode
    if mode == "RGB":
        return im
    if mode in ("I;16", "I;16L", "I;16B", "I;16N", "I"):
        # 16-bit data: keep the top 8 bits, as an 8-bit export of the same image would.
        import numpy as np

        arr = np.asarray(im).astype(np.uint32)
        if mode == "I" and arr.max(initial=0) <= 255:
            return Image.fromarray(arr.astype(np.uint8)).convert("RGB")
        return Image.fromarray((np.clip(arr, 0, 65535) >> 8).astype(np.uint8)).convert("RGB")
    if mode == "F":
        import numpy as np

        values = np.asarray(im, dtype=np.float32)
        if values.max(initial=0.0) <= 1.0:
            values = values * 255.0
        return Image.fromarray(np.clip(np.rint(values), 0, 255).astype(np.uint8)).convert("RGB")
    if mode in ("RGBA", "LA", "PA", "La", "RGBa") or (mode == "P" and "transparency" in im.info) or (
        mode in ("L", "RGB") and "transparency" in im.info
    ):
        rgba = im.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert("RGB")
    return im.convert("RGB")


def open_rgb(path: str | os.PathLike[str], *, draft: bool = False) -> Image.Image:
    """Open `path` as a fully loaded RGB image: EXIF orientation applied, any mode converted, alpha on white.

    `draft=True` lets a JPEG decode at the smallest DCT scale (1/2, 1/4, 1/8) whose short side stays >= 256,
    which is much faster for large photos; `image.info["full_size"]` keeps the full-resolution size. Raises ImageError with one sentence when the file cannot be used.
    """
    path = os.fspath(path)
    im = open_checked(path)
    fmt = im.format or Path(path).suffix.lstrip(".").upper() or "image"
    full_size = im.size
    try:
        if draft and im.format == "JPEG":
            im.draft(im.mode, (_DRAFT_MIN_SIDE, _DRAFT_MIN_SIDE))
        im.load()
    except OSError as exc:
        im.close()
        if _is_truncation(exc):
            raise ImageError(f"truncated {fmt}") from None
        raise ImageError(f"corrupt {fmt} data ({exc})") from None
    except (SyntaxError, ValueError, EOFError, IndexError, UserWarning) as exc:
        # IndexError: Pillow's PNG reader on chunks out of order (an iCCP after IDAT). UserWarning: a damaged TIFF's EXIF re-read at the end of loading, when warnings are errors (-W error).
        im.close()
        raise ImageError(f"corrupt {fmt} data ({exc})") from None
    decoded_size = im.size
    try:
        # In place: a 12-megapixel photo with no rotation to apply is not copied (about 50 MB and 10 ms saved).
        ImageOps.exif_transpose(im, in_place=True)
    except Exception:  # noqa: BLE001 - a broken EXIF block should not cost the image; keep it unrotated
        pass
    rgb = _to_rgb(im)
    if im.size != decoded_size:  # EXIF rotated by 90 or 270 degrees
        full_size = full_size[::-1]
    if rgb is not im:
        im.close()
    elif im.format != "JPEG" or getattr(im, "fp", None) is not None:
        # Multi-frame formats (GIF, TIFF, MPO) keep their file open to seek frames: keep the pixels, close the file.
        # A plain JPEG has closed its file after decoding, so the large decoded photo is not copied.
        rgb = im.copy()
        im.close()
    # A draft decode is smaller than the file: preprocessing resizes to the full image's geometry.
    rgb.info["full_size"] = full_size
    return rgb


def check_image_file(path: str | os.PathLike[str]) -> None:
    """Raise ImageError unless `path` is a regular file whose header opens as an image (no pixels are decoded)."""
    open_checked(os.fspath(path)).close()


def open_thumbnail(path: str | os.PathLike[str], side: int) -> Image.Image:
    """A thumbnail of at most `side` x `side` pixels, opened and converted as `open_rgb` does (ImageError if not)."""
    im = open_rgb(path, draft=True)
    im.thumbnail((side, side))
    return im
