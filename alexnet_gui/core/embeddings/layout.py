"""A 2-D map of embedding vectors: PCA by default (numpy, a second for 10,000 images), UMAP (umap-learn) or t-SNE
(openTSNE) when installed (`pip install 'alexnet-gui[map]'`), and its PNG drawn with matplotlib's object API."""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Sequence

import numpy as np

from alexnet_gui.core.errors import UserError
from alexnet_gui.core.language import gettext

METHODS = ("pca", "umap", "tsne")
_PACKAGES = {"umap": ("umap", "umap-learn"), "tsne": ("openTSNE", "openTSNE")}
#: up to this many images the map is exact PCA (an n x n eigenproblem, 0.3 s at 1024 x 4096); beyond, randomised
EXACT_ROWS = 1024


def check_method(method: str) -> str:
    """The method when it can run here: pca always, umap and tsne when their package is installed; else one
    sentence."""
    if method not in METHODS:
        raise UserError(gettext("unknown map method {method!r}; choose pca, umap or tsne").format(method=method))
    if method in _PACKAGES:
        module, package = _PACKAGES[method]
        if importlib.util.find_spec(module) is None:
            raise UserError(gettext("--method {method} needs {package}, which is not installed: pip install "
                                    "'alexnet-gui[map]', or use --method pca").format(method=method, package=package))
    return method


def pca_2d(vectors: np.ndarray, seed: int = 0) -> np.ndarray:
    """The rows projected on their first two principal components (n, 2): exactly (the eigenvectors of the n x n
    Gram matrix) up to `EXACT_ROWS` rows, beyond by a randomised subspace iteration (a few n x d x 16 products
    instead of a d x d covariance). Each axis's sign is fixed (its largest loading positive), so the same vectors
    always give the same map."""
    x = np.asarray(vectors, dtype=np.float32)
    n = len(x)
    if n == 0:
        return np.zeros((0, 2))
    x = x - x.mean(axis=0, dtype=np.float64).astype(np.float32)
    if n <= EXACT_ROWS:
        x64 = x.astype(np.float64)
        values, u = np.linalg.eigh(x64 @ x64.T)
        top = np.argsort(values)[::-1][:2]
        axes = x64.T @ u[:, top]  # (d, 2): principal axes, scaled by their singular values
        norms = np.linalg.norm(axes, axis=0)
        axes = np.divide(axes, norms, out=np.zeros_like(axes), where=norms > 1e-12)
    else:
        rank = min(16, x.shape[1])
        basis = np.random.default_rng(seed).standard_normal((x.shape[1], rank)).astype(np.float32)
        for _ in range(6):
            basis, _r = np.linalg.qr(x.T @ (x @ basis))
        small = (x @ basis).astype(np.float64)  # (n, rank): the data in the found subspace
        _u, _s, vt = np.linalg.svd(small, full_matrices=False)
        axes = basis.astype(np.float64) @ vt[:2].T  # (d, 2)
    for c in range(axes.shape[1]):
        if axes[np.argmax(np.abs(axes[:, c])), c] < 0:
            axes[:, c] = -axes[:, c]
    out = x.astype(np.float64) @ axes
    return out if out.shape[1] == 2 else np.column_stack([out, np.zeros((n, 2 - out.shape[1]))])


def layout_2d(vectors: np.ndarray, method: str = "pca", seed: int = 0) -> np.ndarray:
    """(n, 2) coordinates of the rows by `method` (see `check_method`)."""
    check_method(method)
    n = len(vectors)
    if method == "pca" or n < 5:
        return pca_2d(vectors, seed)
    x = np.asarray(vectors, dtype=np.float32)
    if method == "umap":
        import umap

        return np.asarray(umap.UMAP(n_components=2, n_neighbors=min(15, n - 1), random_state=seed).fit_transform(x),
                          dtype=np.float64)
    from openTSNE import TSNE

    return np.asarray(TSNE(n_components=2, perplexity=min(30.0, (n - 1) / 3), random_state=seed).fit(x),
                      dtype=np.float64)


def render_map_png(path: str | os.PathLike[str], xy: np.ndarray, labels: Sequence[str], *, title: str = "",
                   legend_limit: int = 20) -> None:
    """Draw the map as a scatter coloured by label (the `legend_limit` commonest labels named, the rest grey)."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure  # the object API: no pyplot state, safe off the main thread

    fig = Figure(figsize=(8, 7), dpi=100)
    ax = fig.add_subplot()
    names, counts = np.unique(np.asarray(labels, dtype=object).astype(str), return_counts=True)
    shown = [str(names[i]) for i in np.argsort(-counts, kind="stable")[:legend_limit]]
    colours = matplotlib.colormaps["tab20"]
    label_array = np.asarray(labels, dtype=object).astype(str)
    rest = ~np.isin(label_array, shown)
    if rest.any():
        ax.scatter(xy[rest, 0], xy[rest, 1], s=8, c="lightgrey", label="other")
    for i, name in enumerate(shown):
        mine = label_array == name
        # Labels are the user's folder names or the model's classes, drawn as written (no mathtext).
        ax.scatter(xy[mine, 0], xy[mine, 1], s=10, color=colours(i % 20), label=name.replace("$", r"\$") or "-")
    ax.set_xticks([])
    ax.set_yticks([])
    if len(shown) > 1 or rest.any():
        ax.legend(fontsize=7, markerscale=1.5, loc="best")
    ax.set_title(title, fontsize=9, parse_math=False)
    fig.tight_layout()
    fig.savefig(os.fspath(path))
