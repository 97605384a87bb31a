"""The main window: drop zone, results table, preview with top-5, model controls, progress and export."""

from __future__ import annotations

import os
import time

from PySide6.QtCore import QT_TRANSLATE_NOOP, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSplitter,
    QStyle,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from alexnet_gui.core.language import gettext
from alexnet_gui.core.wording import format_probability
from alexnet_gui.gui.accessibility import describe
from alexnet_gui.gui.results_model import (
    COL_LABEL,
    COL_NAME,
    COL_PROB,
    COL_STATUS,
    COL_THUMB,
    PATH_ROLE,
    THUMB_SIZE,
    ResultsModel,
)
from alexnet_gui.gui.settings import Settings
from alexnet_gui.gui.widgets.image_preview import ImagePreview, load_preview
from alexnet_gui.gui.widgets.model_opener import ModelOpener, card_status_text
from alexnet_gui.gui.widgets.prediction_bars import PredictionBars
from alexnet_gui.gui.widgets.results_table import ResultsTable
from alexnet_gui.gui.worker import WorkerHandle

BACKEND_LABELS = {"onnx": "ONNX Runtime", "torch": "PyTorch"}  # product names: the same in every language
# The preview's bars show five classes whatever the CSV's top-k, so the worker always keeps at least five.
PREVIEW_CLASSES = 5
# Marked for lupdate here, translated where shown (a string reaching tr() through a variable is never extracted).
DEVICE_LABELS = {"auto": QT_TRANSLATE_NOOP("MainWindow", "Auto"), "cpu": "CPU", "cuda": "CUDA"}


# Marked for lupdate here: set_language_choice shows it in the current language and in the chosen one.
LANGUAGE_NOTE = QT_TRANSLATE_NOOP("MainWindow", "The interface speaks {language} from the next start of alexnet-gui; "
                                                "the command line already does.")


def fitting_size(available: QSize, width: int, height: int) -> QSize:
    """The window's first size: `width` x `height`, shrunk to 90 % of the screen's free area where that is smaller
    (a 1600x1000 screen at 200 % scaling offers 800x500 logical pixels)."""
    return QSize(min(width, available.width() * 9 // 10), min(height, available.height() * 9 // 10))


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


class MainWindow(QMainWindow):
    """Everything the user sees; all model work goes to the worker thread through `WorkerHandle`."""

    selected_image_changed = Signal(str)
    model_ready = Signal(dict)

    def __init__(self, settings: Settings | None = None, paths: list[str] | None = None) -> None:
        super().__init__()
        self.settings = settings or Settings()
        self.weights = None
        self.model_info: dict | None = None
        self._job = 0
        self._running_jobs: set[int | str] = set()  # classify job numbers and running tools
        self._job_fast_decode: dict[int, bool] = {}  # classify job -> whether it decodes JPEGs fast
        self._rerun_path: str | None = None
        # Images queued before any model loaded (first start, while choosing weights, after a failed load):
        # classified as soon as one loads.
        self._classify_when_loaded = False
        self._job_started = 0.0
        self._last_rate = 0.0
        self._single_image_jobs: set[int] = set()
        self.setAcceptDrops(True)
        # Qt appends the application's display name ("… — alexnet-gui"): the title says only what is loaded.
        self.setWindowTitle(self.tr("no model loaded"))

        self.model = ResultsModel(self)  # sorts and filters itself (see ResultsModel): no proxy in between

        self._build_table()
        self._build_side()
        from alexnet_gui.gui.widgets.model_panel import ModelPanel

        self.model_panel = ModelPanel(self)
        self.model_opener = ModelOpener(self)
        self.model_panel.choices_changed.connect(self.model_opener.reload_with_choices)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.model_panel)
        self.model_panel.hide()  # Model > Model card shows it
        self._build_actions()
        self._build_toolbar()
        self._build_status_bar()
        splitter = QSplitter()
        splitter.addWidget(self._table_panel)
        splitter.addWidget(self.tabs)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        self.setCentralWidget(splitter)
        self.resize(fitting_size(self.screen().availableGeometry().size(), 1280, 760))
        splitter.setSizes([self.width() * 55 // 100, self.width() * 45 // 100])
        if self.settings.geometry is not None:
            self.restoreGeometry(self.settings.geometry)

        self.handle = WorkerHandle()
        w = self.handle.worker
        w.top_k = max(PREVIEW_CLASSES, self.settings.top_k)
        w.record_units = self.settings.record_units
        w.model_loading.connect(self._on_model_loading)
        w.model_loaded.connect(self._on_model_loaded)
        w.model_failed.connect(self._on_model_failed)
        w.cuda_checked.connect(self._on_cuda_checked)
        w.paths_found.connect(self._on_paths_found)
        w.results_ready.connect(self._on_results)
        w.progress.connect(self._on_progress)
        w.job_finished.connect(self._on_job_finished)
        w.job_failed.connect(self._on_job_failed)
        w.job_needs_model.connect(self._on_job_needs_model)
        from alexnet_gui.gui.widgets.tools_menu import install_tools_menu

        install_tools_menu(self)  # compare backends, 10-crop TTA, accuracy on a folder, sort into folders
        from alexnet_gui.gui.widgets.diagnostics_dialog import (
            install_diagnostics_action,
        )

        install_diagnostics_action(self)  # Help > Diagnostics: devices, providers that load, torch/CUDA, weights
        if paths:
            QTimer.singleShot(0, lambda: self.add_paths(paths))

    # --- layout -------------------------------------------------------------------------------------------
    def _build_table(self) -> None:
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText(self.tr("Filter by label…"))
        self.filter_edit.setClearButtonEnabled(True)
        describe(self.filter_edit, self.tr("Filter by label"))
        self.filter_edit.setToolTip(self.tr("Show only rows whose top-1 label contains this text"))
        self.filter_edit.textChanged.connect(self.model.set_filter)
        self.table = ResultsTable(self.filter_edit.text)
        # The hint over an empty table names the filter's text: repaint it as the text changes.
        self.filter_edit.textChanged.connect(lambda _text: self.table.viewport().update())
        self.table.setModel(self.model)
        describe(self.table, self.tr("Results"))
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(THUMB_SIZE + 4)
        self.table.setIconSize(QSize(THUMB_SIZE, THUMB_SIZE))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(COL_THUMB, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(COL_THUMB, THUMB_SIZE + 8)
        header.setSectionResizeMode(COL_NAME, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(COL_NAME, 170)
        header.resizeSection(COL_LABEL, 170)
        # Room for the title and the sort arrow beside it ("Top-1 prob" was cut by its own arrow at 80 px).
        arrow = header.style().pixelMetric(QStyle.PixelMetric.PM_HeaderMarkSize) + 24
        header.resizeSection(COL_PROB, max(80, header.fontMetrics().horizontalAdvance(self.model.headerData(COL_PROB, Qt.Orientation.Horizontal)) + arrow))
        header.setMinimumSectionSize(header.fontMetrics().horizontalAdvance(self.model.headerData(COL_STATUS, Qt.Orientation.Horizontal)) + arrow // 2)
        header.setStretchLastSection(True)
        self.table.setToolTip(self.tr("Queued and classified images; click a header to sort, Delete removes rows"))
        self.table.selectionModel().currentRowChanged.connect(self._on_current_changed)
        self._table_panel = QWidget()
        layout = QVBoxLayout(self._table_panel)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.filter_edit)
        layout.addWidget(self.table)

    def _build_side(self) -> None:
        self.preview = ImagePreview()
        describe(self.preview, self.tr("Selected image"), self.tr("The selected image, with the model's crop outlined"))
        self.bars = PredictionBars()
        describe(self.bars, self.tr("Top-5 predictions"))
        self.detail = QLabel("")
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(self.preview, 1)
        layout.addWidget(self.bars)
        layout.addWidget(self.detail)
        self.tabs = QTabWidget()
        self.tabs.addTab(page, self.tr("Predictions"))

    def add_view_tab(self, widget: QWidget, title: str) -> None:
        """Add a view (filters, feature maps, ...) next to the predictions."""
        self.tabs.addTab(widget, title)

    def _action(self, text: str, slot, shortcut=None, tip: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.setToolTip(tip or text)
        action.setStatusTip(tip or text)
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        self.open_images_action = self._action(self.tr("Open images…"), self.open_images, QKeySequence.StandardKey.Open,
                                               self.tr("Queue image files for classification (Ctrl+O)"))
        self.open_folder_action = self._action(self.tr("Open folder…"), self.open_folder, "Ctrl+Shift+O",
                                               self.tr("Queue every image in a folder and its sub-folders"))
        self.export_action = self._action(self.tr("Export CSV…"), self.export_csv, "Ctrl+E",
                                          self.tr("Write the selected rows (or all rows) to a CSV, same columns as the command line"))
        self.classify_action = self._action(
            self.tr("Classify queued"), self.classify_queued, "F5", self.tr("Classify every row that is still queued")
        )
        self.classify_again_action = self._action(
            self.tr("Classify all again"),
            self.classify_all_again,
            "Shift+F5",
            self.tr("Classify every row again with the model that runs now (rows keep which model made them)"),
        )
        self.cancel_action = self._action(
            self.tr("Cancel"), self.cancel, "Esc", self.tr("Stop the running batch; rows done so far are kept")
        )
        self.cancel_action.setEnabled(False)
        self.remove_action = self._action(
            self.tr("Remove selected"),
            self.remove_selected,
            QKeySequence.StandardKey.Delete,
            self.tr("Remove the selected rows from the table (Delete)"),
        )
        self.select_all_action = self._action(
            self.tr("Select all"),
            self.table.selectAll,
            QKeySequence.StandardKey.SelectAll,
            self.tr("Select every row (Ctrl+A)"),
        )
        self.weights_action = self._action(
            self.tr("Choose weights…"),
            self.ask_for_weights,
            None,
            self.tr(
                "Download AlexNet's weights, choose a model file (PyTorch, ONNX, Keras), or use the untrained demo"
            ),
        )

        self.fast_decode_action = self._action(
            self.tr("Fast JPEG decoding"),
            self.set_fast_decode,
            None,
            self.tr(
                "Decode JPEGs at a reduced DCT scale before the same resize and crop: 1.6-1.8x the images/s on folders of "
                "photos, within 0.02 RMS of the exact input (the command line's --fast-decode)"
            ),
        )
        self.fast_decode_action.setCheckable(True)
        self.fast_decode_action.setChecked(self.settings.fast_decode)
        self.record_units_action = self._action(
            self.tr("Keep each unit's top images"),
            self.set_record_units,
            None,
            self.tr(
                "While classifying, keep the images that activate each unit most (a few MB per model, on disk), so "
                "the Unit tab's Top images answer at once for rows already classified"
            ),
        )
        self.record_units_action.setCheckable(True)
        self.record_units_action.setChecked(self.settings.record_units)
        self.fp16_action = self._action(
            self.tr("Half precision on CUDA (fp16)"),
            lambda on: self._on_precision_toggled(self.fp16_action, on),
            None,
            self.tr("Run the model in fp16 on the GPU (the command line's --precision fp16); the CPU always runs fp32"),
        )
        self.fp16_action.setCheckable(True)
        self.fp16_action.setChecked(self.settings.precision == "fp16")
        self.int8_action = self._action(
            self.tr("int8 on the CPU (ONNX Runtime)"),
            lambda on: self._on_precision_toggled(self.int8_action, on),
            None,
            self.tr(
                "Run a quantised copy of the model on the CPU, about 3x the model's fp32 speed, calibrated on 24 built-in "
                "photos (the command line's --precision int8); ONNX Runtime backend only"
            ),
        )
        self.int8_action.setCheckable(True)
        self.int8_action.setChecked(self.settings.precision == "int8")
        self.top_k_action = self._action(
            self.tr("Classes per image (top-k)…"),
            self.ask_top_k,
            None,
            self.tr("How many classes each row keeps and Export CSV writes, 1-1000 (the command line's --top-k)"),
        )
        self.quit_action = self._action(
            self.tr("Quit"), self.close, QKeySequence.StandardKey.Quit, self.tr("Quit alexnet-gui")
        )
        bar = self.menuBar()
        file_menu = bar.addMenu(self.tr("&File"))
        for a in (self.open_images_action, self.open_folder_action, self.export_action):
            file_menu.addAction(a)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        edit_menu = bar.addMenu(self.tr("&Edit"))
        edit_menu.addAction(self.select_all_action)
        edit_menu.addAction(self.remove_action)
        self._build_view_menu(bar)
        model_menu = bar.addMenu(self.tr("&Model"))
        for a in (self.classify_action, self.classify_again_action, self.cancel_action):
            model_menu.addAction(a)
        model_menu.addSeparator()
        model_menu.addAction(self.fast_decode_action)
        model_menu.addAction(self.record_units_action)
        model_menu.addAction(self.fp16_action)
        model_menu.addAction(self.int8_action)
        model_menu.addAction(self.top_k_action)
        model_menu.addSeparator()
        self.model_opener.install(model_menu)
        model_menu.addAction(self.weights_action)
        model_menu.addAction(self.model_panel.toggleViewAction())
        self.help_menu = bar.addMenu(self.tr("&Help"))
        self.help_menu.addAction(self._action(self.tr("About alexnet-gui"), self._about))

    def _build_view_menu(self, bar) -> None:
        """View > Language (System, English, 简体中文) and View > Theme (System, Light, Dark, High contrast)."""
        from alexnet_gui.core.language import CHOICES, saved_choice, system_language
        from alexnet_gui.gui.theme import THEMES
        from alexnet_gui.gui.translation import LANGUAGE_NAMES

        view_menu = bar.addMenu(self.tr("&View"))
        names = {"system": self.tr("System ({language})").format(language=LANGUAGE_NAMES[system_language()]),
                 **LANGUAGE_NAMES}
        self.language_actions = self._exclusive_actions(
            view_menu.addMenu(self.tr("&Language")), [(c, names[c]) for c in CHOICES], saved_choice(),
            self.tr("The interface's language, remembered for the app and the command line"),
            self.set_language_choice)
        titles = {"system": self.tr("System"), "light": self.tr("Light"), "dark": self.tr("Dark"),
                  "high-contrast": self.tr("High contrast")}
        self.theme_actions = self._exclusive_actions(
            view_menu.addMenu(self.tr("&Theme")), [(t, titles[t]) for t in THEMES], self.settings.theme,
            self.tr("Colours of the windows and of the views' plots; remembered"), self.set_theme)

    def _exclusive_actions(self, menu, entries: list[tuple[str, str]], current: str, tip: str,
                           slot) -> dict[str, QAction]:
        """One checkable entry of `menu` per (key, title), only one checked (`current`); choosing one calls
        `slot(key)`. Returns the actions by key."""
        from PySide6.QtGui import QActionGroup

        group = QActionGroup(self)
        actions: dict[str, QAction] = {}
        for key, title in entries:
            action = menu.addAction(title)
            action.setCheckable(True)
            action.setChecked(key == current)
            action.setStatusTip(tip)
            action.triggered.connect(lambda _checked=False, k=key: slot(k))
            group.addAction(action)
            actions[key] = action
        return actions

    def set_language_choice(self, choice: str) -> None:
        """Remember the interface language ("system", "en" or "zh_CN"); it applies from the next start, and the
        command line follows it at once. The note says so in the current language and in the chosen one."""
        from PySide6.QtCore import QTranslator

        from alexnet_gui.core.language import current_language, resolve_language, save_choice
        from alexnet_gui.gui.translation import LANGUAGE_NAMES, catalogue_path

        save_choice(choice)
        language = resolve_language(choice)
        self.language_actions[choice].setChecked(True)
        if language == current_language():
            return
        note = self.tr(LANGUAGE_NOTE).format(language=LANGUAGE_NAMES[language])
        other = QTranslator(self)
        if other.load(str(catalogue_path(language))):
            chosen = other.translate("MainWindow", LANGUAGE_NOTE) or LANGUAGE_NOTE
            note += " / " + chosen.format(language=LANGUAGE_NAMES[language])
        other.deleteLater()
        self.statusBar().showMessage(note, 15000)

    def set_theme(self, name: str) -> None:
        """Switch to a theme now (View > Theme) and remember it."""
        from PySide6.QtWidgets import QApplication

        from alexnet_gui.gui.theme import apply_theme

        self.settings.theme = name
        self.theme_actions[name].setChecked(True)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_theme(app, name)

    def _build_toolbar(self) -> None:
        tb = QToolBar(self.tr("Main"))
        tb.setObjectName("main-toolbar")
        tb.setMovable(False)
        self.addToolBar(tb)
        tb.addAction(self.open_images_action)
        tb.addAction(self.open_folder_action)
        tb.addAction(self.classify_action)
        tb.addAction(self.cancel_action)
        tb.addAction(self.export_action)
        tb.addSeparator()
        tb.addWidget(QLabel(self.tr(" Backend ")))
        self.backend_combo = QComboBox()
        for key, label in BACKEND_LABELS.items():
            self.backend_combo.addItem(label, key)
        self.backend_combo.setCurrentIndex(self.backend_combo.findData(self.settings.backend))
        self.backend_combo.setToolTip(
            self.tr("ONNX Runtime starts fast and needs no PyTorch; PyTorch also gives Grad-CAM")
        )
        describe(self.backend_combo, self.tr("Backend"))
        tb.addWidget(self.backend_combo)
        tb.addWidget(QLabel(self.tr(" Device ")))
        self.device_combo = QComboBox()
        for key, label in DEVICE_LABELS.items():
            self.device_combo.addItem(self.tr(label), key)
        self.device_combo.setToolTip(self.tr("Auto uses CUDA when the backend can, otherwise the CPU"))
        self._set_cuda_enabled(False, "checking whether CUDA is usable…")
        device = self.settings.device
        self.device_combo.setCurrentIndex(self.device_combo.findData(device if device != "cuda" else "auto"))
        describe(self.device_combo, self.tr("Device"))
        tb.addWidget(self.device_combo)
        self.backend_combo.currentIndexChanged.connect(self._on_model_choice_changed)
        self.device_combo.currentIndexChanged.connect(self._on_model_choice_changed)

    def _build_status_bar(self) -> None:
        self.model_label = QLabel(self.tr("no model loaded"))
        self.model_label.setToolTip(
            self.tr("Backend, the device actually used, where the weights came from, last batch speed")
        )
        self.progress_bar = QProgressBar()
        # Wide enough for "12345/100000 · 85.3 img/s · ETA 1234 s" in one line: the status bar gives permanent
        # widgets only their minimum, and the text wrapped out of sight at ~80 px.
        self.progress_bar.setMinimumWidth(
            self.progress_bar.fontMetrics().horizontalAdvance("12345/100000 · 999.9 img/s · ETA 99999 s") + 24
        )
        self.progress_bar.setMaximumWidth(480)
        self.progress_bar.setVisible(False)
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.setToolTip(self.tr("Stop the running batch; rows done so far are kept"))
        self.cancel_button.clicked.connect(self.cancel)
        self.cancel_button.setVisible(False)
        self.statusBar().addWidget(self.model_label, 1)
        self.statusBar().addPermanentWidget(self.progress_bar)
        self.statusBar().addPermanentWidget(self.cancel_button)

    # --- model --------------------------------------------------------------------------------------------
    def start(self) -> None:
        """Load the model on the worker (asking for weights first if none are known)."""
        was_untrained = self.settings.weights_mode == "untrained"
        self.weights = initial_weights(self.settings)
        if was_untrained and self.weights is not None and self.weights.kind != "untrained":
            self.statusBar().showMessage(
                self.tr("Using the ImageNet weights now found in {path} instead of the untrained demo network.").format(
                    path=self.weights.path
                ),
                10000,
            )
        if self.weights is None:
            QTimer.singleShot(0, self.ask_for_weights)
        else:
            self.load_model()

    def ask_for_weights(self) -> None:
        from alexnet_gui.gui.widgets.weights_dialog import WeightsDialog

        dialog = WeightsDialog(self, start_folder=self.settings.last_folder, mirror=self.settings.weights_mirror)
        dialog.adjustSize()
        # Over the window's centre, not its corner (where a parented dialog lands without a window manager).
        dialog.move(self.frameGeometry().center() - dialog.rect().center())
        accepted = dialog.exec()
        self.settings.weights_mirror = dialog.mirror()  # remembered, used or not
        if accepted and dialog.choice is not None:
            self.set_weights(dialog.choice, dialog.mode)

    def open_model(self, path: str | None = None, folder: bool = False) -> bool:
        """Open a model file or folder and load it (see `ModelOpener.open`)."""
        return self.model_opener.open(path, folder)

    def rerun_selected_when_loaded(self) -> None:
        """Show the selected image again by the next model that loads."""
        self._rerun_path = self.selected_path()

    def set_weights(self, choice, mode: str) -> None:
        """Use these weights from now on (and remember the choice)."""
        self.weights = choice
        self.settings.weights_mode = mode
        if mode == "file" and choice.path is not None:
            self.settings.weights_file = str(choice.path)
        self.load_model()

    def current_backend(self) -> str:
        return self.backend_combo.currentData()

    def current_device(self) -> str:
        return self.device_combo.currentData()

    def current_precision(self) -> str:
        """The precision asked for: fp16 only when its action is checked (the worker runs fp32 on the CPU)."""
        if self.int8_action.isChecked():
            return "int8"
        return "fp16" if self.fp16_action.isChecked() else "fp32"

    def _on_precision_toggled(self, action: QAction, on: bool) -> None:
        """int8 and fp16 exclude each other: one precision runs."""
        other = self.fp16_action if action is self.int8_action else self.int8_action
        if on and other.isChecked():
            other.blockSignals(True)
            other.setChecked(False)
            other.blockSignals(False)
        self._on_model_choice_changed()

    def load_model(self) -> None:
        if self.weights is None:
            return
        self.handle.requests.load_model.emit(
            self.current_backend(),
            self.current_device(),
            self.weights,
            self.current_precision(),
            self.model_panel.choices(),
        )

    def set_fast_decode(self, on: bool) -> None:
        """Decode JPEGs fast (reduced DCT scale) for the images classified from now on; remembered."""
        if self.fast_decode_action.isChecked() != on:
            self.fast_decode_action.setChecked(on)
        self.settings.fast_decode = on
        self.statusBar().showMessage(
            (
                self.tr("Fast JPEG decoding on: it applies to the images classified from now on.")
                if on
                else self.tr("Fast JPEG decoding off: it applies to the images classified from now on.")
            ),
            5000,
        )

    def set_record_units(self, on: bool) -> None:
        """Keep the units' top images while classifying, from the next batch of images on; remembered."""
        if self.record_units_action.isChecked() != on:
            self.record_units_action.setChecked(on)
        self.settings.record_units = on
        self.handle.worker.record_units = on  # read by the worker when its next job starts

    def ask_top_k(self) -> None:
        k, ok = QInputDialog.getInt(
            self, self.tr("Top-k"), self.tr("Classes per image in the CSV (1-1000):"), self.settings.top_k, 1, 1000
        )
        if ok:
            self.set_top_k(k)

    def set_top_k(self, k: int) -> None:
        """Keep `k` classes per image (remembered); rows classified with fewer are classified again, so that an
        export never has empty class cells for a readable image."""
        if not 1 <= k <= 1000:
            raise ValueError("top-k must be between 1 and 1000")
        self.settings.top_k = k
        self.handle.worker.top_k = max(PREVIEW_CLASSES, k)  # read by the worker when its next job starts
        fewer = self.model.paths_with_fewer_classes(k)
        if fewer and self.model_info:
            self.model.requeue(fewer)
            self._submit(fewer, walk=False)
            self.statusBar().showMessage(
                self.tr("Top-{k}: classifying %n image(s) again for their extra classes.", "", len(fewer)).format(k=k),
                5000,
            )

    def _on_model_choice_changed(self) -> None:
        self.settings.backend = self.current_backend()
        self.settings.device = self.current_device()
        self.settings.precision = self.current_precision()
        self._rerun_path = self.selected_path()
        self.load_model()

    def _on_model_loading(self, what: str) -> None:
        self.model_label.setText(self.tr("loading model ({what})…").format(what=what))
        self.setWindowTitle(self.tr("loading the model…"))  # not the previous weights' name (or UNTRAINED) meanwhile
        self._last_rate = 0.0  # the last batch's speed belongs to the model being replaced

    def _on_model_loaded(self, info: dict) -> None:
        self.model_info = info
        self._update_model_label()
        card = info.get("card")
        self.model_panel.show_card(card)
        views = getattr(self, "views", {})
        older = self.model.session.rows_not_from(card.card_id) if card is not None else []
        if older:
            self.statusBar().showMessage(
                self.tr(
                    "%n row(s) came from another model or setting; Model > Classify all again (Shift+F5) "
                    "classifies them with this one",
                    "",
                    len(older),
                ),
                10000,
            )
        if card is not None:
            for kind in ("features", "unit"):
                if kind in views:
                    views[kind].show_model_layers(card)
            self._show_crop_box()
        self.setWindowTitle(
            self.tr("UNTRAINED network: predictions are meaningless")
            if info.get("untrained")
            else self.tr("weights: {weights}").format(weights=gettext(info.get("weights", "?")))
        )
        self.model_ready.emit(info)
        path = self._rerun_path
        self._rerun_path = None
        if self._classify_when_loaded:
            self._classify_when_loaded = False
            self.classify_queued()
        elif path:
            self._submit([path], walk=False)

    def _on_model_failed(self, message: str) -> None:
        self._update_model_label()
        QMessageBox.warning(self, self.tr("Model not loaded"), message)

    def _on_cuda_checked(self, backend: str, usable: bool, reason: str) -> None:
        if backend == self.current_backend():
            self._set_cuda_enabled(usable, reason)

    def _set_cuda_enabled(self, usable: bool, reason: str) -> None:
        model = self.device_combo.model()
        if isinstance(model, QStandardItemModel):
            item = model.item(self.device_combo.findData("cuda"))
            item.setEnabled(usable)
            item.setToolTip(reason if not usable else "CUDA: " + reason)
        # fp16 runs on CUDA only; the choice is kept (greyed) for when CUDA is back.
        self.fp16_action.setEnabled(usable)
        self.fp16_action.setToolTip(
            "Run the model in fp16 on the GPU" if usable else self.tr("fp16 needs CUDA: {reason}").format(reason=reason)
        )

    def _update_model_label(self) -> None:
        info = self.model_info
        if not info:
            self.model_label.setText(self.tr("no model loaded — Model > Choose weights…"))
            return
        rate = self.tr(" · last batch {rate:.1f} images/s").format(rate=self._last_rate) if self._last_rate else ""
        half = f" · {info.get('precision')}" if info.get("precision") in ("fp16", "int8") else ""
        self.model_label.setText(
            f"{BACKEND_LABELS.get(info['backend'], info['backend'])} · {info['device'].upper()} ({info['provider']})"
            f"{half} · {card_status_text(info)}"
            + self.tr("weights: {weights}").format(weights=gettext(info["weights"]))
            + rate
        )

    # --- queueing and classification --------------------------------------------------------------------
    def add_paths(self, paths: list[str]) -> None:
        """Queue files and folders (walked on the worker) and classify them."""
        paths = [os.fspath(p) for p in paths]
        if paths:
            folder = paths[0] if os.path.isdir(paths[0]) else os.path.dirname(paths[0])
            self.settings.last_folder = folder
            self._submit(paths, walk=True)

    def _submit(self, paths: list[str], walk: bool) -> int:
        if self._running_jobs and walk:
            names = ", ".join(os.path.basename(p.rstrip(os.sep)) or p for p in paths[:3])
            if len(paths) > 3:
                text = self.tr("Added {names} and %n more: classified after the current batch.", "", len(paths) - 3)
            else:
                text = self.tr("Added {names}: classified after the current batch.")
            self.statusBar().showMessage(text.format(names=names), 5000)
        if not walk and len(paths) == 1:
            self._single_image_jobs.add(self._job + 1)
        self._job += 1
        self._running_jobs.add(self._job)
        self._job_started = time.perf_counter()
        self._set_running(True)
        fast = self.fast_decode_action.isChecked()
        self._job_fast_decode[self._job] = fast
        self.handle.requests.classify.emit(self._job, paths, walk, fast)
        return self._job

    def classify_queued(self) -> None:
        queued = self.model.queued_paths()
        if queued:
            self._submit(queued, walk=False)

    def classify_all_again(self) -> None:
        """Classify every row again with the model that runs now (after opening another model)."""
        paths = [row.path for row in self.model.rows()]
        if paths and self.model_info:
            self.model.requeue(paths)
            self._submit(paths, walk=False)

    def cancel(self) -> None:
        self.handle.cancel()

    def is_busy(self) -> bool:
        return bool(self._running_jobs)

    def _set_running(self, running: bool) -> None:
        self.cancel_action.setEnabled(running)
        self.top_k_action.setEnabled(not running)  # a running batch keeps the top-k it started with
        self.cancel_button.setVisible(running)
        self.progress_bar.setVisible(running)
        if running:
            self.progress_bar.setRange(0, 0)

    def _on_paths_found(self, job: int, paths: list) -> None:
        was_empty = self.model.rowCount() == 0
        self.model.add_paths(paths)
        if was_empty and self.model.rowCount():
            self.table.selectRow(0)

    def _on_results(self, job: int, results: list) -> None:
        self.model.set_results(results, fast_decode=self._job_fast_decode.get(job, False))
        current = self.selected_path()
        if current and any(r.path == current for r in results):
            self._show_path(current)

    def _on_progress(self, job: int, done: int, total: int, rate: float) -> None:
        remaining = (total - done) / rate if rate > 0 else 0
        self.progress_bar.setRange(0, total)
        self.progress_bar.setValue(done)
        self.progress_bar.setFormat(
            self.tr("{done}/{total} · {rate:.1f} img/s · ETA {remaining:.0f} s").format(
                done=done, total=total, rate=rate, remaining=remaining
            )
        )

    def begin_tool(self, token: str) -> None:
        """Show the busy bar and Cancel while a Tools-menu job (`token`) runs on the worker."""
        self._running_jobs.add(token)
        self._set_running(True)

    def show_tool_progress(self, label: str, done: int, total: int, seconds: float) -> None:
        """Show a tool's progress, `seconds` after it started, in the bar classification uses."""
        if total <= 0:
            return
        rate = done / seconds if seconds > 0 else 0.0
        remaining = (total - done) / rate if rate > 0 else 0
        self.progress_bar.setRange(0, total)
        self.progress_bar.setValue(done)
        self.progress_bar.setFormat(
            self.tr("{label}: {done}/{total} · ETA {remaining:.0f} s").format(
                label=label, done=done, total=total, remaining=remaining
            )
        )

    def end_tool(self, token: str) -> None:
        """Hide the busy bar and Cancel once nothing else runs."""
        self._finish_job(token)

    def _finish_job(self, job: int | str) -> None:
        self._running_jobs.discard(job)
        self._job_fast_decode.pop(job, None)
        if not self._running_jobs:
            self._set_running(False)

    def _on_job_finished(self, job: int, cancelled: bool, rate: float) -> None:
        # One re-run image (a backend switch, a top-k change) is no batch: its speed would read "3.2 images/s".
        if rate and job not in self._single_image_jobs:
            self._last_rate = rate
        self._single_image_jobs.discard(job)
        self._update_model_label()
        self._finish_job(job)
        if cancelled:
            self.statusBar().showMessage(self.tr("Cancelled; the rows done so far are kept."), 5000)

    def _on_job_failed(self, job: int, message: str) -> None:
        self._finish_job(job)
        self.statusBar().showMessage(message, 10000)

    def _on_job_needs_model(self, job: int) -> None:
        self._finish_job(job)
        self._classify_when_loaded = True
        self.statusBar().showMessage(
            self.tr(
                "No model is loaded yet: the images stay queued and are classified as soon "
                "as one is (Model > Choose weights…)."
            ),
            10000,
        )

    # --- selection and preview ----------------------------------------------------------------------------
    def selected_path(self) -> str | None:
        index = self.table.selectionModel().currentIndex()
        return index.data(PATH_ROLE) if index.isValid() else None

    def _on_current_changed(self, current, _previous) -> None:
        path = current.data(PATH_ROLE) if current.isValid() else None
        if path:
            self._show_path(path)
            self.selected_image_changed.emit(path)

    def _show_crop_box(self) -> None:
        """Outline on the preview what the model's own crop sees (its card's recipe)."""
        from alexnet_gui.core.model.preprocess import TORCHVISION, crop_box

        full = getattr(self, "_preview_size", None)
        if full is None:
            return
        card = (self.model_info or {}).get("card")
        self.preview.set_crop_box(crop_box(*full, card.preprocess if card is not None else TORCHVISION))

    def _show_path(self, path: str) -> None:
        from alexnet_gui.core.errors import UserError

        row = self.model.row_for(path)
        try:
            image, full = load_preview(path)
            self.preview.set_image(image, full)
            self._preview_size = full
            self._show_crop_box()
        except UserError as exc:
            self.preview.set_image(None, message=gettext(str(exc)))
        result = row.result if row else None
        if result is None:
            self.bars.set_predictions([], self.tr("Queued: not classified yet."))
            self.detail.setText(path)
        elif result.error:
            self.bars.set_predictions([], self.tr("Could not classify this file: {error}").format(error=gettext(result.error)))
            self.detail.setText(path)
        else:
            self.bars.set_predictions(result.top[:5])
            top = result.top[0]
            text = self.tr("{path}\nTop-1: {label} — class {index}, {prob}").format(
                path=path, label=top.label, index=top.index, prob=format_probability(top.prob)
            )
            if result.origin:
                text += "\n" + self.tr("by {origin}").format(origin=result.origin)
            self.detail.setText(text)

    def shown_predictions(self) -> list:
        return self.bars.predictions()

    # --- rows -------------------------------------------------------------------------------------------
    def selected_source_rows(self) -> list[int]:
        return sorted({i.row() for i in self.table.selectionModel().selectedRows()})

    def remove_selected(self) -> None:
        rows = self.selected_source_rows()
        if rows:
            self.model.remove_rows(rows)
            if not self.table.selectionModel().currentIndex().isValid():
                # Nothing took the removed rows' place: the preview must not keep showing a deleted image.
                self.preview.set_image(None, message="")
                self.bars.set_predictions([], "")
                self.detail.setText("")

    # --- export -------------------------------------------------------------------------------------------
    def export_csv(self, path: str | None = None) -> str | None:
        """Write the selected rows (or all, when at most one is selected) to a CSV; return its path (None when
        nothing was written: cancelled, failed, or no row classified yet)."""
        from alexnet_gui.core.errors import UserError
        from alexnet_gui.core.outputs.results import CsvResultWriter

        if not self.model.results():
            self.statusBar().showMessage(self.tr("Nothing to export yet: no image has been classified."), 5000)
            return None
        if not path:
            start = os.path.join(self.settings.last_folder or os.getcwd(), "results.csv")
            path, _ = QFileDialog.getSaveFileName(self, self.tr("Export CSV"), start, self.tr("CSV (*.csv)"))
            if not path:
                return None
        from alexnet_gui.core.outputs.output_paths import check_output_file

        rows = self.selected_source_rows()
        chosen = rows if len(rows) > 1 else None
        results = self.model.results(chosen)
        try:
            # Never over one of the table's images (a name typed in the dialog can be one), nor into a folder.
            check_output_file(path, inputs=[r.path for r in self.model.rows()], option="the export")
            with CsvResultWriter(path, self.settings.top_k) as writer:
                for result in results:
                    writer.write(result)
            from alexnet_gui.core.outputs.provenance import record_export

            record_export(
                path,
                self.model_info,
                self.weights,
                top_k=self.settings.top_k,
                tta=self.handle.worker.tta,
                results=results,
                fast_rows=self.model.fast_decoded_count(chosen),
            )  # the provenance sidecar
        except (UserError, OSError) as exc:
            QMessageBox.warning(self, self.tr("Export failed"), str(exc))
            return None
        self.statusBar().showMessage(self.tr("Wrote %n row(s) to {path}", "", len(results)).format(path=path), 5000)
        return path

    # --- drag and drop ------------------------------------------------------------------------------------
    def dragEnterEvent(self, event) -> None:  # noqa: N802
        if event.mimeData().hasUrls() and any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()
            self.table.set_drop_highlight(True)
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:  # noqa: N802
        self.dragEnterEvent(event)

    def dragLeaveEvent(self, event) -> None:  # noqa: N802
        self.table.set_drop_highlight(False)

    def dropEvent(self, event) -> None:  # noqa: N802
        self.table.set_drop_highlight(False)
        paths = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.add_paths(paths)

    # --- file dialogs ---------------------------------------------------------------------------------------
    def open_images(self) -> None:
        from alexnet_gui.core.pipeline.images import IMAGE_EXTENSIONS

        pattern = " ".join(f"*{e}" for e in sorted(IMAGE_EXTENSIONS))
        paths, _ = QFileDialog.getOpenFileNames(
            self,
            self.tr("Open images"),
            self.settings.last_folder,
            self.tr("Images ({pattern});;All files (*)").format(pattern=pattern),
        )
        if paths:
            self.add_paths(paths)

    def open_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Open folder"), self.settings.last_folder)
        if folder:
            self.add_paths([folder])

    def _about(self) -> None:
        from alexnet_gui import __version__

        QMessageBox.about(
            self,
            self.tr("About alexnet-gui"),
            f"alexnet-gui {__version__}\n"
            + self.tr(
                "AlexNet on ONNX Runtime or PyTorch: any AlexNet you have, with its own labels and preprocessing."
            ),
        )

    # --- shutdown -----------------------------------------------------------------------------------------
    def closeEvent(self, event) -> None:  # noqa: N802
        self.settings.geometry = self.saveGeometry()
        self.settings.sync()
        self.tools_menu.stop_training()
        self.handle.stop()
        self.model.wait_for_thumbnails()
        super().closeEvent(event)
