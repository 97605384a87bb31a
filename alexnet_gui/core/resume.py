"""`classify --resume`: continue a stopped run, skipping files already in the CSV and unchanged since.

The CSV's columns are fixed, so the per-file state lives in a second sidecar, `results.csv.resume.json`:
for every row of the CSV, the file's real path (the CSV cell may carry an anti-formula quote) with its size and
modification time (ns) as they were *before* it was classified. It is rewritten, atomically, every time the CSV
is committed (also after Ctrl+C). On resume a file is skipped when its row is in the CSV and its size and
mtime still match; a changed or never-finished file is classified again and its old row dropped.
Rows of files that are not part of the new run are kept as they are.

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

SUFFIX = ".resume.json"
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

    @property
    def kept_failures(self) -> int:
        return sum(1 for row in self.kept_rows if len(row) > 1 and row[1])


def read_record(csv_path: str | os.PathLike[str]) -> dict[str, Stamp | None] | None:
    """Return {path: (size, mtime_ns) or None} from a CSV's resume record, or None when there is none."""
    import json  # here: only --resume reads a record; a plain run's start need not import it

    try:
        data = json.loads(record_path(csv_path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise UserError(f"cannot read the resume record {record_path(csv_path)}: {exc}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT_VERSION:
        raise UserError(f"{record_path(csv_path)} is not a resume record this version understands")
    stamps: dict[str, Stamp | None] = {}
    for path, *stamp in data["files"]:
        stamps[path] = (int(stamp[0]), int(stamp[1])) if len(stamp) == 2 else None
    return stamps


def write_record(csv_path: str | os.PathLike[str], stamps: dict[str, Stamp | None]) -> Path:
    """Write the resume record for the rows now in the CSV (atomically); return its path."""
    from alexnet_gui.core.provenance import write_json_atomic

    files = [[p, *s] if s is not None else [p] for p, s in stamps.items()]
    path = record_path(csv_path)
    write_json_atomic(path, {"format": FORMAT_VERSION, "files": files})
    return path


def plan_resume(csv_path: str | os.PathLike[str], paths: Sequence[str], top_k: int) -> ResumePlan:
    """Compare the CSV and its resume record with the files now on disk; return what to keep and to do.

    No CSV yet: everything is to do. A CSV with other columns (another --top-k) or without its record
    raises UserError, because appending to it would mix incompatible rows.
    """
    from alexnet_gui.core.results import csv_header, neutralise_cell

    try:
        with open(csv_path, encoding="utf-8", newline="") as f:
            rows = list(csv.reader(f))
    except FileNotFoundError:
        return ResumePlan(todo=list(paths))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise UserError(f"cannot resume from {csv_path}: {exc}") from None
    if not rows or rows[0] != csv_header(top_k):
        columns = (len(rows[0]) - 2) // 3 if rows and len(rows[0]) > 2 else 0
        raise UserError(
            f"cannot resume: {csv_path} has {'no header' if not rows else f'the columns of --top-k {columns}'}, "
            f"not of --top-k {top_k}; pass the same --top-k or write to a new --out"
        )
    record = read_record(csv_path)
    if record is None:
        raise UserError(
            f"cannot resume: {csv_path} has no resume record ({record_path(csv_path).name}); "
            "run without --resume to classify everything again"
        )
    by_cell = {neutralise_cell(p): p for p in record}
    wanted = {neutralise_cell(p): p for p in paths}
    plan = ResumePlan()
    done: set[str] = set()
    for row in rows[1:]:
        if not row:
            continue
        path = wanted.get(row[0])
        if path is None:
            # Not part of this run: keep the row (and its stamp, if known) untouched.
            plan.kept_rows.append(row)
            known = by_cell.get(row[0])
            if known is not None and record[known] is not None:
                plan.kept_stamps[known] = record[known]
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
