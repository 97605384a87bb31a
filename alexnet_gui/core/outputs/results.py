"""Result records and the CSV writer shared by the command line and the desktop app."""

from __future__ import annotations

import csv
import os
import re
from dataclasses import dataclass
from glob import escape as glob_escape
from pathlib import Path
from types import TracebackType

from alexnet_gui.core.errors import UserError

# OWASP CSV-injection guidance: a spreadsheet treats a cell starting with these as a formula.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: A cell that is a plain number ("-0.5", "1e-05"): a spreadsheet reads it as that number, never as a formula.
_PLAIN_NUMBER = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")


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


def csv_text(text: str) -> str:
    """Text as the app's CSVs hold it: UTF-8 always. A file name that is not valid UTF-8 (b'\\xff\\xfe.jpg', which
    Python keeps as surrogates) is written with those bytes escaped, `\\xff\\xfe.jpg`: raw bytes would make the whole
    CSV unreadable to a spreadsheet or pandas for the sake of one row. Valid text is returned as it is."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        pass
    try:
        raw = text.encode("utf-8", "surrogateescape")  # the file system's own bytes
    except UnicodeEncodeError:  # a lone surrogate that no file system byte stands for: `\ud800`
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return raw.decode("utf-8", "backslashreplace")


#: `csv_text`'s escape of one byte that is not UTF-8
_ESCAPED_BYTE = re.compile(r"\\x([89a-f][0-9a-f])")


def path_from_cell(text: str) -> str:
    """The file a CSV's path cell names: the cell itself, or, when that file does not exist and the cell holds
    `csv_text`'s escapes (`\\xff`), the file whose name has those bytes (as `os.listdir` gives it)."""
    if os.name == "nt" or not _ESCAPED_BYTE.search(text) or os.path.lexists(text):
        return text
    parts = _ESCAPED_BYTE.split(text)  # text, hex, text, hex, ..., text
    raw = b"".join(bytes([int(part, 16)]) if i % 2 else part.encode("utf-8") for i, part in enumerate(parts))
    named = os.fsdecode(raw)
    return named if os.path.lexists(named) else text


def spreadsheet_cell(value: object) -> object:
    """A cell of any CSV the app writes for people (classify's, live's frames, a training's or evaluate's report):
    text that a spreadsheet would run as a formula is quoted (`neutralise_cell`), and kept UTF-8 (`csv_text`);
    numbers, and text that is a plain number, are written as they are."""
    if not isinstance(value, str):
        return value
    text = csv_text(value)
    return text if _PLAIN_NUMBER.fullmatch(text) else neutralise_cell(text)


class SpreadsheetCsvWriter:
    """`csv.writer` whose every cell goes through `spreadsheet_cell`: the one CSV-injection guard for the CSVs the
    app writes besides classify's own rows (which `result_row` guards)."""

    def __init__(self, f) -> None:
        self._writer = csv.writer(f)

    def writerow(self, row) -> None:
        self._writer.writerow([spreadsheet_cell(value) for value in row])

    def writerows(self, rows) -> None:
        for row in rows:
            self.writerow(row)


def result_row(result: Result, top_k: int) -> list[str]:
    """Return the CSV cells for one result (label/prob cells empty when it failed)."""
    row = [neutralise_cell(csv_text(result.path)), neutralise_cell(csv_text(result.error or ""))]
    for rank in range(top_k):
        if rank < len(result.top):
            p = result.top[rank]
            row += [str(p.index), neutralise_cell(csv_text(p.label)), f"{p.prob:.6f}"]
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


def csv_companions(csv_path: str | os.PathLike[str]) -> list[Path]:
    """Every file a classify run writes or removes beside its CSV: the journal and its stamps, the provenance and
    resume sidecars, and an earlier version's journals (`.NAME.XXXXXXXX.part`, removed on commit)."""
    from alexnet_gui.core.outputs.provenance import sidecar_path
    from alexnet_gui.core.outputs.resume import record_path

    p = Path(csv_path)
    stale = p.parent.glob(f".{glob_escape(p.name)}.????????.part") if p.parent.is_dir() else []
    return [journal_path(p), stamps_journal_path(p), sidecar_path(p), record_path(p), *stale]


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
                # surrogateescape: the stamps name each file by its own bytes, UTF-8 or not (resume reads them so)
                self._stamps_file = open(self._stamps_path, "w", encoding="utf-8", errors="surrogateescape",
                                         newline="")
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
