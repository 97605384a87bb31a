"""A labelling project open in the app: the core's SQLite project (`core/labelling/project.py`) held by the GUI.

Labels are written by the core on the GUI thread, synchronously, before the next image is shown: one label is one
SQLite transaction in WAL mode with a synced commit (a few milliseconds, measured in benchmarks/review_scale.py),
so a kill right after a key press loses no label. Classifying new and changed images runs on the inference thread
through the core's task (`classify_into_project`); the project serialises the two threads' transactions.
"""

from __future__ import annotations

import os
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP, QObject, QTimer, Signal

from alexnet_gui.core.outputs.results import Prediction, Result

#: rows added to the table per turn of the event loop: a 100,000-image project fills it in the background, each
#: turn blocking the GUI thread for some 30 ms, instead of 1.5 s at once
TABLE_CHUNK = 2000

# The table's extra columns (marked for lupdate here, translated where shown).
COLUMN_TITLES = (QT_TRANSLATE_NOOP("ProjectColumns", "Label"), QT_TRANSLATE_NOOP("ProjectColumns", "Source"),
                 QT_TRANSLATE_NOOP("ProjectColumns", "Agrees"))
SOURCE_NAMES = {"human": QT_TRANSLATE_NOOP("ProjectColumns", "human"),
                "model": QT_TRANSLATE_NOOP("ProjectColumns", "model"),
                "folder": QT_TRANSLATE_NOOP("ProjectColumns", "folder")}


@dataclass(frozen=True)
class Classified:
    """What classifying a project's new and changed images answered: how many were recorded."""

    recorded: int


def table_results(rows: list[tuple]) -> list[Result]:
    """The table's Results of the core's `table_rows()`: the top-1 only (the review shows the top-9), so that a
    project of 100,000 images fills the table in well under a second."""
    # The origin starts with the card's id, as a classification's does: a row the loaded model made is not
    # reported as "from another model".
    return [Result(path, None, (Prediction(index, label, prob),), origin=f"{card} (labelling project)")
            for path, index, label, prob, _label, _source, card in rows if label is not None]


def label_cells(rows: list[tuple]) -> dict[str, tuple[str, str, bool | None]]:
    """path -> (label, source, agrees with the top-1) of the labelled images among the core's `table_rows()`."""
    return {path: (label, source, None if top1 is None else top1 == label)
            for path, _index, top1, _prob, label, source, _card in rows if label is not None}


class ProjectColumns(QObject):
    """The results table's extra columns for an open project: label, source, agrees with the model."""

    def __init__(self, labels: dict[str, tuple[str, str, bool | None]], parent: QObject | None = None) -> None:
        super().__init__(parent)
        #: path -> (label, source, agrees), for the labelled images
        self.labels = labels

    def titles(self) -> list[str]:
        return [self.tr(t) for t in COLUMN_TITLES]

    def cell(self, path: str, column: int) -> str:
        found = self.labels.get(path)
        if found is None:
            return ""
        if column == 0:
            return found[0]
        if column == 1:
            return self.tr(SOURCE_NAMES[found[1]])
        return "" if found[2] is None else (self.tr("yes") if found[2] else self.tr("no"))


class LabellingProject(QObject):
    """The project the app has open (at most one): opening, labels, undo, bulk accept, snapshots for tasks."""

    opened = Signal(object)         # the core Project
    closed = Signal()
    labels_changed = Signal(list)   # the paths whose label changed
    counts_changed = Signal(int, int)  # labelled, total
    predictions_changed = Signal()  # images were classified (again): the review queue's order may change

    def __init__(self, context, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.project = None
        self.columns: ProjectColumns | None = None
        self._snapshots = tempfile.TemporaryDirectory(prefix="alexnet-gui-project-")
        self._filling: tuple[list, int] | None = None  # the table's rows still to add, and from where
        # The open project's jobs on the inference thread hold `_in_use` while they run and stop once `_closing`
        # is set: closing waits for the one in flight (a batch at most) instead of closing the connection under it.
        self._in_use = threading.Lock()
        self._closing = threading.Event()
        self._classifying = None  # the job classifying the open project's images
        self._classify_again = False  # images were added while it ran
        # The progress line's counts are two COUNTs over every image (30 ms at 100,000): asked once after a run
        # of key presses, not at each.
        self._counts_timer = QTimer(self)
        self._counts_timer.setSingleShot(True)
        self._counts_timer.setInterval(150)
        self._counts_timer.timeout.connect(self._emit_counts_now)

    # --- opening ------------------------------------------------------------------------------------------
    def open(self, path: str, paths: list[str] | None = None, *, create: bool = True) -> bool:
        """Open (or create) the project at `path`, add `paths` to it, show its images in the table and classify
        the new and changed ones; a refusal of the core is one sentence in a message box. True when opened."""
        from PySide6.QtWidgets import QMessageBox

        from alexnet_gui.core.errors import UserError
        from alexnet_gui.core.labelling.project import open_project

        if self.project is not None and Path(path).resolve() == self.project.path.resolve():
            return self._reopen(paths)  # the lock is ours: opening it again would refuse it as "locked"
        try:
            project = open_project(path, create=create)
            try:
                project.rescan()
                if paths:
                    project.add_paths(paths)
            except BaseException:
                project.close()
                raise
        except (UserError, OSError) as exc:
            QMessageBox.warning(self.context.parent, self.tr("Labelling project not opened"), str(exc))
            return False
        self.close()
        self.project = project
        self._closing = threading.Event()
        self._fill_table()
        self.opened.emit(project)
        self._emit_counts()
        self.classify_pending()
        return True

    def _reopen(self, paths: list[str] | None) -> bool:
        """The open project chosen again: re-scan it, add `paths`, classify what is new."""
        from PySide6.QtWidgets import QMessageBox

        from alexnet_gui.core.errors import UserError

        try:
            self.project.rescan()
            if paths:
                self.project.add_paths(paths)
        except (UserError, OSError) as exc:
            QMessageBox.warning(self.context.parent, self.tr("Labelling project not opened"), str(exc))
            return False
        self.refresh_from_project(classified=True)
        self.classify_pending()
        return True

    def project_task(self, work):
        """`work(run, project)` as a task for the inference thread that closing the project waits for: its
        `run.cancel()` is true once the project is closing, and it is skipped when that happened before it
        started."""
        project, closing, in_use = self.project, self._closing, self._in_use

        class _Run:
            def __init__(self, run) -> None:
                self._run = run
                self.cancel = lambda: run.cancel.is_set() or closing.is_set()

            def __getattr__(self, name):
                return getattr(self._run, name)

        def task(run):
            with in_use:
                if closing.is_set():
                    return None
                return work(_Run(run), project)

        return task

    def _fill_table(self) -> None:
        rows = self.project.table_rows()
        self.columns = ProjectColumns(label_cells(rows), self)
        self.context.selection.model.set_extra_columns(self.columns)
        self._fill(rows)

    def _fill(self, rows: list) -> None:
        """Add `rows` (the core's table_rows()) to the table, TABLE_CHUNK per turn of the event loop."""
        self._filling = (rows, 0)
        self._fill_next()

    def _fill_next(self) -> None:
        if self._filling is None:
            return
        rows, start = self._filling
        chunk = rows[start:start + TABLE_CHUNK]
        model = self.context.selection.model
        model.add_paths([r[0] for r in chunk])
        model.set_results(table_results(chunk))
        if start + TABLE_CHUNK < len(rows):
            self._filling = (rows, start + TABLE_CHUNK)
            QTimer.singleShot(0, self._fill_next)
        else:
            self._filling = None

    def table_filled(self) -> bool:
        """Whether every image of the project is in the table (it fills in the background)."""
        return self._filling is None

    def classify_pending(self):
        """Classify the images never classified or changed since, on the inference thread (the core's task)."""
        if self.project is None or not self.project.to_classify():
            return None
        from alexnet_gui.core.labelling.classify import classify_into_project, project_engine

        if self._classifying is not None and not self._classifying.is_finished():
            self._classify_again = True  # the images added meanwhile, once this one is done
            return self._classifying
        project = self.project

        def work(run, project):
            engine = project_engine(run.backend)
            return Classified(classify_into_project(project, engine, cancel=run.cancel,
                                                    on_progress=run.progress).recorded)

        job = self.context.controller.run_tool(self.tr("classifying the project's images"), self.project_task(work))
        self._classifying, self._classify_again = job, False
        job.done.connect(lambda _answer: self._classified(project))
        job.failed.connect(lambda message: self.context.status(message, 10000))
        return job

    def _classified(self, project) -> None:
        if self.project is not project:  # closed (or another opened) meanwhile
            return
        self.refresh_from_project(classified=True)
        if self._classify_again:
            self.classify_pending()

    def refresh_from_project(self, *, classified: bool = False) -> None:
        """Show the project's predictions and labels again (after a classification or a bulk change)."""
        if self.project is None:
            return
        rows = self.project.table_rows()
        model = self.context.selection.model
        if classified:
            self._fill(rows)
        if self.columns is not None:
            self.columns.labels = label_cells(rows)
        paths = [r[0] for r in rows]
        model.extra_changed(paths)
        self.labels_changed.emit(paths)
        self._emit_counts()
        if classified:
            self.predictions_changed.emit()

    def close(self) -> None:
        """Release the project file (its labels are all committed already)."""
        if self.project is None:
            return
        self._closing.set()
        with self._in_use:  # the job in flight ends its batch and stops
            self.project.close()
        self.project = None
        self._classifying = None
        self._filling = None
        self.context.selection.model.set_extra_columns(None)
        self.columns = None
        self.closed.emit()

    # --- labels -------------------------------------------------------------------------------------------
    def label(self, path: str, label: str) -> None:
        """Give `path` its human label, committed before this returns."""
        self.project.set_label(path, label)
        self._changed([path])

    def undo(self) -> list[str]:
        """Undo the last labelling step; the images it changed."""
        changed = self.project.undo()
        self._changed(changed)
        return changed

    def bulk_accept(self, min_prob: float) -> int:
        """Accept every unlabelled image's model label at or above `min_prob` (one undo step)."""
        from alexnet_gui.core.labelling.queue import bulk_accept

        count = bulk_accept(self.project, min_prob)
        if count:
            self.refresh_from_project()
        return count

    def _changed(self, paths: list[str]) -> None:
        if len(paths) > 50:  # an undone bulk accept: read them all at once
            self.refresh_from_project()
            return
        if self.columns is not None:
            for path in paths:
                found = self.project.rows("i.path = ?", (os.path.abspath(path),))
                row = found[0] if found else None
                if row is not None and row.label is not None:
                    self.columns.labels[row.path] = (row.label, row.source, row.agrees)
                else:
                    self.columns.labels.pop(path, None)
        self.context.selection.model.extra_changed(paths)
        self.labels_changed.emit(paths)
        self._emit_counts()

    def _emit_counts(self) -> None:
        if not self._counts_timer.isActive():
            self._counts_timer.start()

    def _emit_counts_now(self) -> None:
        if self.project is not None:
            self.counts_changed.emit(*self.project.counts())

    def progress_text(self) -> str:
        """The progress line: "labelled N / total"."""
        labelled, total = self.project.counts() if self.project is not None else (0, 0)
        return self.tr("labelled {labelled} / {total}").format(labelled=labelled, total=total)

    # --- tasks that read the project by its path ----------------------------------------------------------
    def snapshot(self) -> str:
        """A committed copy of the project (under the app's temporary folder, named as the project) for a core
        task that opens a project by its path while the app holds this one's lock."""
        folder = Path(tempfile.mkdtemp(dir=self._snapshots.name))
        return os.fspath(self.project.snapshot(folder / self.project.path.name))
