"""Which weights to run and how choosing them fails: the record every other module of core.model shares.

A leaf: it imports nothing of core.model, so the registry (weights.py), the card (loading.py) and the download
(download.py) can all use it without importing each other.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from alexnet_gui.core.errors import UserError
from alexnet_gui.core.language import N_, gettext

#: where the untrained network comes from (marked for translation: the app shows it through gettext())
UNTRAINED_SOURCE = N_("untrained seeded random network — predictions are meaningless")

#: a download's progress: bytes so far and the total when the server says it
Progress = Callable[[int, "int | None"], None]


class WeightsError(UserError):
    """Weights that cannot be found, downloaded or loaded; the message says what to do (in the command line's
    words). `problem` names the kind for an interface that says it in its own words: "unreachable" (no network or
    the host is blocked), "server", "broken", "slow", "hash", "disk", or "" for anything else; `url` is the
    download's address where there was one."""

    def __init__(self, message: str, *, problem: str = "", url: str = "") -> None:
        super().__init__(message)
        self.problem = problem
        self.url = url


class DownloadCancelled(WeightsError):
    """The user cancelled the download; nothing was left in the cache."""


@dataclass(frozen=True)
class WeightsChoice:
    """Which weights to run: a PyTorch file, an ONNX model, a Keras file, or the seeded untrained network."""

    kind: Literal["pth", "onnx", "keras", "untrained"]
    path: Path | None
    source: str


UNTRAINED = WeightsChoice(
    "untrained", None, UNTRAINED_SOURCE
)


def describe_file_kind(path: str | os.PathLike[str]) -> str:
    """"pth", "onnx" or "keras" by a model file's name; one WeightsError for anything else."""
    name = os.fspath(path).lower()
    if name.endswith((".pth", ".pt", ".pkl", ".pth.tar", ".tar", ".bin", ".ckpt")):
        return "pth"
    if name.endswith(".onnx"):
        return "onnx"
    if name.endswith((".h5", ".hdf5", ".keras")):
        return "keras"
    raise WeightsError(
        gettext(
            "{basename} is not a model file this app reads: give a PyTorch file (.pth, .pt, .pkl, .pth.tar), an ONNX model (.onnx) or a Keras model (.h5, .keras)"
        ).format(basename=os.path.basename(name))
    )
