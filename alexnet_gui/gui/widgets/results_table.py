"""The results table: a QTableView that says what to do when it has no rows to show."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QTableView

# Marked for lupdate here, translated in hint() (a string reaching tr() through a variable is never extracted).
EMPTY_HINT = QT_TRANSLATE_NOOP("ResultsTable", "Drop images or folders here\n(or File > Open images…, Open folder…)")
NO_MATCH_HINT = QT_TRANSLATE_NOOP("ResultsTable", "No top-1 label or file name contains “{text}”")
DROP_HINT = QT_TRANSLATE_NOOP("ResultsTable", "Drop to classify these images")


class ResultsTable(QTableView):
    """Shows `EMPTY_HINT` while no image is queued, and `NO_MATCH_HINT` while the label filter hides every row."""

    def __init__(self, filter_text=lambda: "") -> None:
        super().__init__()
        self._filter_text = filter_text
        self._drop_highlight = False
        #: the File and Top-1 label columns' widths when there is room; narrower tables share what room they have
        self.wide_columns: dict[int, int] = {}
        self._fitting = False
        self._user_sized = False

    def setModel(self, model) -> None:  # noqa: N802
        super().setModel(model)
        self.horizontalHeader().sectionResized.connect(self._on_section_resized)

    def _on_section_resized(self, column: int, _old: int, _new: int) -> None:
        if not self._fitting and column in self.wide_columns:
            self._user_sized = True  # the user's widths stay as they made them

    def fit_columns(self) -> None:
        """Shrink the File and Top-1 label columns together so that every column shows in a narrow table (at
        800x600 only the File column did); a table with room gets their full widths."""
        if not self.wide_columns or self._user_sized:
            return
        header = self.horizontalHeader()
        others = sum(header.sectionSize(c) for c in range(header.count() - 1) if c not in self.wide_columns)
        room = self.viewport().width() - others - header.minimumSectionSize()  # the last column stretches
        share = max(60, room // len(self.wide_columns))
        self._fitting = True
        try:
            for column, wide in self.wide_columns.items():
                header.resizeSection(column, min(wide, share))
        finally:
            self._fitting = False

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self.fit_columns()

    def set_drop_highlight(self, on: bool) -> None:
        """Outline the table (and say what a drop does) while files are dragged over the window."""
        if on != self._drop_highlight:
            self._drop_highlight = on
            self.viewport().update()

    def drop_highlighted(self) -> bool:
        return self._drop_highlight

    def hint(self) -> str:
        """The text painted over the empty table ("" when rows are shown)."""
        if self._drop_highlight:
            return self.tr(DROP_HINT)
        model = self.model()
        if model is None or model.rowCount() > 0:
            return ""
        if getattr(model, "total_rows", lambda: 0)() > 0:
            return self.tr(NO_MATCH_HINT).format(text=self._filter_text())
        return self.tr(EMPTY_HINT)

    def paintEvent(self, event) -> None:  # noqa: N802
        super().paintEvent(event)
        text = self.hint()
        if not text:
            return
        # One painter for both: a second QPainter on the same viewport while the first is active crashes Qt.
        painter = QPainter(self.viewport())
        try:
            if self._drop_highlight:
                colour = self.palette().highlight().color()
                fill = QColor(colour)
                fill.setAlpha(40)
                painter.fillRect(self.viewport().rect(), fill)
                painter.setPen(QPen(colour, 3))
                painter.drawRect(self.viewport().rect().adjusted(1, 1, -2, -2))
            painter.setPen(self.palette().placeholderText().color())
            painter.drawText(self.viewport().rect(), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, text)
        finally:
            painter.end()
