"""The task functions' `cancel` and `on_progress` arguments."""

from __future__ import annotations

import threading
from collections.abc import Callable

#: a task's `cancel`: a callable that returns True once the user asked to stop, or an Event; None: never
Cancel = Callable[[], bool] | threading.Event | None
#: a task's `on_progress(done, total)`
OnProgress = Callable[[int, int], None] | None


def stop_event(cancel: Cancel) -> tuple[threading.Event, Callable[[], bool]]:
    """The Event a core loop (the engine, compare_backends, index_folder) stops on, and the check that a task
    polls between results to set it: an Event given is used as it is, so its setter stops the loop at once."""
    if isinstance(cancel, threading.Event):
        return cancel, cancel.is_set
    stop = threading.Event()
    if cancel is None:
        return stop, stop.is_set

    def asked() -> bool:
        if cancel():
            stop.set()
        return stop.is_set()

    return stop, asked
