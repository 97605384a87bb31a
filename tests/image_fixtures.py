"""Image files made in code for the tests: photo-like JPEGs and a folder of every awkward case."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import numpy as np
from PIL import Image


def photo_like(width: int, height: int, seed: int = 0) -> Image.Image:
    """A smooth, textured RGB image (gradients, blobs, mild noise) that compresses like a photograph."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    yy /= max(height - 1, 1)
    xx /= max(width - 1, 1)
    img = np.zeros((height, width, 3), np.float32)
    for c in range(3):
        a, b, p = rng.uniform(-1, 1, 3)
        img[..., c] = 128 + 60 * np.sin(3 * a * xx + 2 * b * yy + 6 * p)
    for _ in range(6):
        cx, cy, r = rng.uniform(0, 1), rng.uniform(0, 1), rng.uniform(0.05, 0.3)
        blob = np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * r * r))
        img += blob[..., None] * rng.uniform(-90, 90, 3)
    img += rng.normal(0, 6, img.shape).astype(np.float32)
    return Image.fromarray(np.clip(img, 0, 255).astype(np.uint8))


def write_photos(folder: Path, n: int, size: tuple[int, int] = (640, 480), seed: int = 0) -> list[Path]:
    """Write n photo-like JPEGs `photo_000.jpg`... into folder; return their paths in order."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        path = folder / f"photo_{i:03d}.jpg"
        photo_like(*size, seed=seed * 100_003 + i).save(path, quality=90)
        paths.append(path)
    return paths


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def bomb_png(width: int = 40000, height: int = 40000) -> bytes:
    """A tiny PNG whose header claims width x height pixels (a decompression bomb)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 1024)
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IDAT", idat) + _png_chunk(b"IEND", b"")


def _jpeg_bytes(img: Image.Image, **kw) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=90, **kw)
    return buf.getvalue()


def write_tricky_folder(folder: Path) -> dict[str, str | None]:
    """Write every awkward case into folder; return {file name: expected error sentence, or None if it classifies}.

    `notes.txt` and `.hidden.jpg` are there to be skipped by folder walks (listed with None).
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    base = photo_like(320, 240, seed=7)
    expected: dict[str, str | None] = {}

    def put(name: str, data: bytes, error: str | None) -> None:
        (folder / name).write_bytes(data)
        expected[name] = error

    put("good.jpg", _jpeg_bytes(base), None)
    buf = io.BytesIO()
    base.save(buf, "PNG")
    put("good.png", buf.getvalue(), None)
    put("broken.jpg", np.random.default_rng(1).bytes(2000), "not an image file")
    put("text.png", b"this is a text file, not a picture\n", "not an image file")
    full = _jpeg_bytes(photo_like(640, 480, seed=8))
    put("truncated.jpg", full[: len(full) // 2], "truncated JPEG")
    put("empty.jpg", b"", "empty file")
    put("bomb.png", bomb_png(), "image too large (40000x40000 pixels)")
    put("cmyk.jpg", _jpeg_bytes(base.convert("CMYK")), None)
    buf = io.BytesIO()
    Image.fromarray(np.asarray(base.convert("L"), np.uint16) * 257).save(buf, "PNG")
    put("sixteen_bit.png", buf.getvalue(), None)
    pal = base.convert("P", palette=Image.ADAPTIVE, colors=64)
    buf = io.BytesIO()
    pal.save(buf, "PNG", transparency=0)
    put("palette_transparent.png", buf.getvalue(), None)
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90° clockwise to display
    put("exif_rotated.jpg", _jpeg_bytes(base, exif=exif.tobytes()), None)
    frames = [photo_like(120, 90, seed=s).convert("P") for s in (1, 2, 3)]
    buf = io.BytesIO()
    frames[0].save(buf, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    put("animated.gif", buf.getvalue(), None)
    buf = io.BytesIO()
    base.save(buf, "TIFF", save_all=True, append_images=[photo_like(320, 240, seed=9)])
    put("multipage.tiff", buf.getvalue(), None)
    put("café_日本.jpg", _jpeg_bytes(photo_like(200, 150, seed=10)), None)
    buf = io.BytesIO()
    base.convert("LA").save(buf, "PNG")
    put("grey_alpha.png", buf.getvalue(), None)
    put("notes.txt", b"not an image\n", None)
    put(".hidden.jpg", _jpeg_bytes(base), None)
    return expected
