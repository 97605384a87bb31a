"""The embedding workflows as task functions the command line and the app share: each takes `cancel` (a
threading.Event, checked between batches) and `on_progress(done, total)`, computes only the vectors its index
lacks (one engine run that classifies and records together), and returns its rows (None when cancelled)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from alexnet_gui.core.embeddings.index import EMBEDDING_LAYERS, EmbeddingIndex
from alexnet_gui.core.errors import UserError
from alexnet_gui.core.language import gettext

if TYPE_CHECKING:
    from alexnet_gui.core.backends.base import Backend

log = logging.getLogger("alexnet_gui")

Progress = Callable[[int, "int | None"], None]


def check_layer(layer: str, card=None) -> str:
    """A layer an index can record (pool5, fc6, fc7), and one `card` has when given; else one sentence."""
    if layer not in EMBEDDING_LAYERS:
        raise UserError(gettext("--layer {layer!r} cannot be indexed; choose pool5, fc6 or fc7").format(layer=layer))
    if card is not None and layer not in card.unit_layers():
        raise UserError(gettext("the model {card} has no layer {layer} (an ONNX graph the app did not build has no "
                                "named layers); use a PyTorch model or its export").format(card=card.card_id,
                                                                                         layer=layer))
    return layer


def embedding_vectors(activation: np.ndarray) -> np.ndarray:
    """A layer's activations as embedding rows: flattened, after the ReLU (fc6 and fc7 are the Linear layers'
    outputs, so the ReLU that follows each is applied here; pool5 is already past its ReLU)."""
    x = np.asarray(activation, dtype=np.float32)
    return np.maximum(x.reshape(len(x), -1), 0.0)


class EmbeddingRecorder:
    """Hands each single-crop batch the engine runs to an index: the engine asks the backend for the scores and
    `layers` in the same model run, then calls `record`. Images with no scores (a reason instead) are not kept."""

    def __init__(self, index: EmbeddingIndex | Callable[[], EmbeddingIndex], *, layer: str | None = None) -> None:
        """`index`, or what opens it at the first batch (then `layer` names its layer): the command line knows the
        model's card only once the model has loaded, while the engine already decodes."""
        if isinstance(index, EmbeddingIndex):
            self._index: EmbeddingIndex | None = index
            self._open: Callable[[], EmbeddingIndex] | None = None
            layer = index.layer
        else:
            if layer is None:
                raise ValueError("name the layer of an index opened later")
            self._index, self._open = None, index
        self.layers = (layer,)
        #: vectors this recorder added to the index
        self.recorded = 0
        #: why the index could not be written (then recording stopped and classifying went on), else None
        self.failed: str | None = None

    @property
    def index(self) -> EmbeddingIndex:
        """The index (opened now when it was given as an opener)."""
        if self._index is None:
            assert self._open is not None
            self._index = self._open()
        return self._index

    def record(self, paths: Sequence[str], activations: dict[str, np.ndarray], tops: Sequence) -> None:
        """Add batch rows: `paths[i]` gave row i of the activations and `tops[i]` (its top-k, or a reason). An
        index that cannot be written (a full disk, a read-only cache) stops the recording, not the classifying:
        the rows matter more than their vectors."""
        import sqlite3

        if self.failed is not None:
            return
        index = self.index
        try:
            vectors = embedding_vectors(activations[self.layers[0]])
            hashes = index.hashes(paths)
            keep = [i for i, (h, top) in enumerate(zip(hashes, tops)) if h is not None and not isinstance(top, str)]
            if keep:
                self.recorded += index.add([str(hashes[i]) for i in keep], vectors[keep],
                                           [tops[i][0].label if tops[i] else "" for i in keep])
        except (OSError, sqlite3.Error) as exc:
            from alexnet_gui.core.errors import describe_os_error

            self.failed = describe_os_error(exc) if isinstance(exc, OSError) else str(exc)
            log.warning("cannot write the embedding index in %s (%s); classifying goes on without recording",
                        index.folder, self.failed)


@dataclass
class Embedded:
    """The images of a request that have a vector, in input order, and those that do not (with the reason)."""

    paths: list[str]
    hashes: list[str]
    vectors: np.ndarray
    failed: list[tuple[str, str]] = field(default_factory=list)
    #: images whose vector was not in the index before this request (0: the model was not opened)
    computed: int = 0


def embed(paths: Sequence[str], index: EmbeddingIndex, open_backend: Callable[[], Backend], *,
          engine_options: dict | None = None, cancel: threading.Event | None = None,
          on_progress: Progress | None = None) -> Embedded | None:
    """Each path's vector: from the index, and for those it lacks one engine run (opened by `open_backend`, called
    only then) that classifies and records them. None when cancelled."""
    from alexnet_gui.core.pipeline.engine import Engine

    hashes = index.hashes(paths)
    rows = index.rows(hashes)
    failed: list[tuple[str, str]] = []
    missing_paths = [p for p, h in zip(paths, hashes) if h is not None and h not in rows]
    # One model run per content: a file and its byte-identical copy share a vector.
    missing = list({h: p for p, h in reversed(list(zip(paths, hashes))) if h is not None and h not in rows}.values())
    computed = 0
    if missing:
        backend = open_backend()
        check_layer(index.layer, backend.card)
        recorder = EmbeddingRecorder(index)
        engine = Engine(backend, embedding_recorder=recorder, **(engine_options or {}))
        for result in engine.run(missing, cancel=cancel, on_progress=on_progress):
            if not result.ok:
                failed.append((result.path, result.error or ""))
        if recorder.failed is not None:
            raise UserError(gettext("cannot write the embedding index in {folder}: {reason}").format(
                folder=index.folder, reason=recorder.failed))
        if cancel is not None and cancel.is_set():
            return None
        computed = len(missing_paths)
        hashes = index.hashes(paths)  # a file changed during the run has another hash now: it has no vector
        rows = index.rows(hashes)
    elif on_progress is not None:
        on_progress(len(paths), len(paths))
    unreadable = {r[0] for r in failed}
    kept = [(p, h) for p, h in zip(paths, hashes) if h is not None and h in rows]
    for p, h in zip(paths, hashes):
        if h is None and p not in unreadable:
            failed.append((p, gettext("cannot be read")))
    vectors = index.vectors([rows[h] for _, h in kept])
    return Embedded([p for p, _ in kept], [h for _, h in kept], vectors, failed, computed)


def similar(query: str, paths: Sequence[str], index: EmbeddingIndex, open_backend: Callable[[], Backend], *,
            k: int = 6, metric: str = "cosine", engine_options: dict | None = None,
            cancel: threading.Event | None = None,
            on_progress: Progress | None = None) -> tuple[list[tuple[int, str, float]], Embedded] | None:
    """The `k` images of `paths` nearest to `query` (a file that may lie outside them) as (rank, path, distance),
    nearest first. The query's own file is left out, however it is spelled; its byte-identical copies are not (at
    distance 0 they are what a search for copies is after). Also returns what was embedded."""
    import os

    from alexnet_gui.core.embeddings.search import check_metric, nearest

    check_metric(metric)
    itself = os.path.realpath(query)
    everything = [query, *[p for p in paths if os.path.realpath(p) != itself]]
    done = embed(everything, index, open_backend, engine_options=engine_options, cancel=cancel,
                 on_progress=on_progress)
    if done is None:
        return None
    if not done.paths or done.paths[0] != query:
        reason = next((why for p, why in done.failed if p == query), gettext("it has no vector"))
        raise UserError(gettext("the query {query} cannot be used: {reason}").format(query=query, reason=reason))
    others = done.paths[1:]
    # Byte-identical copies share the query's vector: their distance is 0 exactly, where euclidean's float32
    # products would leave ~1e-4 (and could rank a near copy above an exact one).
    same = np.array([h == done.hashes[0] for h in done.hashes[1:]], bool)
    copies = [(int(i), 0.0) for i in np.flatnonzero(same)][:k]
    found = copies + nearest(done.vectors[0], done.vectors[1:], k - len(copies), metric, exclude=same)
    return [(rank, others[i], d) for rank, (i, d) in enumerate(found, 1)], done


def duplicates(paths: Sequence[str], index: EmbeddingIndex, open_backend: Callable[[], Backend], *,
               threshold: float, engine_options: dict | None = None, cancel: threading.Event | None = None,
               on_progress: Progress | None = None) -> tuple[list[tuple[int, str, float]], Embedded] | None:
    """Near-duplicate groups of `paths` as CSV rows (group, path, distance to the group's first member)."""
    from alexnet_gui.core.embeddings.duplicates import check_threshold, duplicate_rows

    check_threshold(threshold)
    done = embed(paths, index, open_backend, engine_options=engine_options, cancel=cancel, on_progress=on_progress)
    if done is None:
        return None
    rows = duplicate_rows(done.paths, done.vectors, threshold, cancel=cancel)
    return (rows, done) if rows is not None else None


def folder_label(path: str) -> str:
    """The name of the folder holding `path` (the class of a class-folder layout)."""
    import os

    return os.path.basename(os.path.dirname(os.path.abspath(path)))


def folder_map(paths: Sequence[str], index: EmbeddingIndex, open_backend: Callable[[], Backend], *,
               method: str = "pca", label: str = "model", engine_options: dict | None = None,
               cancel: threading.Event | None = None,
               on_progress: Progress | None = None) -> tuple[list[tuple[str, float, float, str]], Embedded] | None:
    """A 2-D map of `paths` as rows (path, x, y, label): label "model" is the top-1 label recorded while
    classifying, "folder" each image's folder name (a class-folder layout)."""
    from alexnet_gui.core.embeddings.layout import check_method, layout_2d

    check_method(method)
    if label not in ("model", "folder"):
        raise UserError(gettext("unknown --label {label!r}; choose model or folder").format(label=label))
    done = embed(paths, index, open_backend, engine_options=engine_options, cancel=cancel, on_progress=on_progress)
    if done is None:
        return None
    xy = layout_2d(done.vectors, method)
    names = index.labels(done.hashes) if label == "model" else {}
    return [(p, float(x), float(y), names.get(h, "") if label == "model" else folder_label(p))
            for p, h, (x, y) in zip(done.paths, done.hashes, xy)], done


def write_csv(out: str, header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """Write a CSV atomically (a temporary file renamed into place): cells through the app's spreadsheet guard,
    floats with 6 decimals."""
    import os
    import tempfile

    from alexnet_gui.core.outputs.output_paths import honour_umask
    from alexnet_gui.core.outputs.results import SpreadsheetCsvWriter

    folder = os.path.dirname(os.path.abspath(out))
    fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(out)}.", suffix=".part", dir=folder)
    try:
        honour_umask(fd)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            writer = SpreadsheetCsvWriter(f)
            writer.writerow(header)
            for row in rows:
                writer.writerow([f"{v:.6f}" if isinstance(v, float) else v for v in row])
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, out)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
