"""Predictions: the selected image with the model's crop outlined, its top-5 bars and the top-1 in words."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from alexnet_gui.core.language import gettext
from alexnet_gui.core.wording import format_probability
from alexnet_gui.gui.accessibility import describe
from alexnet_gui.gui.widgets.image_preview import ImagePreview, load_preview
from alexnet_gui.gui.widgets.prediction_bars import PredictionBars


class PredictionsView(QWidget):
    """The first tab: what the model says about the current row."""

    def __init__(self) -> None:
        super().__init__()
        self.preview = ImagePreview()
        describe(self.preview, self.tr("Selected image"), self.tr("The selected image, with the model's crop outlined"))
        self.bars = PredictionBars()
        describe(self.bars, self.tr("Top-5 predictions"))
        self.detail = QLabel("")
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.addWidget(self.preview, 1)
        layout.addWidget(self.bars)
        layout.addWidget(self.detail)
        self._preview_size = None

    def show_crop_box(self, card) -> None:
        """Outline on the preview what the model's own crop sees (its card's recipe)."""
        from alexnet_gui.core.model.preprocess import TORCHVISION, crop_box

        if self._preview_size is not None:
            self.preview.set_crop_box(crop_box(*self._preview_size, card.preprocess if card is not None else TORCHVISION))

    def show_path(self, path: str, row, card) -> None:
        """Show `path`'s image and what its table row (`row`, None when not in the table) says."""
        from alexnet_gui.core.errors import UserError

        try:
            image, full = load_preview(path)
            self.preview.set_image(image, full)
            self._preview_size = full
            self.show_crop_box(card)
        except UserError as exc:
            self.preview.set_image(None, message=gettext(str(exc)))
        result = row.result if row else None
        if result is None:
            self.bars.set_predictions([], self.tr("Queued: not classified yet."))
            self.detail.setText(path)
        elif result.error:
            self.bars.set_predictions([], self.tr("Could not classify this file: {error}").format(
                error=gettext(result.error)))
            self.detail.setText(path)
        else:
            self.bars.set_predictions(result.top[:5])
            top = result.top[0]
            text = self.tr("{path}\nTop-1: {label} — class {index}, {prob}").format(
                path=path, label=top.label, index=top.index, prob=format_probability(top.prob)
            )
            if result.origin:
                text += "\n" + self.tr("by {origin}").format(origin=result.origin)
            self.detail.setText(text)

    def clear(self) -> None:
        """Show nothing (the shown row was removed and none took its place)."""
        self.preview.set_image(None, message="")
        self.bars.set_predictions([], "")
        self.detail.setText("")
