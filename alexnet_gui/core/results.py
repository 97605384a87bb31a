"""Result records and the CSV writer shared by the command line and the desktop app."""

from __future__ import annotations

import csv
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

# OWASP CSV-injection guidance: a spreadsheet treats a cell starting with these as a formula.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Prediction:
    """One of the top-k classes for an image."""

    index: int
    label: str
    prob: float


@dataclass(frozen=True)
class Result:
    """What happened to one file: its top-k predictions, or the reason it failed."""

    path: str
    error: str | None
    top: tuple[Prediction, ...] = ()

    @property
    def ok(self) -> bool:
        return self.error is None


def csv_header(top_k: int) -> list[str]:
    """Return the CSV columns: path, error, then index/label/prob for each of the top-k."""
    header = ["path", "error"]
    for rank in range(1, top_k + 1):
        header += [f"top{rank}_index", f"top{rank}_label", f"top{rank}_prob"]
    return header


def neutralise_cell(text: str) -> str:
    """Prefix a cell that a spreadsheet would run as a formula with a quote, so it is shown as text."""
    if text.startswith(_FORMULA_STARTS):
        return "'" + text
    return text


def result_row(result: Result, top_k: int) -> list[str]:
    """Return the CSV cells for one result (label/prob cells empty when it failed)."""
    row = [neutralise_cell(result.path), neutralise_cell(result.error or "")]
    for rank in range(top_k):
        if rank < len(result.top):
            p = result.top[rank]
            row += [str(p.index), neutralise_cell(p.label), f"{p.prob:.6f}"]
        else:
            row += ["", "", ""]
    return row


class CsvResultWriter:
    """Stream result rows into a temporary file beside `path`; rename it into place on a clean close.

    An interrupted run (exception, Ctrl+C, crash) never leaves a half-written file under the final name.
    """

    def __init__(self, path: str | os.PathLike[str], top_k: int) -> None:
        self.path = Path(path)
        self.top_k = top_k
        self.rows_written = 0
        folder = self.path.parent if str(self.path.parent) else Path(".")
        if not folder.is_dir():
            from alexnet_gui.core.errors import UserError

            raise UserError(f"cannot write {self.path}: folder {folder} does not exist")
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".part", dir=folder)
        self._tmp = Path(tmp)
        self._file = os.fdopen(fd, "w", encoding="utf-8", newline="")
        self._csv = csv.writer(self._file)
        self._csv.writerow(csv_header(top_k))

    def write(self, result: Result) -> None:
        """Append one row."""
        self._csv.writerow(result_row(result, self.top_k))
        self.rows_written += 1

    def write_cells(self, cells: list[str]) -> None:
        """Append a row that is already CSV cells (kept verbatim from an earlier run by `classify --resume`)."""
        self._csv.writerow(cells)

    def commit(self) -> None:
        """Flush to disk and atomically rename the temporary file to the final name."""
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        os.replace(self._tmp, self.path)

    def discard(self) -> None:
        """Close and delete the temporary file; the final name is left untouched."""
        self._file.close()
        self._tmp.unlink(missing_ok=True)

    def __enter__(self) -> CsvResultWriter:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.discard()
