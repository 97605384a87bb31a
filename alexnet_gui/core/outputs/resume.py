"""`classify --resume`: continue a stopped run, skipping files already in the CSV and unchanged since.

The CSV's columns are fixed, so the per-file state lives in a second sidecar, `results.csv.resume.json`:
for every row of the CSV, the file's real path (the CSV cell may carry an anti-formula quote) with its size and
modification time (ns) as they were *before* it was classified. It is rewritten, atomically, every time the CSV
is committed (also after Ctrl+C). On resume a file is skipped when its row is in the CSV and its size and
mtime still match; a changed or never-finished file is classified again and its old row dropped.
Rows of files that are not part of the new run are kept as they are.

A run that was killed before it could commit left its journal (`.results.csv.part`, flushed after every batch)
and the journal's stamps (`.results.csv.part.stamps`); a resume reads those instead, so at most the batch in
flight is lost.

If the CSV was committed but the record could not follow (a crash between the two renames), the newer rows
simply miss from the record and are classified again: a resume never trusts a row it cannot check.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from alexnet_gui.core.errors import UserError
from alexnet_gui.core.language import gettext

SUFFIX = ".resume.json"
#: A record names each input once with its size and time, about 100 bytes a file: room for ten million files.
MAX_RECORD_BYTES = 1 << 30
FORMAT_VERSION = 1

Stamp = tuple[int, int]


def record_path(csv_path: str | os.PathLike[str]) -> Path:
    """Return the resume record's path for a CSV."""
    p = Path(csv_path)
    return p.with_name(p.name + SUFFIX)


def file_stamp(path: str) -> Stamp | None:
    """Return (size, mtime_ns) of a file, or None when it cannot be read (missing, no permission)."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns)


@dataclass
class ResumePlan:
    """What a resumed run keeps and what it still has to do."""

    #: rows of the old CSV to copy, in their old order (without the header)
    kept_rows: list[list[str]] = field(default_factory=list)
    #: path → stamp for the files behind kept rows (those the record knew)
    kept_stamps: dict[str, Stamp] = field(default_factory=dict)
    #: input paths still to classify, in input order
    todo: list[str] = field(default_factory=list)
    #: input paths skipped because their row is done and the file unchanged
    skipped: int = 0
    #: rows of the old CSV that were cut short or did not parse (their files, if part of the run, are redone)
    damaged: int = 0
    #: the file the rows were read from: the CSV, or the journal a killed run left
    source: str = ""

    @property
    def kept_failures(self) -> int:
        return sum(1 for row in self.kept_rows if len(row) > 1 and row[1])


def read_record(csv_path: str | os.PathLike[str]) -> dict[str, Stamp | None] | None:
    """Return {path: (size, mtime_ns) or None} from a CSV's resume record, or None when there is none."""
    from alexnet_gui.core.small_files import read_json  # here: only --resume reads a record

    where = record_path(csv_path)
    try:
        data = read_json(where, MAX_RECORD_BYTES)
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise UserError(gettext('cannot read the resume record {where}: {exc}').format(where=where, exc=exc)) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT_VERSION:
        raise UserError(gettext('{where} is not a resume record this version understands').format(where=where))
    files = data.get("files")
    damaged = UserError(
        gettext("the resume record {where} is damaged; run without --resume to classify everything again").format(
            where=where
        )
    )
    if not isinstance(files, list):
        raise damaged
    stamps: dict[str, Stamp | None] = {}
    for entry in files:
        if not isinstance(entry, list) or not entry or not isinstance(entry[0], str):
            raise damaged
        stamp = entry[1:]
        if len(stamp) == 2 and all(isinstance(v, int) and not isinstance(v, bool) for v in stamp):
            stamps[entry[0]] = (stamp[0], stamp[1])
        elif not stamp:
            stamps[entry[0]] = None
        else:
            raise damaged
    return stamps


def _read_journal_stamps(csv_path: str | os.PathLike[str]) -> dict[str, Stamp | None]:
    """The stamps a killed run's journal vouches for (`path,size,mtime_ns` lines; a cut last line is ignored)."""
    from alexnet_gui.core.outputs.results import stamps_journal_path

    stamps: dict[str, Stamp | None] = {}
    try:
        with open(stamps_journal_path(csv_path), encoding="utf-8", errors="surrogateescape", newline="") as f:
            for row in csv.reader(f):
                if len(row) == 3 and row[1].isdigit() and row[2].isdigit():
                    stamps[row[0]] = (int(row[1]), int(row[2]))
                elif len(row) == 1:
                    stamps[row[0]] = None
    except (OSError, UnicodeDecodeError, csv.Error):
        return {}
    return stamps


def write_record(csv_path: str | os.PathLike[str], stamps: dict[str, Stamp | None]) -> Path:
    """Write the resume record for the rows now in the CSV (atomically); return its path."""
    from alexnet_gui.core.outputs.provenance import write_json_atomic

    files = [[p, *s] if s is not None else [p] for p, s in stamps.items()]
    path = record_path(csv_path)
    write_json_atomic(path, {"format": FORMAT_VERSION, "files": files})
    return path


def _read_rows(path: str | os.PathLike[str]) -> list[list[str]] | None:
    try:
        with open(path, encoding="utf-8", newline="") as f:
            return list(csv.reader(f))
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise UserError(gettext('cannot resume from {path}: {exc}').format(path=path, exc=exc)) from None


def plan_resume(csv_path: str | os.PathLike[str], paths: Sequence[str], top_k: int) -> ResumePlan:
    """Compare the CSV and its resume record with the files now on disk; return what to keep and to do.

    A run that was killed (SIGKILL, a power cut) left its journal, `.NAME.part`, with the rows it had flushed:
    that journal, a superset of the CSV it started from, is what is resumed. No CSV and no journal: everything is
    to do. A CSV with other columns (another --top-k) or without its record raises UserError, because appending to
    it would mix incompatible rows. A row that is damaged (cut short, cells that do not parse) is never trusted:
    its file is classified again.
    """
    from alexnet_gui.core.outputs.results import (
        csv_header,
        csv_text,
        journal_path,
        restore_cell,
        row_is_complete,
    )

    journal = journal_path(csv_path)
    rows = _read_rows(journal)
    source: str | os.PathLike[str] = journal
    if rows is not None and rows[:1] == [csv_header(top_k)]:
        record: dict[str, Stamp | None] = _read_journal_stamps(csv_path)
    else:
        rows, source = _read_rows(csv_path), csv_path
        if rows is None:
            return ResumePlan(todo=list(paths))
        if not rows or rows[0] != csv_header(top_k):
            columns = (len(rows[0]) - 2) // 3 if rows and len(rows[0]) > 2 else 0
            raise UserError(
                (gettext("cannot resume: {csv_path} has no header, not the columns of --top-k {top_k}; pass the same "
                         "--top-k or write to a new --out") if not rows else
                 gettext("cannot resume: {csv_path} has the columns of --top-k {columns}, not of --top-k {top_k}; pass "
                         "the same --top-k or write to a new --out")).format(csv_path=csv_path, columns=columns,
                                                                             top_k=top_k)
            )
        found = read_record(csv_path)
        if found is None:
            raise UserError(
                gettext(
                    "cannot resume: {csv_path} has no resume record ({name}); run without --resume to classify everything again"
                ).format(csv_path=csv_path, name=record_path(csv_path).name)
            )
        record = found
    wanted = set(paths)
    # A row names its file as `csv_text` wrote it (a name that is not UTF-8 escaped): back to the real path.
    real = {csv_text(p): p for p in record}
    real.update({csv_text(p): p for p in paths})
    plan = ResumePlan(source=str(source))
    done: set[str] = set()
    for row in rows[1:]:
        if not row:
            continue
        if not row_is_complete(row, top_k):
            plan.damaged += 1
            continue
        cell = restore_cell(row[0])
        path = real.get(cell, cell)
        if path not in wanted:
            # Not part of this run: keep the row (and its stamp, if known) untouched.
            plan.kept_rows.append(row)
            known = record.get(path)
            if known is not None:
                plan.kept_stamps[path] = known
            continue
        if path in done:
            continue
        stamp = record.get(path)
        if stamp is not None and stamp == file_stamp(path):
            plan.kept_rows.append(row)
            plan.kept_stamps[path] = stamp
            done.add(path)
    plan.todo = [p for p in paths if p not in done]
    plan.skipped = len(paths) - len(plan.todo)
    return plan


def stamps_for(paths: Iterable[str]) -> dict[str, Stamp | None]:
    """Return each path's stamp, taken before it is classified (so a file changed meanwhile is redone later)."""
    return {p: file_stamp(p) for p in paths}
