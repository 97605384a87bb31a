"""Tabs that show inside the network: conv filters, feature maps, where it looks (Grad-CAM and the other
attributions), what one unit responds to (dataset examples, feature visualisation), and the layer table.

Each view asks the worker for data with `requests.compute_view(kind, job)`, where `job(backend)` runs on the
worker thread and returns plain numpy data; the view renders it on the main thread.
"""

from __future__ import annotations

import os

import numpy as np
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSlider,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from alexnet_gui.core.language import gettext
from alexnet_gui.core.wording import format_probability
from alexnet_gui.gui.accessibility import describe
from alexnet_gui.gui.widgets.image_canvas import ImageCanvas, add_save_image_menu

CONV_LAYERS = ("conv1", "conv2", "conv3", "conv4", "conv5")
FEATURE_LAYERS = ("conv1", "pool1", "conv2", "pool2", "conv3", "conv4", "conv5", "pool5")


class _View(QWidget):
    """Base: talks to the window's worker, reacts only to its own `kind` of answers, refreshes when shown."""

    kind = ""

    def __init__(self, window) -> None:
        super().__init__()
        self.window = window
        self._dirty = True
        worker = window.handle.worker
        worker.view_ready.connect(self._on_ready)
        worker.view_failed.connect(self._on_failed)
        window.model_ready.connect(lambda _info: self.invalidate())
        window.selected_image_changed.connect(lambda _path: self.invalidate())

    def ask(self, job) -> None:
        self.window.handle.ask_view(self.kind, job)

    def invalidate(self) -> None:
        self._dirty = True
        if self.isVisible():
            self.refresh()

    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        if self._dirty:
            self.refresh()

    def refresh(self) -> None:
        self._dirty = False

    def _on_ready(self, kind: str, payload) -> None:
        if kind == self.kind:
            self.show_payload(payload)

    def _on_failed(self, kind: str, message: str) -> None:
        if kind == self.kind:
            self.show_error(message)

    def show_payload(self, payload) -> None:
        """Keep the worker's answer and draw it (views with other needs override this)."""
        self._data = payload
        self.render()

    def render(self) -> None:
        raise NotImplementedError

    def show_error(self, message: str) -> None:
        self.status.setText(message)


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


class FiltersView(_View):
    """conv1's kernels as an RGB grid; deeper layers' kernels for one input channel in grey."""

    kind = "filters"

    def __init__(self, window) -> None:
        super().__init__(window)
        self._weights: dict | None = None
        self._layout = None
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
        if self.window.weights is not None:
            self.ask(_conv_weights_job(self.window.weights))

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

        card = (self.window.model_info or {}).get("card")
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

    def _on_hover(self, x: int, y: int) -> None:
        w = self.current_weight()
        k = self._layout.index_at(x, y) if self._layout and x >= 0 else None
        if w is None or k is None:
            self.canvas.setToolTip("")
            return
        self.canvas.setToolTip(self.filter_text(w, k))

    def _on_click(self, x: int, y: int) -> None:
        from alexnet_gui.core.analysis.visualize import filter_tiles

        w = self.current_weight()
        k = self._layout.index_at(x, y) if self._layout else None
        if w is None or k is None:
            return
        deep = w.shape[1] != 3
        tile = filter_tiles(w[k : k + 1], joint=False, in_channel=self.channel.value() if deep else None)[0]
        self.large.set_array(tile.repeat(20, 0).repeat(20, 1))
        self.status.setText(self.filter_text(w, k))

    def filter_text(self, w: np.ndarray, k: int) -> str:
        """One kernel's index and weight range."""
        return self.tr("filter {k}: weights {lo:+.4f} … {hi:+.4f}").format(k=k, lo=w[k].min(), hi=w[k].max())


class FeatureMapsView(_View):
    """The selected image's activations at a layer, as a viridis grid with a colour bar."""

    kind = "features"

    def __init__(self, window) -> None:
        super().__init__(window)
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

        card = (self.window.model_info or {}).get("card")
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
        path = self.window.selected_path()
        if not path:
            return
        layer = self.layer_name()

        def job(backend):
            from alexnet_gui.core.model.preprocess import denormalise
            from alexnet_gui.core.pipeline.decode import load_input

            recipe = backend.card.preprocess
            x = load_input(path, recipe=recipe)[None]
            return path, layer, backend.activations(x, [layer])[layer][0], denormalise(x[0], recipe)

        self.status.setText(self.tr("computing {layer}…").format(layer=layer))
        if self.canvas.array() is None:
            self.canvas.set_array(None, self.tr("Computing feature maps…"))
        self.ask(job)

    def show_error(self, message: str) -> None:
        super().show_error(message)
        # Not the previous image's maps above this one's error.
        self._data = self._layout = None
        self.canvas.set_array(None, self.tr("No feature maps: see below"))
        self.large.set_array(None, self.tr("Click a channel"))

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
        from alexnet_gui.core.analysis.visualize import overlay

        if self._data is None or self._layout is None:
            return
        i = self._layout.index_at(x, y)
        if i is None:
            return
        _, layer, acts, crop = self._data
        channel = int(self._order[i])
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
        unit = self.window.views["unit"]
        self.window.tabs.setCurrentWidget(unit)
        unit.show_unit(self._data[1], self.channel, what)

    def _deconvolve(self) -> None:
        if self._data is None or self.channel is None:
            return
        cam = self.window.views["cam"]
        self.window.tabs.setCurrentWidget(cam)
        cam.explain_unit(self._data[1], self.channel)


class CamView(_View):
    """Where the network looks: Grad-CAM and the other CAMs, pixel attributions, guided backpropagation and
    deconvolution for one of the selected image's top-5 classes, or for one unit chosen in the feature maps."""

    kind = "cam"

    def __init__(self, window) -> None:
        from alexnet_gui.core.analysis.attribution_methods import DESCRIPTIONS, METHODS, TITLES

        super().__init__(window)
        self._data = None
        self._torch_model = {}
        #: (layer, unit) when a unit is explained instead of a class (set from the feature maps)
        self.unit: tuple[str, int] | None = None
        self.method = QComboBox()
        for name in METHODS:
            self.method.addItem(gettext(TITLES[name]), name)
            self.method.setItemData(self.method.count() - 1, gettext(DESCRIPTIONS[name]), Qt.ItemDataRole.ToolTipRole)
        self.method.setToolTip(self.tr("How to find where the network looks"))
        describe(self.method, self.tr("Method"))
        self.target = QComboBox()
        self.target.setToolTip(self.tr("Which of the top-5 classes to explain"))
        describe(self.target, self.tr("Class"))
        self.opacity = QSlider(Qt.Orientation.Horizontal)
        self.opacity.setRange(0, 100)
        self.opacity.setValue(50)
        self.opacity.setToolTip(self.tr("Opacity of the map over the crop"))
        describe(self.opacity, self.tr("Opacity"))
        self.canvas = ImageCanvas(smooth=True, message=self.tr("Select a classified image"))
        describe(self.canvas, self.tr("Where it looks"), self.tr("The chosen method's map over the image's crop"))
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.method.activated.connect(lambda _i: self._on_method())
        self.target.activated.connect(lambda _i: self._on_target())
        self.opacity.valueChanged.connect(self.render)
        controls = QHBoxLayout()
        for w in (
            QLabel(self.tr("Method")),
            self.method,
            QLabel(self.tr("Class")),
            self.target,
            QLabel(self.tr("Opacity")),
            self.opacity,
        ):
            controls.addWidget(w)
        layout = QVBoxLayout(self)
        layout.addLayout(controls)
        layout.addWidget(self.canvas, 1)
        layout.addWidget(self.status)

    def set_method(self, name: str) -> None:
        """Choose the method (as the combo box does) and compute."""
        self.method.setCurrentIndex(self.method.findData(name))
        self._on_method()

    def explain_unit(self, layer: str, unit: int, method: str = "deconvolution") -> None:
        """Trace one unit's strongest activation back to the pixels (guided backpropagation or deconvolution)."""
        self.unit = (layer, unit)
        self.method.setCurrentIndex(self.method.findData(method))
        self.refresh(keep_target=True)

    def _on_method(self) -> None:
        from alexnet_gui.core.analysis.attribution_methods import UNIT_METHODS

        if self.method.currentData() not in UNIT_METHODS:
            self.unit = None
        self.refresh(keep_target=True)

    def _on_target(self) -> None:
        self.unit = None  # a class chosen: explain it, not the unit
        self.refresh(keep_target=True)

    def refresh(self, keep_target: bool = False) -> None:
        super().refresh()
        path = self.window.selected_path()
        row = self.window.model.row_for(path)
        if row is None or row.result is None or row.result.error:
            # Not the previous image's map under another image's name.
            self._data = None
            self.target.clear()
            self.canvas.set_array(None, self.tr("Select a classified image"))
            self.status.setText("")
            return
        if not keep_target or self.target.count() == 0:
            self.target.clear()
            for p in row.result.top[:5]:
                self.target.addItem(f"{p.label} ({p.index}) {format_probability(p.prob)}", p.index)
        target = self.target.currentData()
        method = self.method.currentData()
        unit = self.unit
        from alexnet_gui.core.analysis.attribution_methods import TITLES

        title = gettext(TITLES[method])
        weights = self.window.weights
        cache = self._torch_model
        # Keyed by the weights: after Model > Choose weights, the borrowed torch model is the new weights' own.
        key = (weights.kind, str(weights.path)) if weights is not None else None

        def job(backend):
            from alexnet_gui.core.analysis.attribution import attribute
            from alexnet_gui.core.model.preprocess import denormalise
            from alexnet_gui.core.pipeline.decode import load_input

            card = backend.card
            model = _torch_model_for(backend, weights, key, cache, title)
            x = load_input(path, recipe=card.preprocess)[None]
            answer = attribute(
                model, card, x, method, target, layer=unit[0] if unit else None, unit=unit[1] if unit else None
            )
            return path, answer, denormalise(x[0], card.preprocess)

        first_torch = key not in cache and (self.window.model_info or {}).get("backend") != "torch"
        what = (
            self.tr("{method} of {layer} unit {unit}").format(method=title, layer=unit[0], unit=unit[1])
            if unit
            else title
        )
        self.status.setText(
            self.tr("computing {what}… (loading PyTorch for its gradients, once: a few seconds)").format(what=what)
            if first_torch
            else self.tr("computing {what}…").format(what=what)
        )
        if self.canvas.array() is None:
            # not "Select a classified image": one is selected
            self.canvas.set_array(None, self.tr("Computing {what}…").format(what=what))
        self.ask(job)

    def show_error(self, message: str) -> None:
        super().show_error(message)
        # Not the previous image's map above this one's error (as in the feature maps).
        self._data = None
        self.canvas.set_array(None, self.tr("Nothing to show: see below"))

    def render(self) -> None:
        import numpy as np

        from alexnet_gui.core.analysis.attribution_methods import DESCRIPTIONS
        from alexnet_gui.core.analysis.visualize import overlay

        if self._data is None:
            return
        path, answer, crop = self._data
        if answer.kind == "map":
            self.canvas.set_array(overlay(crop, answer.values, alpha=self.opacity.value() / 100, vmin=0.0, vmax=1.0))
        else:
            self.canvas.set_array((answer.values * 255).round().astype(np.uint8))
        self.status.setText(f"{gettext(DESCRIPTIONS[answer.method])} — {answer.target} — {path}")


class ArchitectureView(_View):
    """The loaded model's layers: output shape for its input size and parameters, measured on its network."""

    kind = "architecture"

    def __init__(self, window) -> None:
        super().__init__(window)
        self.table = QTableView()
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setToolTip(self.tr("Computed from the loaded model's architecture with one input of its size"))
        describe(self.table, self.tr("Layers"))
        add_save_image_menu(self.table, lambda path: self.table.grab().save(path, "PNG"))
        self.status = QLabel("")
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(self.status)
        self._loaded = False

    def refresh(self) -> None:
        super().refresh()
        if not self._loaded:
            from alexnet_gui.core.analysis.architecture import layer_table

            def job(backend):
                from alexnet_gui.core.errors import UserError

                if backend.card.architecture is None:
                    raise UserError(gettext("this ONNX graph's layers are its own: the app did not build it"))
                return layer_table(backend.card.architecture)

            self.ask(job)

    def show_payload(self, rows) -> None:
        self._loaded = True
        model = QStandardItemModel(0, 4, self)
        model.setHorizontalHeaderLabels(
            [self.tr("Layer"), self.tr("Type"), self.tr("Output shape"), self.tr("Parameters")]
        )
        for r in rows:
            items = [
                QStandardItem(r.name),
                QStandardItem(r.kind),
                QStandardItem(" x ".join(map(str, r.output_shape))),
                QStandardItem(f"{r.params:,}"),
            ]
            items[3].setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            model.appendRow(items)
        total = sum(r.params for r in rows)
        total_item = QStandardItem(f"{total:,}")
        total_item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)  # under its column
        font = total_item.font()
        font.setBold(True)
        total_item.setFont(font)
        model.appendRow([QStandardItem(self.tr("total")), QStandardItem(""), QStandardItem(""), total_item])
        self.table.setModel(model)
        self.status.setText(self.tr("%n layer(s), {total:,} parameters", "", len(rows)).format(total=total))


class UnitView(_View):
    """What one unit responds to: the table's images that activate it most (each as the patch the unit sees),
    and the image that maximises it (feature visualisation). Asked for from the feature maps, or here."""

    kind = "unit"
    KINDS = ("unit-examples", "unit-vis")

    def __init__(self, window) -> None:
        super().__init__(window)
        self._torch_model: dict = {}
        #: optimisation steps of a feature visualisation (Lucid uses 512; 256 take about 10 s here)
        self.steps = 256
        self._data = None
        self.layer = QComboBox()
        self.layer.addItems(CONV_LAYERS)
        self.unit = QSpinBox()
        self.unit.setRange(0, 4095)
        self._architecture = None
        self.layer.currentTextChanged.connect(self._fit_unit_range)
        describe(self.layer, self.tr("Layer"), self.tr("The layer of the unit"))
        describe(self.unit, self.tr("Unit"), self.tr("The unit's number in its layer"))
        self.examples_button = QPushButton(self.tr("Top images in the table"))
        self.examples_button.setToolTip(
            self.tr(
                "The table's images that activate this unit most, each cut to the part of "
                "the input the unit sees (kept while classifying; otherwise one pass over "
                "the table, then cached)"
            )
        )
        self.examples_button.clicked.connect(
            lambda: self.show_unit(self.layer.currentText(), self.unit.value(), "examples")
        )
        self.vis_button = QPushButton(self.tr("Feature visualisation"))
        self.vis_button.setToolTip(
            self.tr("Optimise an image to maximise this unit (Lucid's method, 256 steps; cached)")
        )
        self.vis_button.clicked.connect(lambda: self.show_unit(self.layer.currentText(), self.unit.value(), "vis"))
        self.vis_canvas = ImageCanvas(smooth=False, message=self.tr("Feature visualisation: press its button"))
        self.examples_canvas = ImageCanvas(smooth=False, message=self.tr("Dataset examples: press Top images"))
        describe(self.vis_canvas, self.tr("The image that maximises it"), self.tr("Feature visualisation of the unit"))
        describe(
            self.examples_canvas,
            self.tr("The table's images that activate it most"),
            self.tr("Dataset examples of the unit"),
        )
        self.status = QLabel(self.tr("Choose a layer and a unit, or click a channel in the feature maps."))
        self.status.setWordWrap(True)
        controls = QHBoxLayout()
        for w in (
            QLabel(self.tr("Layer")),
            self.layer,
            QLabel(self.tr("Unit")),
            self.unit,
            self.examples_button,
            self.vis_button,
        ):
            controls.addWidget(w)
        controls.addStretch(1)
        body = QHBoxLayout()
        for title, canvas in (
            (self.tr("The image that maximises it"), self.vis_canvas),
            (self.tr("The table's images that activate it most"), self.examples_canvas),
        ):
            column = QVBoxLayout()
            column.addWidget(QLabel(title))
            column.addWidget(canvas, 1)
            body.addLayout(column, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(controls)
        layout.addLayout(body, 1)
        layout.addWidget(self.status)

    def _on_ready(self, kind: str, payload) -> None:
        if kind in self.KINDS:
            self.show_payload((kind, payload))

    def _on_failed(self, kind: str, message: str) -> None:
        if kind in self.KINDS:
            self.show_error(message)

    def show_model_layers(self, card) -> None:
        """The loaded model's conv layers, then fc6 and fc7."""
        names = list(card.unit_layers()) or list(CONV_LAYERS)
        current = self.layer.currentText()
        self._architecture = card.architecture
        self.layer.clear()
        self.layer.addItems(names)
        self.layer.setCurrentIndex(max(0, self.layer.findText(current)))
        self._fit_unit_range(self.layer.currentText())

    def _fit_unit_range(self, layer: str) -> None:
        """The unit box runs over the chosen layer's units (64 in torchvision's conv1, 4096 in its fc6)."""
        from alexnet_gui.core.model.archs import ArchitectureError, layer_channels

        if self._architecture is None or not layer:
            return
        try:
            self.unit.setRange(0, layer_channels(self._architecture, layer) - 1)
        except ArchitectureError:  # a layer the model lacks: the worker's answer will say so
            pass

    def show_unit(self, layer: str, unit: int, what: str = "examples") -> None:
        """Compute the unit's dataset examples over the table ("examples") or its visualisation ("vis")."""
        if self.layer.findText(layer) < 0:
            self.layer.addItem(layer)
        self.layer.setCurrentText(layer)
        self.unit.setValue(unit)
        if what == "examples":
            paths = [r.path for r in self.window.model.rows() if r.result is not None and not r.result.error]
            if not paths:
                self.status.setText(self.tr("Classify some images first: the examples come from the table."))
                return

            def examples_job(backend):
                from alexnet_gui.core.analysis.unit_examples import examples_grid, index_for_paths, unit_examples
                from alexnet_gui.core.model.weights import cache_root

                # What was recorded while classifying answers at once; only rows it lacks are run again.
                index = index_for_paths(backend, paths, layer, unit=unit, top=9, cache_dir=cache_root() / "examples")
                assert index is not None  # cancelled only with a cancel event, which a view job has not
                found = unit_examples(index, backend.card, layer, unit, top=9)
                return layer, unit, examples_grid(found), found, len(paths)

            self.status.setText(
                self.tr("finding the images of the table that most activate {layer} unit {unit}…").format(
                    layer=layer, unit=unit
                )
            )
            self.window.handle.ask_view("unit-examples", examples_job)
            return
        weights = self.window.weights
        cache = self._torch_model
        key = (weights.kind, str(weights.path)) if weights is not None else None
        steps = self.steps

        def vis_job(backend):
            from alexnet_gui.core.analysis.feature_vis import (
                cached_visualisation,
                save_visualisation,
                visualise_unit,
            )
            from alexnet_gui.core.model.weights import cache_root
            from alexnet_gui.core.pipeline.images import open_rgb

            card = backend.card
            model = _torch_model_for(backend, weights, key, cache, gettext("Feature visualisation"))
            cached = cached_visualisation(cache_root() / "visualizations", card, layer, unit, steps, card.input_size, 0)
            if cached.is_file():
                import numpy as np

                return layer, unit, np.asarray(open_rgb(str(cached))), None
            vis = visualise_unit(model, card, layer, unit, steps=steps)
            save_visualisation(vis, cached)
            return layer, unit, vis.image, vis.activation

        self.status.setText(
            self.tr("visualising {layer} unit {unit} ({steps} steps; 256 take about 10 s on two cores)…").format(
                layer=layer, unit=unit, steps=steps
            )
        )
        self.window.handle.ask_view("unit-vis", vis_job)

    def render(self) -> None:
        if self._data is None:
            return
        kind, payload = self._data
        if kind == "unit-examples":
            layer, unit, grid, found, total = payload
            self.examples_canvas.set_array(grid)
            names = ", ".join(os.path.basename(e.path) for e in found[:3])
            self.status.setText(
                self.tr(
                    "{layer} unit {unit}: the {found} of {total} images in the table that "
                    "activate it most ({names}, ...), each cut to the part of the input it sees"
                ).format(layer=layer, unit=unit, found=len(found), total=total, names=names)
            )
        else:
            layer, unit, image, activation = payload
            self.vis_canvas.set_array(image)
            what = (
                self.tr("activation {value:.4g}").format(value=activation)
                if activation is not None
                else self.tr("from the cache")
            )
            self.status.setText(
                self.tr("{layer} unit {unit}: the image that maximises it ({what})").format(
                    layer=layer, unit=unit, what=what
                )
            )


def _torch_model_for(backend, weights, key, cache: dict, what: str):
    """The backend's torch model, or (for the ONNX backend, which has no gradients) one borrowed per weights and
    kept in `cache`; `what` needs the gradients, and the refusal of an ONNX graph the app did not build says so."""
    from alexnet_gui.core.errors import UserError

    if backend.card.architecture is None:
        raise UserError(
            gettext(
                "{what} needs the network's gradients: this ONNX graph was not built by the app; "
                "open its PyTorch or Keras file instead"
            ).format(what=what)
        )
    if "torch-model" in backend.capabilities:
        return backend.model
    if key not in cache:
        from alexnet_gui.core.backends.torch_backend import build_model

        cache.clear()  # one borrowed model at a time: 233 MB each
        cache[key] = build_model(weights)[1]
    return cache[key]


def install_views(window) -> dict[str, _View]:
    """Add the four views as tabs of the main window; return them by kind."""
    views = {
        "filters": FiltersView(window),
        "features": FeatureMapsView(window),
        "cam": CamView(window),
        "unit": UnitView(window),
        "architecture": ArchitectureView(window),
    }
    for title, kind in (
        (QCoreApplication.translate("install_views", "Filters"), "filters"),
        (QCoreApplication.translate("install_views", "Feature maps"), "features"),
        (QCoreApplication.translate("install_views", "Where it looks"), "cam"),
        (QCoreApplication.translate("install_views", "Unit"), "unit"),
        (QCoreApplication.translate("install_views", "Architecture"), "architecture"),
    ):
        window.add_view_tab(views[kind], title)
    window.views = views
    card = (getattr(window, "model_info", None) or {}).get("card")
    if card is not None:  # installed after a model loaded: its layers, as a load would have shown them
        for kind in ("features", "unit"):
            views[kind].show_model_layers(card)
    return views
