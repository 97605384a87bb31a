"""Unit: the table's images that activate one unit most, and the image that maximises it."""

from __future__ import annotations

import os
from typing import Any, NamedTuple

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QSpinBox, QVBoxLayout

from alexnet_gui.core.language import gettext
from alexnet_gui.core.tasks.attribution import GradientModels
from alexnet_gui.gui.accessibility import describe
from alexnet_gui.gui.context import AppContext
from alexnet_gui.gui.views.base import CONV_LAYERS, View
from alexnet_gui.gui.widgets.image_canvas import ImageCanvas


class UnitExamples(NamedTuple):
    """The table's images that activate a unit most, as one grid of the patches it sees."""

    layer: str
    unit: int
    grid: Any
    found: list
    total: int  # the table's classified images searched


class UnitVisualisation(NamedTuple):
    """The image that maximises a unit; `activation` None when it came from the cache."""

    layer: str
    unit: int
    image: Any
    activation: float | None


class UnitView(View):
    """What one unit responds to: the table's images that activate it most (each as the patch the unit sees),
    and the image that maximises it (feature visualisation). Asked for from the feature maps, or here."""

    kind = "unit"

    def __init__(self, context: AppContext) -> None:
        super().__init__(context)
        self._torch_model = GradientModels()
        #: optimisation steps of a feature visualisation (Lucid uses 512; 256 took 45-98 s on two shared cores)
        self.steps = 256
        self._data = None
        #: the (layer, unit) each canvas shows, None while it shows none: another unit's pictures are cleared
        #: when a new unit is asked for, not left beside its name while it computes
        self._shown: dict[str, tuple[str, int] | None] = {"examples": None, "vis": None}
        self._vis_job = None  # the running feature visualisation, on the window's progress bar and Cancel
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
        self._lay_out()

    def _lay_out(self) -> None:
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
        self._clear_other_units(layer, unit)
        if what == "examples":
            paths = [r.path for r in self.context.selection.rows() if r.result is not None and not r.result.error]
            if not paths:
                self.status.setText(self.tr("Classify some images first: the examples come from the table."))
                return

            def examples_job(backend):
                from alexnet_gui.core.analysis.unit_examples import examples_grid
                from alexnet_gui.core.tasks.unit_examples import find_unit_examples

                # What was recorded while classifying answers at once; only rows it lacks are run again.
                found = find_unit_examples(backend, paths, layer, unit, top=9, recorded=True).examples
                return UnitExamples(layer, unit, examples_grid(found), found, len(paths))

            self.status.setText(
                self.tr("finding the images of the table that most activate {layer} unit {unit}…").format(
                    layer=layer, unit=unit
                )
            )
            self.examples_canvas.set_array(None, self.tr("Finding the images…"))
            self.ask(examples_job, "unit-examples")
            return
        self._visualise(layer, unit)

    def _clear_other_units(self, layer: str, unit: int) -> None:
        for kind, canvas, message in (
            ("examples", self.examples_canvas, self.tr("Dataset examples: press Top images")),
            ("vis", self.vis_canvas, self.tr("Feature visualisation: press its button")),
        ):
            if self._shown[kind] != (layer, unit):
                self._shown[kind] = None
                canvas.set_array(None, message)

    def _visualise(self, layer: str, unit: int) -> None:
        """Optimise the unit's image as a tool of the window: its progress bar counts the steps, Esc or Cancel
        stops it."""
        weights = self.context.weights
        cache = self._torch_model
        key = (weights.kind, str(weights.path)) if weights is not None else None
        steps = self.steps

        def vis_job(run):
            from alexnet_gui.core.analysis.feature_vis import (
                cached_visualisation,
                save_visualisation,
                visualise_unit,
            )
            from alexnet_gui.core.cache_paths import cache_path
            from alexnet_gui.core.pipeline.images import open_rgb
            from alexnet_gui.core.tasks.attribution import gradient_model

            backend = run.backend
            card = backend.card
            model = gradient_model(backend, weights, what=gettext("Feature visualisation"), models=cache, key=key)
            cached = cached_visualisation(cache_path("visualizations"), card, layer, unit, steps, card.input_size, 0)
            if cached.is_file():
                import numpy as np

                return UnitVisualisation(layer, unit, np.asarray(open_rgb(str(cached))), None)
            vis = visualise_unit(model, card, layer, unit, steps=steps, cancel=run.cancel, on_progress=run.progress)
            if vis is None:
                return None  # cancelled
            save_visualisation(vis, cached)
            return UnitVisualisation(layer, unit, vis.image, vis.activation)

        self.status.setText(
            self.tr("visualising {layer} unit {unit}: {steps} steps, counted in the progress bar below; Esc or "
                    "Cancel stops it…").format(layer=layer, unit=unit, steps=steps)
        )
        self.vis_canvas.set_array(None, self.tr("Visualising…"))
        if self._vis_job is not None and not self._vis_job.is_finished():
            self._vis_job.cancel()  # one at a time: the newer unit replaces it
        self._vis_job = job = self.context.controller.run_tool(self.tr("feature visualisation"), vis_job)
        job.done.connect(lambda answer: job is self._vis_job and self._on_visualised(layer, unit, answer))
        job.failed.connect(lambda message: job is self._vis_job and self.show_error(message))

    def _on_visualised(self, layer: str, unit: int, answer) -> None:
        if answer is None:
            self.vis_canvas.set_array(None, self.tr("Cancelled"))
            self.status.setText(self.tr("Feature visualisation of {layer} unit {unit} cancelled.").format(
                layer=layer, unit=unit))
            return
        self.show_payload(answer)

    def render(self) -> None:
        if self._data is None:
            return
        if isinstance(self._data, UnitExamples):
            layer, unit, grid, found, total = self._data
            self._shown["examples"] = (layer, unit)
            self.examples_canvas.set_array(grid)
            names = ", ".join(os.path.basename(e.path) for e in found[:3])
            self.status.setText(
                self.tr(
                    "{layer} unit {unit}: the {found} of {total} images in the table that "
                    "activate it most ({names}, ...), each cut to the part of the input it sees"
                ).format(layer=layer, unit=unit, found=len(found), total=total, names=names)
            )
        else:
            layer, unit, image, activation = self._data
            self._shown["vis"] = (layer, unit)
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
