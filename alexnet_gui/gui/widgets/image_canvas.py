"""A picture scaled to fit (sharp pixels by default) that reports hover and clicks in picture pixels,
with right-click > Save image… writing the picture at its own resolution as PNG."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QCoreApplication, QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import QImage, QPainter, QPixmap
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox, QSizePolicy, QWidget


def fit_rect(content: QSize, bounds: QSize) -> QRect:
    """The largest rectangle of content's aspect ratio that fits in bounds, centred."""
    size = content.scaled(bounds, Qt.AspectRatioMode.KeepAspectRatio)
    return QRect((bounds.width() - size.width()) // 2, (bounds.height() - size.height()) // 2,
                 size.width(), size.height())


def to_qimage(rgb: np.ndarray) -> QImage:
    """An (H, W, 3) uint8 array as a QImage that owns its pixels."""
    rgb = np.ascontiguousarray(rgb, dtype=np.uint8)
    h, w = rgb.shape[:2]
    return QImage(rgb.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()


def add_save_image_menu(widget: QWidget, save) -> None:
    """Give `widget` a right-click menu with "Save image…" that calls `save(path)` with the chosen PNG path."""

    def show_menu(pos: QPoint) -> None:
        menu = QMenu(widget)
        action = menu.addAction(QCoreApplication.translate("image_canvas", "Save image…"))
        if menu.exec(widget.mapToGlobal(pos)) is action:
            path, _ = QFileDialog.getSaveFileName(
                widget,
                QCoreApplication.translate("image_canvas", "Save image"),
                "view.png",
                QCoreApplication.translate("image_canvas", "PNG image (*.png)"),
            )
            if path:
                if not path.lower().endswith(".png"):
                    path += ".png"
                if not save(path):
                    QMessageBox.warning(
                        widget,
                        QCoreApplication.translate("image_canvas", "Image not saved"),
                        QCoreApplication.translate("image_canvas", "Could not write {path}.").format(path=path),
                    )

    widget.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
    widget.customContextMenuRequested.connect(show_menu)


class ImageCanvas(QWidget):
    """Paints an RGB array scaled to fit, keeping aspect ratio; nearest-neighbour unless `smooth`."""

    hovered = Signal(int, int)  # picture pixel under the mouse; (-1, -1) outside the picture
    clicked = Signal(int, int)  # picture pixel clicked with the left button

    def __init__(self, parent: QWidget | None = None, *, smooth: bool = False, message: str = "") -> None:
        super().__init__(parent)
        self._array: np.ndarray | None = None
        self._pixmap = QPixmap()
        self._smooth = smooth
        self._message = message
        self._export = None
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(120, 120)
        add_save_image_menu(self, self.save_image)
        from alexnet_gui.gui.widgets.zoom import ZoomPan

        # The wheel zooms, a drag pans, a double-click fits again; + - 0 once clicked (it takes the focus then).
        self.zoom = ZoomPan(self, lambda: fit_rect(self._pixmap.size(), self.size()))
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)

    def set_array(self, rgb: np.ndarray | None, message: str = "") -> None:
        """Show this (H, W, 3) uint8 picture, or `message` when None."""
        self._array = None if rgb is None else np.ascontiguousarray(rgb, dtype=np.uint8)
        old_size = self._pixmap.size()
        self._pixmap = QPixmap() if rgb is None else QPixmap.fromImage(to_qimage(self._array))
        if self._pixmap.size() != old_size:
            self.zoom.reset()  # another picture; the same one redrawn (an opacity change) keeps its zoom
        self._message = message
        self.update()

    def array(self) -> np.ndarray | None:
        return self._array

    def image(self) -> QImage:
        """The picture at its own resolution (null when empty)."""
        return self._pixmap.toImage()

    def set_export(self, export) -> None:
        """Save `export()` (an RGB array, e.g. the picture with its colour bar) instead of the picture itself."""
        self._export = export

    def save_image(self, path: str) -> bool:
        """Write the picture (or what `set_export` names) as PNG at its own resolution; False when empty or unwritable."""
        if self._pixmap.isNull():
            return False
        if self._export is not None:
            return to_qimage(self._export()).save(path, "PNG")
        return self._pixmap.save(path, "PNG")

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(480, 480)

    def picture_rect(self) -> QRect:
        """Where the picture is drawn inside the widget."""
        if self._pixmap.isNull():
            return QRect()
        return self.zoom.rect(fit_rect(self._pixmap.size(), self.size()))

    def picture_pixel(self, pos) -> tuple[int, int] | None:
        """The picture pixel (x, y) under a widget position, or None outside the picture."""
        rect = self.picture_rect()
        if rect.isEmpty() or not rect.contains(int(pos.x()), int(pos.y())):
            return None
        x = int((pos.x() - rect.x()) * self._pixmap.width() / rect.width())
        y = int((pos.y() - rect.y()) * self._pixmap.height() / rect.height())
        return min(x, self._pixmap.width() - 1), min(y, self._pixmap.height() - 1)

    def widget_point(self, x: float, y: float) -> QPoint:
        """The widget position showing picture pixel (x, y) (its centre); for tests and tooltips."""
        rect = self.picture_rect()
        return QPoint(
            int(rect.x() + (x + 0.5) * rect.width() / self._pixmap.width()),
            int(rect.y() + (y + 0.5) * rect.height() / self._pixmap.height()),
        )

    def paintEvent(self, event) -> None:  # noqa: N802
        painter = QPainter(self)
        if self._pixmap.isNull():
            painter.setPen(self.palette().color(self.foregroundRole()))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self._message)
            return
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, self._smooth)
        painter.drawPixmap(self.picture_rect(), self._pixmap)

    def mouseMoveEvent(self, event) -> None:  # noqa: N802
        pixel = self.picture_pixel(event.position())
        self.hovered.emit(*(pixel or (-1, -1)))

    def leaveEvent(self, event) -> None:  # noqa: N802
        self.hovered.emit(-1, -1)

    def mousePressEvent(self, event) -> None:  # noqa: N802
        if event.button() == Qt.MouseButton.LeftButton:
            pixel = self.picture_pixel(event.position())
            if pixel is not None:
                self.clicked.emit(*pixel)
