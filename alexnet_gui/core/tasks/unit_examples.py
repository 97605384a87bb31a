"""The images that most activate one unit, as the patches of the input it saw: `alexnet-gui examples` and the
app's *Unit* tab."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from alexnet_gui.core.tasks.cancelling import Cancel, OnProgress, stop_event

if TYPE_CHECKING:
    from alexnet_gui.core.analysis.unit_examples import Example, ExampleIndex
    from alexnet_gui.core.backends.base import Backend


@dataclass
class UnitExamplesReport:
    """A unit's strongest images (none when cancelled before the index was complete) and the index they came
    from; `failed` maps the images that could not be read to why."""

    layer: str
    unit: int
    examples: list[Example] = field(default_factory=list)
    index: ExampleIndex | None = None

    @property
    def failed(self) -> dict[str, str]:
        return self.index.failed if self.index is not None else {}


def check_unit_layer(backend: Backend, layer: str) -> None:
    """One UserError naming the model's layers when it has no `layer` (before any image is read)."""
    from alexnet_gui.core.errors import UserError
    from alexnet_gui.core.language import gettext

    if layer not in backend.card.unit_layers():
        raise UserError(
            gettext("no layer {layer!r} in this model; layers: {join}").format(
                layer=layer, join=", ".join(backend.card.unit_layers())
            )
        )


def find_unit_examples(backend: Backend, paths: Sequence[str], layer: str, unit: int, *, top: int = 9,
                       batch_size: int = 32, recorded: bool = False, cancel: Cancel = None,
                       on_progress: OnProgress = None) -> UnitExamplesReport:
    """The `top` images of `paths` that most activate `unit` of `layer`, from the cached index of the folder (one
    pass over it when it is not cached yet). `recorded`: start from what classifying recorded (the app's Unit tab)
    and read only the images it lacks."""
    from alexnet_gui.core.analysis.unit_examples import index_folder, index_for_paths, unit_examples
    from alexnet_gui.core.cache_paths import cache_path

    check_unit_layer(backend, layer)
    stop, _asked = stop_event(cancel)
    folder = cache_path("examples")
    if recorded:
        index = index_for_paths(backend, paths, layer, unit=unit, top=top, cache_dir=folder, cancel=stop,
                                on_progress=on_progress)
    else:
        index = index_folder(backend, paths, [layer], batch_size=batch_size, cache_dir=folder, cancel=stop,
                             on_progress=on_progress)
    report = UnitExamplesReport(layer, unit, index=index)
    if index is not None:
        report.examples = unit_examples(index, backend.card, layer, unit, top)
    return report
