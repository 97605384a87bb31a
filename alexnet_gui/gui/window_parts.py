"""The main window's parts that are layout only: the results panel, the toolbar with the model's backend and
device, the status bar with the model line, progress and Cancel, and the words of the model line."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QEvent, QObject, QSize, Qt
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QStyle,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from alexnet_gui.core.language import gettext
from alexnet_gui.gui.accessibility import describe
from alexnet_gui.gui.actions import fill_toolbar
from alexnet_gui.gui.results_model import COL_LABEL, COL_NAME, COL_PROB, COL_STATUS, COL_THUMB, THUMB_SIZE
from alexnet_gui.gui.translation import window_text as tr
from alexnet_gui.gui.widgets.model_opener import card_status_text
from alexnet_gui.gui.widgets.results_table import ResultsTable

BACKEND_LABELS = {"onnx": "ONNX Runtime", "torch": "PyTorch"}  # product names: the same in every language
# Marked for lupdate here, translated where shown (a string reaching tr() through a variable is never extracted).
DEVICE_LABELS = {"auto": QT_TRANSLATE_NOOP("MainWindow", "Auto"), "cpu": "CPU", "cuda": "CUDA"}


def build_results_panel(window, model) -> QWidget:
    """The filter box over the results table (kept as `window.filter_edit` and `window.table`)."""
    window.filter_edit = edit = QLineEdit()
    edit.setPlaceholderText(tr("Filter by label or file name…"))
    edit.setClearButtonEnabled(True)
    describe(edit, tr("Filter by label or file name"))
    edit.setToolTip(tr("Show only rows whose top-1 label or file name contains this text; Esc clears it"))
    edit.textChanged.connect(model.set_filter)
    window.table = table = ResultsTable(edit.text)
    # The hint over an empty table names the filter's text: repaint it as the text changes.
    edit.textChanged.connect(lambda _text: table.viewport().update())
    table.setModel(model)
    describe(table, tr("Results"))
    table.setSortingEnabled(True)
    table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
    table.setAlternatingRowColors(True)
    table.verticalHeader().setVisible(False)
    table.verticalHeader().setDefaultSectionSize(THUMB_SIZE + 4)
    table.setIconSize(QSize(THUMB_SIZE, THUMB_SIZE))
    _size_columns(table.horizontalHeader(), model)
    table.wide_columns = {COL_NAME: 170, COL_LABEL: 170}  # shared out in a narrow window (fit_columns)
    table.setToolTip(tr("Queued and classified images; click a header to sort, Delete removes rows"))
    panel = QWidget()
    layout = QVBoxLayout(panel)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(edit)
    layout.addWidget(table)
    return panel


def _size_columns(header: QHeaderView, model) -> None:
    header.setSectionResizeMode(COL_THUMB, QHeaderView.ResizeMode.Fixed)
    header.resizeSection(COL_THUMB, THUMB_SIZE + 8)
    header.setSectionResizeMode(COL_NAME, QHeaderView.ResizeMode.Interactive)
    header.resizeSection(COL_NAME, 170)
    header.resizeSection(COL_LABEL, 170)
    # Room for the title and the sort arrow beside it ("Top-1 prob" was cut by its own arrow at 80 px).
    arrow = header.style().pixelMetric(QStyle.PixelMetric.PM_HeaderMarkSize) + 24
    metrics = header.fontMetrics()
    header.resizeSection(COL_PROB, max(80, metrics.horizontalAdvance(
        model.headerData(COL_PROB, Qt.Orientation.Horizontal)) + arrow))
    header.setMinimumSectionSize(metrics.horizontalAdvance(
        model.headerData(COL_STATUS, Qt.Orientation.Horizontal)) + arrow // 2)
    header.setStretchLastSection(True)


def build_toolbar(window, settings) -> None:
    """The main toolbar: the table's actions, then the backend and device boxes (`window.backend_combo`,
    `window.device_combo`)."""
    tb = QToolBar(tr("Main"))
    tb.setObjectName("main-toolbar")
    tb.setMovable(False)
    window.addToolBar(tb)
    fill_toolbar(window, tb)
    tb.addSeparator()
    tb.addWidget(QLabel(tr(" Backend ")))
    window.backend_combo = backend = QComboBox()
    for key, label in BACKEND_LABELS.items():
        backend.addItem(label, key)
    backend.setCurrentIndex(backend.findData(settings.backend))
    backend.setToolTip(tr("ONNX Runtime starts fast and needs no PyTorch; PyTorch also gives Grad-CAM"))
    describe(backend, tr("Backend"))
    tb.addWidget(backend)
    tb.addWidget(QLabel(tr(" Device ")))
    window.device_combo = device = QComboBox()
    for key, label in DEVICE_LABELS.items():
        device.addItem(QCoreApplication.translate("MainWindow", label), key)  # the context it is marked in
    device.setToolTip(tr("Auto uses CUDA when the backend can, otherwise the CPU"))
    set_cuda_enabled(window, False, "checking whether CUDA is usable…")
    chosen = settings.device
    device.setCurrentIndex(device.findData(chosen if chosen != "cuda" else "auto"))
    describe(device, tr("Device"))
    tb.addWidget(device)


def set_cuda_enabled(window, usable: bool, reason: str) -> None:
    """Grey the CUDA device (with why) and fp16 when CUDA cannot run; fp16 stays chosen for when it can."""
    model = window.device_combo.model()
    if isinstance(model, QStandardItemModel):
        item = model.item(window.device_combo.findData("cuda"))
        item.setEnabled(usable)
        item.setToolTip(reason if not usable else "CUDA: " + reason)
    window.fp16_action.setEnabled(usable)
    window.fp16_action.setToolTip(
        "Run the model in fp16 on the GPU" if usable else tr("fp16 needs CUDA: {reason}").format(reason=reason)
    )


def build_status_bar(window) -> None:
    """The model line (`window.model_label`), the progress bar and Cancel (`window.progress_bar`,
    `window.cancel_button`)."""
    window.model_label = QLabel(tr("no model loaded"))
    window.model_label.setToolTip(tr("Backend, the device actually used, where the weights came from, last batch speed"))
    bar = window.progress_bar = QProgressBar()
    # Wide enough for "12345/100000 · 85.3 img/s · ETA 1234 s" in one line: the status bar gives permanent widgets
    # only their minimum, and the text wrapped out of sight at ~80 px.
    bar.setMinimumWidth(bar.fontMetrics().horizontalAdvance("12345/100000 · 999.9 img/s · ETA 99999 s") + 24)
    bar.setMaximumWidth(480)
    bar.setVisible(False)
    window.cancel_button = QPushButton(tr("Cancel"))
    window.cancel_button.setToolTip(tr("Stop the running batch; rows done so far are kept"))
    window.cancel_button.clicked.connect(window.cancel)
    window.cancel_button.setVisible(False)
    window.statusBar().addWidget(window.model_label, 1)
    window.statusBar().addPermanentWidget(bar)
    window.statusBar().addPermanentWidget(window.cancel_button)


def model_line(loaded, last_rate: float) -> str:
    """The status bar's words for the model that runs: backend, device, precision, card, weights, speed."""
    if loaded is None:
        return tr("no model loaded — Model > Choose weights…")
    rate = tr(" · last batch {rate:.1f} images/s").format(rate=last_rate) if last_rate else ""
    half = f" · {loaded.precision}" if loaded.precision in ("fp16", "int8") else ""
    return (f"{BACKEND_LABELS.get(loaded.backend, loaded.backend)} · {loaded.device.upper()} ({loaded.provider})"
            f"{half} · {card_status_text(loaded.card)}"
            + tr("weights: {weights}").format(weights=gettext(loaded.weights)) + rate)


def show_progress(bar: QProgressBar, text: str, done: int, total: int) -> None:
    """Show `done` of `total` in the bar, with `text` in it."""
    bar.setRange(0, total)
    bar.setValue(done)
    bar.setFormat(text)


class DropTarget(QObject):
    """Files and folders dropped anywhere on the window are queued (`add_paths`); the table is outlined meanwhile."""

    def __init__(self, window, table, add_paths) -> None:
        super().__init__(window)
        self._table = table
        self._add_paths = add_paths
        window.setAcceptDrops(True)
        window.installEventFilter(self)

    def eventFilter(self, _watched, event) -> bool:  # noqa: N802
        kind = event.type()
        if kind in (QEvent.Type.DragEnter, QEvent.Type.DragMove):
            files = event.mimeData().hasUrls() and any(u.isLocalFile() for u in event.mimeData().urls())
            event.acceptProposedAction() if files else event.ignore()
            self._table.set_drop_highlight(bool(files))
            return True
        if kind == QEvent.Type.DragLeave:
            self._table.set_drop_highlight(False)
            return True
        if kind == QEvent.Type.Drop:
            self._table.set_drop_highlight(False)
            paths = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
            if paths:
                event.acceptProposedAction()
                self._add_paths(paths)
            return True
        return False


def ask_image_paths(parent, folder: str) -> list[str]:
    """File > Open images…: the image files chosen (none when cancelled)."""
    from alexnet_gui.core.pipeline.images import IMAGE_EXTENSIONS

    pattern = " ".join(f"*{e}" for e in sorted(IMAGE_EXTENSIONS))
    paths, _ = QFileDialog.getOpenFileNames(parent, tr("Open images"), folder,
                                            tr("Images ({pattern});;All files (*)").format(pattern=pattern))
    return paths


def batch_progress_text(done: int, total: int, rate: float) -> str:
    """The bar's text: the count at once, the speed and time left from the first batch on."""
    if rate <= 0 and done < total:
        return tr("{done}/{total} · ETA after the first batch").format(done=done, total=total)
    remaining = (total - done) / rate if rate > 0 else 0
    return tr("{done}/{total} · {rate:.1f} img/s · ETA {remaining:.0f} s").format(
        done=done, total=total, rate=rate, remaining=remaining)


def model_loading_text(what: str, first: bool) -> str:
    """The model line while a model loads; the app's first load says why it can take a while."""
    if first:
        return tr("loading model ({what})… a model's first start prepares it once (10-20 s); later starts take a "
                  "second or two").format(what=what)
    return tr("loading model ({what})…").format(what=what)


def tool_progress_text(label: str, done: int, total: int, seconds: float) -> str:
    rate = done / seconds if seconds > 0 else 0.0
    remaining = (total - done) / rate if rate > 0 else 0
    return tr("{label}: {done}/{total} · ETA {remaining:.0f} s").format(
        label=label, done=done, total=total, remaining=remaining)


def window_title(loaded) -> str:
    """The window's title for the model that runs (Qt appends the application's name)."""
    if loaded is None:
        return tr("no model loaded")
    if loaded.untrained:
        return tr("UNTRAINED network: predictions are meaningless")
    return tr("weights: {weights}").format(weights=gettext(loaded.weights))
