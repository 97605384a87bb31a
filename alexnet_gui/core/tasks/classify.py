"""Classification of a list of paths, in memory: `alexnet-gui sort` (and any caller that wants the results, not a
CSV; for the CSV see classify_to_csv.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from alexnet_gui.core.pipeline.engine_options import EngineOptions, engine_for
from alexnet_gui.core.tasks.cancelling import Cancel, OnProgress, stop_event

if TYPE_CHECKING:
    from alexnet_gui.core.backends.base import Backend
    from alexnet_gui.core.outputs.results import Result


@dataclass
class ClassifiedPaths:
    """One Result per path classified, in input order (fewer than asked when cancelled)."""

    results: list[Result] = field(default_factory=list)
    cancelled: bool = False

    @property
    def failed(self) -> list[Result]:
        return [result for result in self.results if not result.ok]


def classify_paths(backend: Backend, paths: Sequence[str], *, options: EngineOptions = EngineOptions(),
                   cancel: Cancel = None, on_progress: OnProgress = None) -> ClassifiedPaths:
    """Classify `paths` with `backend`; stops within a batch once `cancel` says so."""
    stop, asked = stop_event(cancel)
    classified = ClassifiedPaths()
    for result in engine_for(backend, options).run(paths, cancel=stop):
        classified.results.append(result)
        if on_progress is not None:
            on_progress(len(classified.results), len(paths))
        asked()
    classified.cancelled = len(classified.results) < len(paths) and asked()
    return classified
