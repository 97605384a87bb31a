"""The Tools menu: compare backends, 10-crop TTA (toggle and the ten crops), accuracy on a labelled folder, sort.

It gets the app's `AppContext`, not the window. Model work runs on the inference thread as tracked jobs
(`AppController.run_tool`: the thread owns the backend), so the GUI never blocks on it; the window's progress bar
and Cancel button serve these jobs as they serve classification, and each job's handle brings its own answer.
"""

from __future__ import annotations

import dataclasses
import os
from typing import Any, NamedTuple

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
from alexnet_gui.gui.widgets.keys_dialog import add_close_button

# What the status bar and the progress bar call each tool (marked for lupdate here, translated where shown).
TOOL_TITLES = {"compare": QT_TRANSLATE_NOOP("ToolsMenu", "comparing backends"),
               "ten crops": QT_TRANSLATE_NOOP("ToolsMenu", "ten crops"),
               "evaluate": QT_TRANSLATE_NOOP("ToolsMenu", "accuracy on a folder"),
               "sort": QT_TRANSLATE_NOOP("ToolsMenu", "sorting into folders")}



class TenCrops(NamedTuple):
    path: str
    answers: Any  # core.pipeline.tta's CropAnswers


class Evaluation(NamedTuple):
    folder: str
    text: str  # the report
    matrix: Any  # core.analysis.confusion.ConfusionMatrix


class Sorted(NamedTuple):
    plan: Any  # core.outputs.sort_files' plan
    move: bool
    outcome: list


class EvaluationDialog(QDialog):
    """Accuracy on a labelled folder: the report, and the confusion matrix to click into."""

    def __init__(self, folder: str, text: str, matrix, context) -> None:
        super().__init__(context.parent)
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
        self.confusion.open_requested.connect(context.add_paths)
        tabs = QTabWidget()
        tabs.addTab(self.confusion, self.tr("Confusion matrix"))
        tabs.addTab(self.text, self.tr("Report"))
        layout = QVBoxLayout(self)
        layout.addWidget(tabs)
        self.buttons = add_close_button(self, layout)  # Esc closes it too
        self.resize(1100, 680)


class ToolsMenu(QObject):
    """Owns the Tools menu's actions (`menu`, for the window to place) and shows what their jobs answer."""

    def __init__(self, context) -> None:
        super().__init__(context.parent)
        self.context = context
        window = context.parent
        self.dialogs: list[QDialog] = []  # kept so they stay open; tests read the last one
        self.menu = QMenu(self.tr("&Tools"), window)
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
        self.last_job = None  # the handle of the last tool job (tests follow it)

    def _add(self, text: str, slot) -> QAction:
        action = QAction(text, self.context.parent)
        action.setStatusTip(text)
        action.triggered.connect(lambda _checked=False: slot())
        self.menu.addAction(action)
        return action

    def _request(self, kind: str, request, shown) -> None:
        """Run `request(backend, run)` on the inference thread, with the progress bar and Cancel shown meanwhile;
        its answer goes to `shown`, a refusal to the status bar."""
        title = self.tool_title(kind)
        self.context.status(self.tr("Working: {tool}…").format(tool=title))
        job = self.context.controller.run_tool(title, lambda run: request(run.backend, run))
        job.done.connect(lambda answer: self._answered(shown, answer))
        job.failed.connect(lambda message: self._on_failed(title, message))
        self.last_job = job

    def _answered(self, shown, answer) -> None:
        self.context.status("")
        shown(answer)

    def tool_title(self, kind: str) -> str:
        """A tool's name as the status bar shows it."""
        return self.tr(TOOL_TITLES[kind]) if kind in TOOL_TITLES else kind

    # --- actions ----------------------------------------------------------------------------------------------
    def set_tta(self, on: bool) -> None:
        """Use 10-crop TTA for the next classifications."""
        self.context.controller.set_option(tta="10crop" if on else "none")
        if self.tta_action.isChecked() != on:
            self.tta_action.setChecked(on)

    def compare_selection(self, paths: list[str] | None = None) -> None:
        """Run the selected images (all rows when none is selected) through both backends."""
        paths = paths if paths is not None else self.context.selection.chosen_paths()
        if not paths:
            self.context.status(self.tr("Add images first, then compare."), 5000)
            return
        weights = self.context.weights

        def request(backend, run):
            from alexnet_gui.core.backends import load_backend
            from alexnet_gui.core.tasks.compare import compare_paths

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
                return compare_paths(pair, paths, cancel=run.cancel, on_progress=run.progress).comparisons
            finally:
                other.close()

        self._request("compare", request, self._show_comparison)

    def show_ten_crops(self, path: str | None = None) -> None:
        """Show the selected image's ten crops and where they disagree."""
        path = path or self.context.selection.path()
        if not path:
            self.context.status(self.tr("Select an image first."), 5000)
            return

        def request(backend, _run):
            from alexnet_gui.core.pipeline.images import open_rgb
            from alexnet_gui.core.pipeline.tta import answer_ten_crops

            return TenCrops(path, answer_ten_crops(backend, open_rgb(path)))

        self._request("ten crops", request, self._show_crops)

    def evaluate_folder(self, folder: str | None = None) -> None:
        """Report top-1/top-5, per-class accuracy and confusions on a folder of class-named sub-folders."""
        if folder is None:
            folder = QFileDialog.getExistingDirectory(self.context.parent,
                                                      self.tr("Folder with class-named sub-folders"))
            if not folder:
                return
        from alexnet_gui.core.tasks.evaluate import EVALUATE_OPTIONS

        chosen = self.context.controller.options  # the app's options, but evaluate's top five
        options = dataclasses.replace(EVALUATE_OPTIONS, batch_size=chosen.batch_size, fast_decode=chosen.fast_decode,
                                      tta=chosen.tta)

        def request(backend, run):
            from alexnet_gui.core.analysis.evaluate import format_evaluation, trained_on_warning
            from alexnet_gui.core.tasks.evaluate import evaluate_folder as evaluate

            labels = backend.card.labels
            report = evaluate(backend, folder, options=options, cancel=run.cancel, on_progress=run.progress)
            found = report.found
            text = format_evaluation(report.evaluation, labels=labels)
            trained_on = trained_on_warning(backend.card, folder)  # 100 % on the training images says little
            if trained_on:
                text = trained_on + "\n\n" + text
            if report.cancelled:
                text = (
                    self.tr(
                        "cancelled after {scored} of %n image(s): the figures below cover those only",
                        "",
                        len(found.paths),
                    ).format(scored=report.scored)
                    + "\n\n"
                    + text
                )
            if found.ignored_folders:
                text += "\n\n" + self.tr("ignored sub-folders that name none of the model's classes: {folders}").format(
                    folders=", ".join(found.ignored_folders)
                )
            return Evaluation(folder, text, report.confusion(labels))

        self._request("evaluate", request, self._show_evaluation)

    def train_on_folders(self, folder: str | None = None):
        """Open the training dialog (one per window: a second call shows it again), starting from the model the
        window runs."""
        from alexnet_gui.gui.widgets.train_dialog import TrainDialog

        if self.train_dialog is None:
            self.train_dialog = TrainDialog(self.context)
        if folder:
            self.train_dialog.set_data_folder(folder)
        self.train_dialog.show()
        self.train_dialog.raise_()
        return self.train_dialog

    def live_view(self, source: str | None = None):
        """Open the live view (one per window), on `source` when given (a camera number or a video file)."""
        from alexnet_gui.gui.widgets.live_view import LiveDialog

        if self.live_dialog is None:
            self.live_dialog = LiveDialog(self.context)
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

        results = [r for r in self.context.selection.model.results() if r is not None]
        if not results:
            self.context.status(self.tr("Classify images first, then sort them."), 5000)
            return None
        dialog = SortDialog(results, self.context.parent, out_dir=out_dir)
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
            return Sorted(plan, move, outcome)

        self._request("sort", request, lambda answer: self._show_sorted(*answer))

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
        self.context.status(message, 10000)
        self.last_sort_outcome = outcome
        if failed:
            QMessageBox.warning(
                self.context.parent, self.tr("Some files were not sorted"), message + "\n\n" + "\n".join(failed[:20])
            )

    # --- results from the worker ------------------------------------------------------------------------------
    def _keep(self, dialog: QDialog) -> None:
        self.dialogs = [d for d in self.dialogs if d.isVisible()] + [dialog]

    def _show_comparison(self, comparisons) -> None:
        from alexnet_gui.gui.widgets.compare_view import CompareDialog

        self._show(CompareDialog(comparisons, self.context.parent))

    def _show_crops(self, answer) -> None:
        from alexnet_gui.gui.widgets.crops_view import TenCropsDialog

        self._show(TenCropsDialog(*answer, parent=self.context.parent))

    def _show_evaluation(self, answer) -> None:
        folder, text, matrix = answer
        self._show(EvaluationDialog(folder, text, matrix, self.context))

    def _show(self, dialog: QDialog) -> None:
        self._keep(dialog)
        dialog.show()
        # Focused, so that Esc (and Tab) reach the new window rather than the main one behind it.
        dialog.raise_()
        dialog.activateWindow()

    def _on_failed(self, title: str, message: str) -> None:
        self.context.status(f"{title}: {message}", 10000)
        self.last_error = message
