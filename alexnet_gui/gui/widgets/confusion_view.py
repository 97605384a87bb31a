"""The confusion matrix you can click into: a cell's images as thumbnails, *Open in the main table*, *Copy
misclassified to a folder…*, and per-class accuracy beside it (for a training's validation and for Tools >
Accuracy on a labelled folder)."""

from __future__ import annotations

import os

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QSize, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QIcon, QImageReader, QPixmap
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from alexnet_gui.core.analysis.confusion import ConfusionMatrix
from alexnet_gui.gui.accessibility import describe

#: thumbnails shown for one cell (a diagonal cell of a big class can hold thousands)
MAX_THUMBNAILS = 400
THUMBNAIL = 96


class ConfusionTableModel(QAbstractTableModel):
    """The matrix over the shown classes: counts, shaded by their share of the true class."""

    def __init__(self, matrix: ConfusionMatrix, parent=None) -> None:
        super().__init__(parent)
        self.matrix = matrix
        self.classes = matrix.shown()
        from alexnet_gui.core.analysis.visualize import viridis

        self._lut = viridis()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.classes)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.classes)

    def cell(self, index: QModelIndex) -> tuple[int, int]:
        """(true, predicted) class of a table index."""
        return self.classes[index.row()], self.classes[index.column()]

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        t, p = self.cell(index)
        count = self.matrix.count(t, p)
        row_total = self.matrix.row_total(t)
        share = count / row_total if row_total else 0.0
        if role == Qt.ItemDataRole.DisplayRole:
            return str(count) if count else ""
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == Qt.ItemDataRole.BackgroundRole and count:
            r, g, b = (int(v) for v in self._lut[min(255, int(share * 255))])
            return QBrush(QColor(r, g, b))
        if role == Qt.ItemDataRole.ForegroundRole and count:
            return QBrush(QColor("black" if share > 0.6 else "white"))
        if role == Qt.ItemDataRole.ToolTipRole:
            names = self.matrix.labels
            return self.tr("true {true}, predicted {predicted}: %n image(s) ({share:.1f}% of {true})", "",
                           count).format(true=names.name(t), predicted=names.name(p), share=100 * share)
        return None

    def headerData(self, section: int, orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole:
            return self.matrix.labels.name(self.classes[section])
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tr("true class") if orientation == Qt.Orientation.Vertical else self.tr("predicted class")
        return None


class ConfusionView(QWidget):
    """The matrix, the clicked cell's thumbnails, and per-class accuracy."""

    #: paths to add to the main window's table (and classify)
    open_requested = Signal(list)

    def __init__(self, matrix: ConfusionMatrix, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.matrix = matrix
        self.model = ConfusionTableModel(matrix, self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.clicked.connect(self._on_clicked)
        self.table.setToolTip(self.tr("Rows: true class. Columns: predicted class. Click a cell to see its images."))
        describe(self.table, self.tr("Confusion matrix"))
        shown, present = len(self.model.classes), len(matrix.present())
        accuracy = 100 * matrix.correct / max(matrix.images, 1)
        heading = self.tr("{correct}/{images} correct ({accuracy:.2f}%) — rows: true class, columns: predicted").format(
            correct=matrix.correct, images=matrix.images, accuracy=accuracy)
        if shown < present:
            heading += self.tr(" — the {shown} most confused of {present} classes").format(shown=shown, present=present)
        self.heading = QLabel(heading)
        self.cell_label = QLabel(self.tr("Click a cell to see its images."))
        self.thumbnails = QListWidget()
        describe(self.thumbnails, self.tr("Images of the cell"), self.tr("The images of the clicked cell; select some "
                                                                        "to open only those"))
        self.thumbnails.setViewMode(QListWidget.ViewMode.IconMode)
        self.thumbnails.setIconSize(QSize(THUMBNAIL, THUMBNAIL))
        self.thumbnails.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.thumbnails.setMovement(QListWidget.Movement.Static)
        self.thumbnails.setSelectionMode(QListWidget.SelectionMode.ExtendedSelection)
        self.open_button = QPushButton(self.tr("Open in the main table"))
        self.open_button.setToolTip(
            self.tr("Add these images (the selected ones, else all of the cell) to the main table")
        )
        self.open_button.setEnabled(False)
        self.open_button.clicked.connect(self.open_cell)
        self.copy_button = QPushButton(self.tr("Copy misclassified to a folder…"))
        self.copy_button.setToolTip(
            self.tr("Copy every misclassified image to FOLDER/<true class>/as <predicted class>/")
        )
        self.copy_button.setEnabled(bool(matrix.misclassified()))
        self.copy_button.clicked.connect(lambda: self.copy_misclassified())
        self.per_class = self._per_class_table()
        self.copy_outcome: list | None = None

        self._lay_out()

    def _lay_out(self) -> None:
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.addWidget(self.heading)
        left_layout.addWidget(self.table, 3)
        left_layout.addWidget(self.per_class, 2)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.addWidget(self.cell_label)
        right_layout.addWidget(self.thumbnails)
        buttons = QHBoxLayout()
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.copy_button)
        right_layout.addLayout(buttons)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setSizes([560, 420])
        QVBoxLayout(self).addWidget(splitter)
        self.cell: tuple[int, int] | None = None

    def _per_class_table(self) -> QTableWidget:
        rows = sorted(self.matrix.per_class(), key=lambda r: (r[2] / r[1], r[0]))  # worst first
        table = QTableWidget(len(rows), 4)
        describe(table, self.tr("Accuracy per class"), self.tr("Images and correct answers of each class"))
        table.setHorizontalHeaderLabels([self.tr("class"), self.tr("images"), self.tr("correct"), self.tr("accuracy")])
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        table.verticalHeader().setVisible(False)
        for i, (c, n, ok) in enumerate(rows):
            for j, text in enumerate((self.matrix.labels.name(c), str(n), str(ok), f"{100 * ok / n:.1f}%")):
                item = QTableWidgetItem(text)
                if j:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                table.setItem(i, j, item)
        table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        return table

    def _on_clicked(self, index: QModelIndex) -> None:
        self.show_cell(*self.model.cell(index))

    def show_cell(self, true: int, predicted: int) -> None:
        """Show the images of one cell as thumbnails."""
        self.cell = (true, predicted)
        if true in self.model.classes and predicted in self.model.classes:
            self.table.setCurrentIndex(
                self.model.index(self.model.classes.index(true), self.model.classes.index(predicted))
            )
        paths = self.matrix.cells.get((true, predicted), ())
        names = self.matrix.labels
        if true == predicted:
            text = self.tr("{true}, correct: %n image(s)", "", len(paths)).format(true=names.name(true))
        else:
            text = self.tr("{true}, predicted as {predicted}: %n image(s)", "", len(paths)).format(
                true=names.name(true), predicted=names.name(predicted)
            )
        if len(paths) > MAX_THUMBNAILS:
            text += self.tr(" (the first {shown} shown)").format(shown=MAX_THUMBNAILS)
        self.cell_label.setText(text)
        self.thumbnails.clear()
        for path in paths[:MAX_THUMBNAILS]:
            item = QListWidgetItem(_thumbnail(path), os.path.basename(path))
            item.setData(Qt.ItemDataRole.UserRole, path)
            item.setToolTip(path)
            self.thumbnails.addItem(item)
        self.open_button.setEnabled(bool(paths))

    def cell_paths(self) -> list[str]:
        """The selected thumbnails' images, else all of the cell's."""
        chosen = [item.data(Qt.ItemDataRole.UserRole) for item in self.thumbnails.selectedItems()]
        if chosen:
            return chosen
        return list(self.matrix.cells.get(self.cell, ())) if self.cell else []

    def open_cell(self) -> None:
        """Ask the main window to add the cell's images to its table."""
        paths = self.cell_paths()
        if paths:
            self.open_requested.emit(paths)

    def copy_misclassified(self, out_dir: str | None = None) -> None:
        """Copy the misclassified images into a folder the user picks, on a worker thread."""
        if out_dir is None:
            out_dir = QFileDialog.getExistingDirectory(self, self.tr("Copy misclassified images into"))
            if not out_dir:
                return
        from superqt.utils import thread_worker

        from alexnet_gui.core.analysis.confusion import copy_misclassified

        self.copy_button.setEnabled(False)
        self.cell_label.setText(
            self.tr("Copying %n image(s) to {folder}…", "", len(self.matrix.misclassified())).format(folder=out_dir)
        )
        worker = thread_worker(copy_misclassified, start_thread=False, ignore_errors=True)(self.matrix, out_dir)
        worker.returned.connect(lambda outcome: self._copied(out_dir, outcome))
        worker.errored.connect(lambda exc: self.cell_label.setText(self.tr("Not copied: {reason}").format(reason=exc)))
        worker.finished.connect(lambda: self.copy_button.setEnabled(True))
        self._copy_worker = worker
        worker.start()

    def _copied(self, out_dir: str, outcome: list) -> None:
        self.copy_outcome = outcome
        failed = [error for _, _, error in outcome if error]
        text = self.tr("Copied %n misclassified image(s) to {folder}", "", len(outcome) - len(failed)).format(
            folder=out_dir
        )
        if failed:
            text += self.tr("; %n failed: {reason}", "", len(failed)).format(reason=failed[0])
        self.cell_label.setText(text + ("" if failed else "."))


def _thumbnail(path: str) -> QIcon:
    reader = QImageReader(path)
    size = reader.size()
    if size.isValid() and max(size.width(), size.height()) > THUMBNAIL:
        reader.setScaledSize(size.scaled(THUMBNAIL, THUMBNAIL, Qt.AspectRatioMode.KeepAspectRatio))
    image = reader.read()
    if image.isNull():
        return QIcon()
    if max(image.width(), image.height()) < THUMBNAIL:  # an 8x8 digit: enlarge without blurring
        image = image.scaled(
            THUMBNAIL, THUMBNAIL, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.FastTransformation
        )
    return QIcon(QPixmap.fromImage(image))
