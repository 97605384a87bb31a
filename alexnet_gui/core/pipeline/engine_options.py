"""How a workflow asks for an engine: one frozen set of options, and the one place that turns it into an Engine.

The commands, the app and the task functions (core/tasks) build their engines here, so an option such as fast JPEG
decoding reaches every workflow the same way (the app's evaluate once ignored it)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from concurrent.futures import Future

    from alexnet_gui.core.backends.base import Backend
    from alexnet_gui.core.pipeline.engine import Engine


@dataclass(frozen=True)
class EngineOptions:
    """What a run decodes and keeps: classes per image, batch size, fast JPEG decoding, decode threads (None: the
    engine's default), test-time augmentation ("none", "10crop") and where JPEGs decode ("cpu", "gpu")."""

    top_k: int = 5
    batch_size: int | None = None
    fast_decode: bool = False
    decode_workers: int | None = None
    tta: str = "none"
    decode: str = "cpu"


def engine_for(backend: Backend | Future[Backend], options: EngineOptions = EngineOptions(), **extras: Any) -> Engine:
    """An Engine over `backend` with `options`; `extras` are Engine's other keywords (recipe, unit_recorder,
    embedding_recorder)."""
    from alexnet_gui.core.pipeline.engine import Engine

    return Engine(backend, top_k=options.top_k, batch_size=options.batch_size, fast_decode=options.fast_decode,
                  decode_workers=options.decode_workers, tta=options.tta, decode=options.decode, **extras)
