"""Frozen features, computed once and cached on disk: what `train --mode head` trains the classifier on.

Each image is decoded by the card's recipe (the same decode the engine classifies with), run through the frozen
part of the network, and its feature row written straight to an `.npy` file in the cache. Training reads the rows
back through a memory map and drops the pages it has read, so memory stays flat however big the folder: 100,000
images of 4,096 floats are 1.6 GB on disk and a few MB in the process. The cache key covers the weights, the
recipe, the layer and every file's size and modification time, so a second training on the same folder (another
learning rate, `--resume`) skips the extraction.
"""

from __future__ import annotations

import json
import mmap
import os
from collections.abc import Generator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from alexnet_gui.core.language import gettext
from alexnet_gui.core.model.preprocess import Recipe
from alexnet_gui.core.pipeline.batches import decode_batches

if TYPE_CHECKING:
    import threading

    import torch

#: after this many bytes read from a memory map its pages are dropped from the process (they stay in the OS cache)
_DROP_EVERY = 64 << 20


@dataclass
class FeatureSet:
    """Feature rows of a list of images (one row per image, in order); `valid[i]` is False for an image that
    could not be read, whose reason is in `failed`."""

    path: Path
    rows: int
    width: int
    valid: np.ndarray
    failed: dict[str, str]
    #: images per second of the extraction (0.0 when the rows came from the cache)
    images_per_second: float = 0.0

    def reader(self) -> FeatureReader:
        """Open the rows for reading through a memory map."""
        return FeatureReader(self.path, self.rows, self.width)


class FeatureReader:
    """Rows of a cached feature file, read through a memory map whose pages are dropped as reading goes on."""

    def __init__(self, path: Path, rows: int, width: int) -> None:
        self._file = open(path, "rb")  # noqa: SIM115 - closed by close()
        self._map = mmap.mmap(self._file.fileno(), 0, access=mmap.ACCESS_READ)
        offset = os.path.getsize(path) - rows * width * 4
        self._array = np.frombuffer(self._map, np.float32, rows * width, offset).reshape(rows, width)
        self._read = 0

    def take(self, indices: np.ndarray) -> np.ndarray:
        """A copy of the rows at `indices`."""
        out = self._array[indices]
        self._read += out.nbytes
        if self._read >= _DROP_EVERY and hasattr(self._map, "madvise"):
            self._map.madvise(mmap.MADV_DONTNEED)
            self._read = 0
        return out

    def close(self) -> None:
        """Release the map and the file."""
        del self._array
        self._map.close()
        self._file.close()


def cached_features(folder: Path, key: str) -> FeatureSet | None:
    """The complete feature file for `key` in `folder`, or None."""
    meta_path = folder / f"{key}.json"
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        valid = np.array(meta["valid"], dtype=bool)
        feature_set = FeatureSet(folder / f"{key}.npy", int(meta["rows"]), int(meta["width"]), valid,
                                 dict(meta["failed"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not feature_set.path.is_file():
        return None
    return feature_set


def feature_key(card, layer: str, paths: Sequence[str]) -> str:
    """The cache key of `layer`'s features of `paths` under `card` (its weights, architecture and recipe): one
    definition for every user of the cache (`train --mode head`, `label-issues`), so the same request never misses."""
    from alexnet_gui.core.pipeline.batches import cache_key

    return cache_key({"weights": card.sha256 or card.card_id,
                      "arch": card.architecture.to_dict() if card.architecture else None,
                      "recipe": card.preprocess.to_dict(), "layer": layer}, list(paths))


def run_extraction(extraction: Generator[tuple[int, int], None, FeatureSet | None],
                   on_progress=None) -> FeatureSet | None:
    """Drive `extract_features` to its end, reporting (done, total) to `on_progress`; closed on the way out, so an
    interrupted extraction's half-written file goes at once, not at garbage collection."""
    try:
        while True:
            try:
                done, total = next(extraction)
            except StopIteration as stop:
                return stop.value
            if on_progress is not None:
                on_progress(done, total)
    finally:
        extraction.close()


def extract_features(
    trunk: torch.nn.Module,
    paths: Sequence[str],
    recipe: Recipe,
    *,
    folder: Path,
    key: str,
    device: torch.device,
    batch_size: int = 64,
    workers: int = 2,
    cancel: threading.Event | None = None,
) -> Generator[tuple[int, int], None, FeatureSet | None]:
    """Run every image through the frozen `trunk` and write its features to `folder/key.npy`, yielding (images
    done, total) after each batch; return the FeatureSet (a cached one at once), or None when cancelled (nothing
    is left in the cache then)."""
    import time

    import torch

    found = cached_features(folder, key)
    if found is not None:
        yield len(paths), len(paths)
        return found
    folder.mkdir(parents=True, exist_ok=True)
    part = folder / f".{key}.npy.{os.getpid()}.part"
    valid = np.zeros(len(paths), dtype=bool)
    failed: dict[str, str] = {}
    width = 0
    start = time.perf_counter()
    done = 0
    try:
        with open(part, "wb") as out:
            for batch in decode_batches(paths, recipe, batch_size, workers):
                if cancel is not None and cancel.is_set():
                    return None
                ok = [x for x in batch if not isinstance(x, str)]
                for offset, x in enumerate(batch):
                    if isinstance(x, str):
                        failed[paths[done + offset]] = x
                    else:
                        valid[done + offset] = True
                if ok:
                    with torch.inference_mode():
                        rows = trunk(torch.from_numpy(np.stack(ok)).to(device)).float().cpu().numpy()
                else:
                    rows = np.zeros((0, width), np.float32)
                if width == 0 and len(rows):
                    width = rows.shape[1]
                    # Rows for the images before this one that could not be read, and room for the header.
                    _write_header(out, len(paths), width)
                    out.write(np.zeros((done, width), np.float32).tobytes())
                full = np.zeros((len(batch), width), np.float32)
                full[[not isinstance(x, str) for x in batch]] = rows
                if width:
                    out.write(full.tobytes())
                done += len(batch)
                yield done, len(paths)
            if width == 0:
                from alexnet_gui.core.errors import UserError

                raise UserError(gettext("none of the images could be read"))
        seconds = time.perf_counter() - start
        meta = {"rows": len(paths), "width": width, "valid": valid.tolist(), "failed": failed}
        (folder / f"{key}.json").write_text(json.dumps(meta), encoding="utf-8")
        os.replace(part, folder / f"{key}.npy")
    finally:
        part.unlink(missing_ok=True)
    return FeatureSet(folder / f"{key}.npy", len(paths), width, valid, failed, len(paths) / max(seconds, 1e-9))


def _write_header(out, rows: int, width: int) -> None:
    # An .npy header, so the cache is a plain numpy file anyone can np.load(mmap_mode="r").
    np.lib.format.write_array_header_1_0(out, {"descr": "<f4", "fortran_order": False, "shape": (rows, width)})
