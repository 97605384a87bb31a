"""Tools > Train on labelled folders…: pick a folder of class folders, see the classes and their counts, train with
live loss and accuracy curves (pyqtgraph), ETA and Cancel, then the clickable confusion matrix, per-class accuracy
and *Use this model*.

The training runs on a superqt generator worker: the core's `prepare_training`, the trainer's events and
`finish_training`; the dialog only shows what the worker yields. Cancel stops the trainer within one batch and the
best epoch so far is still saved (the checkpoint stays, so the command line's `--resume` can continue it).
"""

from __future__ import annotations

import os
import threading
import time

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from alexnet_gui.core.errors import UserError
from alexnet_gui.core.language import gettext
from alexnet_gui.gui.accessibility import describe
from alexnet_gui.gui.theme import curve_colours


def training_steps(request, cancel: threading.Event):
    """The worker's generator: ("prepared", Prepared), ("event", Progress | EpochReport) ..., ("saving", None);
    returns the Finished model folder (None when no epoch finished)."""
    from alexnet_gui.core.training.job import finish_training, prepare_training

    prepared = prepare_training(request, cancel=cancel)
    yield "prepared", prepared
    for event in prepared.trainer.run():
        yield "event", event
    yield "saving", None
    return finish_training(prepared, interrupted=cancel.is_set())


class CurvesView(QWidget):
    """Loss and accuracy per epoch, training and validation, drawn live with pyqtgraph."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        import pyqtgraph as pg

        pg.setConfigOptions(antialias=True)
        self.plots = pg.GraphicsLayoutWidget()
        self.loss = self.plots.addPlot(title=self.tr("loss"))
        self.accuracy = self.plots.addPlot(title=self.tr("accuracy (%)"))
        self.curves = {}
        # Loss falls and accuracy rises: their legends go where the curves are not.
        for plot, offset in ((self.loss, (-10, 10)), (self.accuracy, (-10, -40))):
            plot.addLegend(offset=offset)
            plot.showGrid(x=True, y=True, alpha=0.3)
            plot.setLabel("bottom", self.tr("epoch"))
        training, validation = self.tr("training"), self.tr("validation")
        for key, plot, name in (("train_loss", self.loss, training), ("val_loss", self.loss, validation),
                                ("train_accuracy", self.accuracy, training),
                                ("val_accuracy", self.accuracy, validation)):
            self.curves[key] = plot.plot([], [], symbol="o", symbolSize=5, name=name)
        self.best = pg.InfiniteLine(angle=90)
        self._recolour()  # pens and background from the theme: dark plots in a dark window
        self.loss.addItem(self.best)
        self.best.hide()
        self.points: dict[str, list[float]] = {key: [] for key in self.curves}
        self.epochs: list[int] = []
        QVBoxLayout(self).addWidget(self.plots)

    def _recolour(self) -> None:
        """Draw the plots in the theme's colours (at start, and whenever View > Theme changes it)."""
        import pyqtgraph as pg

        colours = curve_colours(self.theme_palette())
        self.plots.setBackground(colours["background"])
        for plot in (self.loss, self.accuracy):
            for side in ("bottom", "left"):
                axis = plot.getAxis(side)
                axis.setPen(colours["foreground"])
                axis.setTextPen(colours["foreground"])
            plot.titleLabel.setText(plot.titleLabel.text, color=colours["foreground"])
        for key, curve in self.curves.items():
            colour = colours["val"] if key.startswith("val") else colours["train"]
            curve.setPen(pg.mkPen(colour, width=2))
            curve.setSymbolBrush(colour)
        self.best.setPen(pg.mkPen(colours["best"], style=Qt.PenStyle.DashLine))

    def event(self, event) -> bool:
        from PySide6.QtCore import QEvent

        handled = super().event(event)
        # A theme switch reaches a shown dialog as PaletteChange, a hidden one only as StyleChange (its palette is
        # resolved when it is shown: theme_palette() reads the application's meanwhile).
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange, QEvent.Type.StyleChange,
                            QEvent.Type.Show) and hasattr(self, "best"):
            self._recolour()
        return handled

    def theme_palette(self):
        """The palette the plots follow: one set on this view, else the application's (the theme's)."""
        from PySide6.QtWidgets import QApplication

        return self.palette() if self.testAttribute(Qt.WidgetAttribute.WA_SetPalette) else QApplication.palette(self)

    def colours(self) -> dict[str, str]:
        """The colours the plots are drawn in now."""
        return {"background": self.plots.backgroundBrush().color().name(),
                "train": self.curves["train_loss"].opts["pen"].color().name()}

    def add_epoch(self, report) -> None:
        """Append one epoch's figures."""
        self.epochs.append(report.epoch)
        for key in self.curves:
            value = getattr(report, key)
            self.points[key].append(100 * value if "accuracy" in key else value)
            self.curves[key].setData(self.epochs, self.points[key])
        self.best.setValue(report.best_epoch)
        self.best.show()


class TrainDialog(QDialog):
    """The train-from-folders workflow, start to *Use this model*."""

    finished_training = Signal(object)  # the Finished model folder, or None

    def __init__(self, context, parent: QWidget | None = None) -> None:
        super().__init__(parent or context.parent)
        self.context = context  # the app's AppContext: the weights that run, add_paths, open_model
        self.setWindowTitle(self.tr("Train on labelled folders"))
        self.data_edit = QLineEdit()
        self.data_edit.setPlaceholderText(self.tr("a folder holding one sub-folder of images per class"))
        self.data_edit.editingFinished.connect(self.scan)
        self.out_edit = QLineEdit()
        self.out_edit.setPlaceholderText(self.tr("a new folder for the model"))
        self.mode = QComboBox()
        self.mode.addItem(self.tr("head: frozen features, train the classifier (fast)"), "head")
        self.mode.addItem(self.tr("finetune: conv5 and the classifier, augmented images"), "finetune")
        self.mode.addItem(self.tr("full: every layer"), "full")
        self.epochs = QSpinBox()
        self.epochs.setRange(1, 1000)
        self.epochs.setValue(30)
        self.mode.currentIndexChanged.connect(self._on_mode)
        self.val_split = QDoubleSpinBox()
        self.val_split.setRange(0.05, 0.5)
        self.val_split.setSingleStep(0.05)
        self.val_split.setValue(0.2)
        self.val_split.valueChanged.connect(lambda _v: self.scan())
        self.seed = QSpinBox()
        self.seed.setRange(0, 2**31 - 1)
        self.mode.setToolTip(self.tr("Which layers learn: head is fastest, full changes every layer"))
        self.epochs.setToolTip(self.tr("Training stops earlier when validation accuracy stops improving"))
        self.val_split.setToolTip(self.tr("The share of each class's images kept aside to validate with"))
        self.seed.setToolTip(self.tr("The same seed gives the same split and the same training"))
        self.base_label = QLabel()
        self.base_label.setWordWrap(True)
        form = QFormLayout()
        form.addRow(self.tr("Images:"), self._with_browse(self.data_edit, self._browse_data, self.tr("Images:")))
        form.addRow(self.tr("Model folder:"), self._with_browse(self.out_edit, self._browse_out, self.tr("Model folder:")))
        form.addRow(self.tr("Mode:"), self.mode)
        form.addRow(self.tr("Epochs (at most):"), self.epochs)
        form.addRow(self.tr("Validation share:"), self.val_split)
        form.addRow(self.tr("Seed:"), self.seed)
        form.addRow(self.tr("Start from:"), self.base_label)
        self.classes = QTableWidget(0, 2)
        self.classes.setHorizontalHeaderLabels([self.tr("class"), self.tr("images")])
        self.classes.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.classes.verticalHeader().setVisible(False)
        self.classes.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        describe(self.classes, self.tr("Classes"), self.tr("The class folders found and their images"))
        self.summary = QLabel(self.tr("Choose a folder of class folders."))
        self.summary.setWordWrap(True)
        self._build_buttons_and_layout(form)

    def _build_buttons_and_layout(self, form) -> None:
        self.start_button = QPushButton(self.tr("Start training"))
        self.start_button.setDefault(True)
        self.start_button.clicked.connect(self.start)
        self.start_button.setToolTip(self.tr("Train on the images with these settings"))
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.setEnabled(False)
        self.cancel_button.setToolTip(self.tr("Stop after the current batch; the best epoch so far is saved"))
        self.cancel_button.clicked.connect(self.cancel)
        self.use_button = QPushButton(self.tr("Use this model"))
        self.use_button.setEnabled(False)
        self.use_button.clicked.connect(self.use_model)
        self.use_button.setToolTip(self.tr("Open the trained model in the main window"))
        self.progress = QProgressBar()
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.curves = CurvesView()
        self.tabs = QTabWidget()
        self.tabs.addTab(self.curves, self.tr("Curves"))
        self.confusion = None

        left = QVBoxLayout()
        left.addLayout(form)
        left.addWidget(self.classes)
        left.addWidget(self.summary)
        buttons = QHBoxLayout()
        for button in (self.start_button, self.cancel_button, self.use_button):
            buttons.addWidget(button)
        left.addLayout(buttons)
        left.addWidget(self.progress)
        left.addWidget(self.status)
        body = QHBoxLayout(self)
        body.addLayout(left, 2)
        body.addWidget(self.tabs, 5)
        self.resize(1280, 720)
        self.cancel_event = threading.Event()
        self.worker = None
        self.finished_model = None
        self.last_error = ""
        self._started = 0.0
        self._stage = ""
        self._epoch_seconds: list[float] = []
        self._show_base()

    # --- the form -------------------------------------------------------------------------------------------
    def _with_browse(self, edit: QLineEdit, slot, name: str) -> QWidget:
        describe(edit, name)
        edit.setToolTip(edit.placeholderText())
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(edit)
        button = QPushButton(self.tr("Browse…"))
        button.clicked.connect(slot)
        describe(button, self.tr("Browse…"), self.tr("Choose the folder in a file dialog"))
        row.addWidget(button)
        return box

    def _browse_data(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Folder of class folders"), self.data_edit.text())
        if folder:
            self.set_data_folder(folder)

    def _browse_out(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Model folder (new or empty)"), self.out_edit.text())
        if folder:
            self.out_edit.setText(folder)

    def _on_mode(self) -> None:
        from alexnet_gui.core.training.trainer import MODE_DEFAULTS

        self.epochs.setValue(MODE_DEFAULTS[self.mode.currentData()][0])

    def _show_base(self) -> None:
        weights = self.context.weights
        if weights is None:
            self.base_label.setText(self.tr("no model yet: open one in Model > Open model…"))
        elif weights.kind == "onnx":
            self.base_label.setText(
                self.tr(
                    "{source} — an ONNX graph cannot be trained: open a PyTorch or Keras file in Model > Open model…"
                ).format(source=weights.source)
            )
        else:
            self.base_label.setText(gettext(weights.source))  # the untrained network's source is translated

    def set_data_folder(self, folder: str) -> None:
        """Choose the images and show their classes; suggest a model folder beside them."""
        self.data_edit.setText(folder)
        if not self.out_edit.text():
            base = os.path.normpath(folder)
            self.out_edit.setText(f"{base}-model")
        self.scan()

    def scan(self) -> None:
        """List the classes and their counts, or say why the folder cannot be trained on."""
        from alexnet_gui.core.training.job import TrainRequest, scan_request
        from alexnet_gui.core.training.trainer import TrainSettings

        folder = self.data_edit.text().strip()
        self.classes.setRowCount(0)
        if not folder:
            return
        try:
            folders, split = scan_request(
                TrainRequest(folder, "", TrainSettings(seed=self.seed.value()), val_split=self.val_split.value())
            )
        except UserError as exc:
            self.summary.setText(str(exc))
            self.start_button.setEnabled(False)
            return
        self.classes.setRowCount(len(folders.classes))
        for i, (name, n) in enumerate(zip(folders.classes, folders.counts)):
            self.classes.setItem(i, 0, QTableWidgetItem(name))
            item = QTableWidgetItem(str(n))
            item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.classes.setItem(i, 1, item)
        text = (
            self.tr("%n class(es)", "", len(folders.classes))
            + ", "
            + self.tr("%n image(s): {train} to train on, {val} to validate with.", "", folders.total).format(
                train=len(split.train), val=len(split.val)
            )
        )
        if folders.imbalance() >= 1.5:
            text += " " + self.tr("Unbalanced ({ratio:.1f}:1): the loss is weighted by class.").format(
                ratio=folders.imbalance()
            )
        if folders.loose:
            text += " " + self.tr("%n image(s) outside any class folder are not used.", "", len(folders.loose))
        self.summary.setText(text)
        self.start_button.setEnabled(self.worker is None)

    def request(self):
        """The TrainRequest the form describes."""
        from alexnet_gui.core.training.job import TrainRequest
        from alexnet_gui.core.training.trainer import TrainSettings

        weights = self.context.weights
        settings = TrainSettings(self.mode.currentData(), "last", self.epochs.value(), seed=self.seed.value())
        untrained = weights is not None and weights.kind == "untrained"
        path = str(weights.path) if weights is not None and weights.path is not None else None
        return TrainRequest(
            self.data_edit.text().strip(),
            self.out_edit.text().strip(),
            settings,
            val_split=self.val_split.value(),
            weights=path,
            untrained=untrained,
        )

    # --- running --------------------------------------------------------------------------------------------
    def start(self) -> None:
        """Start training on a worker thread."""
        from superqt.utils import thread_worker

        if self.worker is not None:
            return
        if not self.out_edit.text().strip():
            # The form's words, not the command line's ("--out needs a folder name").
            self.status.setText(self.tr("Choose the model folder: where the trained model is saved."))
            self.out_edit.setFocus()
            return
        self.cancel_event = threading.Event()
        self.last_error = ""
        self.start_button.setEnabled(False)
        self.use_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.status.setText(self.tr("Preparing…"))
        self._started = time.perf_counter()
        self._epoch_seconds = []
        worker = thread_worker(training_steps, start_thread=False, ignore_errors=True)(
            self.request(), self.cancel_event
        )
        worker.yielded.connect(self._on_step)
        worker.returned.connect(self._on_finished)
        worker.errored.connect(self._on_error)
        worker.finished.connect(self._on_worker_done)
        self.worker = worker
        worker.start()

    def cancel(self) -> None:
        """Stop within one batch; the best epoch so far is saved."""
        self.cancel_event.set()
        self.cancel_button.setEnabled(False)
        self.status.setText(self.tr("Cancelling: saving the best epoch so far…"))

    def _on_step(self, step) -> None:
        kind, payload = step
        if kind == "prepared":
            trainer = payload.trainer
            self.total_epochs = trainer.settings.epochs
            self.status.setText(
                self.tr("Training on the {device}: {how}").format(
                    device=trainer.device.type.upper(), how=payload.split.how
                )
            )
            return
        if kind == "saving":
            self.progress.setRange(0, 0)
            self.status.setText(self.tr("Saving, exporting to ONNX and validating the saved model…"))
            return
        from alexnet_gui.core.training.trainer import EpochReport

        if isinstance(payload, EpochReport):
            self.curves.add_epoch(payload)
            self._epoch_seconds.append(payload.seconds)
            left = (self.total_epochs - payload.epoch) * (sum(self._epoch_seconds) / len(self._epoch_seconds))
            self.status.setText(
                self.tr(
                    "epoch {epoch}/{epochs}: validation accuracy {accuracy:.1f}% (best: epoch "
                    "{best}); at most {left} left"
                ).format(
                    epoch=payload.epoch,
                    epochs=self.total_epochs,
                    accuracy=100 * payload.val_accuracy,
                    best=payload.best_epoch,
                    left=self.duration(left),
                )
            )
            return
        self.progress.setRange(0, payload.total)
        self.progress.setValue(payload.done)
        if payload.stage == "features" and payload.done:
            elapsed = time.perf_counter() - self._started
            left = elapsed / payload.done * (payload.total - payload.done)
            self.status.setText(
                self.tr("features: {done}/{total} images, about {left} left").format(
                    done=payload.done, total=payload.total, left=self.duration(left)
                )
            )

    def _on_finished(self, finished) -> None:
        from alexnet_gui.gui.widgets.confusion_view import ConfusionView

        self.finished_model = finished
        self.progress.setRange(0, 1)
        self.progress.setValue(1)
        if finished is None:
            self.status.setText(self.tr("Cancelled before the first epoch ended: nothing was saved."))
        else:
            report = finished.report
            head = self.tr("Cancelled; saved the best epoch so far") if finished.interrupted else self.tr("Done")
            self.status.setText(
                head
                + ": "
                + self.tr(
                    "epoch {best} of {epochs} kept; the saved model scores {accuracy:.2f}% ({top1}/{images}) on "
                    "validation. Model folder: {folder}"
                ).format(
                    best=finished.trained.best_epoch,
                    epochs=len(finished.trained.history),
                    accuracy=100 * report["top1_accuracy"],
                    top1=report["top1"],
                    images=report["images"],
                    folder=finished.out,
                )
            )
            if self.confusion is not None:
                self.tabs.removeTab(self.tabs.indexOf(self.confusion))
            self.confusion = ConfusionView(finished.matrix)
            self.confusion.open_requested.connect(self.context.add_paths)
            self.tabs.addTab(self.confusion, self.tr("Confusion matrix"))
            self.tabs.setCurrentWidget(self.confusion)
            self.use_button.setEnabled(True)
        self.finished_training.emit(finished)

    def _on_error(self, exc: Exception) -> None:
        self.last_error = str(exc) if isinstance(exc, UserError) else f"{type(exc).__name__}: {exc}"
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.status.setText(self.tr("Not trained: {reason}").format(reason=self.last_error))
        self.finished_training.emit(None)

    def _on_worker_done(self) -> None:
        self.worker = None
        self.cancel_button.setEnabled(False)
        self.start_button.setEnabled(True)

    def use_model(self) -> None:
        """Open the trained model in the main window."""
        if self.finished_model is not None:
            self.context.open_model(str(self.finished_model.out))

    def duration(self, seconds: float) -> str:
        """A time left, in minutes and seconds."""
        seconds = max(0, round(seconds))
        if seconds >= 60:
            return self.tr("{minutes} min {seconds:02d} s").format(minutes=seconds // 60, seconds=seconds % 60)
        return self.tr("{seconds} s").format(seconds=seconds)

    def closeEvent(self, event) -> None:  # noqa: N802
        if self.worker is not None:
            self.cancel()  # the worker saves the best epoch and ends on its own
        super().closeEvent(event)
