"""The ten crops of 10-crop test-time augmentation, each with its own top-1; crops that disagree are outlined."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QDialog, QGridLayout, QLabel, QVBoxLayout, QWidget

from alexnet_gui.core.language import gettext
from alexnet_gui.core.pipeline.tta import CROP_NAMES, CropAnswers
from alexnet_gui.core.wording import format_probability
from alexnet_gui.gui.widgets.keys_dialog import add_close_button

THUMB = 112


def _qimage(rgb: np.ndarray) -> QImage:
    rgb = np.ascontiguousarray(rgb)
    h, w, _ = rgb.shape
    return QImage(rgb.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()


class TenCropsView(QWidget):
    """Two rows of five crop thumbnails (the crops, then their mirror images) with each crop's answer."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.grid = QGridLayout()
        self.heading = QLabel()
        self.heading.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(self.grid)
        self.captions: list[QLabel] = []
        self.images: list[QLabel] = []

    def set_answers(self, answers: CropAnswers) -> None:
        """Show the crops (de-normalised) and which of them disagree with the averaged answer."""
        from alexnet_gui.core.model.preprocess import denormalise

        category = answers.name

        while self.grid.count():
            item = self.grid.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        self.captions, self.images = [], []
        best = int(np.argmax(answers.mean))
        disagree = set(answers.disagreeing())
        self.heading.setText(
            self.tr("10-crop answer: {label} {prob} — {agree} of 10 crops agree").format(
                label=category(best), prob=format_probability(answers.mean[best]), agree=10 - len(disagree))
            + (self.tr("; outlined in red: {n} that do not").format(n=len(disagree)) if disagree else "")
        )
        for i, (name, crop, top1) in enumerate(zip(CROP_NAMES, answers.crops, answers.crop_top1())):
            image = QLabel()
            image.setPixmap(QPixmap.fromImage(_qimage(denormalise(crop, answers.recipe))).scaled(
                THUMB, THUMB, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation))
            image.setToolTip(gettext(name))
            image.setStyleSheet("border: 3px solid red;" if i in disagree else "border: 3px solid transparent;")
            # Percent, as in the table and the bars (a fraction to 2 places read 0.00 for most of 1000 classes).
            caption = QLabel(f"{gettext(name)}\n{category(top1)} {format_probability(answers.probs[i, top1])}")
            caption.setAlignment(Qt.AlignmentFlag.AlignHCenter)
            caption.setWordWrap(True)
            row, col = divmod(i, 5)
            self.grid.addWidget(image, 2 * row, col, Qt.AlignmentFlag.AlignHCenter)
            self.grid.addWidget(caption, 2 * row + 1, col)
            self.images.append(image)
            self.captions.append(caption)


class TenCropsDialog(QDialog):
    """A window around TenCropsView."""

    def __init__(self, path: str, answers: CropAnswers, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Ten crops — {path}").format(path=path))
        self.view = TenCropsView(self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view)
        self.buttons = add_close_button(self, layout)  # Esc closes it too
        self.view.set_answers(answers)
