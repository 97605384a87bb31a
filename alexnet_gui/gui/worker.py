"""The inference worker: a QObject on its own QThread that owns the backend and runs the core engine.

The main thread asks through queued signals (`Requests`) and hears back through the worker's signals; only
plain Python objects cross. Cancel is a threading.Event the engine checks before each batch.
"""

from __future__ import annotations

import logging
import threading
import time

from PySide6.QtCore import QObject, QThread, Signal, Slot

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


class InferenceWorker(QObject):
    """Runs on the worker thread: loads models, walks folders, classifies, computes views' data."""

    model_loading = Signal(str)                  # what is being loaded
    model_loaded = Signal(dict)                  # backend, device, provider, weights
    model_failed = Signal(str)                   # one sentence
    cuda_checked = Signal(str, bool, str)        # backend, usable, reason
    paths_found = Signal(int, list)              # job, paths (a chunk)
    results_ready = Signal(int, list)            # job, [Result]
    progress = Signal(int, int, int, float)      # job, done, total, images/s over the job
    job_finished = Signal(int, bool, float)      # job, cancelled, images/s of the job (0: none classified)
    job_failed = Signal(int, str)                # job, one sentence
    job_needs_model = Signal(int)                # job: nothing was classified, no model is loaded yet
    view_ready = Signal(str, object)             # request kind, payload (activations, CAM, ...)
    view_failed = Signal(str, str)               # request kind, one sentence
    view_progress = Signal(str, int, int)        # request kind, done, total (tools that take a while)

    def __init__(self) -> None:
        super().__init__()
        self.backend = None
        self.cancel_event = threading.Event()
        #: set by WorkerHandle.stop(): every request still queued returns at once, so closing the window never
        #: waits for (or is cut off in the middle of) a queue of obsolete work
        self.closing = threading.Event()
        #: kind -> the number of the newest view request the window has sent; an older one still queued when the
        #: worker reaches it is skipped (a user switching tabs quickly queued hundreds of obsolete view jobs)
        self.newest_view: dict[str, int] = {}
        self.top_k = 5
        # None: the engine's choice, as on the command line (32 on the CPU, 128 on CUDA). Batches of 16 were slower
        # on the benchmark corpus with fast decoding (medians of 7 interleaved runs: 78.4 against 81.6 images/s):
        # less is decoded ahead, and ONNX Runtime packs the fully-connected weights once per call without prepacking.
        self.batch_size: int | None = None
        self.tta = "none"  # "10crop": test-time augmentation (Tools menu)
        #: keep every unit's top images while classifying (Model menu), so the Unit tab answers at once
        self.record_units = True

    @Slot(str, str, object, str, object)
    def load_model(self, backend_name: str, device: str, weights, precision: str = "fp32", choices=None) -> None:
        """Load (or switch to) a backend; the old one stays in use if the new one fails. `precision` "fp16"
        applies on CUDA only: on the CPU the model runs fp32 (the backend's `precision` says which ran).
        `choices` (core.model.loading.CardChoices) are the user's labels file and preprocessing for the card."""
        from alexnet_gui.core.backends import cuda_status, load_backend
        from alexnet_gui.core.errors import UserError

        if self.closing.is_set():
            return
        self.model_loading.emit(f"{backend_name} on {device}")
        try:
            usable, reason = cuda_status(backend_name)
            self.cuda_checked.emit(backend_name, usable, reason)
            # No weight prepacking: the first top-5 comes 0.25 s sooner, for ~3.5 % on long folder runs.
            precision = precision if device != "cpu" or precision == "int8" else "fp32"
            backend = load_backend(backend_name, weights, device, precision, prepack=False, choices=choices)
        except UserError as exc:
            self.model_failed.emit(str(exc))
            return
        except Exception as exc:  # noqa: BLE001 - a model that fails to load must leave the app usable
            self.model_failed.emit(self.tr("the model could not be loaded ({kind}: {reason})").format(
                kind=type(exc).__name__, reason=exc))
            return
        if self.backend is not None:
            self.backend.close()
        self.backend = backend
        _freeze_the_heap()
        self.model_loaded.emit({
            "backend": backend.name, "device": backend.device,
            "provider": backend.provider, "precision": backend.precision, "weights": backend.weights_source,
            "untrained": weights.kind == "untrained", "card": backend.card, "card_id": backend.card.card_id,
            "calibration": backend.calibration,
            "quantisation": backend.quantisation,
        })

    @Slot(int, list, bool, bool)
    def classify(self, job: int, paths: list, walk: bool, fast_decode: bool = False) -> None:
        """Walk `paths` (when `walk`) and report what was found, then classify them all, in batches;
        `fast_decode` decodes JPEGs at a reduced DCT scale, as the command line's --fast-decode does."""
        from alexnet_gui.core.pipeline.engine import Engine, iter_image_paths

        if self.closing.is_set():
            return
        self.cancel_event.clear()
        if walk:
            found: list[str] = []
            for path in iter_image_paths(paths):
                found.append(path)
                if len(found) % _FOUND_CHUNK == 0:
                    self.paths_found.emit(job, found[-_FOUND_CHUNK:])
            if len(found) % _FOUND_CHUNK:
                self.paths_found.emit(job, found[len(found) - len(found) % _FOUND_CHUNK:])
            paths = found
        if self.backend is None:
            self.job_needs_model.emit(job)  # the rows stay queued; the window classifies them once a model loads
            return
        recorder = self._unit_recorder()
        engine = Engine(self.backend, top_k=self.top_k, batch_size=self.batch_size, tta=self.tta,
                        fast_decode=fast_decode, unit_recorder=recorder)
        start = time.perf_counter()
        batch: list = []
        done = classified = 0

        def emit_rows(engine_done: int, _total: int | None) -> None:
            # The engine calls this as each model batch ends, the last one too: its rows show at once (the first
            # after 32 images), and the engine's count is the job's.
            nonlocal done
            done = engine_done
            self._emit_batch(job, batch, done, len(paths), start)
            batch.clear()

        try:
            for result in engine.run(paths, cancel=self.cancel_event, on_progress=emit_rows):
                batch.append(result)
                classified += result.ok
        except Exception as exc:  # noqa: BLE001 - report, keep the rows already done, stay usable
            self.job_failed.emit(job, self.tr("classification stopped ({kind}: {reason})").format(
                kind=type(exc).__name__, reason=exc))
            return
        finally:
            if recorder is not None:
                self._save_recorder(recorder)
        elapsed = time.perf_counter() - start
        # No rate for a job whose files all failed: a missing file "runs" at hundreds of images/s.
        rate = done / elapsed if classified and elapsed > 0 else 0.0
        self.job_finished.emit(job, self.cancel_event.is_set(), rate)

    def _unit_recorder(self):
        """A recorder of the units' top images for this job, when asked for and cheap: the model's fp32 run gives
        the activations with the scores (the ONNX backend's int8 or fp16 copy would need a second, fp32 run)."""
        backend = self.backend
        if not self.record_units or backend.precision != "fp32" or not backend.card.unit_layers() or \
                "activations" not in backend.capabilities:
            return None
        from alexnet_gui.core.analysis.unit_examples import UnitRecorder
        from alexnet_gui.core.model.weights import cache_root

        return UnitRecorder(backend.card, cache_root() / "examples")

    @staticmethod
    def _save_recorder(recorder) -> None:
        try:
            recorder.save()
        except OSError as exc:  # a full or read-only cache costs the Unit tab a pass later, nothing else
            log.warning("could not keep the units' top images in %s (%s)", recorder.path.parent, exc)

    def _emit_batch(self, job: int, batch: list, done: int, total: int, start: float) -> None:
        elapsed = time.perf_counter() - start
        self.results_ready.emit(job, list(batch))
        self.progress.emit(job, done, total, done / elapsed if elapsed > 0 else 0.0)

    @Slot(str, object, int)
    def compute_view(self, kind: str, request, number: int = 0) -> None:
        """Compute data for a view (`request` is a callable taking the backend); errors become one sentence.
        Skipped when a newer request for the same view is already queued (`number` is below `newest_view[kind]`):
        only the newest one's answer would be shown."""
        if number < self.newest_view.get(kind, 0):
            return
        self._answer(kind, request)

    @Slot(str, object)
    def run_tool(self, kind: str, request) -> None:
        """Like compute_view, for tools that take a while: `request(backend, run)` also gets a ToolRun, to report
        progress and to stop when Cancel is pressed."""
        self.cancel_event.clear()
        self._answer(kind, lambda backend: request(backend, ToolRun(self, kind)))

    def _answer(self, kind: str, request) -> None:
        from alexnet_gui.core.errors import UserError

        if self.closing.is_set():
            return
        if self.backend is None:
            self.view_failed.emit(kind, self.tr("no model is loaded"))
            return
        try:
            payload = request(self.backend)
        except UserError as exc:
            self.view_failed.emit(kind, str(exc))
            return
        except ModuleNotFoundError as exc:  # Grad-CAM or the layer table in the torch-free desktop bundle
            from alexnet_gui.core.diagnostics import missing_dependency_message

            self.view_failed.emit(kind, missing_dependency_message(exc) or f"{type(exc).__name__}: {exc}")
            return
        except Exception as exc:  # noqa: BLE001
            self.view_failed.emit(kind, f"{type(exc).__name__}: {exc}")
            return
        self.view_ready.emit(kind, payload)

    @Slot()
    def shutdown(self) -> None:
        if self.backend is not None:
            self.backend.close()
            self.backend = None


class ToolRun:
    """What a tool request gets besides the backend: where to report progress, and the Cancel button's event."""

    def __init__(self, worker: InferenceWorker, kind: str) -> None:
        self.cancel = worker.cancel_event
        self._worker = worker
        self._kind = kind

    def progress(self, done: int, total: int | None) -> None:
        """Report `done` of `total` items (the engine's on_progress signature)."""
        self._worker.view_progress.emit(self._kind, done, total or 0)


class Requests(QObject):
    """Lives on the main thread; its signals are queued to the worker's slots."""

    load_model = Signal(str, str, object, str, object)   # backend, device, weights, precision, card choices
    classify = Signal(int, list, bool, bool)     # job, paths, walk folders, fast decode
    compute_view = Signal(str, object, int)      # view kind, request, its number (see InferenceWorker.newest_view)
    run_tool = Signal(str, object)
    shutdown = Signal()


class WorkerHandle:
    """Starts the worker thread and connects requests to it; `stop()` ends it cleanly."""

    def __init__(self) -> None:
        self.thread = QThread()
        self.thread.setObjectName("inference")
        self.worker = InferenceWorker()
        self.worker.moveToThread(self.thread)
        self.requests = Requests()
        self.requests.load_model.connect(self.worker.load_model)
        self.requests.classify.connect(self.worker.classify)
        self.requests.compute_view.connect(self.worker.compute_view)
        self.requests.run_tool.connect(self.worker.run_tool)
        self.requests.shutdown.connect(self.worker.shutdown)
        self.thread.start()

    def cancel(self) -> None:
        """Stop the running batch within one batch (thread-safe)."""
        self.worker.cancel_event.set()

    def ask_view(self, kind: str, request) -> None:
        """Queue a view's request; any older one for the same view still waiting is skipped by the worker."""
        number = self.worker.newest_view.get(kind, 0) + 1
        self.worker.newest_view[kind] = number  # a dict item set under the GIL: the worker reads it as a whole
        self.requests.compute_view.emit(kind, request, number)

    def stop(self, timeout_ms: int = 30000) -> bool:
        """Cancel work, release the backend, end the thread; True when the thread has ended."""
        if not self.thread.isRunning():
            return True
        self.worker.closing.set()
        self.cancel()
        self.requests.shutdown.emit()
        self.thread.quit()
        return self.thread.wait(timeout_ms)
