"""Progress bars on stderr: tqdm's when stderr is a terminal, none when it is a file or a pipe."""

from __future__ import annotations

import sys
from typing import Any


class _Counter:
    """Counts like a tqdm bar and draws nothing, so a log file gets no carriage-return redraws."""

    def __init__(self, total: int | None) -> None:
        self.total = total
        self.n = 0

    def update(self, n: int = 1) -> None:
        self.n += n

    def close(self) -> None:
        pass

    def __enter__(self) -> _Counter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def progress_bar(total: int | None, desc: str, unit: str = "img", **options: Any):
    """A tqdm bar on stderr when stderr is a terminal; else a silent counter with the same `update`/`n`/`close`.

    tqdm's own rule (`disable=None`), applied before importing it: a run logged to a file does not pay for the
    import, nor fill the log with a redraw every tenth of a second.
    """
    isatty = getattr(sys.stderr, "isatty", None)
    if not (isatty and isatty()):
        return _Counter(total)
    from tqdm import tqdm

    return tqdm(total=total, unit=unit, desc=desc, file=sys.stderr, dynamic_ncols=True, **options)
