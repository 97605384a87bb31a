"""The views' common base: each asks the inference thread through its own job handles, keyed by the view, so a
newer request supersedes the older one and no view ever sees another's answer."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from alexnet_gui.gui.context import AppContext

CONV_LAYERS = ("conv1", "conv2", "conv3", "conv4", "conv5")
FEATURE_LAYERS = ("conv1", "pool1", "conv2", "pool2", "conv3", "conv4", "conv5", "pool5")


class View(QWidget):
    """Base: asks for data with `ask(task)`, shows the answer with `show_payload`, refreshes when shown."""

    kind = ""

    def __init__(self, context: AppContext) -> None:
        super().__init__()
        self.context = context
        self._dirty = True
        context.controller.model_loaded.connect(lambda _loaded: self.invalidate())
        context.selection.changed.connect(lambda _path: self.invalidate())

    def ask(self, compute, key: str | None = None, shown=None):
        """Run `compute(backend)` on the inference thread; its answer goes to `shown` (default `show_payload`),
        a refusal to `show_error`. A newer request with the same key (default: the view's kind) supersedes it."""
        job = self.context.jobs.submit(lambda run: compute(run.backend), key=key or self.kind)
        job.done.connect(shown or self.show_payload)
        job.failed.connect(self.show_error)
        return job

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

    def show_payload(self, payload) -> None:
        """Keep the worker's answer and draw it (views with other needs override this)."""
        self._data = payload
        self.render()

    def render(self) -> None:
        raise NotImplementedError

    def show_error(self, message: str) -> None:
        self.status.setText(message)
