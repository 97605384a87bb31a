"""The app's cache folder and its named sub-folders (ONNX exports, unit examples, features, snapshots...)."""

from __future__ import annotations

import os
from pathlib import Path


def cache_root() -> Path:
    """The app's cache folder: $ALEXNET_GUI_CACHE, else the user cache folder (platformdirs)."""
    root = os.environ.get("ALEXNET_GUI_CACHE")
    if not root:
        import platformdirs

        root = platformdirs.user_cache_dir("alexnet-gui")
    return Path(root)


def cache_path(name: str) -> Path:
    """One named entry of the cache: a folder ("onnx", "examples", "features", "visualizations", "snapshots",
    "embeddings") or the SHA-256 memo ("sha256.json"). Read at each call, so ALEXNET_GUI_CACHE set meanwhile (by a
    test or a user) is followed; not created here: its writer decides when."""
    return cache_root() / name
