"""Typed jobs on the one inference thread: `JobRunner.submit(task)` returns a `Job` handle with its own signals.

The inference thread owns the backend (`InferenceWorker.backend`); the main thread never touches it. A task is a
callable `task(run)` run there, where `run` (a `JobRun`) gives the backend, the job's cancel event and ways to
report progress and partial answers. Its answer (a dataclass) comes back on the handle's `done`, a refusal as one
sentence on `failed`: each handle hears only its own job, so no signal routes answers by a string kind. A job
submitted with a `key` supersedes the older one with the same key: that one reports `cancelled` and never `done`,
and is skipped if it has not started (a user switching tabs quickly would otherwise queue hundreds of obsolete
requests). Options travel inside the task (frozen dataclasses), never as attributes written across threads.
"""

from __future__ import annotations

import logging
import threading
from typing import Any, Callable

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot

log = logging.getLogger("alexnet_gui")


class NoModelLoaded(Exception):
    """A task asked for the backend before any model loaded."""


class Job(QObject):
    """The handle of one submitted task, made on the main thread; its signals arrive there.

    `done(answer)` or `failed(sentence)` ends it; `cancelled()` ends a superseded one (its answer, if any, is
    dropped). `progress(done, total)` and `partial(piece)` come while it runs. `cancel()` asks the task to stop
    early: it then ends as it chooses (a classification keeps the rows done so far and ends `done`)."""

    done = Signal(object)
    failed = Signal(str)
    cancelled = Signal()
    progress = Signal(int, int)
    partial = Signal(object)
    finished = Signal()  # after any of done, failed or cancelled
    _finish = Signal(bool, object)  # worker thread -> the handle's own thread: (ok, answer or sentence)

    def __init__(self, key: str | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.key = key
        self.cancel_event = threading.Event()
        #: "queued", "running", "done", "failed", "cancelled" (superseded or dropped at shutdown)
        self.state = "queued"
        self._finish.connect(self._on_finish)

    def cancel(self) -> None:
        """Ask the task to stop early (thread-safe; a task checks the event between items)."""
        self.cancel_event.set()

    def supersede(self) -> None:
        """Drop this job for a newer one: it stops early, reports `cancelled`, and its answer is never shown."""
        if self.is_finished():
            return
        self.cancel_event.set()
        self.state = "cancelled"
        self.cancelled.emit()
        self.finished.emit()

    def is_finished(self) -> bool:
        return self.state in ("done", "failed", "cancelled")

    @Slot(bool, object)
    def _on_finish(self, ok: bool, answer: Any) -> None:
        if self.is_finished():  # superseded meanwhile: the answer is obsolete
            return
        self.state = "done" if ok else "failed"
        (self.done if ok else self.failed).emit(answer)
        self.finished.emit()


class JobRun:
    """What a task gets on the worker thread: the backend, its job's cancel event, and its reporting."""

    def __init__(self, worker: InferenceWorker, job: Job) -> None:
        self._worker = worker
        self._job = job
        self.cancel = job.cancel_event

    @property
    def backend(self):
        """The loaded backend; a task that needs one and finds none fails with "no model is loaded"."""
        if self._worker.backend is None:
            raise NoModelLoaded
        return self._worker.backend

    @property
    def has_backend(self) -> bool:
        return self._worker.backend is not None

    def replace_backend(self, backend) -> None:
        """Make `backend` the one every later task uses, closing the old one (model loading only)."""
        if self._worker.backend is not None:
            self._worker.backend.close()
        self._worker.backend = backend

    def progress(self, done: int, total: int | None) -> None:
        """Report `done` of `total` items (the engine's on_progress signature)."""
        self._job.progress.emit(done, total or 0)

    def send(self, piece: Any) -> None:
        """Send a partial answer (a typed piece: rows found, a batch of results) to the handle's `partial`."""
        self._job.partial.emit(piece)


class InferenceWorker(QObject):
    """Lives on the inference thread: owns the backend and runs tasks one after another."""

    def __init__(self) -> None:
        super().__init__()
        self.backend = None
        #: set by JobRunner.stop(): every task still queued returns at once, so closing the window never waits for
        #: (or is cut off in the middle of) a queue of obsolete work
        self.closing = threading.Event()

    @Slot(object, object)
    def run(self, job: Job, task: Callable[[JobRun], Any]) -> None:
        if self.closing.is_set() or job.cancel_event.is_set() and job.state == "cancelled":
            return  # superseded before it started, or the window is closing
        job.state = "running"
        job._finish.emit(*_answer(task, JobRun(self, job)))

    @Slot()
    def shutdown(self) -> None:
        if self.backend is not None:
            self.backend.close()
            self.backend = None


def _answer(task: Callable[[JobRun], Any], run: JobRun) -> tuple[bool, Any]:
    """(True, the task's answer) or (False, one sentence): a failing task fails only its own job."""
    from alexnet_gui.core.errors import UserError

    try:
        return True, task(run)
    except NoModelLoaded:
        return False, _no_model_text()
    except UserError as exc:
        return False, str(exc)
    except ModuleNotFoundError as exc:  # Grad-CAM or the layer table in the torch-free desktop bundle
        from alexnet_gui.core.diagnostics import missing_dependency_message

        return False, missing_dependency_message(exc) or f"{type(exc).__name__}: {exc}"
    except Exception as exc:  # noqa: BLE001 - one sentence, and the app stays usable
        log.debug("a job failed", exc_info=True)
        return False, f"{type(exc).__name__}: {exc}"


def _no_model_text() -> str:
    from PySide6.QtCore import QCoreApplication

    return QCoreApplication.translate("InferenceWorker", "no model is loaded")


class _Requests(QObject):
    """Lives on the main thread; its signals are queued to the worker's slots."""

    post = Signal(object, object)  # queued to `run` on the next turn of the main event loop
    run = Signal(object, object)
    shutdown = Signal()


class JobRunner(QObject):
    """Starts the inference thread; `submit()` queues a task there and returns its handle; `stop()` ends it."""

    submitted = Signal(object)  # each new Job, before it is queued (a caller may connect to it first)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.thread = QThread()
        self.thread.setObjectName("inference")
        self.worker = InferenceWorker()
        self.worker.moveToThread(self.thread)
        self._requests = _Requests()
        self._requests.run.connect(self.worker.run)
        # A task reaches the worker only once the main thread is back in its event loop: whoever submitted it has
        # connected to its handle by then, so not even a task that reports at once can be missed.
        self._requests.post.connect(self._requests.run, Qt.ConnectionType.QueuedConnection)
        self._requests.shutdown.connect(self.worker.shutdown)
        self._latest: dict[str, Job] = {}
        #: every unfinished job, held here: a handle's Python side must outlive its task, whoever else keeps it
        self._active: set[Job] = set()
        self.thread.start()

    def submit(self, task: Callable[[JobRun], Any], key: str | None = None) -> Job:
        """Queue `task(run)` on the inference thread; a `key` supersedes the older job with the same key."""
        job = Job(key, self)
        if key is not None:
            older = self._latest.get(key)
            if older is not None:
                older.supersede()
            self._latest[key] = job
            job.finished.connect(lambda: self._forget(job))
        self._active.add(job)
        # Not held for good: a finished handle is released once no one else holds it.
        job.finished.connect(lambda: self._release(job))
        self.submitted.emit(job)
        self._requests.post.emit(job, task)
        return job

    def _release(self, job: Job) -> None:
        self._active.discard(job)
        job.setParent(None)

    def _forget(self, job: Job) -> None:
        if self._latest.get(job.key or "") is job:
            del self._latest[job.key or ""]

    def stop(self, timeout_ms: int = 30000) -> bool:
        """Drop queued tasks, release the backend, end the thread; True when the thread has ended."""
        if not self.thread.isRunning():
            return True
        self.worker.closing.set()
        for job in list(self._active):
            job.cancel()
        self._requests.shutdown.emit()
        self.thread.quit()
        return self.thread.wait(timeout_ms)
