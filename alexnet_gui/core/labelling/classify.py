"""Classify a project's new and changed images with the ordinary engine and record the predictions."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from alexnet_gui.core.labelling.project import TOP_K, Project, cancel_check
from alexnet_gui.core.outputs.results import path_from_cell

if TYPE_CHECKING:
    from alexnet_gui.core.backends.base import Backend
    from alexnet_gui.core.pipeline.engine import Engine


def project_engine(backend: Backend, **options) -> Engine:
    """An engine that keeps the top-9 a project records (the other `options` as EngineOptions takes them)."""
    from alexnet_gui.core.pipeline.engine_options import EngineOptions, engine_for

    return engine_for(backend, EngineOptions(top_k=min(TOP_K, backend.card.classes), **options))


@dataclass(frozen=True)
class ProjectClassification:
    """What classifying a project's images did: how many were recorded, and how many of those could not be read
    (their reasons are in the project; they are tried again on the next run)."""

    recorded: int = 0
    failed: int = 0


def classify_into_project(
    project: Project,
    engine: Engine,
    paths: Sequence[str] | None = None,
    *,
    cancel: Callable[[], bool] | threading.Event | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> ProjectClassification:
    """Run `engine` over `paths` (default: the project's images never classified or changed since) and record
    each batch's predictions in one transaction as it comes, so a kill loses at most the batch in flight.
    Returns how many images were recorded and how many failed; stops within a batch once `cancel` says so."""
    cancelled = cancel_check(cancel)
    # The project's own paths hold escapes for names that are not UTF-8: the engine opens the file itself.
    todo = project.to_classify() if paths is None else [path_from_cell(p) for p in paths]
    if not todo:
        return ProjectClassification()
    stop = threading.Event()
    card = engine.backend.card
    card_json, labels = card.to_json(), list(card.labels.names)
    batch: list = []
    recorded = failed = 0

    def flush() -> None:
        nonlocal recorded, failed
        if batch:
            recorded += project.record_predictions(card_json, card.card_id, batch, card.classes, labels)
            failed += sum(result.error is not None for result in batch)
            batch.clear()

    for result in engine.run(todo, cancel=stop):
        batch.append(result)
        if len(batch) >= engine.batch_size:
            flush()
            if on_progress is not None:
                on_progress(recorded, len(todo))
        if cancelled():
            stop.set()
    flush()
    if on_progress is not None:
        on_progress(recorded, len(todo))
    return ProjectClassification(recorded, failed)
