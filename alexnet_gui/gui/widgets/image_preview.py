"""The selected image, scaled to fit, optionally with a rectangle around what the network's crop sees."""

from __future__ import annotations

from PySide6.QtCore import QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QSizePolicy, QWidget

from alexnet_gui.gui.widgets.image_canvas import fit_rect


def load_preview(path: str, max_side: int = 1024) -> tuple[QImage, tuple[int, int]]:
    """Decode a preview (EXIF-rotated, at most max_side) and return it with the full image's size."""
    from alexnet_gui.core.pipeline.images import open_rgb

    im = open_rgb(path, draft=True)
    full = im.info.get("full_size", im.size)
    im.thumbnail((max_side, max_side))
    data = im.tobytes()
    return QImage(data, im.width, im.height, 3 * im.width, QImage.Format.Format_RGB888).copy(), full


class ImagePreview(QWidget):
    """Paints a pixmap scaled to fit, keeping its aspect ratio; `set_crop_box` outlines a region of the full image."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._pixmap = QPixmap()
        self._full_size: tuple[int, int] | None = None
        self._crop: tuple[int, int, int, int] | None = None
        self._message = self.tr("Drop images or folders here")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(200, 150)
        self.setToolTip(self.tr("The selected image: the wheel zooms, a drag pans, a double-click fits it again"))
        from alexnet_gui.gui.widgets.zoom import ZoomPan

        self.zoom = ZoomPan(self, lambda: fit_rect(self._pixmap.size(), self.size()))
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)  # + - 0 once clicked

    def set_image(self, image: QImage | None, full_size: tuple[int, int] | None = None, message: str = "") -> None:
        self._pixmap = QPixmap.fromImage(image) if image is not None and not image.isNull() else QPixmap()
        self._full_size = full_size
        self._message = message
        self._crop = None
        self.zoom.reset()  # another image starts fitted

    def set_crop_box(self, box: tuple[int, int, int, int] | None) -> None:
        """Outline this (left, top, right, bottom) box, in full-image pixels; None hides it."""
        self._crop = box
        self.update()

    def has_image(self) -> bool:
        return not self._pixmap.isNull()

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(480, 360)

    def image_rect(self) -> QRect:
        """Where the image is drawn inside the widget."""
        if self._pixmap.isNull():
            return QRect()
        return self.zoom.rect(fit_rect(self._pixmap.size(), self.size()))

    def paintEvent(self, event) -> None:  # noqa: N802
        painter = QPainter(self)
        if self._pixmap.isNull():
            painter.setPen(self.palette().color(self.foregroundRole()))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self._message)
            return
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        target = self.image_rect()
        painter.drawPixmap(target, self._pixmap)
        if self._crop and self._full_size:
            sx = target.width() / self._full_size[0]
            sy = target.height() / self._full_size[1]
            left, top, right, bottom = self._crop
            rect = QRectF(target.x() + left * sx, target.y() + top * sy, (right - left) * sx, (bottom - top) * sy)
            painter.setPen(QPen(QColor(255, 200, 0), 2, Qt.PenStyle.DashLine))
            painter.drawRect(rect)
