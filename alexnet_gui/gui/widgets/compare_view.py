"""Side-by-side comparison of two backends on the same images: top-5 each, logit difference, agreement, latency."""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from alexnet_gui.core.analysis.compare import Comparison, format_summary, summarise_comparisons
from alexnet_gui.core.wording import format_probability
from alexnet_gui.gui.accessibility import describe, describe_buttons
from alexnet_gui.gui.theme import error_colour


class CompareView(QWidget):
    """A table with one row per image; columns: image, each backend's top-5 and latency, agreement, difference."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table = QTableWidget(0, 0)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        describe(self.table, self.tr("Comparison"), self.tr("Each image's top-5 and time by each backend, and whether "
                                                          "they agree"))
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(self.summary)
        self.comparisons: list[Comparison] = []

    def set_comparisons(self, comparisons: list[Comparison]) -> None:
        """Show these comparisons and their summary."""
        self.comparisons = list(comparisons)
        names = next((tuple(a.backend for a in c.answers) for c in comparisons if c.answers), ())
        headers = [self.tr("Image"), *(self.tr("{backend} top-5").format(backend=n) for n in names),
                   *(self.tr("{backend} ms").format(backend=n) for n in names), self.tr("Top-1 agree"),
                   self.tr("Max |Δ logit|")]
        self.table.clear()
        self.table.setColumnCount(len(headers))
        self.table.setHorizontalHeaderLabels(headers)
        self.table.setRowCount(len(comparisons))
        for row, c in enumerate(comparisons):
            cells = [c.path]
            if c.error is not None:
                cells += [self.tr("error: {reason}").format(reason=c.error)] + [""] * (len(headers) - 2)
            else:
                cells += ["\n".join(f"{p.label} {format_probability(p.prob)}" for p in a.top[:5]) for a in c.answers]
                cells += [f"{1000 * a.seconds:.2f}" for a in c.answers]
                cells += [self.tr("yes") if c.top1_agree else self.tr("NO"), f"{c.max_logit_diff:.3g}"]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if col == len(headers) - 2 and c.error is None and not c.top1_agree:
                    item.setForeground(error_colour(self.palette()))
                self.table.setItem(row, col, item)
        # Columns first: a row's height depends on its cells' widths (the top-5 cells wrap), and sized the other way
        # round the last column and the third row were cut off.
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.resizeColumnsToContents()
        self.table.resizeRowsToContents()
        self.summary.setText(format_summary(summarise_comparisons(comparisons)))

    def content_size(self) -> QSize:
        """The table's size with every column and row shown whole (plus its header and frame)."""
        header = self.table.horizontalHeader()
        width = header.length() + self.table.verticalHeader().width() + 2 * self.table.frameWidth()
        height = self.table.verticalHeader().length() + header.height() + 2 * self.table.frameWidth()
        return QSize(width, height)

    def cell_text(self, row: int, column: int) -> str:
        item = self.table.item(row, column)
        return item.text() if item is not None else ""


class CompareDialog(QDialog):
    """A window around CompareView."""

    def __init__(self, comparisons: list[Comparison], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Compare backends"))
        self.view = CompareView(self)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        describe_buttons(buttons, {QDialogButtonBox.StandardButton.Close: self.tr("Close this window")})
        layout = QVBoxLayout(self)
        layout.addWidget(self.view)
        layout.addWidget(buttons)
        self.view.set_comparisons(comparisons)
        # Big enough to show the whole table, within the screen (scroll bars take over beyond that).
        wanted = self.view.content_size() + QSize(60, 140)
        screen = (parent.screen() if parent is not None else self.screen()).availableGeometry().size()
        self.resize(min(wanted.width(), screen.width() * 9 // 10), min(wanted.height(), screen.height() * 9 // 10))
