"""The session: the files the user queued and what became of each, without Qt (the window observes it through
`ResultsModel`, a thin Qt adapter, as napari's layer lists are plain Python under their Qt models)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass
class Row:
    """One queued file and, once classified, its result (core.outputs.results.Result: its predictions and which
    card, backend and TTA produced them) and whether its JPEG was decoded at a reduced scale (fast decoding)."""

    path: str
    result: object | None = None
    fast_decode: bool = False

    @property
    def status(self) -> str:
        if self.result is None:
            return "queued"
        return "done" if self.result.error is None else f"error: {self.result.error}"  # type: ignore[attr-defined]


class Session:
    """Every row in the order added, one per path; each change returns the rows it touched, for the observer."""

    def __init__(self) -> None:
        self._rows: list[Row] = []
        self._index: dict[str, Row] = {}

    def add(self, paths: Iterable[str]) -> list[Row]:
        """Append rows for paths not already here; return the new rows."""
        new_rows = []
        for path in paths:
            if path not in self._index:
                row = Row(path)
                self._index[path] = row
                new_rows.append(row)
        self._rows.extend(new_rows)
        return new_rows

    def set_results(self, results: Iterable, *, fast_decode: bool = False) -> list[Row]:
        """Store results on their rows (a result for a path no longer here is dropped); return the rows set."""
        touched = []
        for result in results:
            row = self._index.get(result.path)
            if row is not None:
                row.result = result
                row.fast_decode = fast_decode
                touched.append(row)
        return touched

    def requeue(self, paths: Iterable[str]) -> list[Row]:
        """Forget these rows' results (they are queued until classified again); return them."""
        touched = [self._index[p] for p in paths if p in self._index]
        for row in touched:
            row.result = None
            row.fast_decode = False
        return touched

    def remove(self, doomed: Iterable[Row]) -> None:
        """Remove these rows."""
        ids = {id(r) for r in doomed}
        for row in [r for r in self._rows if id(r) in ids]:
            del self._index[row.path]
        self._rows = [r for r in self._rows if id(r) not in ids]

    def clear(self) -> None:
        self._rows.clear()
        self._index.clear()

    def row_for(self, path: str) -> Row | None:
        return self._index.get(path)

    def rows(self) -> list[Row]:
        """Every row, in the order added."""
        return list(self._rows)

    def __len__(self) -> int:
        return len(self._rows)

    def queued_paths(self) -> list[str]:
        return [r.path for r in self._rows if r.result is None]

    def paths_with_fewer_classes(self, k: int) -> list[str]:
        """Paths of rows classified without error but with fewer than `k` classes kept."""
        return [r.path for r in self._rows
                if r.result is not None and r.result.error is None and len(r.result.top) < k]  # type: ignore[attr-defined]

    def origins(self) -> Counter:
        """How many classified rows each origin (card · backend · device · TTA) produced."""
        return Counter(r.result.origin for r in self._rows  # type: ignore[attr-defined]
                       if r.result is not None and r.result.error is None)  # type: ignore[attr-defined]

    def rows_not_from(self, card_id: str) -> list[Row]:
        """Classified rows that another model produced (after the user opened a new one)."""
        return [r for r in self._rows if r.result is not None and r.result.origin  # type: ignore[attr-defined]
                and not r.result.origin.startswith(f"{card_id} ")]  # type: ignore[attr-defined]
