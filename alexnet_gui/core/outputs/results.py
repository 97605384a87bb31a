"""Result records and the CSV writer shared by the command line and the desktop app."""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from glob import escape as glob_escape
from pathlib import Path
from types import TracebackType

from alexnet_gui.core.errors import UserError

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
    #: which card, backend, device and TTA produced it ("" for a failed file): rows of one session can come from
    #: several models, and an export says which made which
    origin: str = ""

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
    """Prefix a cell that a spreadsheet would run as a formula with a quote, so it is shown as text.

    A cell that already starts with a quote gets one too, so the quoting is reversible (`restore_cell`): the files
    `=a.jpg` and `'=a.jpg` keep distinct cells that read back to their own names.
    """
    if text.startswith(_FORMULA_STARTS) or text.startswith("'"):
        return "'" + text
    return text


def restore_cell(cell: str) -> str:
    """Undo `neutralise_cell`: the text that was written."""
    return cell[1:] if cell.startswith("'") else cell


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


def row_is_complete(row: list[str], top_k: int) -> bool:
    """Whether CSV cells read back are a whole row of this layout: a failed file's reason, or k (index, label,
    probability) triples that parse. A row cut short by a crash or damaged by hand is not."""
    if len(row) != 2 + 3 * top_k or not row[0]:
        return False
    if row[1]:
        return True
    try:
        for rank in range(top_k):
            index, prob = row[2 + 3 * rank], row[4 + 3 * rank]
            if index == "" and prob == "":
                continue  # a model with fewer classes than --top-k leaves the rest empty
            int(index)
            if not 0.0 <= float(prob) <= 1.0:
                return False
    except ValueError:
        return False
    return row[2] != ""


def journal_path(csv_path: str | os.PathLike[str]) -> Path:
    """Where the rows of a CSV being written stream to before it is renamed into place: `.NAME.part` beside it."""
    p = Path(csv_path)
    return p.with_name(f".{p.name}.part")


def stamps_journal_path(csv_path: str | os.PathLike[str]) -> Path:
    """The journal's companion: one `path,size,mtime_ns` line per journal row, for `classify --resume`."""
    p = Path(csv_path)
    return p.with_name(f".{p.name}.part.stamps")


def _write_error(path: Path, exc: OSError) -> UserError:
    from alexnet_gui.core.errors import describe_os_error

    return UserError(f"cannot write {path}: {describe_os_error(exc)}")


class CsvResultWriter:
    """Stream result rows into a journal beside `path` (`.NAME.part`); rename it into place on commit.

    The journal is flushed (and fsynced) by `flush()`, which the command line calls after every batch: a run that
    is killed, even with SIGKILL or by a power cut, leaves the rows finished before its last flush, and
    `classify --resume` continues from them. An unfinished run never leaves a half-written file under the final
    name. With `stamps=True` a second journal keeps each row's file stamp (size, mtime) for that resume.
    """

    def __init__(self, path: str | os.PathLike[str], top_k: int, *, stamps: bool = False) -> None:
        import fcntl

        self.path = Path(path)
        self.top_k = top_k
        self.rows_written = 0
        folder = self.path.parent if str(self.path.parent) else Path(".")
        if not folder.is_dir():
            raise UserError(f"cannot write {self.path}: folder {folder} does not exist")
        self._tmp = journal_path(self.path)
        self._stamps_path = stamps_journal_path(self.path) if stamps else None
        self._pending_stamps: list[list[str]] = []
        self._stamps_file = None
        try:
            # Opened without truncating, so a second run into the same CSV finds the lock instead of the rows.
            fd = os.open(self._tmp, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
        except OSError as exc:
            raise _write_error(self.path, exc) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise UserError(f"another run is writing {self.path} now; wait for it or choose another --out") from None
        os.ftruncate(fd, 0)
        self._file = os.fdopen(fd, "w", encoding="utf-8", newline="")
        self._csv = csv.writer(self._file)
        try:
            self._csv.writerow(csv_header(top_k))
            if self._stamps_path is not None:
                self._stamps_file = open(self._stamps_path, "w", encoding="utf-8", newline="")
                self._stamps_csv = csv.writer(self._stamps_file)
        except OSError as exc:
            self.discard()
            raise _write_error(self.path, exc) from None

    def write(self, result: Result, stamp: tuple[int, int] | None = None) -> None:
        """Append one row (and, with stamps, the file's stamp taken before it was classified)."""
        self.write_cells(result_row(result, self.top_k), result.path, stamp)
        self.rows_written += 1

    def write_cells(self, cells: list[str], path: str | None = None, stamp: tuple[int, int] | None = None) -> None:
        """Append a row that is already CSV cells (kept verbatim from an earlier run by `classify --resume`)."""
        try:
            self._csv.writerow(cells)
        except OSError as exc:
            raise _write_error(self.path, exc) from None
        if self._stamps_file is not None and path is not None:
            self._pending_stamps.append([path, *map(str, stamp)] if stamp is not None else [path])

    def flush(self) -> None:
        """Make the rows so far survive a kill or a power cut: the rows first, then their stamps, so a stamp never
        vouches for a row that is not on disk."""
        try:
            self._file.flush()
            os.fsync(self._file.fileno())
            if self._stamps_file is not None and self._pending_stamps:
                self._stamps_csv.writerows(self._pending_stamps)
                self._pending_stamps.clear()
                self._stamps_file.flush()
                os.fsync(self._stamps_file.fileno())
        except OSError as exc:
            raise _write_error(self.path, exc) from None

    def commit(self) -> None:
        """Flush to disk and atomically rename the journal to the final name."""
        self.flush()
        try:
            os.replace(self._tmp, self.path)
        except OSError as exc:
            self.discard()
            raise _write_error(self.path, exc) from None
        self._close()
        self._remove_companions()

    def discard(self) -> None:
        """Close and delete the journal; the final name is left untouched."""
        self._close()
        self._tmp.unlink(missing_ok=True)
        self._remove_companions()

    def _close(self) -> None:
        for f in (self._file, self._stamps_file):
            if f is not None and not f.closed:
                try:
                    f.close()
                except OSError:
                    pass  # a full disk: the rows were already written or are discarded

    def _remove_companions(self) -> None:
        if self._stamps_path is not None:
            self._stamps_path.unlink(missing_ok=True)
        # Journals of earlier versions had random names (`.NAME.XXXXXXXX.part`); none may outlive a finished run.
        for stale in self.path.parent.glob(f".{glob_escape(self.path.name)}.????????.part"):
            stale.unlink(missing_ok=True)

    def __enter__(self) -> CsvResultWriter:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.discard()
