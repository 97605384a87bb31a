"""Dataset examples (Zeiler and Fergus; OpenAI Microscope): for a unit of a layer, the images of the user's folder
that activate it most, each with the patch of the input (its receptive field) around the strongest position.

One pass over the folder keeps, for every channel of the chosen layers, only its running top N (value, image,
position): a few MB whatever the folder's size, never the activations. The index is cached on disk (keyed by the
model, its recipe, the layers and every file's size and time), so asking for another unit of the same folder is
answered at once. Runs on either backend: it needs activations, not gradients.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from alexnet_gui.core.errors import UserError
from alexnet_gui.core.language import gettext

#: how many images each unit keeps (the views show up to this many)
KEEP = 32


@dataclass
class TopImages:
    """The running top `keep` of each channel of one layer: value, image index, (y, x) in the layer's map."""

    layer: str
    values: np.ndarray     # (C, keep) float32, -inf where empty
    images: np.ndarray     # (C, keep) int64, -1 where empty
    positions: np.ndarray  # (C, keep, 2) int32

    @classmethod
    def empty(cls, layer: str, channels: int, keep: int = KEEP) -> TopImages:
        """Nothing seen yet."""
        return cls(layer, np.full((channels, keep), -np.inf, np.float32), np.full((channels, keep), -1, np.int64),
                   np.zeros((channels, keep, 2), np.int32))

    def update(self, activations: np.ndarray, image_ids: np.ndarray) -> None:
        """Merge a batch's activations (B, C, H, W), or (B, C) for a fully-connected layer, for images `image_ids`
        into the top lists."""
        if activations.ndim == 2:
            activations = activations[:, :, None, None]
        b, c, h, w = activations.shape
        flat = activations.reshape(b, c, h * w)
        where = flat.argmax(axis=2)                                    # (B, C)
        best = np.take_along_axis(flat, where[..., None], 2)[..., 0].T.astype(np.float32)  # (C, B)
        # Only channels where some image reaches the current last place are sorted again: after the first few
        # batches of a large folder that is a few of them (fc6's 4096 would otherwise cost 20 ms a batch).
        rows = np.flatnonzero((best >= self.values[:, -1:]).any(axis=1))
        if rows.size == 0:
            return
        where = where[:, rows]
        values, images, positions = self._best_of(
            np.concatenate([self.values[rows], best[rows]], axis=1),
            np.concatenate([self.images[rows], np.broadcast_to(image_ids[None, :], (rows.size, b))], axis=1),
            np.concatenate([self.positions[rows], np.stack([where // w, where % w], axis=2).transpose(1, 0, 2)],
                           axis=1).astype(np.int32))
        self.values[rows], self.images[rows], self.positions[rows] = values, images, positions

    def _best_of(self, values: np.ndarray, images: np.ndarray,
                 positions: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        keep = self.values.shape[1]
        # Ties go to the earlier image (a stable order), so the answer is the same however the batches fall; an
        # empty slot (image -1, -inf) sorts last.
        order = np.lexsort((np.where(images < 0, np.iinfo(np.int64).max, images), -values), axis=1)[:, :keep]
        return (np.take_along_axis(values, order, 1), np.take_along_axis(images, order, 1),
                np.take_along_axis(positions, order[..., None], 1))

    def merged(self, other: TopImages, offset: int) -> TopImages:
        """These top lists and `other`'s (whose image indices are shifted by `offset`) as one."""
        return TopImages(self.layer, *self._best_of(
            np.concatenate([self.values, other.values], axis=1),
            np.concatenate([self.images, np.where(other.images < 0, -1, other.images + offset)], axis=1),
            np.concatenate([self.positions, other.positions], axis=1)))

    def without(self, images: np.ndarray) -> TopImages:
        """These top lists with the entries of `images` (a boolean mask over image indices) emptied."""
        drop = np.zeros(self.images.shape, bool)
        known = self.images >= 0
        drop[known] = images[self.images[known]]
        return TopImages(self.layer, *self._best_of(np.where(drop, -np.inf, self.values).astype(np.float32),
                                                    np.where(drop, -1, self.images), self.positions))

    def counts(self) -> np.ndarray:
        """How many images each channel's list holds."""
        return (self.images >= 0).sum(axis=1)

    def best(self, unit: int, top: int) -> list[tuple[float, int, tuple[int, int]]]:
        """Up to `top` (value, image index, (y, x)) for one channel, strongest first."""
        if not 0 <= unit < self.values.shape[0]:
            raise UserError(
                gettext("{layer} has units 0..{value}, not {unit}").format(
                    layer=self.layer, value=self.values.shape[0] - 1, unit=unit
                )
            )
        out: list[tuple[float, int, tuple[int, int]]] = []
        for value, image, (y, x) in zip(self.values[unit], self.images[unit], self.positions[unit]):
            if image >= 0 and len(out) < top:
                out.append((float(value), int(image), (int(y), int(x))))
        return out


@dataclass
class ExampleIndex:
    """The top images of every channel of some layers, over a list of images."""

    paths: list[str]
    layers: dict[str, TopImages]
    failed: dict[str, str] = field(default_factory=dict)
    #: each path's size and time when it was seen (`batches.file_stamp`): a recorded index, which grows over many
    #: runs, tells by them which of its images are still the files it saw; empty for a folder's index, whose
    #: cache key already holds them
    stamps: list[str] = field(default_factory=list)

    def save(self, path: Path) -> None:
        """Write the index (an .npz) atomically."""
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp.npz")
        arrays = {"paths": np.array(self.paths, dtype=object), "failed": np.array(sorted(self.failed.items()),
                                                                                  dtype=object),
                  "stamps": np.array(self.stamps, dtype=object)}
        for name, top in self.layers.items():
            arrays[f"{name}.values"], arrays[f"{name}.images"] = top.values, top.images
            arrays[f"{name}.positions"] = top.positions
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            np.savez(tmp, **arrays)  # type: ignore[arg-type]  # numpy's stub types the keywords as allow_pickle
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)

    @classmethod
    def load(cls, path: Path, layers: Sequence[str]) -> ExampleIndex | None:
        """The saved index, or None when it is missing, damaged or lacks a layer."""
        try:
            with np.load(path, allow_pickle=True) as data:
                tops = {name: TopImages(name, data[f"{name}.values"], data[f"{name}.images"],
                                        data[f"{name}.positions"]) for name in layers}
                stamps = [str(x) for x in data["stamps"]] if "stamps" in data.files else []
                return cls(list(data["paths"]), tops, {str(k): str(v) for k, v in data["failed"]}, stamps)
        except (OSError, KeyError, ValueError):
            return None


def index_folder(backend, paths: Sequence[str], layers: Sequence[str], *, batch_size: int = 32, workers: int = 2,
                 cache_dir: Path | None = None, cancel: threading.Event | None = None,
                 on_progress: Callable[[int, int], None] | None = None) -> ExampleIndex | None:
    """Run every image through the backend once and keep each channel's top images at `layers`; a cached index
    of the same model, recipe and files is returned at once. None when cancelled."""
    from alexnet_gui.core.pipeline.batches import cache_key, decode_batches

    card = backend.card
    known = card.unit_layers()
    for name in layers:
        if name not in known:
            raise UserError(
                gettext("no layer {name!r} in this model; layers: {value}").format(
                    name=name, value=", ".join(known) or "none (an ONNX graph)"
                )
            )
    key = cache_key({"model": card.sha256 or card.card_id, "recipe": card.preprocess.to_dict(),
                     "layers": sorted(layers), "keep": KEEP}, paths)
    cached = cache_dir / f"{key}.npz" if cache_dir is not None else None
    if cached is not None and cached.is_file():
        found = ExampleIndex.load(cached, layers)
        if found is not None:
            if on_progress is not None:
                on_progress(len(paths), len(paths))
            return found
    tops: dict[str, TopImages] = {}
    failed: dict[str, str] = {}
    done = 0
    for batch in decode_batches(list(paths), card.preprocess, batch_size, workers):
        if cancel is not None and cancel.is_set():
            return None
        ok = [i for i, x in enumerate(batch) if not isinstance(x, str)]
        for i, x in enumerate(batch):
            if isinstance(x, str):
                failed[paths[done + i]] = x
        if ok:
            acts = backend.activations(np.stack([batch[i] for i in ok]), list(layers))
            ids = np.array([done + i for i in ok], dtype=np.int64)
            for name in layers:
                a = np.asarray(acts[name], dtype=np.float32)
                if name not in tops:
                    tops[name] = TopImages.empty(name, a.shape[1])
                tops[name].update(a, ids)
        done += len(batch)
        if on_progress is not None:
            on_progress(done, len(paths))
    if not tops:
        raise UserError(gettext("none of the images could be read"))
    index = ExampleIndex(list(paths), tops, failed)
    if cached is not None:
        index.save(cached)
    return index


def recorded_index_path(cache_dir: Path, card) -> Path:
    """Where the index recorded while classifying with this model (and recipe) is kept."""
    from alexnet_gui.core.pipeline.batches import cache_key

    key = cache_key({"model": card.sha256 or card.card_id, "recipe": card.preprocess.to_dict(), "keep": KEEP,
                     "recorded": 1}, [])
    return cache_dir / f"recorded-{key}.npz"


class UnitRecorder:
    """Keeps every unit's top images of each image the engine classifies (the engine hands it the activations of
    the batch it ran), so the Unit tab answers at once for a folder already classified. Its index grows over runs
    and sessions, saved beside the folder indices; memory and disk stay a few MB whatever the number of images
    (each unit keeps its top `KEEP`, never the activations)."""

    def __init__(self, card, cache_dir: Path, layers: Sequence[str] | None = None) -> None:
        self.layers = tuple(layers) if layers is not None else card.unit_layers()
        self.path = recorded_index_path(cache_dir, card)
        self.index = ExampleIndex.load(self.path, self.layers) or ExampleIndex([], {})
        if len(self.index.stamps) != len(self.index.paths):  # not a recorded index: start again
            self.index = ExampleIndex([], {})
        self._ids = {p: i for i, p in enumerate(self.index.paths)}
        self.recorded = 0

    def record(self, paths: Sequence[str], activations: dict[str, np.ndarray]) -> None:
        """Merge one batch: `paths[i]` produced row i of every layer's activations. An image already recorded as
        the same file is skipped; one that changed since replaces its old entries."""
        from alexnet_gui.core.pipeline.batches import file_stamp

        index = self.index
        rows, ids, stale = [], [], []
        for row, path in enumerate(paths):
            stamp = file_stamp(path)
            old = self._ids.get(path)
            if old is not None and index.stamps[old] == stamp:
                continue
            if old is not None:
                stale.append(old)
            self._ids[path] = len(index.paths)
            rows.append(row)
            ids.append(len(index.paths))
            index.paths.append(path)
            index.stamps.append(stamp)
        if stale:
            mask = np.zeros(len(index.paths), bool)
            mask[stale] = True
            index.layers = {name: top.without(mask) for name, top in index.layers.items()}
        if not rows:
            return
        image_ids = np.array(ids, dtype=np.int64)
        for name in self.layers:
            a = np.asarray(activations[name], dtype=np.float32)
            a = a if len(rows) == len(a) else a[rows]
            if name not in index.layers:
                index.layers[name] = TopImages.empty(name, a.shape[1])
            index.layers[name].update(a, image_ids)
        self.recorded += len(rows)

    def save(self) -> None:
        """Write the index (atomically) when this recorder added to it."""
        if self.recorded:
            self.index.save(self.path)


def index_for_paths(backend, paths: Sequence[str], layer: str, *, unit: int | None = None, top: int = KEEP,
                    cache_dir: Path | None = None, cancel: threading.Event | None = None,
                    on_progress: Callable[[int, int], None] | None = None) -> ExampleIndex | None:
    """The index of `layer` over exactly `paths`: from what was recorded while classifying them (`UnitRecorder`),
    with a pass over only the images it lacks, or one pass over all of them (`index_folder`) when nothing was
    recorded, or when too many of a unit's recorded top images are no longer among `paths` to answer `top`
    exactly (for `unit`, or every unit when None). None when cancelled."""
    from alexnet_gui.core.pipeline.batches import file_stamp

    def full_pass() -> ExampleIndex | None:
        return index_folder(backend, paths, [layer], cache_dir=cache_dir, cancel=cancel, on_progress=on_progress)

    recorded = ExampleIndex.load(recorded_index_path(cache_dir, backend.card), [layer]) if cache_dir else None
    if recorded is None or len(recorded.stamps) != len(recorded.paths):
        return full_pass()
    wanted = set(paths)
    valid = np.array([p in wanted and stamp == file_stamp(p) for p, stamp in zip(recorded.paths, recorded.stamps)],
                     bool)
    if not valid.any():
        return full_pass()
    tops = recorded.layers[layer].without(~valid)
    need = min(top, int(valid.sum()))
    counts = tops.counts() if unit is None else tops.counts()[unit:unit + 1]
    if (counts < need).any():
        return full_pass()
    covered = {p for p, ok in zip(recorded.paths, valid) if ok}
    missing = [p for p in paths if p not in covered]
    if not missing:
        if on_progress is not None:
            on_progress(len(paths), len(paths))
        return ExampleIndex(recorded.paths, {layer: tops})
    extra = index_folder(backend, missing, [layer], cache_dir=cache_dir, cancel=cancel,
                         on_progress=None if on_progress is None else
                         lambda done, _total: on_progress(len(covered) + done, len(paths)))
    if extra is None:
        return None
    return ExampleIndex(recorded.paths + extra.paths, {layer: tops.merged(extra.layers[layer], len(recorded.paths))},
                        extra.failed)


@dataclass(frozen=True)
class Example:
    """One dataset example: the image, its activation, and the box of the input that the unit saw."""

    path: str
    value: float
    position: tuple[int, int]
    box: tuple[int, int, int, int]  # top, left, bottom, right in the network's input crop
    #: (h, w, 3) uint8: the unit's whole receptive field, the crop's pixels inside the box, grey outside the image
    patch: np.ndarray


def unit_examples(index: ExampleIndex, card, layer: str, unit: int, top: int = 9) -> list[Example]:
    """The strongest `top` images of one unit, each with its receptive-field patch."""
    from alexnet_gui.core.model.archs import receptive_field
    from alexnet_gui.core.pipeline.decode import load_crop

    if layer not in index.layers:
        raise UserError(
            gettext("the index has no layer {layer!r} (it has {join})").format(
                layer=layer, join=", ".join(index.layers)
            )
        )
    if card.architecture is None:
        raise UserError(gettext("dataset examples need the network's layer geometry: open the model's PyTorch file"))
    out = []
    for value, image, (y, x) in index.layers[layer].best(unit, top):
        path = index.paths[image]
        box = receptive_field(card.architecture, layer, y, x)
        full = receptive_field(card.architecture, layer, y, x, clip=False)
        crop = load_crop(path, recipe=card.preprocess)
        t, left, b, r = box
        # The whole field, grey where it reaches past the image's edge (as the network's zero padding does).
        patch = np.full((full[2] - full[0], full[3] - full[1], 3), 40, np.uint8)
        patch[t - full[0]:b - full[0], left - full[1]:r - full[1]] = crop[t:b, left:r]
        out.append(Example(path, value, (y, x), box, patch))
    return out


def examples_grid(examples: Sequence[Example], *, size: int = 96, cols: int | None = None) -> np.ndarray:
    """The patches side by side, each scaled to `size` pixels square (nearest neighbour: pixels stay pixels)."""
    from PIL import Image

    from alexnet_gui.core.analysis.visualize import tile

    if not examples:
        raise UserError(gettext("no examples to show"))
    tiles = np.stack([np.asarray(Image.fromarray(e.patch).resize((size, size), Image.Resampling.NEAREST))
                      for e in examples])
    return tile(tiles, cols=cols, scale=1, pad=4)[0]  # square-ish: 3x3 for 9, 4x4 for 16
