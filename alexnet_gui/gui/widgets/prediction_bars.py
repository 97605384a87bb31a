"""The top-k as a labelled horizontal bar chart: class name, ImageNet index, probability in percent."""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QPainter, QPalette
from PySide6.QtWidgets import QSizePolicy, QWidget

from alexnet_gui.core.wording import format_probability


class PredictionBars(QWidget):
    """Paints one bar per prediction (core.results.Prediction), longest first; colours follow the palette."""

    ROW_HEIGHT = 30

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._predictions: list = []
        self._message = self.tr("Select an image to see its top-5.")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setToolTip(self.tr("The model's five most probable classes for the selected image (its card's labels)"))

    def set_predictions(self, predictions, message: str = "") -> None:
        """Show these predictions (or, when empty, the message)."""
        self._predictions = list(predictions)
        self._message = message
        self.updateGeometry()
        self.update()

    def predictions(self) -> list:
        return list(self._predictions)

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(360, max(1, len(self._predictions) or 1) * self.ROW_HEIGHT + 8)

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return QSize(200, self.sizeHint().height())

    def paintEvent(self, event) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pal = self.palette()
        if not self._predictions:
            painter.setPen(pal.color(QPalette.ColorRole.PlaceholderText))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self._message)
            return
        fm = painter.fontMetrics()
        width = self.width()
        # As wide as the widest value shown ("0.00123 %" is wider than "100.0 %"): no value loses its "%".
        pct_w = max(fm.horizontalAdvance(t) for t in ["100.0 %", *(format_probability(p.prob) for p in
                                                                   self._predictions)]) + 8
        label_w = min(int(width * 0.45), max(fm.horizontalAdvance(f"{p.label} ({p.index})") for p in self._predictions) + 12)
        bar_w = max(10, width - label_w - pct_w - 8)
        for i, p in enumerate(self._predictions):
            y = 4 + i * self.ROW_HEIGHT
            h = self.ROW_HEIGHT - 8
            text = fm.elidedText(f"{p.label} ({p.index})", Qt.TextElideMode.ElideRight, label_w - 8)
            painter.setPen(pal.color(QPalette.ColorRole.WindowText))
            painter.drawText(QRectF(0, y, label_w - 8, h), Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, text)
            track = QRectF(label_w, y, bar_w, h)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(pal.color(QPalette.ColorRole.AlternateBase))
            painter.drawRoundedRect(track, 3, 3)
            colour = pal.color(QPalette.ColorRole.Highlight)
            if i > 0:
                colour.setAlpha(150)
            painter.setBrush(colour)
            painter.drawRoundedRect(QRectF(label_w, y, max(2.0, bar_w * p.prob), h), 3, 3)
            painter.setPen(pal.color(QPalette.ColorRole.WindowText))
            painter.drawText(
                QRectF(label_w + bar_w + 4, y, pct_w, h), Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                format_probability(p.prob),
            )
