"""Exact nearest neighbours of embedding vectors: cosine distance (1 - cos) or euclidean. A quick approximate score
of every row (float16 or float32 products in blocks, so memory stays bounded), then an exact float64 re-score of
every row that the approximation's error bound cannot rule out. Measured against faiss-cpu's flat index in
docs/embeddings.md: at the sizes a desktop folder has, exact search answers within the targets."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from alexnet_gui.core.errors import UserError
from alexnet_gui.core.language import gettext

METRICS = ("cosine", "euclidean")
#: rows of the searched matrix per product: 8192 x 4096 float32 is 128 MB
BLOCK_ROWS = 8192
#: from this many rows on, a query first scores a float16 copy of the unit rows through torch (half the bytes of
#: float32, which bound a query's time); below it numpy's float32 product is as fast and torch is not imported
HALF_ROWS = 16_384
#: unit roundoff of float16 and float32, and the largest error of rounding a float16 subnormal
_U16, _U32, _SUB16 = 2.0**-11, 2.0**-24, 2.0**-25


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


def _cosine_error(dim: int, half: bool) -> float:
    """A bound on |approximate - exact cosine| of one row, for unit rows and a unit query rounded to float16
    (`half`) or float32 and scored with float32 sums (any order, with or without FMA).

    Each rounded unit vector w of the exact unit u has |w_j - u_j| <= e|u_j| + s (e: scaling in float32, 4 u32, then
    rounding to float16; s: a float16 subnormal's), so ||w||_2 <= (1 + e) + s sqrt(dim) and ||w||_1 <= sqrt(dim) ||w||_2; then
    w_r.w_q - u_r.u_q = (w_r - u_r).w_q + u_r.(w_q - u_q) is at most (e + e) ||w||_2 + s (||w||_1 + sqrt(dim)).
    Summing dim products in float32 adds (dim - 1) u32 / (1 - dim u32) ||w||_2^2 (products of float16 values are
    exact in float32; float32 ones add u32 each: counted as dim terms), and a float16 result rounds once more."""
    e, s = (_U16 + 5 * _U32, _SUB16) if half else (5 * _U32, 2.0**-150)
    root = float(np.sqrt(dim))
    w2 = 1.0 + e + s * root
    rounding = 2 * e * w2 + s * (root * w2 + root)
    gamma = dim * _U32 / (1.0 - dim * _U32)
    summed = gamma * w2 * w2
    total = rounding + summed
    if half:
        total += _U16 * (w2 * w2 + total) + _SUB16
    # float64 steps (norms, divisions, the exact re-score) err by ~1e-16 per operation: covered many times over
    return total * (1.0 + 1e-6) + 1e-10


class NearestIndex:
    """Vectors prepared once for many queries (the app's Similar tab): each row's float64 norm, and a copy of the
    rows scaled to length 1 that scores a query quickly, float16 through torch from HALF_ROWS rows on (half the
    bytes a query reads), float32 through numpy below. That score errs by at most a bound derived from the
    roundings (`_cosine_error`), so every row that could be among the k nearest is re-scored exactly, in float64
    from the given vectors: the answer is that of a float64 brute-force search, order and distances."""

    def __init__(self, vectors: np.ndarray, metric: str = "cosine", *, half: bool | None = None) -> None:
        self.metric = check_metric(metric)
        x = np.asarray(vectors)
        self.vectors = x if x.dtype in (np.float32, np.float64) else x.astype(np.float32)
        n, dim = self.vectors.shape
        self.norms = np.empty(n, np.float64)
        for start, end in _blocks(n):
            self.norms[start:end] = np.sqrt(np.einsum("ij,ij->i", self.vectors[start:end],
                                                      self.vectors[start:end], dtype=np.float64))
        self.half = n >= HALF_ROWS if half is None else half
        self.error = _cosine_error(dim, self.half)
        #: the unit rows the first pass scores: a torch float16 tensor, or a numpy float32 array below HALF_ROWS
        self.rows: Any
        if self.half:
            import torch  # ~1 s to import: only for indexes large enough to gain from float16

            self.rows = torch.empty((n, dim), dtype=torch.float16)
            for start, end in _blocks(n):
                self.rows[start:end] = torch.from_numpy(self._unit(start, end))
        else:
            self.rows = np.empty((n, dim), np.float32)
            for start, end in _blocks(n):
                self.rows[start:end] = self._unit(start, end)

    def __len__(self) -> int:
        return len(self.vectors)

    def _unit(self, start: int, end: int) -> np.ndarray:
        # float32 all the way (a float64 detour costs 4 s at 100,000 rows): |error| <= 4 u32 |u_j|, in the bound
        scale = np.divide(1.0, self.norms[start:end, None], out=np.zeros((end - start, 1)),
                          where=self.norms[start:end, None] > 0).astype(np.float32)
        return np.multiply(self.vectors[start:end], scale, dtype=np.float32)

    def _cosines(self, unit_query: np.ndarray) -> np.ndarray:
        """Approximate cosines (float64) of every row with a unit query, within `self.error` of the exact ones."""
        q = unit_query.astype(np.float32)
        if self.half:
            import torch

            return torch.mv(self.rows, torch.from_numpy(q).half()).numpy().astype(np.float64)
        out = np.empty(len(self.rows), np.float64)
        for start, end in _blocks(len(self.rows)):
            out[start:end] = self.rows[start:end] @ q
        return out

    def _exact(self, rows: np.ndarray, q: np.ndarray, q_norm: float) -> np.ndarray:
        """Distances (float64) of the given rows, from the given vectors; einsum sums each row the same way, so equal
        rows get equal distances wherever they are."""
        out = np.empty(len(rows), np.float64)
        for start, end in _blocks(len(rows)):
            x = self.vectors[rows[start:end]].astype(np.float64)
            if self.metric == "cosine":
                norms = self.norms[rows[start:end]] * q_norm
                dots = np.einsum("ij,j->i", x, q)
                out[start:end] = 1.0 - np.divide(dots, norms, out=np.zeros_like(dots), where=norms > 0)
            else:
                x -= q
                out[start:end] = np.sqrt(np.einsum("ij,ij->i", x, x))
        return np.clip(out, 0.0, 2.0, out=out) if self.metric == "cosine" else out

    def _bounds(self, q_norm: float, cosines: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each row's distance lies between these two, whatever the roundings of the approximate cosines."""
        if self.metric == "cosine":
            d = 1.0 - cosines
            return np.clip(d - self.error, 0.0, 2.0), np.clip(d + self.error, 0.0, 2.0)
        scale = self.norms * q_norm
        squares = self.norms**2 - 2.0 * scale * cosines + q_norm**2
        slack = 2.0 * scale * self.error + 1e-10 * (self.norms**2 + q_norm**2)
        return np.sqrt(np.maximum(squares - slack, 0.0)), np.sqrt(np.maximum(squares + slack, 0.0))

    def distances(self, query: np.ndarray) -> np.ndarray:
        """Distance (float64) from one query vector to every row."""
        q = np.asarray(query, dtype=np.float64).ravel()
        return self._exact(np.arange(len(self)), q, float(np.linalg.norm(q)))

    def query(self, query: np.ndarray, k: int, exclude: np.ndarray | None = None) -> list[tuple[int, float]]:
        """The `k` rows nearest to `query` as (row, distance), nearest first (ties by row); rows where `exclude` is
        True are left out (the query's own content)."""
        q = np.asarray(query, dtype=np.float64).ravel()
        q_norm = float(np.linalg.norm(q))
        low, high = self._bounds(q_norm, self._cosines(q / q_norm if q_norm > 0 else q))
        if exclude is not None:
            low[np.asarray(exclude, bool)] = np.inf
        k = min(k, int(np.isfinite(low).sum()))
        if k <= 0:
            return []
        # k rows are no farther than the k-th smallest upper bound, so no row whose lower bound exceeds it can be
        # among the k nearest; the rest, near-ties included, are compared exactly.
        high[~np.isfinite(low)] = np.inf
        limit = np.partition(high, k - 1)[k - 1] if k < len(high) else np.inf
        candidates = np.flatnonzero(low <= limit)
        d = self._exact(candidates, q, q_norm)
        if not np.all((low[candidates] <= d) & (d <= high[candidates])):
            # The approximate product broke its bound (a BLAS or torch summing beyond its documented precision):
            # every row is then compared exactly, slower but right.
            candidates = np.flatnonzero(np.isfinite(low))
            d = self._exact(candidates, q, q_norm)
        order = np.lexsort((candidates, d))[:k]
        return [(int(candidates[i]), float(d[i])) for i in order]


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
