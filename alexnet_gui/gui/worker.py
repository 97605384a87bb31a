"""The inference thread's two own tasks, typed: loading a model (`LoadRequest` -> `LoadedModel`) and classifying
paths (`ClassifyRequest` -> `ClassifyOutcome`, with `PathsFound` and `ClassifiedBatch` pieces meanwhile).

They run through `jobs.JobRunner` like every other task; the options travel inside the request, frozen.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QCoreApplication

from alexnet_gui.gui.jobs import JobRun

log = logging.getLogger("alexnet_gui")

# Rows reach the table in chunks, so 100,000 files never mean 100,000 signals.
_FOUND_CHUNK = 2000


def _freeze_the_heap() -> None:
    """Move every object alive now (torch, ONNX Runtime, Qt, the model) out of the garbage collector's sight.

    A full collection walks every tracked object with the GIL held, so the window cannot paint meanwhile: with torch
    imported that is about 340,000 objects and 200 ms here, a visible stall whenever one falls during a batch. Frozen,
    they are never walked again (they are still freed by reference counting), and a full collection takes a few ms.
    Garbage made since the last freeze (an old backend the caller has just closed) is collected first, so none of
    it is kept for good; the first freeze skips that collection, which would walk the whole heap once.
    """
    import gc

    if gc.get_freeze_count():
        gc.collect()
    gc.freeze()


@dataclass(frozen=True)
class LoadRequest:
    """A model to load: backend, device, the weights chosen, the precision asked for, the card choices."""

    backend: str
    device: str
    weights: Any  # core.model.weights.WeightsChoice
    precision: str = "fp32"
    choices: Any = None  # core.model.loading.CardChoices


@dataclass(frozen=True)
class LoadedModel:
    """What a load gave: the backend that runs, where, in which precision, and from which weights and card."""

    backend: str
    device: str
    provider: str
    precision: str
    weights: str
    untrained: bool
    card: Any
    card_id: str
    calibration: str = ""
    quantisation: str = ""

    def as_dict(self) -> dict[str, Any]:
        """The fields by name (what the export's provenance sidecar and the diagnostics read)."""
        return {field.name: getattr(self, field.name) for field in dataclasses.fields(self)}


@dataclass(frozen=True)
class CudaStatus:
    """Whether CUDA is usable for `backend`, and why (sent before the load itself)."""

    backend: str
    usable: bool
    reason: str


@dataclass(frozen=True)
class ClassifyOptions:
    """How a classification runs; sent with each request, so a running batch keeps the options it started with.

    `batch_size` None is the engine's choice, as on the command line (32 on the CPU, 128 on CUDA). Batches of 16 were
    slower on the benchmark corpus with fast decoding (medians of 7 interleaved runs: 78.4 against 81.6 images/s):
    less is decoded ahead, and ONNX Runtime packs the fully-connected weights once per call without prepacking."""

    top_k: int = 5
    batch_size: int | None = None
    tta: str = "none"  # "10crop": test-time augmentation (Tools menu)
    fast_decode: bool = False
    #: keep every unit's top images while classifying (Model menu), so the Unit tab answers at once
    record_units: bool = True
    #: keep each image's fc7 vector in the embedding index while classifying (Model menu): Similar, Map, duplicates
    record_embeddings: bool = True


@dataclass(frozen=True)
class ClassifyRequest:
    paths: tuple[str, ...]
    walk: bool
    options: ClassifyOptions


@dataclass(frozen=True)
class PathsFound:
    """A chunk of the files a walk found (the table adds them as queued rows)."""

    paths: list[str]


@dataclass(frozen=True)
class ClassifiedBatch:
    """One model batch's results, with the job's count so far and its speed."""

    results: list
    done: int
    total: int
    rate: float


@dataclass(frozen=True)
class ClassifyOutcome:
    """How a classification ended: cancelled or not, its images/s (0: none classified), or that no model was
    loaded yet (the rows stay queued)."""

    cancelled: bool = False
    rate: float = 0.0
    needs_model: bool = False


def load_model(request: LoadRequest):
    """The task that loads (or switches to) a backend; the old one stays in use if the new one fails.
    Precision "fp16" applies on CUDA only: on the CPU the model runs fp32 (the backend's `precision` says so)."""

    def task(run: JobRun) -> LoadedModel:
        from alexnet_gui.core.backends import cuda_status, load_backend
        from alexnet_gui.core.errors import UserError

        usable, reason = cuda_status(request.backend)
        run.send(CudaStatus(request.backend, usable, reason))
        precision = request.precision if request.device != "cpu" or request.precision == "int8" else "fp32"
        try:
            # No weight prepacking: the first top-5 comes 0.25 s sooner, for ~3.5 % on long folder runs.
            backend = load_backend(request.backend, request.weights, request.device, precision, prepack=False,
                                   choices=request.choices)
        except UserError:
            raise
        except Exception as exc:  # noqa: BLE001 - a model that fails to load must leave the app usable
            message = QCoreApplication.translate("InferenceWorker", "the model could not be loaded ({kind}: {reason})")
            raise UserError(message.format(kind=type(exc).__name__, reason=exc)) from exc
        run.replace_backend(backend)
        _freeze_the_heap()
        return LoadedModel(
            backend=backend.name, device=backend.device, provider=backend.provider, precision=backend.precision,
            weights=backend.weights_source, untrained=request.weights.kind == "untrained", card=backend.card,
            card_id=backend.card.card_id, calibration=backend.calibration, quantisation=backend.quantisation)

    return task


def classify(request: ClassifyRequest):
    """The task that walks the paths (when asked) and classifies them in batches, sending each batch's rows."""

    def task(run: JobRun) -> ClassifyOutcome:
        paths = _walk(run, request.paths) if request.walk else list(request.paths)
        if not run.has_backend:
            return ClassifyOutcome(needs_model=True)  # the rows stay queued; classified once a model loads
        return _classify(run, paths, request.options)

    return task


def _walk(run: JobRun, roots) -> list[str]:
    from alexnet_gui.core.pipeline.engine import iter_image_paths

    found: list[str] = []
    for path in iter_image_paths(list(roots)):
        found.append(path)
        if len(found) % _FOUND_CHUNK == 0:
            run.send(PathsFound(found[-_FOUND_CHUNK:]))
    if len(found) % _FOUND_CHUNK:
        run.send(PathsFound(found[len(found) - len(found) % _FOUND_CHUNK:]))
    return found


def _classify(run: JobRun, paths: list[str], options: ClassifyOptions) -> ClassifyOutcome:
    from alexnet_gui.core.errors import UserError
    from alexnet_gui.core.pipeline.engine_options import EngineOptions, engine_for

    backend = run.backend
    from alexnet_gui.gui.embedding_jobs import embedding_recorder

    recorder = _unit_recorder(backend, options)
    engine = engine_for(backend, EngineOptions(top_k=options.top_k, batch_size=options.batch_size, tta=options.tta,
                                               fast_decode=options.fast_decode),
                        unit_recorder=recorder, embedding_recorder=embedding_recorder(backend, options))
    start = time.perf_counter()
    batch: list = []
    done = classified = 0

    def emit_rows(engine_done: int, _total: int | None) -> None:
        # The engine calls this as each model batch ends, the last one too: its rows show at once (the first after
        # 32 images), and the engine's count is the job's.
        nonlocal done
        done = engine_done
        elapsed = time.perf_counter() - start
        run.send(ClassifiedBatch(list(batch), done, len(paths), done / elapsed if elapsed > 0 else 0.0))
        batch.clear()

    try:
        for result in engine.run(paths, cancel=run.cancel, on_progress=emit_rows):
            batch.append(result)
            classified += result.ok
    except Exception as exc:  # noqa: BLE001 - report, keep the rows already done, stay usable
        raise UserError(QCoreApplication.translate("InferenceWorker", "classification stopped ({kind}: {reason})")
                        .format(kind=type(exc).__name__, reason=exc)) from exc
    finally:
        if recorder is not None:
            _save_recorder(recorder)
    elapsed = time.perf_counter() - start
    # No rate for a job whose files all failed: a missing file "runs" at hundreds of images/s.
    return ClassifyOutcome(run.cancel.is_set(), done / elapsed if classified and elapsed > 0 else 0.0)


def _unit_recorder(backend, options: ClassifyOptions):
    """A recorder of the units' top images for this job, when asked for and cheap: the model's fp32 run gives the
    activations with the scores (the ONNX backend's int8 or fp16 copy would need a second, fp32 run)."""
    if not options.record_units or backend.precision != "fp32" or not backend.card.unit_layers() or \
            "activations" not in backend.capabilities:
        return None
    from alexnet_gui.core.analysis.unit_examples import UnitRecorder
    from alexnet_gui.core.cache_paths import cache_path

    return UnitRecorder(backend.card, cache_path("examples"))


def _save_recorder(recorder) -> None:
    try:
        recorder.save()
    except OSError as exc:  # a full or read-only cache costs the Unit tab a pass later, nothing else
        log.warning("could not keep the units' top images in %s (%s)", recorder.path.parent, exc)
