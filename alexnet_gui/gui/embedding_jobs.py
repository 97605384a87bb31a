"""The embedding workflows as the app's jobs (issue 34): the index of the loaded model, recording while classifying,
and one task per workflow (similar images, near-duplicates, the map), each calling one core task function.

Everything here runs on the inference thread (which owns the backend and the open index); only the typed answers
travel back to the views. Thumbnails are made there too, as arrays: a view turns them into pixmaps in a few ms.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

import numpy as np

#: the layer the app records and compares (the paper's Figure 4: fc7 after its ReLU)
LAYER = "fc7"
#: the side of the thumbnails the answers carry, in pixels
THUMB_SIDE = 112

# The indexes opened on the inference thread, by store: classifying and the views' jobs share one.
_open_indexes: dict[str, Any] = {}
_lock = threading.Lock()


def app_index(card):
    """The embedding index of `card`'s fc7 (beside the model cache, as the command line's), opened once."""
    from alexnet_gui.core.embeddings.index import open_index, store_key

    recipe = card.preprocess.to_dict()
    key = store_key(card.card_id, recipe, LAYER)
    with _lock:
        index = _open_indexes.get(key)
        if index is None:
            index = _open_indexes[key] = open_index(card.card_id, LAYER, recipe=recipe)
        return index


def can_record(backend, options) -> bool:
    """Whether a classification with `options` records fc7: the single centre crop of the exact decode, on a model
    that has the layer (the ONNX backend's int8 and fp16 copies record from an fp32 run of the same batch)."""
    return (getattr(options, "record_embeddings", False) and options.tta == "none" and not options.fast_decode
            and LAYER in backend.card.unit_layers() and "activations" in backend.capabilities)


def embedding_recorder(backend, options):
    """The recorder the classify job's engine gets (None when it cannot record): the vectors come from the same
    model run as the scores, into the index the Similar tab, the map and the duplicates read."""
    if not can_record(backend, options):
        return None
    from alexnet_gui.core.embeddings.tasks import EmbeddingRecorder

    card = backend.card
    return EmbeddingRecorder(lambda: app_index(card), layer=LAYER)


def thumbnails(paths: list[str], side: int = THUMB_SIDE) -> list[np.ndarray | None]:
    """Small RGB arrays of `paths` (None for a file that cannot be read any more)."""
    from alexnet_gui.core.pipeline.images import ImageError, open_thumbnail

    out: list[np.ndarray | None] = []
    for path in paths:
        try:
            out.append(np.asarray(open_thumbnail(path, side)))
        except (ImageError, OSError):
            out.append(None)
    return out


@dataclass(frozen=True)
class SimilarImages:
    """The `k` nearest images of `query` among the table's, with their distances, thumbnails and shared units."""

    query: str
    neighbours: list[tuple[int, str, float]]  # (rank, path, cosine distance), as the core's similar answers
    thumbs: list
    units: list[tuple[int, float]]  # (fc7 unit, score): the units the query and its neighbours share most
    searched: int  # images compared
    computed: int  # vectors computed for this answer (0: all came from the index)
    query_thumb: Any = None


def similar_task(query: str, paths: list[str], k: int):
    """The job of the Similar tab: the core's `similar` over the table's images, then the units shared most."""

    def task(run) -> SimilarImages:
        from alexnet_gui.core.embeddings.search import shared_units
        from alexnet_gui.core.embeddings.tasks import similar

        backend = run.backend
        answer = similar(query, paths, app_index(backend.card), lambda: backend, k=k, cancel=run.cancel,
                         on_progress=run.progress)
        if answer is None:
            return None
        found, done = answer
        position = {p: i for i, p in enumerate(done.paths)}
        neighbours = done.vectors[[position[p] for _, p, _ in found]] if found else done.vectors[:0]
        units = shared_units(done.vectors[0], neighbours)
        query_thumb, *thumbs = thumbnails([query, *[p for _, p, _ in found]])
        return SimilarImages(query, found, thumbs, units, len(done.paths) - 1, done.computed, query_thumb)

    return task


@dataclass(frozen=True)
class DuplicateGroups:
    """Near-duplicate groups: each a list of (path, cosine distance to its first member), with thumbnails."""

    threshold: float
    groups: list[list[tuple[str, float]]]
    thumbs: dict[str, Any] = field(default_factory=dict)
    searched: int = 0


def duplicates_task(paths: list[str], threshold: float):
    """The job of Tools > Find near-duplicates…: the core's `duplicates` over the table's images."""

    def task(run) -> DuplicateGroups | None:
        from alexnet_gui.core.embeddings.tasks import duplicates

        backend = run.backend
        answer = duplicates(paths, app_index(backend.card), lambda: backend, threshold=threshold,
                            cancel=run.cancel, on_progress=run.progress)
        if answer is None:
            return None
        rows, done = answer
        groups: dict[int, list[tuple[str, float]]] = {}
        for number, path, distance in rows:
            groups.setdefault(number, []).append((path, distance))
        members = [p for _, p, _ in rows]
        return DuplicateGroups(threshold, list(groups.values()), dict(zip(members, thumbnails(members))),
                               len(done.paths))

    return task


@dataclass(frozen=True)
class FolderMap:
    """The table's images in 2-D: (path, x, y, the model's top-1 label recorded with the vector)."""

    rows: list[tuple[str, float, float, str]]
    method: str


def map_task(paths: list[str], method: str = "pca"):
    """The job of the Map view: the core's `folder_map` over the table's images."""

    def task(run) -> FolderMap | None:
        from alexnet_gui.core.embeddings.tasks import folder_map

        backend = run.backend
        answer = folder_map(paths, app_index(backend.card), lambda: backend, method=method, cancel=run.cancel,
                            on_progress=run.progress)
        return None if answer is None else FolderMap(answer[0], method)

    return task
