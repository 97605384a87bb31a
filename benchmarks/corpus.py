"""Deterministic photo-like JPEG corpus for the speed benchmark.

Each image is built from smooth colour fields (sky, shading), a few soft-edged shapes (objects), mid-frequency
texture and per-pixel sensor noise, then saved as a 4:2:0 JPEG at quality 90, as a phone or camera would.
The same seed gives the same files on every machine, so runs are comparable.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

# Bump when the recipe changes so a stale corpus folder is rebuilt.
CORPUS_VERSION = 1


def photo_like(width: int, height: int, seed: int) -> Image.Image:
    """Return an RGB image with the frequency content of a photograph (not flat, not white noise)."""
    rng = np.random.default_rng(seed)
    # Low frequencies: a 6x4 colour grid, bicubically upsampled, gives sky/wall/ground-like gradients.
    base = rng.integers(20, 235, size=(4, 6, 3), dtype=np.uint8)
    img = Image.fromarray(base).resize((width, height), Image.BICUBIC)
    # Objects: soft ellipses and polygons of varied colour, blurred so edges look optical, not drawn.
    layer = Image.new("RGB", (width, height))
    mask = Image.new("L", (width, height), 0)
    d_layer, d_mask = ImageDraw.Draw(layer), ImageDraw.Draw(mask)
    for _ in range(int(rng.integers(6, 14))):
        cx, cy = rng.uniform(0, width), rng.uniform(0, height)
        rx, ry = rng.uniform(0.03, 0.25) * width, rng.uniform(0.03, 0.25) * height
        colour = tuple(int(c) for c in rng.integers(0, 256, 3))
        if rng.random() < 0.5:
            box = (cx - rx, cy - ry, cx + rx, cy + ry)
            d_layer.ellipse(box, fill=colour)
            d_mask.ellipse(box, fill=int(rng.integers(150, 256)))
        else:
            pts = [(cx + rx * np.cos(a), cy + ry * np.sin(a)) for a in np.sort(rng.uniform(0, 2 * np.pi, 5))]
            d_layer.polygon(pts, fill=colour)
            d_mask.polygon(pts, fill=int(rng.integers(150, 256)))
    radius = max(1.0, width / 800)
    img = Image.composite(layer.filter(ImageFilter.GaussianBlur(radius)), img, mask.filter(ImageFilter.GaussianBlur(radius)))
    arr = np.asarray(img, dtype=np.float32)
    # Texture: mid-frequency noise (foliage, fabric), upsampled from a coarser grid.
    tex_small = rng.normal(0, 1, size=(max(2, height // 8), max(2, width // 8))).astype(np.float32)
    tex = np.asarray(Image.fromarray(tex_small, mode="F").resize((width, height), Image.BICUBIC))
    arr += 14.0 * tex[..., None]
    # Sensor noise: a little per-pixel grain, what makes real JPEGs cost what they cost to decode.
    arr += rng.normal(0, 3.0, size=(height, width, 1)).astype(np.float32)
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))


def _write(path: Path, width: int, height: int, seed: int) -> None:
    tmp = path.with_suffix(".tmp")
    photo_like(width, height, seed).save(tmp, "JPEG", quality=90, subsampling=2)
    os.replace(tmp, path)


def make_corpus(root: Path, n_medium: int = 150, n_large: int = 20) -> list[Path]:
    """Create (or reuse) `root` with n_medium 1024x768 and n_large 4032x3024 JPEGs; return their paths, sorted."""
    root.mkdir(parents=True, exist_ok=True)
    stamp = root / f".corpus-v{CORPUS_VERSION}-{n_medium}-{n_large}"
    specs = [(f"m{i:04d}.jpg", 1024, 768, 1000 + i) for i in range(n_medium)]
    specs += [(f"p{i:04d}.jpg", 4032, 3024, 5000 + i) for i in range(n_large)]
    if not stamp.exists():
        for name, w, h, seed in specs:
            p = root / name
            if not p.exists():
                _write(p, w, h, seed)
        stamp.touch()
    return sorted(root / name for name, *_ in specs)


def make_big_folder(root: Path, sources: list[Path], count: int) -> Path:
    """A folder of `count` files cycling through `sources`, each a copy of its own.

    Copies, not hard links: `classify` gives a file reached twice (a hard link included) one row, so a folder of
    links to 170 files is 170 images to it, whatever its listing says."""
    folder = root / f"folder{count}"
    stamp = folder / f".copied-{len(sources)}"
    if stamp.exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        src = sources[i % len(sources)]
        dst = folder / f"img{i:05d}.jpg"
        if dst.exists() and dst.stat().st_nlink == 1:
            continue
        dst.unlink(missing_ok=True)  # a hard link left by an earlier version of this script
        shutil.copyfile(src, dst)
    stamp.touch()
    return folder
