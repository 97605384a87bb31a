"""Near-duplicate groups: images whose cosine distance is at most a threshold, joined transitively (a union-find
over the close pairs, found block by block: memory grows with the pairs, never with n²)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

import numpy as np

from alexnet_gui.core.embeddings.search import unit_rows
from alexnet_gui.core.errors import UserError
from alexnet_gui.core.language import gettext

#: the threshold when none is given: re-encoded, resized and slightly cropped copies of a photo stay below it
DEFAULT_THRESHOLD = 0.05
#: rows per block product: 1024 x n float32 similarities at a time (and at most as many close pairs, when a loose
#: threshold joins everything)
BLOCK_ROWS = 1024
#: how far below 1 float32 may put the cosine of two identical unit vectors
FLOAT32_SLACK = 2e-6


def check_threshold(threshold: float) -> float:
    """A cosine distance threshold: from 0 to 2 (the range of 1 - cos), else one sentence."""
    if not 0.0 <= threshold <= 2.0:  # also refuses nan
        raise UserError(gettext("the threshold must be a cosine distance from 0 to 2, got {value}").format(
            value=threshold))
    return threshold


def close_groups(vectors: np.ndarray, threshold: float, *, cancel: threading.Event | None = None,
                 on_progress: Callable[[int, int], None] | None = None) -> list[list[int]] | None:
    """Groups (each of two rows or more, rows ascending) of rows joined by cosine distance ≤ `threshold`; None when
    cancelled."""
    check_threshold(threshold)
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    x = unit_rows(vectors)
    n = len(x)
    # Each image's representative (the lowest row of its group so far): a union-find kept flat, merged block by
    # block, so no Python loop runs over pairs. A pair whose two rows already share a representative adds nothing,
    # so it is dropped before it is ever listed: a folder that is mostly one group (the most pairs there can be)
    # lists only the pairs that join groups, and once every row is in one group the rest need not be compared.
    rep = np.arange(n)
    # cos ≥ 1 - threshold, less float32's rounding of a 4096-term dot product: identical vectors must pair at 0
    floor = np.float32(1.0 - threshold - FLOAT32_SLACK)
    for start in range(0, n, BLOCK_ROWS):
        if cancel is not None and cancel.is_set():
            return None
        if n and rep.max() == 0:  # one group already: no pair can change it
            break
        end = min(n, start + BLOCK_ROWS)
        close = x[start:end] @ x[start:].T >= floor  # only pairs (i, j) with j >= i
        close &= rep[start:end, None] != rep[None, start:]
        a, b = np.nonzero(close)
        del close
        if len(a):
            # int32 ones: a pair of groups joined many times sums (an int8 could wrap to 0 and lose the edge)
            graph = coo_matrix((np.ones(len(a), np.int32), (rep[a + start], rep[b + start])), shape=(n, n))
            _, component = connected_components(graph, directed=False)
            # A group's new representative: the lowest row among the groups this block joined to it.
            lowest = np.full(component.max() + 1, n)
            np.minimum.at(lowest, component, np.arange(n))
            rep = lowest[component[rep]]
        if on_progress is not None:
            on_progress(end, n)
    if on_progress is not None and n and rep.max() == 0:
        on_progress(n, n)
    groups: dict[int, list[int]] = {}
    for member, root in enumerate(rep.tolist()):
        groups.setdefault(root, []).append(member)
    return [members for members in groups.values() if len(members) > 1]


def duplicate_rows(paths: Sequence[str], vectors: np.ndarray, threshold: float, **task) -> list[tuple[int, str, float]] | None:
    """CSV rows (group, path, cosine distance to the group's first member) of every near-duplicate group: members
    sorted by path, groups numbered from 1 in the order of their first paths. `paths[i]` has `vectors[i]`; None
    when cancelled."""
    groups = close_groups(vectors, threshold, **task)
    if groups is None:
        return None
    ordered = sorted((sorted(members, key=lambda i: paths[i]) for members in groups), key=lambda m: paths[m[0]])
    out = []
    for number, members in enumerate(ordered, 1):
        x = unit_rows(vectors[members]).astype(np.float64)  # only the group's rows, in float64
        for k, i in enumerate(members):
            out.append((number, paths[i], 0.0 if k == 0 else float(min(2.0, max(0.0, 1.0 - x[k] @ x[0])))))
    return out


def move_aside(paths: Sequence[str], folder: str) -> list[tuple[str, str | None, str]]:
    """Move each of `paths` into `folder` (made when missing), as (source, where it went, ""), or (source, None, the
    reason) when it could not move. Never deletes and never overwrites: a name already taken in `folder` gets the
    next free "name (N).ext" (core.outputs.sort_files' move)."""
    import os

    from alexnet_gui.core.errors import describe_os_error
    from alexnet_gui.core.outputs.sort_files import move_without_overwriting

    try:
        os.makedirs(folder, exist_ok=True)
    except OSError as exc:
        raise UserError(gettext("cannot make the folder {folder}: {reason}").format(
            folder=folder, reason=describe_os_error(exc))) from None
    out: list[tuple[str, str | None, str]] = []
    for path in paths:
        try:
            out.append((path, move_without_overwriting(path, os.path.join(folder, os.path.basename(path))), ""))
        except OSError as exc:
            out.append((path, None, describe_os_error(exc)))
    return out
