"""The labelling project in the app (issue 33): File > New/Open labelling project… and Export labels…, View >
Review, Tools > Find label errors… and Train on my labels…, the review tab and the "labelled N / total" line.

Each workflow calls one core task: exports `core/labelling/export.export_labels`, label errors
`core/labelling/issues.find_label_issues`, training the training dialog's job on the project (the core reads a
project as training data). Those read a project by its path while the app holds its lock, so they get a committed
copy (`LabellingProject.snapshot`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from PySide6.QtCore import QT_TRANSLATE_NOOP, QObject
from PySide6.QtWidgets import QFileDialog, QLabel, QMessageBox

from alexnet_gui.gui.accessibility import describe
from alexnet_gui.gui.actions import LABELLING_ACTIONS, install_owned_actions
from alexnet_gui.gui.labelling import LabellingProject

TITLES = {"errors": QT_TRANSLATE_NOOP("LabellingMenu", "finding label errors"),
          "export": QT_TRANSLATE_NOOP("LabellingMenu", "exporting labels"),
          "reclassify": QT_TRANSLATE_NOOP("LabellingMenu", "classifying the unlabelled images")}


@dataclass(frozen=True)
class Issues:
    """The core's label-issue ranking and the images it could not read."""

    issues: list
    unreadable: dict


class LabellingMenu(QObject):
    """Owns the project's actions, the review tab and the progress line of one window."""

    def __init__(self, window) -> None:
        super().__init__(window)
        from alexnet_gui.gui.views.review import ReviewView

        self.context = window.context
        self.labelling = LabellingProject(self.context, self)
        self.review = ReviewView(self.context, self.labelling)
        self._window = window
        self._review_index = -1
        self.actions = install_owned_actions(self, window, LABELLING_ACTIONS)
        self._place_actions(window)
        self.progress = describe(QLabel(), self.tr("Labelling progress"), self.tr("How many images are labelled"))
        window.statusBar().addPermanentWidget(self.progress)
        self.progress.hide()
        self.labelling.counts_changed.connect(self._show_counts)
        self.labelling.opened.connect(lambda project: self._on_opened(project))
        self.train_dialog = None
        # Closed cleanly on quitting (after the window stopped the inference thread): SQLite folds the log back
        # into the file. Every label was committed already; this only tidies.
        from PySide6.QtCore import QCoreApplication

        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.labelling.close)

    def _place_actions(self, window) -> None:
        menus = {a.text().replace("&", ""): a.menu() for a in window.menuBar().actions() if a.menu() is not None}
        file_menu = window.menuBar().actions()[0].menu()
        before = next((a for a in file_menu.actions() if a.isSeparator()), None)
        for name in ("new_project_action", "open_project_action", "export_labels_action"):
            file_menu.insertAction(before, self.actions[name])
        view_menu = getattr(window, "view_menu", None)
        (view_menu.menu if view_menu is not None else menus.get("View", file_menu)).addAction(self.review_action)
        tools = getattr(window, "tools_menu", None)
        tools_menu = tools.menu if tools is not None else file_menu
        tools_menu.addSeparator()
        tools_menu.addAction(self.label_errors_action)
        tools_menu.addAction(self.train_labels_action)

    def _show_counts(self, labelled: int, total: int) -> None:
        self.progress.setText(self.tr("labelled {labelled} / {total}").format(labelled=labelled, total=total))
        self.progress.show()

    def _on_opened(self, project) -> None:
        self.context.parent.setWindowFilePath(os.fspath(project.path))
        self.context.status(self.tr("Opened the labelling project {path}").format(path=project.path), 5000)

    # --- opening ------------------------------------------------------------------------------------------
    def new_project(self, path: str | None = None) -> bool:
        """Create a project (asking where) and add a folder of images to it."""
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self.context.parent, self.tr("New labelling project"),
                                                  "labels.sqlite", self.tr("Labelling projects (*.sqlite)"))
            if not path:
                return False
        folder = QFileDialog.getExistingDirectory(self.context.parent, self.tr("Images to label"))
        return self.labelling.open(path, [folder] if folder else None)

    def open_project(self, path: str | None = None, paths: list[str] | None = None) -> bool:
        """Open a project (asking which) with `paths` added; a refusal is one sentence in a message box."""
        if path is None:
            path, _ = QFileDialog.getOpenFileName(self.context.parent, self.tr("Open labelling project"), "",
                                                  self.tr("Labelling projects (*.sqlite);;All files (*)"))
            if not path:
                return False
        return self.labelling.open(path, paths, create=paths is not None)

    def show_review(self):
        """Show the review tab (adding it on first use) with the keyboard focus on it."""
        tabs = self._window.tabs
        if tabs.indexOf(self.review) < 0:
            self._window.add_view_tab(self.review, self.tr("Review"))
        tabs.setCurrentWidget(self.review)
        if self.review.current() is None and self.labelling.project is not None:
            self.review.reload()
        self.review.setFocus()
        return self.review

    def _need_project(self) -> bool:
        if self.labelling.project is None:
            QMessageBox.information(self.context.parent, self.tr("No labelling project"),
                                    self.tr("Open a labelling project first (File > Open labelling project…)."))
            return False
        return True

    # --- export -------------------------------------------------------------------------------------------
    def export_labels(self, choice=None):
        """Export the project's labels through the core (asking how and where when `choice` is None)."""
        from alexnet_gui.core.errors import UserError
        from alexnet_gui.core.labelling.export import export_labels
        from alexnet_gui.core.outputs.output_paths import check_output_file
        from alexnet_gui.gui.widgets.export_labels_dialog import ExportLabelsDialog

        if not self._need_project():
            return None
        if choice is None:
            dialog = ExportLabelsDialog(os.fspath(self.labelling.project.path), self.context.parent)
            if dialog.exec() != dialog.DialogCode.Accepted:
                return None
            choice = dialog.choice()
        try:
            if choice.fmt != "imagefolder":  # never over the project itself (the core sees only its copy)
                check_output_file(choice.out, inputs=[os.fspath(self.labelling.project.path)], option="the export")
        except UserError as exc:
            QMessageBox.warning(self.context.parent, self.tr("Export failed"), str(exc))
            return None
        copy = self.labelling.snapshot()
        job = self.context.controller.run_tool(self.tr(TITLES["export"]), lambda run: export_labels(
            copy, choice.fmt, choice.out, link=choice.link, split=choice.split, seed=choice.seed,
            min_prob=choice.min_prob, cancel=run.cancel, on_progress=run.progress))
        job.done.connect(lambda report: self.context.status(
            self.tr("Exported %n image(s) to {out}", "", report.images).format(out=report.out), 10000))
        job.failed.connect(lambda message: QMessageBox.warning(self.context.parent, self.tr("Export failed"),
                                                                message))
        return job

    # --- label errors -------------------------------------------------------------------------------------
    def find_label_errors(self):
        """Rank the project's labels with the core's label-issue task (a job with progress and Cancel) and
        review the ranking, most likely wrong first."""
        from alexnet_gui.core.labelling.issues import find_label_issues

        if not self._need_project():
            return None
        copy = self.labelling.snapshot()
        weights = self.context.weights
        path = os.fspath(weights.path) if weights is not None and weights.path is not None else None
        untrained = weights is not None and weights.kind == "untrained"

        def task(run):
            found = find_label_issues(copy, weights=path, untrained=untrained, cancel=run.cancel,
                                      on_progress=run.progress)
            return None if found is None else Issues(*found)

        job = self.context.controller.run_tool(self.tr(TITLES["errors"]), task)
        job.done.connect(self._show_issues)
        job.failed.connect(lambda message: QMessageBox.warning(self.context.parent, self.tr("Label errors"), message))
        return job

    def _show_issues(self, found: Issues | None) -> None:
        if found is None:
            self.context.status(self.tr("Cancelled."), 5000)
            return
        flagged = sum(1 for issue in found.issues if issue.issue)
        self.show_review()
        self.review.show_issues(found.issues)
        self.context.status(self.tr("%n label(s) are probably wrong; the most likely first.", "", flagged), 10000)

    # --- training -----------------------------------------------------------------------------------------
    def train_on_labels(self):
        """Open the training dialog on the project's labels (head mode first); once trained, offer to classify
        the unlabelled images with the new model."""
        from alexnet_gui.gui.widgets.train_dialog import TrainDialog

        if not self._need_project():
            return None
        if self.train_dialog is None:
            self.train_dialog = TrainDialog(self.context)
            self.train_dialog.finished_training.connect(self._offer_reclassify)
        project_path = os.fspath(self.labelling.project.path)
        self.train_dialog.out_edit.setText(os.path.splitext(project_path)[0] + "-model")
        self.train_dialog.set_data_folder(self.labelling.snapshot())
        self.train_dialog.show()
        self.train_dialog.raise_()
        return self.train_dialog

    def _offer_reclassify(self, finished) -> None:
        if finished is None or self.labelling.project is None:
            return
        answer = QMessageBox.question(self.context.parent, self.tr("Train on my labels"),
                                      self.tr("Classify the unlabelled images again with the new model?"))
        if answer == QMessageBox.StandardButton.Yes:
            self.reclassify_with(os.fspath(finished.out))

    def reclassify_with(self, model: str) -> None:
        """Open `model` and, once it has loaded, classify the project's unlabelled images with it."""
        controller = self.context.controller

        def loaded(_loaded) -> None:
            controller.model_loaded.disconnect(loaded)
            self.reclassify_unlabelled()

        controller.model_loaded.connect(loaded)
        if not self.context.open_model(model):
            controller.model_loaded.disconnect(loaded)

    def reclassify_unlabelled(self):
        """Classify the unlabelled images with the model that runs now (the core's task)."""
        from alexnet_gui.core.labelling.classify import classify_into_project, project_engine
        from alexnet_gui.core.labelling.queue import review_queue

        project = self.labelling.project
        paths = [row.path for row in review_queue(project, "file")]

        def work(run, project):
            return classify_into_project(project, project_engine(run.backend), paths, cancel=run.cancel,
                                         on_progress=run.progress)

        job = self.context.controller.run_tool(self.tr(TITLES["reclassify"]), self.labelling.project_task(work))
        job.done.connect(lambda _n: self.labelling.refresh_from_project(classified=True))
        job.failed.connect(lambda message: self.context.status(message, 10000))
        return job


def install_labelling(window) -> LabellingMenu:
    """Give `window` the labelling project's menus, review tab and progress line (kept as `window.labelling`)."""
    window.labelling = LabellingMenu(window)
    return window.labelling
