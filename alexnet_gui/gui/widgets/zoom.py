"""Zoom and pan for a picture drawn scaled to fit (the preview, the views' canvases): the wheel zooms about the
pointer, a drag pans, a double-click or 0 fits the picture again, + and - zoom from the keyboard."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPointF, QRect, Qt
from PySide6.QtWidgets import QWidget

MAX_ZOOM = 32.0
STEP = 1.25


class ZoomPan(QObject):
    """The zoom of `widget`'s picture: `rect(fit)` is where to draw it, given where it would fit unzoomed."""

    def __init__(self, widget: QWidget, fit) -> None:
        super().__init__(widget)
        self.widget = widget
        self._fit = fit  # () -> QRect: the picture's rectangle at zoom 1
        self.scale = 1.0
        self.centre = (0.5, 0.5)  # the picture point (as fractions of its size) at the widget's centre
        self._drag: QPointF | None = None
        widget.installEventFilter(self)

    def reset(self) -> None:
        """Fit the picture again (a new picture, a double-click, the 0 key)."""
        self.scale, self.centre = 1.0, (0.5, 0.5)
        self.widget.update()

    def rect(self, fit: QRect) -> QRect:
        """Where the picture goes at this zoom; it keeps covering the widget where it is larger than the widget."""
        if self.scale == 1.0 or fit.isEmpty():
            return fit
        w, h = fit.width() * self.scale, fit.height() * self.scale
        x = self._clamp(self.widget.width() / 2 - self.centre[0] * w, w, self.widget.width())
        y = self._clamp(self.widget.height() / 2 - self.centre[1] * h, h, self.widget.height())
        return QRect(round(x), round(y), round(w), round(h))

    @staticmethod
    def _clamp(start: float, size: float, room: float) -> float:
        return (room - size) / 2 if size <= room else min(0.0, max(room - size, start))

    def zoom_at(self, factor: float, pos: QPointF) -> None:
        """Zoom by `factor`, keeping the picture point under `pos` where it is."""
        fit = self._fit()
        if fit.isEmpty():
            return
        before = self.rect(fit)
        fx, fy = (pos.x() - before.x()) / before.width(), (pos.y() - before.y()) / before.height()
        self.scale = min(MAX_ZOOM, max(1.0, self.scale * factor))
        w, h = fit.width() * self.scale, fit.height() * self.scale
        self.centre = ((self.widget.width() / 2 - (pos.x() - fx * w)) / w,
                       (self.widget.height() / 2 - (pos.y() - fy * h)) / h)
        self._settle(fit)

    def pan(self, dx: float, dy: float) -> None:
        """Move the picture by (dx, dy) widget pixels."""
        fit = self._fit()
        if self.scale == 1.0 or fit.isEmpty():
            return
        w, h = fit.width() * self.scale, fit.height() * self.scale
        self.centre = (self.centre[0] - dx / w, self.centre[1] - dy / h)
        self._settle(fit)

    def _settle(self, fit: QRect) -> None:
        # The centre of what is drawn after clamping: dragging past an edge does not store a debt to drag back.
        r = self.rect(fit)
        self.centre = ((self.widget.width() / 2 - r.x()) / r.width(), (self.widget.height() / 2 - r.y()) / r.height())
        self.widget.update()

    def eventFilter(self, watched, event) -> bool:  # noqa: N802
        kind = event.type()
        if kind == QEvent.Type.Wheel:
            steps = event.angleDelta().y() / 120
            if steps:
                self.zoom_at(STEP ** steps, event.position())
            return True
        if kind == QEvent.Type.MouseButtonPress:
            self._drag = event.position()
        elif kind == QEvent.Type.MouseButtonRelease:
            self._drag = None
        elif kind == QEvent.Type.MouseMove and self._drag is not None and event.buttons() != Qt.MouseButton.NoButton:
            delta = event.position() - self._drag
            self._drag = event.position()
            self.pan(delta.x(), delta.y())
        elif kind == QEvent.Type.MouseButtonDblClick:
            self.reset()
        elif kind == QEvent.Type.KeyPress:
            return self._key(event.key())
        return False

    def _key(self, key: int) -> bool:
        centre = QPointF(self.widget.width() / 2, self.widget.height() / 2)
        if key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.zoom_at(STEP, centre)
        elif key == Qt.Key.Key_Minus:
            self.zoom_at(1 / STEP, centre)
        elif key == Qt.Key.Key_0:
            self.reset()
        else:
            return False
        return True
