"""The Tools menu: compare backends, 10-crop TTA (toggle and the ten crops), accuracy on a labelled folder, sort.

`install_tools_menu(window)` is the one hook into MainWindow. Model work runs on the window's worker thread
through its `run_tool` request (the worker owns the backend), so the GUI never blocks on it; the window's progress
bar and Cancel button serve these jobs as they serve classification.
"""

from __future__ import annotations

import os
import time

from PySide6.QtCore import QT_TRANSLATE_NOOP, QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QMenu,
    QMessageBox,
    QPlainTextEdit,
    QVBoxLayout,
)

from alexnet_gui.gui.accessibility import describe

KIND_PREFIX = "tools:"
# What the status bar and the progress bar call each tool (marked for lupdate here, translated where shown).
TOOL_TITLES = {"compare": QT_TRANSLATE_NOOP("ToolsMenu", "comparing backends"),
               "ten crops": QT_TRANSLATE_NOOP("ToolsMenu", "ten crops"),
               "evaluate": QT_TRANSLATE_NOOP("ToolsMenu", "accuracy on a folder"),
               "sort": QT_TRANSLATE_NOOP("ToolsMenu", "sorting into folders")}



class EvaluationDialog(QDialog):
    """Accuracy on a labelled folder: the report, and the confusion matrix to click into."""

    def __init__(self, folder: str, text: str, matrix, window) -> None:
        super().__init__(window)
        from PySide6.QtWidgets import QTabWidget

        from alexnet_gui.gui.widgets.confusion_view import ConfusionView

        self.setWindowTitle(self.tr("Accuracy — {folder}").format(folder=folder))
        self.text = QPlainTextEdit(text)
        self.text.setReadOnly(True)
        describe(
            self.text, self.tr("Report"), self.tr("Top-1 and top-5 accuracy, per class, and the most confused pairs")
        )
        font = self.text.font()
        font.setFamily("monospace")
        self.text.setFont(font)
        self.confusion = ConfusionView(matrix)
        self.confusion.open_requested.connect(window.add_paths)
        tabs = QTabWidget()
        tabs.addTab(self.confusion, self.tr("Confusion matrix"))
        tabs.addTab(self.text, self.tr("Report"))
        QVBoxLayout(self).addWidget(tabs)
        self.resize(1100, 680)


class ToolsMenu(QObject):
    """Owns the Tools menu's actions and shows what the worker sends back for them."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.dialogs: list[QDialog] = []  # kept so they stay open; tests read the last one
        self.menu = QMenu(self.tr("&Tools"), window)
        window.menuBar().insertMenu(window.help_menu.menuAction(), self.menu)  # Help stays last, as on every desktop
        self.tta_action = QAction(self.tr("10-crop test-time augmentation"), window, checkable=True)
        self.tta_action.setStatusTip(
            self.tr(
                "Average the network's answers over the four corner and centre crops and "
                "their mirror images (the AlexNet paper's; ten times the work)"
            )
        )
        self.tta_action.toggled.connect(self.set_tta)
        self.crops_action = self._add(self.tr("Show the ten crops of the selected image"), self.show_ten_crops)
        self.menu.insertAction(self.crops_action, self.tta_action)
        self.menu.insertSeparator(self.crops_action)
        self.compare_action = self._add(
            self.tr("Compare PyTorch and ONNX Runtime on the selection"), self.compare_selection
        )
        self.evaluate_action = self._add(self.tr("Accuracy on a labelled folder…"), self.evaluate_folder)
        self.sort_action = self._add(self.tr("Sort classified images into folders…"), self.sort_rows)
        self.menu.addSeparator()
        self.train_action = self._add(self.tr("Train on labelled folders…"), self.train_on_folders)
        self.train_action.setStatusTip(
            self.tr("Teach a model your own classes from a folder holding one sub-folder of images per class")
        )
        self.train_dialog = None
        self.live_action = self._add(self.tr("Live view (camera or video)…"), self.live_view)
        self.live_action.setStatusTip(
            self.tr("Classify a camera or a video frame by frame, with one layer's feature maps")
        )
        self.live_dialog = None
        worker = window.handle.worker
        worker.view_ready.connect(self._on_ready)
        worker.view_failed.connect(self._on_failed)
        worker.view_progress.connect(self._on_progress)
        self._started: dict[str, float] = {}  # running tool -> when it was asked for

    def _add(self, text: str, slot) -> QAction:
        action = QAction(text, self.window)
        action.setStatusTip(text)
        action.triggered.connect(lambda _checked=False: slot())
        self.menu.addAction(action)
        return action

    def _request(self, kind: str, request) -> None:
        """Run `request(backend, run)` on the worker, with the progress bar and Cancel shown meanwhile."""
        self.window.statusBar().showMessage(self.tr("Working: {tool}…").format(tool=self.tool_title(kind)))
        self._started[kind] = time.perf_counter()
        self.window.begin_tool(KIND_PREFIX + kind)
        self.window.handle.requests.run_tool.emit(KIND_PREFIX + kind, request)

    def tool_title(self, kind: str) -> str:
        """A tool's name as the status bar shows it."""
        return self.tr(TOOL_TITLES[kind]) if kind in TOOL_TITLES else kind

    # --- actions ----------------------------------------------------------------------------------------------
    def set_tta(self, on: bool) -> None:
        """Use 10-crop TTA for the next classifications."""
        self.window.handle.worker.tta = "10crop" if on else "none"
        if self.tta_action.isChecked() != on:
            self.tta_action.setChecked(on)

    def _selected_paths(self) -> list[str]:
        rows = self.window.selected_source_rows()
        model = self.window.model
        return [model.row(r).path for r in rows] if rows else [r.path for r in model.rows()]

    def compare_selection(self, paths: list[str] | None = None) -> None:
        """Run the selected images (all rows when none is selected) through both backends."""
        paths = paths if paths is not None else self._selected_paths()
        if not paths:
            self.window.statusBar().showMessage(self.tr("Add images first, then compare."), 5000)
            return
        weights = self.window.weights

        def request(backend, run):
            from alexnet_gui.core.analysis.compare import compare_backends
            from alexnet_gui.core.backends import load_backend

            # The same device and precision as the loaded backend: a comparison of backends, not of precisions.
            other = load_backend(
                "onnx" if backend.name == "torch" else "torch",
                weights,
                backend.device,
                backend.precision,
                prepack=False,
            )
            try:
                pair = [backend, other] if backend.name == "torch" else [other, backend]
                compared = []
                for comparison in compare_backends(pair, paths, cancel=run.cancel):
                    compared.append(comparison)
                    run.progress(len(compared), len(paths))
                return compared
            finally:
                other.close()

        self._request("compare", request)

    def show_ten_crops(self, path: str | None = None) -> None:
        """Show the selected image's ten crops and where they disagree."""
        path = path or self.window.selected_path()
        if not path:
            self.window.statusBar().showMessage(self.tr("Select an image first."), 5000)
            return

        def request(backend, _run):
            from alexnet_gui.core.pipeline.images import open_rgb
            from alexnet_gui.core.pipeline.tta import answer_ten_crops

            return path, answer_ten_crops(backend, open_rgb(path))

        self._request("ten crops", request)

    def evaluate_folder(self, folder: str | None = None) -> None:
        """Report top-1/top-5, per-class accuracy and confusions on a folder of class-named sub-folders."""
        if folder is None:
            folder = QFileDialog.getExistingDirectory(self.window, self.tr("Folder with class-named sub-folders"))
            if not folder:
                return
        worker = self.window.handle.worker
        tta, batch_size = getattr(worker, "tta", "none"), worker.batch_size

        def request(backend, run):
            from alexnet_gui.core.analysis.confusion import ConfusionMatrix
            from alexnet_gui.core.analysis.evaluate import (
                evaluate_results,
                find_labelled_images,
                format_evaluation,
            )
            from alexnet_gui.core.pipeline.engine import Engine

            labels = backend.card.labels
            found = find_labelled_images(folder, labels)
            engine = Engine(backend, top_k=5, batch_size=batch_size, tta=tta)
            results = engine.run(found.paths, cancel=run.cancel, on_progress=run.progress)
            evaluation = evaluate_results(results, found.truth)
            text = format_evaluation(evaluation, labels=labels)
            scored = evaluation.images + len(evaluation.failed)
            if run.cancel.is_set() and scored < len(found.paths):
                text = (
                    self.tr(
                        "cancelled after {scored} of %n image(s): the figures below cover those only",
                        "",
                        len(found.paths),
                    ).format(scored=scored)
                    + "\n\n"
                    + text
                )
            if found.ignored_folders:
                text += "\n\n" + self.tr("ignored sub-folders that name none of the model's classes: {folders}").format(
                    folders=", ".join(found.ignored_folders)
                )
            return folder, text, ConfusionMatrix.from_records(evaluation.records, labels)

        self._request("evaluate", request)

    def train_on_folders(self, folder: str | None = None):
        """Open the training dialog (one per window: a second call shows it again), starting from the model the
        window runs."""
        from alexnet_gui.gui.widgets.train_dialog import TrainDialog

        if self.train_dialog is None:
            self.train_dialog = TrainDialog(self.window)
        if folder:
            self.train_dialog.set_data_folder(folder)
        self.train_dialog.show()
        self.train_dialog.raise_()
        return self.train_dialog

    def live_view(self, source: str | None = None):
        """Open the live view (one per window), on `source` when given (a camera number or a video file)."""
        from alexnet_gui.gui.widgets.live_view import LiveDialog

        if self.live_dialog is None:
            self.live_dialog = LiveDialog(self.window)
        if source is not None:
            self.live_dialog.source_edit.setText(source)
        self.live_dialog.show()
        return self.live_dialog

    def stop_training(self, timeout_ms: int = 120_000) -> None:
        """On closing the app: stop a training after its batch and let it save the best epoch first."""
        if self.train_dialog is not None and self.train_dialog.worker is not None:
            from PySide6.QtCore import QThreadPool

            self.train_dialog.cancel()
            QThreadPool.globalInstance().waitForDone(timeout_ms)

    def sort_rows(self, out_dir: str = ""):
        """Ask where and how to sort the classified rows, show the counts per folder, then copy or move."""
        from alexnet_gui.gui.widgets.sort_dialog import SortDialog

        results = [r for r in self.window.model.results() if r is not None]
        if not results:
            self.window.statusBar().showMessage(self.tr("Classify images first, then sort them."), 5000)
            return None
        dialog = SortDialog(results, self.window, out_dir=out_dir)
        dialog.accepted.connect(lambda: self._apply_sort(dialog))
        self._keep(dialog)
        dialog.open()
        return dialog

    def _apply_sort(self, dialog) -> None:
        """Copy or move on the worker thread (thousands of files must not freeze the window), with progress and
        Cancel; the outcome comes back to `_show_sorted`."""
        plan, move = dialog.plan, dialog.move
        if plan is None:
            return

        def request(_backend, run):
            from alexnet_gui.core.outputs.sort_files import apply_sort

            outcome = apply_sort(plan, move=move, on_progress=run.progress, cancel=run.cancel.is_set)
            return plan, move, outcome

        self._request("sort", request)

    def _show_sorted(self, plan, move: bool, outcome) -> None:
        failed = [f"{os.path.basename(step.source)}: {error}" for step, _, error in outcome if error]
        done = len(outcome) - len(failed)
        message = (
            self.tr("Moved %n image(s) into {folder}.", "", done)
            if move
            else self.tr("Copied %n image(s) into {folder}.", "", done)
        ).format(folder=plan.out_dir)
        if len(outcome) < len(plan.steps):
            message += " " + self.tr("Cancelled: {n} not sorted.").format(n=len(plan.steps) - len(outcome))
        self.window.statusBar().showMessage(message, 10000)
        self.last_sort_outcome = outcome
        if failed:
            QMessageBox.warning(
                self.window, self.tr("Some files were not sorted"), message + "\n\n" + "\n".join(failed[:20])
            )

    # --- results from the worker ------------------------------------------------------------------------------
    def _keep(self, dialog: QDialog) -> None:
        self.dialogs = [d for d in self.dialogs if d.isVisible()] + [dialog]

    def _on_progress(self, kind: str, done: int, total: int) -> None:
        if kind.startswith(KIND_PREFIX):
            name = kind[len(KIND_PREFIX) :]
            seconds = time.perf_counter() - self._started.get(name, time.perf_counter())
            self.window.show_tool_progress(self.tool_title(name), done, total, seconds)

    def _on_ready(self, kind: str, payload) -> None:
        if not kind.startswith(KIND_PREFIX):
            return
        self.window.end_tool(kind)
        kind = kind[len(KIND_PREFIX) :]
        self._started.pop(kind, None)
        self.window.statusBar().clearMessage()
        if kind == "sort":
            self._show_sorted(*payload)
            return
        if kind == "compare":
            from alexnet_gui.gui.widgets.compare_view import CompareDialog

            dialog = CompareDialog(payload, self.window)
        elif kind == "ten crops":
            from alexnet_gui.gui.widgets.crops_view import TenCropsDialog

            dialog = TenCropsDialog(*payload, parent=self.window)
        else:
            folder, text, matrix = payload
            dialog = EvaluationDialog(folder, text, matrix, self.window)
        self._keep(dialog)
        dialog.show()

    def _on_failed(self, kind: str, message: str) -> None:
        if kind.startswith(KIND_PREFIX):
            self.window.end_tool(kind)
            self._started.pop(kind[len(KIND_PREFIX) :], None)
            self.window.statusBar().showMessage(f"{self.tool_title(kind[len(KIND_PREFIX) :])}: {message}", 10000)
            self.last_error = message


def install_tools_menu(window) -> ToolsMenu:
    """Add the Tools menu to a MainWindow (call once, after its worker exists)."""
    window.tools_menu = ToolsMenu(window)
    return window.tools_menu
