"""The main window: layout and wiring. The app's state lives in `AppController`; the actions in `actions.ACTIONS`;
views, tools and dialogs get an `AppContext`, not this window."""

from __future__ import annotations

import os

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMainWindow, QMessageBox, QSplitter, QTabWidget, QWidget

from alexnet_gui.gui.actions import fill_menu, install_actions, update_enabled
from alexnet_gui.gui.context import AppContext, Selection
from alexnet_gui.gui.controller import PREVIEW_CLASSES, AppController, WeightsToRemember, initial_weights
from alexnet_gui.gui.export_summary import export_message
from alexnet_gui.gui.keyboard import install_keyboard
from alexnet_gui.gui.recent_folders import RecentFolders
from alexnet_gui.gui.results_model import ResultsModel
from alexnet_gui.gui.row_actions import RowActions
from alexnet_gui.gui.settings import Settings
from alexnet_gui.gui.view_menu import ViewMenu
from alexnet_gui.gui.views.predictions import PredictionsView
from alexnet_gui.gui.widgets.model_opener import ModelOpener
from alexnet_gui.gui.window_parts import (
    DropTarget,
    ask_image_paths,
    batch_progress_text,
    build_results_panel,
    build_status_bar,
    build_toolbar,
    model_line,
    model_loading_text,
    set_cuda_enabled,
    show_progress,
    tool_progress_text,
    window_title,
)
from alexnet_gui.gui.worker import LoadRequest

__all__ = ["MainWindow", "PREVIEW_CLASSES", "fitting_size", "initial_weights"]


def fitting_size(available: QSize, width: int, height: int) -> QSize:
    """The window's first size: `width` x `height`, shrunk to 90 % of the screen's free area where that is smaller
    (a 1600x1000 screen at 200 % scaling offers 800x500 logical pixels)."""
    return QSize(min(width, available.width() * 9 // 10), min(height, available.height() * 9 // 10))


class MainWindow(QMainWindow):
    """Everything the user sees; all model work goes to the inference thread through `AppController`."""

    selected_image_changed = Signal(str)
    model_ready = Signal(object)  # LoadedModel

    def __init__(self, settings: Settings | None = None, paths: list[str] | None = None) -> None:
        super().__init__()
        self.settings = settings or Settings()
        self.controller = AppController(self.settings, self)
        self.handle = self.controller.jobs  # the inference thread (tests read its state)
        self._rerun_path: str | None = None
        self.views: dict = {}
        # Qt appends the application's display name ("… — alexnet-gui"): the title says only what is loaded.
        self.setWindowTitle(self.tr("no model loaded"))
        self.model = ResultsModel(self)  # sorts and filters itself (see ResultsModel): no proxy in between
        self._build_layout()
        self._wire_controller()
        from alexnet_gui.gui.widgets.diagnostics_dialog import install_diagnostics_action
        from alexnet_gui.gui.widgets.tools_menu import ToolsMenu

        self.tools_menu = ToolsMenu(self.context)  # compare backends, 10-crop TTA, accuracy, sort, train, live
        self.menuBar().insertMenu(self.help_menu.menuAction(), self.tools_menu.menu)  # Help stays last
        self.diagnostics_action = install_diagnostics_action(self.context, self.help_menu)
        # Tab leaves the table, Ctrl+PgUp/PgDn, Alt+1..9, F1; the rows' menu, Ctrl+C, Undo; Recent folders, session
        self.keyboard, self.row_actions, self.recent = install_keyboard(self), RowActions(self), RecentFolders(self)
        if paths:
            QTimer.singleShot(0, lambda: self.add_paths(paths))

    # --- layout and wiring --------------------------------------------------------------------------------
    def _build_layout(self) -> None:
        table_panel = build_results_panel(self, self.model)
        self.drop_target = DropTarget(self, self.table, self.add_paths)
        self.selection = Selection(self.model, self.table, self)
        self.table.selectionModel().currentRowChanged.connect(self._on_current_changed)
        self.predictions = PredictionsView()
        self.preview, self.bars, self.detail = self.predictions.preview, self.predictions.bars, self.predictions.detail
        self.tabs = QTabWidget()
        self.tabs.addTab(self.predictions, self.tr("Predictions"))
        self.context = AppContext(self.controller, self.selection, self, self.add_paths, self.open_model,
                                  self._open_view)
        from alexnet_gui.gui.widgets.model_panel import ModelPanel

        self.model_panel = ModelPanel(self)
        self.model_opener = ModelOpener(self.context, self.model_panel, self.load_model,
                                        self.rerun_selected_when_loaded)
        self.model_panel.choices_changed.connect(self.model_opener.reload_with_choices)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.model_panel)
        self.model_panel.hide()  # Model > Model card shows it
        self._build_menus()
        build_toolbar(self, self.settings)
        self.backend_combo.currentIndexChanged.connect(self._on_model_choice_changed)
        self.device_combo.currentIndexChanged.connect(self._on_model_choice_changed)
        build_status_bar(self)
        splitter = QSplitter()
        splitter.addWidget(table_panel)
        splitter.addWidget(self.tabs)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        self.setCentralWidget(splitter)
        self.resize(fitting_size(self.screen().availableGeometry().size(), 1280, 760))
        splitter.setSizes([self.width() * 55 // 100, self.width() * 45 // 100])
        if self.settings.geometry is not None:
            self.restoreGeometry(self.settings.geometry)

    def _build_menus(self) -> None:
        install_actions(self)
        self.fast_decode_action.setChecked(self.settings.fast_decode)
        self.record_units_action.setChecked(self.settings.record_units)
        self.fp16_action.setChecked(self.settings.precision == "fp16")
        self.int8_action.setChecked(self.settings.precision == "int8")
        bar = self.menuBar()
        fill_menu(self, bar.addMenu(self.tr("&File")), "file")
        fill_menu(self, bar.addMenu(self.tr("&Edit")), "edit")
        self.view_menu = ViewMenu(self, self.settings)
        self.language_actions, self.theme_actions = self.view_menu.language_actions, self.view_menu.theme_actions
        model_menu = bar.addMenu(self.tr("&Model"))
        fill_menu(self, model_menu, "model")
        model_menu.addSeparator()
        self.model_opener.install(model_menu)
        model_menu.addAction(self.weights_action)
        model_menu.addAction(self.model_panel.toggleViewAction())
        self.help_menu = bar.addMenu(self.tr("&Help"))
        fill_menu(self, self.help_menu, "help")

    def _wire_controller(self) -> None:
        c = self.controller
        c.model_loading.connect(self._on_model_loading)
        c.model_loaded.connect(self._on_model_loaded)
        c.model_failed.connect(self._on_model_failed)
        c.cuda_checked.connect(lambda backend, usable, reason: backend == self.current_backend()
                               and set_cuda_enabled(self, usable, reason))
        c.paths_found.connect(self._on_paths_found)
        c.results_ready.connect(self._on_results)
        c.classify_progress.connect(self._on_progress)
        c.classify_finished.connect(lambda _outcome: self._update_model_label())
        c.busy_changed.connect(self._set_running)
        c.job_progress.connect(self.show_tool_progress)
        c.status.connect(lambda text, ms: self.statusBar().showMessage(text, ms))
        self.selection.changed.connect(self.selected_image_changed)

    def add_view_tab(self, widget: QWidget, title: str) -> None:
        """Add a view (filters, feature maps, ...) next to the predictions."""
        self.tabs.addTab(widget, title)

    def _open_view(self, kind: str) -> QWidget:
        view = self.views[kind]
        self.tabs.setCurrentWidget(view)
        return view

    # --- state the controller keeps ---------------------------------------------------------------------
    @property
    def weights(self):
        return self.controller.weights

    @property
    def model_info(self):
        """The loaded model (a `LoadedModel`), None before the first load."""
        return self.controller.loaded

    def set_language_choice(self, choice: str) -> None:
        self.view_menu.set_language_choice(choice)

    def set_theme(self, name: str) -> None:
        self.view_menu.set_theme(name)

    # --- model --------------------------------------------------------------------------------------------
    def start(self) -> None:
        """Load the model on the worker (asking for weights first if none are known)."""
        if self.controller.start_weights() is None:
            QTimer.singleShot(0, self.ask_for_weights)
        else:
            self.load_model()

    def ask_for_weights(self) -> None:
        from alexnet_gui.gui.widgets.weights_dialog import ask_for_weights

        chosen = ask_for_weights(self, self.settings)
        if chosen is not None:
            self.set_weights(*chosen)

    def open_model(self, path: str | None = None, folder: bool = False) -> bool:
        """Open a model file or folder and load it (see `ModelOpener.open`)."""
        return self.model_opener.open(path, folder)

    def rerun_selected_when_loaded(self) -> None:
        """Show the selected image again by the next model that loads."""
        self._rerun_path = self.selected_path()

    def set_weights(self, choice, mode: str, recent: str | None = None) -> None:
        """Load these weights; once they have loaded they are remembered (settings, and Recent models)."""
        self.load_model(choice, WeightsToRemember(mode, recent))

    def current_backend(self) -> str:
        return self.backend_combo.currentData()

    def current_device(self) -> str:
        return self.device_combo.currentData()

    def current_precision(self) -> str:
        """The precision asked for: fp16 only when its action is checked (the worker runs fp32 on the CPU)."""
        if self.int8_action.isChecked():
            return "int8"
        return "fp16" if self.fp16_action.isChecked() else "fp32"

    def set_fp16(self, on: bool) -> None:
        self._on_precision_toggled(self.fp16_action, on)

    def set_int8(self, on: bool) -> None:
        self._on_precision_toggled(self.int8_action, on)

    def _on_precision_toggled(self, action, on: bool) -> None:
        """int8 and fp16 exclude each other: one precision runs."""
        other = self.fp16_action if action is self.int8_action else self.int8_action
        if on and other.isChecked():
            other.blockSignals(True)
            other.setChecked(False)
            other.blockSignals(False)
        self._on_model_choice_changed()

    def load_model(self, weights=None, remember: WeightsToRemember | None = None) -> None:
        """Load `weights` (default: those of the model that runs) with the backend, device and precision chosen."""
        weights = weights or self.controller.weights
        if weights is None:
            return
        self.controller.load(LoadRequest(self.current_backend(), self.current_device(), weights,
                                         self.current_precision(), self.model_panel.choices()), remember)

    def set_fast_decode(self, on: bool) -> None:
        """Decode JPEGs fast (reduced DCT scale) for the images classified from now on; remembered."""
        if self.fast_decode_action.isChecked() != on:
            self.fast_decode_action.setChecked(on)
        self.controller.set_fast_decode(on)

    def set_record_units(self, on: bool) -> None:
        """Keep the units' top images while classifying, from the next batch of images on; remembered."""
        if self.record_units_action.isChecked() != on:
            self.record_units_action.setChecked(on)
        self.controller.set_option(record_units=on)

    def ask_top_k(self) -> None:
        k, ok = QInputDialog.getInt(
            self, self.tr("Top-k"), self.tr("Classes per image in the CSV (1-1000):"), self.settings.top_k, 1, 1000)
        if ok:
            self.set_top_k(k)

    def set_top_k(self, k: int) -> None:
        """Keep `k` classes per image (remembered); rows classified with fewer are classified again, so that an
        export never has empty class cells for a readable image."""
        self.controller.set_top_k(k)
        fewer = self.model.paths_with_fewer_classes(k)
        if fewer and self.model_info:
            self.model.requeue(fewer)
            self.controller.classify(fewer, walk=False)
            self.statusBar().showMessage(self.tr(
                "Top-{k}: classifying %n image(s) again for their extra classes.", "", len(fewer)).format(k=k), 5000)

    def _on_model_choice_changed(self) -> None:
        self.controller.remember_model_choice(self.current_backend(), self.current_device(), self.current_precision())
        self._rerun_path = self.selected_path()
        self.load_model()

    def _on_model_loading(self, what: str) -> None:
        self.model_label.setText(model_loading_text(what, self.controller.loaded is None))
        self.setWindowTitle(self.tr("loading the model…"))  # not the previous weights' name (or UNTRAINED) meanwhile

    def _on_model_loaded(self, loaded) -> None:
        from alexnet_gui.gui.views import show_model_layers

        self._update_model_label()
        self.model_panel.show_card(loaded.card)
        older = self.model.session.rows_not_from(loaded.card_id)
        if older:
            self.statusBar().showMessage(self.tr(
                "%n row(s) came from another model or setting; Model > Classify all again (Shift+F5) "
                "classifies them with this one", "", len(older)), 10000)
        show_model_layers(self.views, loaded.card)
        self.predictions.show_crop_box(loaded.card)
        self.setWindowTitle(window_title(self.model_info))
        self.model_ready.emit(loaded)
        path, self._rerun_path = self._rerun_path, None
        if self.controller.classify_when_loaded:
            self.controller.classify_when_loaded = False
            self.classify_queued()
        elif path:
            self.controller.classify([path], walk=False)

    def _on_model_failed(self, message: str) -> None:
        self._update_model_label()
        self.setWindowTitle(window_title(self.model_info))  # the model that runs, not "loading the model…" for good
        self._rerun_path = None
        QMessageBox.warning(self, self.tr("Model not loaded"), message)

    def _update_model_label(self) -> None:
        self.model_label.setText(model_line(self.model_info, self.controller.last_rate))

    # --- queueing and classification --------------------------------------------------------------------
    def add_paths(self, paths: list[str]) -> None:
        """Queue files and folders (walked on the worker) and classify them."""
        paths = [os.fspath(p) for p in paths]
        if not paths:
            return
        self.recent.remember(paths)  # the file dialogs' folder, Recent folders, this session
        if self.is_busy():
            names = ", ".join(os.path.basename(p.rstrip(os.sep)) or p for p in paths[:3])
            text = (self.tr("Added {names} and %n more: classified after the current batch.", "", len(paths) - 3)
                    if len(paths) > 3 else self.tr("Added {names}: classified after the current batch."))
            self.statusBar().showMessage(text.format(names=names), 5000)
        self.controller.classify(paths, walk=True)

    def classify_queued(self) -> None:
        queued = self.model.queued_paths()
        if queued:
            self.controller.classify(queued, walk=False)

    def classify_all_again(self) -> None:
        """Classify every row again with the model that runs now (after opening another model); each row keeps its
        old result until the new one replaces it, so a cancel loses none."""
        paths = [row.path for row in self.model.rows()]
        if paths and self.model_info:
            self.controller.classify(paths, walk=False)

    def cancel(self) -> None:
        self.controller.cancel()

    def is_busy(self) -> bool:
        return self.controller.is_busy()

    def _set_running(self, running: bool) -> None:
        update_enabled(self, running)
        self.cancel_button.setVisible(running)
        self.progress_bar.setVisible(running)
        if running:
            self.progress_bar.setRange(0, 0)

    def _on_paths_found(self, paths: list) -> None:
        was_empty = self.model.rowCount() == 0
        added = self.model.add_paths(paths)
        if was_empty and self.model.rowCount():
            self.table.selectRow(0)
        self.row_actions.reveal_added(added)

    def _on_results(self, results: list, fast: bool) -> None:
        self.model.set_results(results, fast_decode=fast)
        current = self.selected_path()
        if current and any(r.path == current for r in results):
            self._show_path(current)

    def _on_progress(self, done: int, total: int, rate: float) -> None:
        show_progress(self.progress_bar, batch_progress_text(done, total, rate), done, total)

    def show_tool_progress(self, label: str, done: int, total: int, seconds: float) -> None:
        """Show a tool's progress, `seconds` after it started, in the bar classification uses."""
        if total > 0:
            show_progress(self.progress_bar, tool_progress_text(label, done, total, seconds), done, total)

    # --- selection, preview and rows ----------------------------------------------------------------------
    def selected_path(self) -> str | None:
        return self.selection.path()

    def _on_current_changed(self, current, _previous) -> None:
        from alexnet_gui.gui.results_model import PATH_ROLE

        path = current.data(PATH_ROLE) if current.isValid() else None
        if path:
            self._show_path(path)
            self.selection.changed.emit(path)

    def _show_path(self, path: str) -> None:
        self.predictions.show_path(path, self.model.row_for(path), self.context.card())

    def shown_predictions(self) -> list:
        return self.bars.predictions()

    def selected_source_rows(self) -> list[int]:
        return self.selection.source_rows()

    def select_all(self) -> None:
        self.table.selectAll()

    def remove_selected(self) -> None:
        rows = self.selected_source_rows()
        if rows:
            self.row_actions.keep_for_undo(rows)
            self.model.remove_rows(rows)
            if not self.table.selectionModel().currentIndex().isValid():
                self.predictions.clear()  # the preview must not keep showing a deleted image

    # --- export -------------------------------------------------------------------------------------------
    def export_csv(self, path: str | None = None) -> str | None:
        """Write the selected rows (or all, when at most one is selected) to a CSV; return its path (None when
        nothing was written: cancelled, failed, or no row classified yet)."""
        from alexnet_gui.core.errors import UserError

        if not self.model.results():
            self.statusBar().showMessage(self.tr("Nothing to export yet: no image has been classified."), 5000)
            return None
        if not path:
            start = os.path.join(self.settings.last_folder or os.getcwd(), "results.csv")
            path, _ = QFileDialog.getSaveFileName(self, self.tr("Export CSV"), start, self.tr("CSV (*.csv)"))
            if not path:
                return None
        rows = self.selected_source_rows()
        chosen = rows if len(rows) > 1 else None
        results = self.model.results(chosen)
        try:
            self.controller.export_rows(path, results, [r.path for r in self.model.rows()],
                                        self.model.fast_decoded_count(chosen))
        except (UserError, OSError) as exc:
            QMessageBox.warning(self, self.tr("Export failed"), str(exc))
            return None
        chosen_count = len(rows) if chosen else self.model.total_rows()
        self.statusBar().showMessage(export_message(path, len(results), chosen_count, chosen is not None), 10000)
        return path

    # --- file dialogs ---------------------------------------------------------------------------------------
    def open_images(self) -> None:
        paths = ask_image_paths(self, self.settings.last_folder)
        if paths:
            self.add_paths(paths)

    def open_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Open folder"), self.settings.last_folder)
        if folder:
            self.add_paths([folder])

    def show_about(self) -> None:
        from alexnet_gui import __version__

        QMessageBox.about(self, self.tr("About alexnet-gui"), f"alexnet-gui {__version__}\n" + self.tr(
            "AlexNet on ONNX Runtime or PyTorch: any AlexNet you have, with its own labels and preprocessing."))

    # --- shutdown -----------------------------------------------------------------------------------------
    def closeEvent(self, event) -> None:  # noqa: N802
        self.settings.geometry = self.saveGeometry()
        self.settings.sync()
        self.tools_menu.stop_training()
        self.controller.stop()
        self.model.wait_for_thumbnails()
        super().closeEvent(event)
