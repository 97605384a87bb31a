"""The app's state without widgets: the model's life cycle, the loaded model (typed), jobs, settings and status.

`AppController` is what the window, its views, tools and dialogs ask; it asks the inference thread through typed
jobs (`jobs.JobRunner`) and tells through its signals. A model's weights are remembered (settings, Recent models)
only once it has loaded: a refused file never becomes the chosen weights.
"""

from __future__ import annotations

import dataclasses
import os
import time
from dataclasses import dataclass
from typing import Any, Callable

from PySide6.QtCore import QObject, Signal

from alexnet_gui.gui.jobs import Job, JobRun, JobRunner
from alexnet_gui.gui.settings import Settings
from alexnet_gui.gui.worker import (
    ClassifiedBatch,
    ClassifyOptions,
    ClassifyOutcome,
    ClassifyRequest,
    CudaStatus,
    LoadedModel,
    LoadRequest,
    PathsFound,
    classify,
    load_model,
)

# The preview's bars show five classes whatever the CSV's top-k, so classification always keeps at least five.
PREVIEW_CLASSES = 5


@dataclass(frozen=True)
class WeightsToRemember:
    """What to write to the settings once the weights it goes with have loaded (and not before)."""

    mode: str
    recent: str | None = None


def initial_weights(settings: Settings):
    """The weights the settings point at, else torchvision's cache; None when a dialog must ask.

    The untrained demo network is chosen when no weights are there: once torchvision's file is in its cache, it
    is used instead (and the settings say so from then on)."""
    from alexnet_gui.core.model.weights import WeightsError, cached_weights_path, resolve_weights

    try:
        if settings.weights_mode == "untrained":
            if cached_weights_path() is None:
                return resolve_weights(untrained=True)
            settings.weights_mode = "cache"
            return resolve_weights(download=False)
        if settings.weights_mode == "file" and settings.weights_file and os.path.exists(settings.weights_file):
            return resolve_weights(settings.weights_file)
        return resolve_weights(download=False)
    except WeightsError:
        return None


class AppController(QObject):
    """Owns the inference thread's jobs, the model's life cycle and the settings the app writes."""

    model_loading = Signal(str)          # what is being loaded
    model_loaded = Signal(object)        # LoadedModel
    model_failed = Signal(str)           # one sentence; the model that ran stays
    cuda_checked = Signal(str, bool, str)  # backend, usable, reason
    paths_found = Signal(list)           # a chunk of the files a walk found
    results_ready = Signal(list, bool)   # a batch of Results, whether they were decoded fast
    classify_progress = Signal(int, int, float)  # done, total, images/s over the job
    classify_finished = Signal(object)   # ClassifyOutcome
    busy_changed = Signal(bool)
    job_progress = Signal(str, int, int, float)  # a tracked tool's title, done, total, seconds since it started
    status = Signal(str, int)            # a message for the status bar, and for how many ms

    def __init__(self, settings: Settings, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.jobs = JobRunner(self)
        #: the weights of the model that runs (or, before the first load, of the one being loaded)
        self.weights = None
        self.loaded: LoadedModel | None = None
        self.options = ClassifyOptions(top_k=max(PREVIEW_CLASSES, settings.top_k), fast_decode=settings.fast_decode,
                                       record_units=settings.record_units,
                                       record_embeddings=settings.record_embeddings)
        self.last_rate = 0.0
        self._running: dict[Job, str] = {}  # tracked jobs (classifications and tools) -> their title
        # Images queued before any model loaded (first start, while choosing weights, after a failed load):
        # classified as soon as one loads.
        self.classify_when_loaded = False

    # --- the model's life cycle -----------------------------------------------------------------------------
    def load(self, request: LoadRequest, remember: WeightsToRemember | None = None) -> Job:
        """Load a model on the inference thread; its weights become the app's (and `remember` is written to the
        settings) only when it has loaded."""
        if self.is_busy():
            # The inference thread owns the model: a load (or its refusal) waits for the batch that runs.
            self.status.emit(self.tr("The model loads once the running work ends; Esc stops it now."), 15000)
        job = self.jobs.submit(load_model(request))
        self.model_loading.emit(f"{request.backend} on {request.device}")
        self.last_rate = 0.0  # the last batch's speed belongs to the model being replaced
        job.partial.connect(self._on_cuda_status)
        job.done.connect(lambda loaded: self._on_loaded(request, remember, loaded))
        job.failed.connect(self.model_failed)
        return job

    def _on_cuda_status(self, piece: Any) -> None:
        if isinstance(piece, CudaStatus):
            self.cuda_checked.emit(piece.backend, piece.usable, piece.reason)

    def _on_loaded(self, request: LoadRequest, remember: WeightsToRemember | None, loaded: LoadedModel) -> None:
        self.weights = request.weights
        if remember is not None:
            self.settings.weights_mode = remember.mode
            if remember.mode == "file" and request.weights.path is not None:
                self.settings.weights_file = str(request.weights.path)
            if remember.recent:
                self.settings.remember_model(remember.recent)
        self.loaded = loaded
        self.model_loaded.emit(loaded)

    def start_weights(self):
        """The weights the settings point at (now the app's), or None when the user must choose; says so when
        torchvision's file replaces the untrained demo network."""
        was_untrained = self.settings.weights_mode == "untrained"
        self.weights = initial_weights(self.settings)
        if was_untrained and self.weights is not None and self.weights.kind != "untrained":
            text = self.tr("Using the ImageNet weights now found in {path} instead of the untrained demo network.")
            self.status.emit(text.format(path=self.weights.path), 10000)
        return self.weights

    def loaded_info(self) -> dict | None:
        """The loaded model's fields by name (None before the first load)."""
        return self.loaded.as_dict() if self.loaded is not None else None

    # --- options (written to the settings, sent with each request) ---------------------------------------
    def remember_model_choice(self, backend: str, device: str, precision: str) -> None:
        """The backend, device and precision the user chose: the next start loads with them."""
        self.settings.backend, self.settings.device, self.settings.precision = backend, device, precision

    def set_option(self, **changes) -> None:
        """Change classification options for the jobs submitted from now on (a running one keeps its own)."""
        self.options = dataclasses.replace(self.options, **changes)
        for name in ("fast_decode", "record_units", "record_embeddings"):
            if name in changes:
                setattr(self.settings, name, changes[name])

    def set_fast_decode(self, on: bool) -> None:
        """Decode JPEGs fast (reduced DCT scale) for the images classified from now on; remembered."""
        self.set_option(fast_decode=on)
        self.status.emit(self.tr("Fast JPEG decoding on: it applies to the images classified from now on.") if on
                         else self.tr("Fast JPEG decoding off: it applies to the images classified from now on."),
                         5000)

    def set_top_k(self, k: int) -> None:
        if not 1 <= k <= 1000:
            raise ValueError("top-k must be between 1 and 1000")
        self.settings.top_k = k
        self.set_option(top_k=max(PREVIEW_CLASSES, k))

    # --- classification ---------------------------------------------------------------------------------
    def classify(self, paths: list[str], walk: bool) -> Job:
        """Walk (when `walk`) and classify `paths` with the options set now; rows come on `results_ready`."""
        options = self.options
        was_busy = self.is_busy()
        job = self.jobs.submit(classify(ClassifyRequest(tuple(paths), walk, options)))
        self._track(job, "")
        started = time.perf_counter()
        single = not walk and len(paths) == 1
        found = [0]  # the files a walk found so far: the bar counts them before the first batch ends
        job.partial.connect(lambda piece: self._on_classify_piece(piece, options.fast_decode, found))
        if not walk and not was_busy:
            self.classify_progress.emit(0, len(paths), 0.0)  # the count at once, not after the first batch
        job.done.connect(lambda outcome: self._on_classified(outcome, single, started))
        job.failed.connect(lambda message: self.status.emit(message, 10000))
        return job

    def _on_classify_piece(self, piece: Any, fast: bool, found: list[int]) -> None:
        if isinstance(piece, PathsFound):
            self.paths_found.emit(piece.paths)
            found[0] += len(piece.paths)
            self.classify_progress.emit(0, found[0], 0.0)
        elif isinstance(piece, ClassifiedBatch):
            self.results_ready.emit(piece.results, fast)
            self.classify_progress.emit(piece.done, piece.total, piece.rate)

    def _on_classified(self, outcome: ClassifyOutcome, single: bool, _started: float) -> None:
        # One re-run image (a backend switch, a top-k change) is no batch: its speed would read "3.2 images/s".
        if outcome.rate and not single:
            self.last_rate = outcome.rate
        if outcome.needs_model:
            self.classify_when_loaded = True
            self.status.emit(self.tr("No model is loaded yet: the images stay queued and are classified as soon "
                                     "as one is (Model > Choose weights…)."), 10000)
        elif outcome.cancelled:
            self.status.emit(self.tr("Cancelled; the rows done so far are kept."), 5000)
        self.classify_finished.emit(outcome)

    # --- tools and other tracked jobs ------------------------------------------------------------------------
    def run_tool(self, title: str, task: Callable[[JobRun], Any]) -> Job:
        """Run a long task with the window's busy bar and Cancel; its progress shows as `title`."""
        job = self.jobs.submit(task)
        self._track(job, title)
        started = time.perf_counter()
        job.progress.connect(lambda done, total: self.job_progress.emit(title, done, total,
                                                                        time.perf_counter() - started))
        return job

    def _track(self, job: Job, title: str) -> None:
        self._running[job] = title
        job.finished.connect(lambda: self._untrack(job))
        if len(self._running) == 1:
            self.busy_changed.emit(True)

    def _untrack(self, job: Job) -> None:
        if self._running.pop(job, None) is not None and not self._running:
            self.busy_changed.emit(False)

    def is_busy(self) -> bool:
        return bool(self._running)

    def cancel(self) -> None:
        """Stop the running batches and tools within one batch; what they did so far is kept."""
        for job in list(self._running):
            job.cancel()

    def stop(self) -> bool:
        """Cancel everything and end the inference thread (on closing)."""
        return self.jobs.stop()

    # --- export -----------------------------------------------------------------------------------------------
    def export_rows(self, path: str, results: list, inputs: list[str], fast_rows: int) -> None:
        """Write `results` to a CSV at `path` with its provenance sidecar; raises UserError or OSError."""
        from alexnet_gui.core.outputs.output_paths import check_output_file
        from alexnet_gui.core.outputs.provenance import record_export
        from alexnet_gui.core.outputs.results import CsvResultWriter, csv_companions

        # Never over one of the table's images (a name typed in the dialog can be one), nor into a folder; nor may
        # its sidecars (the provenance beside it) be one of them, as classify refuses.
        check_output_file(path, inputs=inputs, option="the export", sidecars=csv_companions(path))
        with CsvResultWriter(path, self.settings.top_k) as writer:
            for result in results:
                writer.write(result)
        record_export(path, self.loaded_info(), self.weights, top_k=self.settings.top_k, tta=self.options.tta,
                      results=results, fast_rows=fast_rows)
