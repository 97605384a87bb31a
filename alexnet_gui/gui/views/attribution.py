"""Where it looks: Grad-CAM and the other attributions, guided backpropagation and deconvolution."""

from __future__ import annotations

from typing import Any, NamedTuple

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QSlider, QVBoxLayout

from alexnet_gui.core.language import gettext
from alexnet_gui.core.tasks.attribution import GradientModels
from alexnet_gui.core.wording import format_probability
from alexnet_gui.gui.accessibility import describe
from alexnet_gui.gui.context import AppContext
from alexnet_gui.gui.views.base import View
from alexnet_gui.gui.widgets.image_canvas import ImageCanvas


class Attribution(NamedTuple):
    """Where the network looks for one image: the method's answer and the input crop it is drawn over."""

    path: str
    answer: Any  # core.analysis.attribution's answer: kind, values, method, target
    crop: Any


class CamView(View):
    """Where the network looks: Grad-CAM and the other CAMs, pixel attributions, guided backpropagation and
    deconvolution for one of the selected image's top-5 classes, or for one unit chosen in the feature maps."""

    kind = "cam"

    def __init__(self, context: AppContext) -> None:
        from alexnet_gui.core.analysis.attribution_methods import DESCRIPTIONS, METHODS, TITLES

        super().__init__(context)
        self._data = None
        self._torch_model = GradientModels()
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
        # Any class of the model, by name or number: the list holds only the top five.
        self.any_class = QLineEdit()
        self.any_class.setPlaceholderText(self.tr("any class…"))
        self.any_class.setToolTip(self.tr("Type any class's name or number and press Enter to explain it"))
        describe(self.any_class, self.tr("Any class"))
        self.any_class.returnPressed.connect(self._on_any_class)
        self._completer_card = None
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
            self.any_class,
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

    def class_named(self, text: str) -> int | None:
        """The model's class that `text` names: its number, its name or WordNet id, or a completion ("name (7)")."""
        import re

        card = self.context.card()
        if card is None or not text.strip():
            return None
        text = text.strip()
        completion = re.fullmatch(r".*\((\d+)\)", text)
        number = completion.group(1) if completion else text if text.isdigit() else None
        if number is not None:
            return int(number) if int(number) < card.classes else None
        return card.labels.index_from_folder_name(text)

    def explain_class(self, text: str) -> bool:
        """Explain the class `text` names (see `class_named`) for the selected image; False when it names none."""
        from alexnet_gui.core.errors import UserError

        try:
            index = self.class_named(text)
        except UserError as exc:  # a name two classes share
            self.status.setText(str(exc))
            return False
        if index is None:
            self.status.setText(self.tr("The model has no class “{text}”.").format(text=text.strip()))
            return False
        found = self.target.findData(index)
        if found < 0:
            self.target.addItem(f"{self.context.card().labels.name(index)} ({index})", index)
            found = self.target.count() - 1
        self.target.setCurrentIndex(found)
        self._on_target()
        return True

    def _on_any_class(self) -> None:
        if self.explain_class(self.any_class.text()):
            self.any_class.clear()

    def _fit_completer(self) -> None:
        """Complete the any-class box with the loaded model's classes ("name (index)")."""
        from PySide6.QtWidgets import QCompleter

        card = self.context.card()
        if card is None or card is self._completer_card:
            return
        self._completer_card = card
        completer = QCompleter([f"{name} ({i})" for i, name in enumerate(card.labels.names)], self.any_class)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.any_class.setCompleter(completer)

    def refresh(self, keep_target: bool = False) -> None:
        super().refresh()
        self._fit_completer()
        path = self.context.selection.path()
        row = self.context.selection.row_for(path)
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
        weights = self.context.weights
        cache = self._torch_model
        # Keyed by the weights: after Model > Choose weights, the borrowed torch model is the new weights' own.
        key = (weights.kind, str(weights.path)) if weights is not None else None

        def job(backend):
            from alexnet_gui.core.analysis.attribution import attribute
            from alexnet_gui.core.model.preprocess import denormalise
            from alexnet_gui.core.pipeline.decode import load_input

            card = backend.card
            from alexnet_gui.core.tasks.attribution import gradient_model

            model = gradient_model(backend, weights, what=title, models=cache, key=key)
            x = load_input(path, recipe=card.preprocess)[None]
            answer = attribute(
                model, card, x, method, target, layer=unit[0] if unit else None, unit=unit[1] if unit else None
            )
            return Attribution(path, answer, denormalise(x[0], card.preprocess))

        first_torch = not cache.holds(key) and (self.context.controller.loaded is None or self.context.controller.loaded.backend != "torch")
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
