"""Decoding many files a batch at a time, in order, with the next batches decoding meanwhile; and the identity of
a list of files (for caches of what was computed from them: training features, a folder's dataset examples)."""

from __future__ import annotations

import hashlib
import json
import os
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor

import numpy as np

from alexnet_gui.core.model.preprocess import Recipe


def decode_batches(paths: Sequence[str], recipe: Recipe, batch_size: int, workers: int,
                   augment: Callable[[str], np.ndarray | str] | None = None) -> Iterator[list[np.ndarray | str]]:
    """Yield the decoded inputs of `paths`, a batch at a time and in order (an unreadable file is its reason as a
    string), decoding the next two batches on `workers` threads meanwhile. `augment(path)`, when given, replaces
    the plain decode (training's random crops and flips)."""
    from alexnet_gui.core.pipeline.decode import decode_input

    def decode(path: str) -> np.ndarray | str:
        return augment(path) if augment is not None else decode_input(path, False, "none", recipe)

    with ThreadPoolExecutor(max(1, workers), thread_name_prefix="train-decode") as pool:
        pending: deque[Future[np.ndarray | str]] = deque()
        queued = 0
        ahead = 3 * batch_size
        while queued < len(paths) or pending:
            while queued < len(paths) and len(pending) < ahead:
                pending.append(pool.submit(decode, paths[queued]))
                queued += 1
            batch = [pending.popleft().result() for _ in range(min(batch_size, len(pending)))]
            yield batch


def file_stamp(path: str) -> str:
    """A file's identity for a cache: its size and modification time ("missing" when it cannot be read)."""
    try:
        st = os.stat(path)
    except OSError:
        return "missing"
    return f"{st.st_size}:{st.st_mtime_ns}"


def cache_key(parts: dict, paths: Sequence[str]) -> str:
    """A hex digest of what the features depend on: `parts` (weights, recipe, layer) and each file's identity."""
    digest = hashlib.sha256(json.dumps(parts, sort_keys=True).encode())
    for path in paths:
        # surrogateescape: a file name that is not UTF-8 keys by its own bytes instead of raising
        digest.update(f"{path}\0{file_stamp(path)}\n".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()[:32]
