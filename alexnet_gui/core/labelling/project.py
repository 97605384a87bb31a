"""A labelling project: one SQLite file holding the images of a folder, the model's predictions for them, each
image's label with its source, and an undo log.

Durability: the file is in WAL mode with `synchronous=FULL`. WAL's usual NORMAL loses the last commits on a power
cut (the log is synced only at checkpoints); FULL syncs the log at every commit, so a label is on disk when
`set_label` returns, and a kill -9 or a power cut right after loses none. Every label call is one transaction.

One writer: a project is opened with SQLite's EXCLUSIVE locking mode and its write lock taken at once, so a second
app (or command) opening the same file is refused in one sentence instead of both writing; the operating system
releases the lock when the holder dies, however it dies.

Paths are stored as classify's CSV cells hold them (`csv_text`): a file name that is not UTF-8 has its bytes
escaped, `\\xff\\xfe.png` (SQLite's text is UTF-8); `path_from_cell` finds the file again where it is read.

Schema (version 1, `PRAGMA user_version`; `PRAGMA application_id` marks the file as ours):
- images(id, path UNIQUE, size, mtime_ns, missing, stale, added_at): stale = needs (re-)classification
- sources(path, added_at): the files and folders the user added (an export must not write inside them)
- cards(id, card_id, hash UNIQUE, json): each model card that made predictions
- predictions(image_id, card, top_indices, top_labels, top_probs (JSON lists), margin, entropy, predicted_at)
- labels(image_id, label, source in human/model/folder, labelled_at): the current label
- label_log(seq, step, image_id, old_label, old_source, old_time, new_label, new_source): what each step changed
- meta(key, value): the model's class names (`model_labels`, JSON) and the schema's own notes
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import sqlite3
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import quote

from alexnet_gui.core.errors import UserError
from alexnet_gui.core.language import gettext
from alexnet_gui.core.outputs.results import csv_text, path_from_cell

#: "ALNL" in the database header: tells our projects from any other SQLite file
APPLICATION_ID = 0x414C4E4C
SCHEMA_VERSION = 1
SOURCES = ("human", "model", "folder")
#: predictions kept per image (the review view numbers nine)
TOP_K = 9
_SQLITE_HEADER = b"SQLite format 3\x00"

_SCHEMA = """
CREATE TABLE images (
    id INTEGER PRIMARY KEY, path TEXT NOT NULL UNIQUE, size INTEGER, mtime_ns INTEGER,
    missing INTEGER NOT NULL DEFAULT 0, stale INTEGER NOT NULL DEFAULT 1, added_at TEXT NOT NULL);
CREATE TABLE sources (path TEXT PRIMARY KEY, added_at TEXT NOT NULL);
CREATE TABLE cards (id INTEGER PRIMARY KEY, card_id TEXT NOT NULL, hash TEXT NOT NULL UNIQUE, json TEXT NOT NULL);
CREATE TABLE predictions (
    image_id INTEGER PRIMARY KEY REFERENCES images(id) ON DELETE CASCADE, card INTEGER REFERENCES cards(id),
    top_indices TEXT, top_labels TEXT, top_probs TEXT, margin REAL, entropy REAL, error TEXT,
    predicted_at TEXT NOT NULL);
CREATE TABLE labels (
    image_id INTEGER PRIMARY KEY REFERENCES images(id) ON DELETE CASCADE, label TEXT NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('human', 'model', 'folder')), labelled_at TEXT NOT NULL);
CREATE TABLE label_log (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, step INTEGER NOT NULL, image_id INTEGER NOT NULL,
    old_label TEXT, old_source TEXT, old_time TEXT, new_label TEXT, new_source TEXT, at TEXT NOT NULL);
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE INDEX predictions_margin ON predictions(margin);
CREATE INDEX label_log_step ON label_log(step);
"""


def now() -> str:
    """The time stamps the project records: UTC, ISO 8601, to the second."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def cancel_check(cancel: Callable[[], bool] | threading.Event | None) -> Callable[[], bool]:
    """The task functions' `cancel`, a callable returning bool or an Event, as one callable."""
    if cancel is None:
        return lambda: False
    if isinstance(cancel, threading.Event):
        return cancel.is_set
    return cancel


def top_margin_entropy(probs: Sequence[float], classes: int) -> tuple[float, float]:
    """Top-1 minus top-2 probability, and the entropy (nats) of the distribution with the mass outside the top-k
    spread evenly over the other classes: the top-k is all a project keeps, and the even spread makes this the
    largest entropy those top-k allow, so images are never ranked as surer than they are."""
    margin = probs[0] - (probs[1] if len(probs) > 1 else 0.0)
    entropy = -sum(p * math.log(p) for p in probs if p > 0)
    rest, others = max(0.0, 1.0 - sum(probs)), classes - len(probs)
    if rest > 0 and others > 0:
        entropy -= rest * math.log(rest / others)
    # To the 6 decimals the exports show: margins equal there are a tie, broken by path, not by rounding noise.
    return round(float(margin), 6), round(float(entropy), 6)


@dataclass(frozen=True)
class ScanReport:
    """What adding paths or re-scanning found."""

    added: int = 0
    changed: int = 0
    missing: int = 0
    returned: int = 0
    unreadable: tuple[str, ...] = ()


@dataclass(frozen=True)
class ImageRow:
    """One image with its label and the model's prediction, as the table, the queue and the exports see it."""

    id: int
    path: str
    missing: bool
    label: str | None
    source: str | None
    labelled_at: str | None
    top_indices: tuple[int, ...]
    top_labels: tuple[str, ...]
    top_probs: tuple[float, ...]
    margin: float | None
    entropy: float | None

    @property
    def model_label(self) -> str | None:
        """The model's top-1 class, or None before the image was classified."""
        return self.top_labels[0] if self.top_labels else None

    @property
    def model_prob(self) -> float | None:
        """The model's top-1 probability."""
        return self.top_probs[0] if self.top_probs else None

    @property
    def agrees(self) -> bool | None:
        """Whether the label is the model's top-1 (None without a label or a prediction)."""
        if self.label is None or self.model_label is None:
            return None
        return self.label == self.model_label


_ROW_SQL = """
SELECT i.id, i.path, i.missing, l.label, l.source, l.labelled_at, p.top_indices, p.top_labels, p.top_probs,
       p.margin, p.entropy
FROM images i LEFT JOIN labels l ON l.image_id = i.id LEFT JOIN predictions p ON p.image_id = i.id
"""


def _row(r: tuple) -> ImageRow:
    return ImageRow(r[0], r[1], bool(r[2]), r[3], r[4], r[5], tuple(json.loads(r[6] or "[]")),
                    tuple(json.loads(r[7] or "[]")), tuple(json.loads(r[8] or "[]")), r[9], r[10])


def _refuse_file(path: Path, *, writable: bool) -> None:
    """Refuse, before SQLite touches it, a file that is not a project of ours or cannot be saved to."""
    if path.is_dir():
        raise UserError(gettext("{path} is a folder, not a labelling project").format(path=path))
    try:
        with open(path, "rb") as f:
            header = f.read(len(_SQLITE_HEADER))
    except OSError as exc:
        from alexnet_gui.core.errors import describe_os_error

        raise UserError(
            gettext("cannot read {path} ({describe_os_error})").format(path=path, describe_os_error=describe_os_error(exc))
        ) from None
    if header != _SQLITE_HEADER:
        raise UserError(gettext("{path} is not an alexnet-gui labelling project").format(path=path))
    if writable and not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)):
        raise UserError(
            gettext("{path} is read-only: labels could not be saved (copy it somewhere writable)").format(path=path)
        )


class Project:
    """An open labelling project. Use `open_project`; close it (or use `with`) to release the lock."""

    def __init__(self, path: Path, connection: sqlite3.Connection, *, readonly: bool) -> None:
        self.path = path
        self.readonly = readonly
        self._db = connection
        # One transaction at a time across threads: the app labels on its GUI thread while its inference thread
        # records predictions on the same connection, and a label must never join (or be rolled back with) a
        # batch's transaction.
        self._lock = threading.RLock()

    # --- opening --------------------------------------------------------------------------------------------
    def close(self) -> None:
        """Release the file (a clean close folds the log back into the database); waits for a transaction in
        flight on another thread."""
        with self._lock:
            self._db.close()

    def __enter__(self) -> Project:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _check_ours(self) -> None:
        try:
            app = self._db.execute("PRAGMA application_id").fetchone()[0]
            version = self._db.execute("PRAGMA user_version").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            raise _database_refusal(self.path, exc) from None
        if app != APPLICATION_ID:
            raise UserError(gettext("{path} is not an alexnet-gui labelling project").format(path=self.path))
        if version > SCHEMA_VERSION:
            raise UserError(
                gettext(
                    "{path} was made by a newer alexnet-gui (project schema {version}; this one reads up to {supported}): update the app to open it"
                ).format(path=self.path, version=version, supported=SCHEMA_VERSION)
            )

    def _create(self) -> None:
        with self._write():
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    self._db.execute(statement)
            self._db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    # --- transactions ---------------------------------------------------------------------------------------
    def _write(self, *, label: bool = False) -> _Transaction:
        if self.readonly:
            raise UserError(gettext("{path} was opened read-only").format(path=self.path))
        failed = (gettext("cannot save the label to {path}: {reason}") if label
                  else gettext("cannot save to {path}: {reason}"))
        return _Transaction(self._db, self._lock, lambda reason: failed.format(path=self.path, reason=reason))

    def snapshot(self, dest: str | os.PathLike[str]) -> Path:
        """Copy the project, consistent and committed, to `dest` (SQLite's backup API), for a task that opens a
        project by its path (an export, label issues, training) while this one holds the lock."""
        target = sqlite3.connect(os.fspath(dest))
        try:
            with self._lock:
                self._db.backup(target)
        finally:
            target.close()
        return Path(dest)

    # --- images ---------------------------------------------------------------------------------------------
    def add_paths(self, paths: Iterable[str | os.PathLike[str]], *, folder_labels: bool = False) -> ScanReport:
        """Add the images under `paths` (folders walked as classify walks them) with their size and modification
        time; an image already there whose size or time changed needs classifying again. With `folder_labels`,
        an image inside a class sub-folder of a given folder gets that folder's name as its label (source
        "folder"), unless it has a label already."""
        from alexnet_gui.core.pipeline.engine import iter_image_paths

        added = changed = returned = 0
        unreadable: list[str] = []
        stamp = now()
        roots = [os.path.abspath(os.fspath(p)) for p in paths]
        with self._write():
            for root in roots:
                self._db.execute("INSERT OR IGNORE INTO sources(path, added_at) VALUES (?, ?)", (csv_text(root), stamp))
                for found in iter_image_paths([root]):
                    path = os.path.abspath(found)
                    try:
                        st = os.stat(path)
                    except OSError:
                        unreadable.append(path)
                        continue
                    if not os.path.isfile(path):
                        unreadable.append(path)
                        continue
                    stored = csv_text(path)
                    kind = self._upsert(stored, st.st_size, st.st_mtime_ns, stamp)
                    added += kind == "added"
                    changed += kind == "changed"
                    returned += kind == "returned"
                    if folder_labels and os.path.isdir(root):
                        parts = Path(os.path.relpath(path, root)).parts
                        if len(parts) > 1:
                            self._db.execute(
                                "INSERT OR IGNORE INTO labels(image_id, label, source, labelled_at) "
                                "SELECT id, ?, 'folder', ? FROM images WHERE path = ?",
                                (csv_text(parts[0]), stamp, stored))
        return ScanReport(added, changed, 0, returned, tuple(unreadable))

    def _upsert(self, path: str, size: int, mtime_ns: int, stamp: str) -> str:
        known = self._db.execute("SELECT id, size, mtime_ns, missing FROM images WHERE path = ?", (path,)).fetchone()
        if known is None:
            self._db.execute("INSERT INTO images(path, size, mtime_ns, added_at) VALUES (?, ?, ?, ?)",
                             (path, size, mtime_ns, stamp))
            return "added"
        image_id, old_size, old_mtime, missing = known
        if (old_size, old_mtime) != (size, mtime_ns):
            self._db.execute("UPDATE images SET size = ?, mtime_ns = ?, missing = 0, stale = 1 WHERE id = ?",
                             (size, mtime_ns, image_id))
            return "changed"
        if missing:
            self._db.execute("UPDATE images SET missing = 0 WHERE id = ?", (image_id,))
            return "returned"
        return "same"

    def rescan(self) -> ScanReport:
        """Check every image on disk: a vanished one is marked missing (its label kept), a changed one (size or
        modification time) needs classifying again, one that came back is no longer missing."""
        missing = changed = returned = 0
        with self._write():
            for image_id, path, size, mtime_ns, was_missing in self._db.execute(
                    "SELECT id, path, size, mtime_ns, missing FROM images").fetchall():
                try:
                    st = os.stat(path_from_cell(path))
                except OSError:
                    if not was_missing:
                        self._db.execute("UPDATE images SET missing = 1 WHERE id = ?", (image_id,))
                        missing += 1
                    continue
                if (st.st_size, st.st_mtime_ns) != (size, mtime_ns):
                    self._db.execute("UPDATE images SET size = ?, mtime_ns = ?, missing = 0, stale = 1 WHERE id = ?",
                                     (st.st_size, st.st_mtime_ns, image_id))
                    changed += 1
                elif was_missing:
                    self._db.execute("UPDATE images SET missing = 0 WHERE id = ?", (image_id,))
                    returned += 1
        return ScanReport(0, changed, missing, returned)

    def sources(self) -> list[str]:
        """The files and folders added to the project."""
        return [r[0] for r in self._db.execute("SELECT path FROM sources ORDER BY path")]

    def to_classify(self) -> list[str]:
        """Images (present on disk) never classified or changed since, in the order they were added, named as
        the file system names them (ready to open)."""
        return [path_from_cell(r[0]) for r in self._db.execute("SELECT path FROM images WHERE stale = 1 AND missing = 0 ORDER BY id")]

    # --- predictions ----------------------------------------------------------------------------------------
    def record_predictions(self, card_json: str, card_id: str, results: Iterable, classes: int,
                           model_labels: Sequence[str] | None = None) -> int:
        """Store a batch of the engine's Results made by the card `card_json` (one transaction); a file that
        failed keeps its reason and stays to classify, so the next run tries it again. Returns how many were
        stored."""
        digest = hashlib.sha256(card_json.encode()).hexdigest()
        stamp = now()
        stored = 0
        with self._write():
            self._db.execute("INSERT OR IGNORE INTO cards(card_id, hash, json) VALUES (?, ?, ?)",
                             (card_id, digest, card_json))
            card = self._db.execute("SELECT id FROM cards WHERE hash = ?", (digest,)).fetchone()[0]
            if model_labels is not None:
                self._db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('model_labels', ?)",
                                 (json.dumps(list(model_labels), ensure_ascii=False),))
            for result in results:
                row = self._db.execute("SELECT id FROM images WHERE path = ?", (csv_text(os.path.abspath(result.path)),)).fetchone()
                if row is None:
                    continue
                if result.error is not None:
                    values: tuple = (None, None, None, None, None, result.error)
                else:
                    probs = [float(p.prob) for p in result.top]
                    margin, entropy = top_margin_entropy(probs, classes)
                    values = (json.dumps([p.index for p in result.top]),
                              json.dumps([p.label for p in result.top], ensure_ascii=False),
                              json.dumps(probs), margin, entropy, None)
                self._db.execute(
                    "INSERT OR REPLACE INTO predictions(image_id, card, top_indices, top_labels, top_probs, margin, "
                    "entropy, error, predicted_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", (row[0], card, *values, stamp))
                if result.error is None:
                    self._db.execute("UPDATE images SET stale = 0 WHERE id = ?", (row[0],))
                stored += 1
        return stored

    def model_labels(self) -> list[str]:
        """The class names of the model that classified the images last ([] before any)."""
        row = self._db.execute("SELECT value FROM meta WHERE key = 'model_labels'").fetchone()
        return json.loads(row[0]) if row else []

    # --- labels ---------------------------------------------------------------------------------------------
    def _image_id(self, path: str | os.PathLike[str]) -> int:
        row = self._db.execute("SELECT id FROM images WHERE path = ?",
                               (csv_text(os.path.abspath(os.fspath(path))),)).fetchone()
        if row is None:
            raise UserError(gettext("{path} is not in the project").format(path=path))
        return row[0]

    def set_label(self, path: str | os.PathLike[str], label: str, *, source: str = "human") -> None:
        """Give one image its label, committed (and synced) before this returns; undoable."""
        self.set_labels([(path, label)], source=source)

    def set_labels(self, items: Iterable[tuple[str | os.PathLike[str], str]], *, source: str = "human") -> int:
        """Give several images their labels in one transaction and one undo step; returns how many."""
        if source not in SOURCES:
            raise ValueError(f"source must be one of {SOURCES}, not {source!r}")
        stamp = now()
        count = 0
        with self._write(label=True):
            step = self._next_step()
            for path, label in items:
                label = label.strip()
                if not label:
                    raise UserError(gettext("a label cannot be empty"))
                self._log_and_set(step, self._image_id(path), label, source, stamp)
                count += 1
        return count

    def _next_step(self) -> int:
        return (self._db.execute("SELECT COALESCE(MAX(step), 0) FROM label_log").fetchone()[0]) + 1

    def _log_and_set(self, step: int, image_id: int, label: str | None, source: str | None, stamp: str) -> None:
        old = self._db.execute("SELECT label, source, labelled_at FROM labels WHERE image_id = ?",
                               (image_id,)).fetchone() or (None, None, None)
        self._db.execute("INSERT INTO label_log(step, image_id, old_label, old_source, old_time, new_label, "
                         "new_source, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                         (step, image_id, *old, label, source, stamp))
        if label is None:
            self._db.execute("DELETE FROM labels WHERE image_id = ?", (image_id,))
        else:
            self._db.execute("INSERT OR REPLACE INTO labels(image_id, label, source, labelled_at) VALUES (?, ?, ?, ?)",
                             (image_id, label, source, stamp))

    def clear_label(self, path: str | os.PathLike[str]) -> None:
        """Remove an image's label (undoable)."""
        with self._write(label=True):
            self._log_and_set(self._next_step(), self._image_id(path), None, None, now())

    def undo(self) -> list[str]:
        """Undo the last labelling step (one key press, or one bulk accept): each image gets back the label it had
        before. Returns the images it changed ([] when there is nothing to undo)."""
        with self._write(label=True):
            step = self._db.execute("SELECT MAX(step) FROM label_log").fetchone()[0]
            if step is None:
                return []
            changed = []
            for image_id, label, source, stamp in self._db.execute(
                    "SELECT image_id, old_label, old_source, old_time FROM label_log WHERE step = ? ORDER BY seq DESC",
                    (step,)).fetchall():
                if label is None:
                    self._db.execute("DELETE FROM labels WHERE image_id = ?", (image_id,))
                else:
                    self._db.execute("INSERT OR REPLACE INTO labels(image_id, label, source, labelled_at) "
                                     "VALUES (?, ?, ?, ?)", (image_id, label, source, stamp))
                changed.append(self._db.execute("SELECT path FROM images WHERE id = ?", (image_id,)).fetchone()[0])
            self._db.execute("DELETE FROM label_log WHERE step = ?", (step,))
        return changed

    def label_of(self, path: str | os.PathLike[str]) -> tuple[str, str] | None:
        """(label, source) of an image, or None."""
        return self._db.execute("SELECT label, source FROM labels WHERE image_id = ?",
                                (self._image_id(path),)).fetchone()

    def classes(self) -> list[str]:
        """The model's classes, then the user's own (labels the model does not have, a typo among them: kept)."""
        model = self.model_labels()
        known = set(model)
        own = sorted({r[0] for r in self._db.execute("SELECT DISTINCT label FROM labels")} - known)
        return model + own

    def user_classes(self) -> list[str]:
        """Labels given that are not among the model's classes."""
        known = set(self.model_labels())
        return sorted({r[0] for r in self._db.execute("SELECT DISTINCT label FROM labels")} - known)

    # --- reading --------------------------------------------------------------------------------------------
    def rows(self, where: str = "", params: Sequence = (), order: str = "i.path") -> list[ImageRow]:
        """The images with their labels and predictions (`where`/`order`: SQL over images i, labels l and
        predictions p, from this package's own callers only)."""
        sql = _ROW_SQL + (f" WHERE {where}" if where else "") + f" ORDER BY {order}"
        return [_row(r) for r in self._db.execute(sql, tuple(params))]

    def paths(self, where: str = "", params: Sequence = (), order: str = "i.id") -> list[str]:
        """The paths of `rows(where, params, order)` alone: a queue of 100,000 images without reading their
        top-9 lists."""
        sql = ("SELECT i.path FROM images i LEFT JOIN labels l ON l.image_id = i.id "
               "LEFT JOIN predictions p ON p.image_id = i.id")
        sql += (f" WHERE {where}" if where else "") + f" ORDER BY {order}"
        return [r[0] for r in self._db.execute(sql, tuple(params))]

    def table_rows(self) -> list[tuple]:
        """(path, top-1 index, top-1 label, top-1 probability, label, source, the predicting card's id) of every
        image in the order added, the top-1 taken out of the JSON lists by SQLite: a table of 100,000 images reads
        in a fraction of a second, where `rows()` parses 300,000 JSON lists."""
        return self._db.execute(
            "SELECT i.path, json_extract(p.top_indices, '$[0]'), json_extract(p.top_labels, '$[0]'), "
            "json_extract(p.top_probs, '$[0]'), l.label, l.source, c.card_id FROM images i "
            "LEFT JOIN labels l ON l.image_id = i.id LEFT JOIN predictions p ON p.image_id = i.id "
            "LEFT JOIN cards c ON c.id = p.card ORDER BY i.id").fetchall()

    def counts(self) -> tuple[int, int]:
        """(labelled, total) over the images present on disk."""
        labelled = self._db.execute("SELECT COUNT(*) FROM labels l JOIN images i ON i.id = l.image_id "
                                    "WHERE i.missing = 0").fetchone()[0]
        total = self._db.execute("SELECT COUNT(*) FROM images WHERE missing = 0").fetchone()[0]
        return labelled, total

    def missing(self) -> list[str]:
        """Images that vanished from disk (their labels are kept)."""
        return [r[0] for r in self._db.execute("SELECT path FROM images WHERE missing = 1 ORDER BY path")]


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT (ROLLBACK on an exception); a nested use joins the outer transaction. A COMMIT
    that fails (disk full, I/O error) is rolled back and raised as the UserError sentence `failed(reason)`."""

    def __init__(self, db: sqlite3.Connection, lock: threading.RLock, failed: Callable[[str], str]) -> None:
        self.db = db
        self.lock = lock
        self.failed = failed
        self.outer = False

    def __enter__(self) -> None:
        self.lock.acquire()
        self.outer = not self.db.in_transaction
        if self.outer:
            self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind, exc, tb) -> None:
        try:
            if not self.outer:
                return
            if kind is not None:
                self.db.execute("ROLLBACK")
                return
            try:
                self.db.execute("COMMIT")
            except sqlite3.Error as exc:
                # Left open, the transaction would be joined by every later write, none of them ever committed:
                # labels that look saved and are not on disk.
                if self.db.in_transaction:
                    try:
                        self.db.execute("ROLLBACK")
                    except sqlite3.Error:
                        pass  # SQLite rolled it back itself
                raise UserError(self.failed(str(exc))) from None
        finally:
            self.lock.release()


def _database_refusal(path: Path, exc: sqlite3.Error) -> UserError:
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        return UserError(
            gettext("{path} is open in another running alexnet-gui (it is locked): close it there first").format(
                path=path
            )
        )
    if "readonly" in text or "read-only" in text:
        return UserError(
            gettext("{path} is read-only: labels could not be saved (copy it somewhere writable)").format(path=path)
        )
    return UserError(gettext("{path} is not an alexnet-gui labelling project").format(path=path))


def open_project(path: str | os.PathLike[str], *, create: bool = True, readonly: bool = False) -> Project:
    """Open (or, when `create` and it does not exist, create) a project and take its lock. Refused in one
    UserError, with the file unchanged: not one of ours, from a newer schema, read-only (when not `readonly`),
    or open in another running app."""
    file = Path(path)
    exists = file.exists()
    if not exists and (readonly or not create):
        raise UserError(gettext("{path} does not exist").format(path=file))
    if exists:
        _refuse_file(file, writable=not readonly)
    elif not file.parent.is_dir():
        raise UserError(gettext("cannot create {path}: folder {folder} does not exist").format(
            path=file, folder=file.parent))
    elif not os.access(file.parent, os.W_OK):
        raise UserError(
            gettext("{path} is read-only: labels could not be saved (copy it somewhere writable)").format(path=file)
        )
    mode = "ro" if readonly else ("rw" if exists else "rwc")
    uri = f"file:{quote(os.path.abspath(file))}?mode={mode}"
    try:
        db = sqlite3.connect(uri, uri=True, timeout=0.25, isolation_level=None, check_same_thread=False)
    except sqlite3.Error as exc:
        raise _database_refusal(file, exc) from None
    project = Project(file, db, readonly=readonly)
    try:
        if not readonly:
            # Before the first access, so the lock is held from here to close() (and no shared memory is used).
            db.execute("PRAGMA locking_mode = EXCLUSIVE")
        if exists:
            project._check_ours()
        if not readonly:
            if db.execute("PRAGMA journal_mode = WAL").fetchone()[0].lower() != "wal":
                raise sqlite3.OperationalError("database is locked")
            db.execute("PRAGMA synchronous = FULL")
            db.execute("PRAGMA foreign_keys = ON")
            if exists:
                db.execute("BEGIN IMMEDIATE")  # the write lock, now: a second writer is refused at its open
                db.execute("COMMIT")
            else:
                project._create()
    except sqlite3.Error as exc:
        db.close()
        if not exists:
            _remove_new(file)
        raise _database_refusal(file, exc) from None
    except BaseException:
        db.close()
        if not exists:
            _remove_new(file)
        raise
    return project


def _remove_new(file: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{file}{suffix}").unlink(missing_ok=True)
