"""Exact nearest neighbours of embedding vectors: cosine distance (1 - cos) or euclidean, by float32 matrix products
in blocks, so memory stays bounded whatever the number of vectors. Measured against faiss-cpu's flat index in
docs/embeddings.md: at the sizes a desktop folder has, exact numpy search answers within the targets."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from alexnet_gui.core.errors import UserError
from alexnet_gui.core.language import gettext

METRICS = ("cosine", "euclidean")
#: rows of the searched matrix per product: 8192 x 4096 float32 is 128 MB
BLOCK_ROWS = 8192


def check_metric(metric: str) -> str:
    """The metric, or one sentence naming the choices."""
    if metric not in METRICS:
        raise UserError(gettext("unknown metric {metric!r}; choose cosine or euclidean").format(metric=metric))
    return metric


def unit_rows(vectors: np.ndarray) -> np.ndarray:
    """The rows scaled to length 1 (float32); a zero row stays zero, so its cosine with anything is 0 (distance 1)."""
    x = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return np.divide(x, norms, out=np.zeros_like(x), where=norms > 0)


def _blocks(n: int, size: int = BLOCK_ROWS) -> Iterator[tuple[int, int]]:
    for start in range(0, n, size):
        yield start, min(n, start + size)


class NearestIndex:
    """Vectors prepared once for many queries (the app's Similar tab): rows scaled to length 1 for cosine, squared
    norms kept for euclidean. One query is then one float32 matrix-vector product in blocks: 72 ms over 100,000
    fc7 vectors on 2 cores (docs/embeddings.md), against 1.5 s when every row is normalised per query."""

    def __init__(self, vectors: np.ndarray, metric: str = "cosine") -> None:
        self.metric = check_metric(metric)
        if metric == "cosine":
            self.rows = unit_rows(vectors)
            self.squares = None
        else:
            self.rows = np.asarray(vectors, dtype=np.float32)
            self.squares = np.einsum("ij,ij->i", self.rows, self.rows, dtype=np.float64)

    def __len__(self) -> int:
        return len(self.rows)

    def distances(self, query: np.ndarray) -> np.ndarray:
        """Distance (float64) from one query vector to every row."""
        q = np.asarray(query, dtype=np.float32).reshape(1, -1)
        out = np.empty(len(self.rows), np.float64)
        if self.squares is None:
            q = unit_rows(q)[0]
            for start, end in _blocks(len(self.rows)):
                out[start:end] = 1.0 - self.rows[start:end] @ q
            return np.clip(out, 0.0, 2.0, out=out)
        qq = float(q[0].astype(np.float64) @ q[0].astype(np.float64))
        for start, end in _blocks(len(self.rows)):
            sq = self.squares[start:end] - 2.0 * (self.rows[start:end] @ q[0]) + qq
            out[start:end] = np.sqrt(np.maximum(sq, 0.0))
        return out

    def query(self, query: np.ndarray, k: int, exclude: np.ndarray | None = None) -> list[tuple[int, float]]:
        """The `k` rows nearest to `query` as (row, distance), nearest first (ties by row); rows where `exclude` is
        True are left out (the query's own content)."""
        d = self.distances(query)
        if exclude is not None:
            d[np.asarray(exclude, bool)] = np.inf
        k = min(k, int(np.isfinite(d).sum()))
        if k <= 0:
            return []
        candidates = np.argpartition(d, k - 1)[:k] if k < len(d) else np.arange(len(d))
        # Ties broken by row, so a repeated search gives the same order.
        order = candidates[np.lexsort((candidates, d[candidates]))]
        return [(int(i), float(d[i])) for i in order]


def distances(query: np.ndarray, vectors: np.ndarray, metric: str = "cosine") -> np.ndarray:
    """Distance (float64) from one query vector to every row of `vectors`."""
    return NearestIndex(vectors, metric).distances(query)


def nearest(query: np.ndarray, vectors: np.ndarray, k: int, metric: str = "cosine",
            exclude: np.ndarray | None = None) -> list[tuple[int, float]]:
    """`NearestIndex(vectors, metric).query(query, k, exclude)`, for one query."""
    return NearestIndex(vectors, metric).query(query, k, exclude)


def shared_units(query: np.ndarray, neighbours: np.ndarray, top: int = 5) -> list[tuple[int, float]]:
    """The `top` units the query and its neighbours share most, as (unit, score), strongest first: each unit's
    activation in the query times its mean activation over the neighbours (after the ReLU both are ≥ 0, so a
    unit scores only when it fires in both). Units scoring 0 are left out."""
    neighbours = np.asarray(neighbours, dtype=np.float64).reshape(-1, np.asarray(query).size)
    if not len(neighbours):
        return []
    score = np.asarray(query, dtype=np.float64).ravel() * neighbours.mean(axis=0)
    order = np.lexsort((np.arange(len(score)), -score))[:top]  # ties by unit number: the same answer each time
    return [(int(u), float(score[u])) for u in order if score[u] > 0]
