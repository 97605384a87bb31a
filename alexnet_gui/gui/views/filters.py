"""Filters: conv1's kernels as an RGB grid, deeper layers' kernels for one input channel in grey."""

from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLabel, QSpinBox, QVBoxLayout

from alexnet_gui.gui.accessibility import describe
from alexnet_gui.gui.context import AppContext
from alexnet_gui.gui.views.base import CONV_LAYERS, View
from alexnet_gui.gui.widgets.image_canvas import ImageCanvas


def _conv_weights_job(weights):
    """Worker job: every conv layer's weights as numpy, from the loaded torch model or the weights file."""
    def job(backend):
        from alexnet_gui.core.analysis.kernels import conv_kernels, model_kernels, onnx_kernels

        if "torch-model" in backend.capabilities:
            return model_kernels(backend.model, backend.card.architecture)
        if weights.kind == "onnx":  # a user's graph (or the bundle's): its kernels are read from the file
            return onnx_kernels(weights.path, backend.card.architecture)
        return conv_kernels(weights)
    return job


class FiltersView(View):
    """conv1's kernels as an RGB grid; deeper layers' kernels for one input channel in grey."""

    kind = "filters"

    def __init__(self, context: AppContext) -> None:
        super().__init__(context)
        self._weights: dict | None = None
        self._layout = None
        self._clicked: tuple[str, int] | None = None  # the layer and kernel shown large
        self.layer = QComboBox()
        self.layer.addItems(CONV_LAYERS)
        self.layer.setToolTip(self.tr("Which convolution's kernels to show"))
        describe(self.layer, self.tr("Layer"))
        self.channel = QSpinBox()
        self.channel.setToolTip(self.tr("Input channel shown for conv2..conv5 (conv1 shows its RGB input)"))
        describe(self.channel, self.tr("Input channel"))
        self.joint = QCheckBox(self.tr("Joint range"))
        self.joint.setToolTip(self.tr("Normalise all kernels with one min-max range instead of one range per kernel"))
        self.canvas = ImageCanvas(message=self.tr("Loading filters…"))
        self.canvas.setToolTip(self.tr("Hover a kernel for its index and weight range; click it to see it large"))
        describe(self.canvas, self.tr("Kernels"))
        self.large = ImageCanvas(message=self.tr("Click a kernel"))
        describe(self.large, self.tr("Clicked kernel"), self.tr("The clicked kernel, enlarged"))
        self.large.setMaximumWidth(260)
        self.status = QLabel("")
        for w in (self.layer, self.joint):
            (w.currentIndexChanged if isinstance(w, QComboBox) else w.toggled).connect(self.render)
        self.channel.valueChanged.connect(self.render)
        self.canvas.hovered.connect(self._on_hover)
        self.canvas.clicked.connect(self._on_click)
        controls = QHBoxLayout()
        for w in (QLabel(self.tr("Layer")), self.layer, QLabel(self.tr("Input channel")), self.channel, self.joint):
            controls.addWidget(w)
        controls.addStretch(1)
        body = QHBoxLayout()
        body.addWidget(self.canvas, 3)
        body.addWidget(self.large, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(controls)
        layout.addLayout(body, 1)
        layout.addWidget(self.status)

    def refresh(self) -> None:
        super().refresh()
        if self.context.weights is not None:
            self.ask(_conv_weights_job(self.context.weights))

    def show_payload(self, payload) -> None:
        self._weights = payload
        self.render()

    def current_weight(self) -> np.ndarray | None:
        return None if self._weights is None else self._weights[self.layer.currentText()]

    def render(self) -> None:
        from alexnet_gui.core.analysis.visualize import filters_grid

        w = self.current_weight()
        if w is None:
            return
        deep = w.shape[1] != 3
        self.channel.setEnabled(deep)
        self.channel.setRange(0, w.shape[1] - 1)
        scale = max(1, 44 // w.shape[2])
        grid, self._layout = filters_grid(w, joint=self.joint.isChecked(),
                                          in_channel=self.channel.value() if deep else None, scale=scale)
        self.canvas.set_array(grid)
        from alexnet_gui.core.analysis.visualize import describe_kernels

        card = self.context.card()
        index = CONV_LAYERS.index(self.layer.currentText())
        groups = card.architecture.groups[index] if card is not None and card.architecture is not None else 1
        self.channel.setToolTip(
            self.tr("Input channel of each group's {channels} ({groups} groups)").format(
                channels=w.shape[1], groups=groups
            )
            if groups > 1
            else self.tr("Input channel shown for conv2..conv5 (conv1 shows its RGB input)")
        )
        self.status.setText(
            describe_kernels(self.layer.currentText(), w, groups, self.channel.value() if deep else None)
        )
        self._show_large()

    def _show_large(self) -> None:
        """The clicked kernel, large, as the grid now draws it; nothing once the grid shows another layer."""
        from alexnet_gui.core.analysis.visualize import filter_tiles

        w = self.current_weight()
        clicked = self._clicked
        if w is None or clicked is None or clicked[0] != self.layer.currentText() or clicked[1] >= w.shape[0]:
            self._clicked = None
            self.large.set_array(None, self.tr("Click a kernel"))
            return
        k = clicked[1]
        deep = w.shape[1] != 3
        tile = filter_tiles(w[k : k + 1], joint=False, in_channel=self.channel.value() if deep else None)[0]
        self.large.set_array(tile.repeat(20, 0).repeat(20, 1))

    def _on_hover(self, x: int, y: int) -> None:
        w = self.current_weight()
        k = self._layout.index_at(x, y) if self._layout and x >= 0 else None
        if w is None or k is None:
            self.canvas.setToolTip("")
            return
        self.canvas.setToolTip(self.filter_text(w, k))

    def _on_click(self, x: int, y: int) -> None:
        w = self.current_weight()
        k = self._layout.index_at(x, y) if self._layout else None
        if w is None or k is None:
            return
        self._clicked = (self.layer.currentText(), k)
        self._show_large()
        self.status.setText(self.filter_text(w, k))

    def filter_text(self, w: np.ndarray, k: int) -> str:
        """One kernel's index and weight range."""
        return self.tr("filter {k}: weights {lo:+.4f} … {hi:+.4f}").format(k=k, lo=w[k].min(), hi=w[k].max())
