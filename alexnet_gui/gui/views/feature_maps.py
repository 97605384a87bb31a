"""Feature maps: the selected image's activations at a layer, with a colour bar; a clicked channel leads to its
deconvolution, top images and feature visualisation."""

from __future__ import annotations

from typing import Any, NamedTuple

from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout

from alexnet_gui.gui.accessibility import describe
from alexnet_gui.gui.context import AppContext
from alexnet_gui.gui.views.base import FEATURE_LAYERS, View
from alexnet_gui.gui.widgets.image_canvas import ImageCanvas


class FeatureMaps(NamedTuple):
    """One image's activations at one layer, with the model's input crop they came from."""

    path: str
    layer: str
    activations: Any  # channels x height x width
    crop: Any  # the input crop as RGB


class FeatureMapsView(View):
    """The selected image's activations at a layer, as a viridis grid with a colour bar."""

    kind = "features"

    def __init__(self, context: AppContext) -> None:
        super().__init__(context)
        self._data = None
        self._layout = None
        self._order = None
        self.layer = QComboBox()
        self.layer.addItems(FEATURE_LAYERS)
        self.layer.setToolTip(self.tr("Which layer's output to show"))
        describe(self.layer, self.tr("Layer"))
        self.pre_relu = QCheckBox(self.tr("Before ReLU"))
        self.pre_relu.setToolTip(self.tr("Show conv outputs before the ReLU (negative values included)"))
        self.sort = QCheckBox(self.tr("Sort by mean"))
        self.sort.setToolTip(self.tr("Order channels by mean activation, strongest first"))
        self.canvas = ImageCanvas(message=self.tr("Select an image"))
        self.canvas.set_export(self.picture_with_colour_bar)  # Save image keeps the scale
        self._range = (0.0, 1.0)
        self.canvas.setToolTip(self.tr("Click a channel to see it large over the input crop"))
        describe(self.canvas, self.tr("Feature maps"))
        self.bar = ImageCanvas(smooth=True)
        describe(self.bar, self.tr("Colour scale"), self.tr("The activation each colour stands for, low to high"))
        self.bar.setFixedWidth(24)
        self.bar_hi, self.bar_lo = QLabel(""), QLabel("")
        self.large = ImageCanvas(smooth=True, message=self.tr("Click a channel"))
        describe(self.large, self.tr("Clicked channel"), self.tr("The clicked channel over the input crop"))
        self.large.setMaximumWidth(300)
        self.deconvolve = QPushButton(self.tr("Deconvolution of this unit"))
        self.deconvolve.setToolTip(
            self.tr(
                "Trace the clicked channel's strongest activation back to the pixels (Zeiler and "
                "Fergus), in the Where it looks tab"
            )
        )
        self.deconvolve.setEnabled(False)
        self.deconvolve.clicked.connect(self._deconvolve)
        self.top_images = QPushButton(self.tr("Top images in the table"))
        self.top_images.setToolTip(
            self.tr("The table's images that activate the clicked channel most, in the Unit tab")
        )
        self.top_images.setEnabled(False)
        self.top_images.clicked.connect(lambda: self._show_unit("examples"))
        self.visualise = QPushButton(self.tr("Feature visualisation"))
        self.visualise.setToolTip(self.tr("The image that maximises the clicked channel, in the Unit tab"))
        self.visualise.setEnabled(False)
        self.visualise.clicked.connect(lambda: self._show_unit("vis"))
        self.channel: int | None = None
        self.status = QLabel("")
        self.layer.currentIndexChanged.connect(self.refresh)
        self.pre_relu.toggled.connect(self.refresh)
        self.sort.toggled.connect(self.render)
        self.canvas.clicked.connect(self._on_click)
        self._lay_out()

    def _lay_out(self) -> None:
        controls = QHBoxLayout()
        for w in (QLabel(self.tr("Layer")), self.layer, self.pre_relu, self.sort):
            controls.addWidget(w)
        controls.addStretch(1)
        bar_box = QVBoxLayout()
        bar_box.addWidget(self.bar_hi)
        bar_box.addWidget(self.bar, 1)
        bar_box.addWidget(self.bar_lo)
        body = QHBoxLayout()
        body.addWidget(self.canvas, 3)
        body.addLayout(bar_box)
        side = QVBoxLayout()
        side.addWidget(self.large, 1)
        side.addWidget(self.deconvolve)
        side.addWidget(self.top_images)
        side.addWidget(self.visualise)
        body.addLayout(side, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(controls)
        layout.addLayout(body, 1)
        layout.addWidget(self.status)

    def layer_name(self) -> str:
        from alexnet_gui.core.analysis.visualize import feature_layer

        card = self.context.card()
        layers = card.layer_names() if card is not None else None
        return feature_layer(self.layer.currentText(), pre_relu=self.pre_relu.isChecked(), layers=layers)

    def show_model_layers(self, card) -> None:
        """List the loaded model's own layers (LRN outputs among them for the 2012 network)."""
        names = [n for n in card.layer_names() if n.startswith(("conv", "pool", "norm"))] or list(FEATURE_LAYERS)
        current = self.layer.currentText()
        self.layer.blockSignals(True)
        self.layer.clear()
        self.layer.addItems(names)
        self.layer.setCurrentIndex(max(0, self.layer.findText(current)))
        self.layer.blockSignals(False)

    def refresh(self) -> None:
        super().refresh()
        path = self.context.selection.path()
        if not path:
            return
        layer = self.layer_name()
        chosen, pre_relu = self.layer.currentText(), self.pre_relu.isChecked()

        def job(backend):
            from alexnet_gui.core.tasks.feature_maps import feature_maps

            # An unreadable image is one UserError naming the file: the status line shows that sentence.
            report = feature_maps(backend, path, chosen, pre_relu=pre_relu)
            return FeatureMaps(path, report.layer, report.activations, report.seen)

        self.status.setText(self.tr("computing {layer}…").format(layer=layer))
        if self.canvas.array() is None:
            self.canvas.set_array(None, self.tr("Computing feature maps…"))
        self.ask(job)

    def show_payload(self, payload) -> None:
        """Draw the new maps; the clicked channel follows to a new image of the same layer, and is forgotten for
        another layer (its overlay and its Deconvolution would be another unit than the one shown)."""
        old = self._data
        super().show_payload(payload)
        same_layer = old is not None and old.layer == payload.layer
        if self.channel is not None and same_layer and self.channel < payload.activations.shape[0]:
            self._show_channel(self.channel)
        else:
            self._forget_channel()

    def _forget_channel(self) -> None:
        self.channel = None
        for button in (self.deconvolve, self.top_images, self.visualise):
            button.setEnabled(False)
        self.large.set_array(None, self.tr("Click a channel"))

    def show_error(self, message: str) -> None:
        super().show_error(message)
        # Not the previous image's maps above this one's error.
        self._data = self._layout = None
        self.canvas.set_array(None, self.tr("No feature maps: see below"))
        self._forget_channel()

    def render(self) -> None:
        from alexnet_gui.core.analysis.visualize import channel_order, colour_bar, feature_grid

        if self._data is None:
            return
        path, layer, acts, _crop = self._data
        self._order = channel_order(acts, by_mean=self.sort.isChecked())
        scale = max(1, 110 // acts.shape[1])
        grid, self._layout, (lo, hi) = feature_grid(acts, order=self._order, scale=scale)
        self._range = (lo, hi)
        self.canvas.set_array(grid)
        self.bar.set_array(colour_bar(256, 8))
        self.bar_hi.setText(f"{hi:.3g}")
        self.bar_lo.setText(f"{lo:.3g}")
        self.status.setText(
            self.tr("{layer}: %n channel(s) of {h}x{w} — {path}", "", acts.shape[0]).format(
                layer=layer, h=acts.shape[1], w=acts.shape[2], path=path
            )
        )

    def picture_with_colour_bar(self):
        """The grid as shown, with a labelled viridis colour bar (what Save image writes)."""
        from alexnet_gui.core.analysis.visualize import with_colour_bar

        return with_colour_bar(self.canvas.array(), *self._range)

    def _on_click(self, x: int, y: int) -> None:
        if self._data is None or self._layout is None:
            return
        i = self._layout.index_at(x, y)
        if i is not None:
            self._show_channel(int(self._order[i]))

    def _show_channel(self, channel: int) -> None:
        """Show `channel` of the maps shown, large over their input crop, and offer what leads from it."""
        from alexnet_gui.core.analysis.visualize import overlay

        _, layer, acts, crop = self._data
        self.channel = channel
        for button in (self.deconvolve, self.top_images, self.visualise):
            button.setEnabled(True)
        self.large.set_array(overlay(crop, acts[channel], alpha=0.6))
        self.status.setText(
            self.tr("{layer} channel {channel}: mean {mean:.4g}, max {max:.4g}").format(
                layer=layer, channel=channel, mean=acts[channel].mean(), max=acts[channel].max()
            )
        )

    def _show_unit(self, what: str) -> None:
        if self._data is None or self.channel is None:
            return
        unit = self.context.open_view("unit")
        unit.show_unit(self._data[1], self.channel, what)

    def _deconvolve(self) -> None:
        if self._data is None or self.channel is None:
            return
        cam = self.context.open_view("cam")
        cam.explain_unit(self._data[1], self.channel)
