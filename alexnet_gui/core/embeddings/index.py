"""The on-disk embedding index: one store per (model card, preprocessing, layer), beside the model cache.

A store is a folder holding
- `vectors.f16`: a 256-byte header, then one row of `dim` float16 numbers per image, appended, never rewritten.
  The header holds a magic, the format version, the dimension, the row count, the CRC-32 of those rows, the card
  id and the layer, and its own CRC-32. 4096 x 2 B x 100,000 images = 0.82 GB.
- `keys.sqlite`: content hash (SHA-256 of the file's bytes) → row and top-1 label; a memo of (path, size, mtime,
  inode, ctime) → hash, so an unchanged file is not read again; and the vector file's stat when this app last
  wrote or checked it.
- `lock`: every writer holds an exclusive lock on it (`flock`) while it appends, so concurrent runs never
  interleave rows.

Vectors are written before the keys that point to them are committed: a kill leaves at most unreferenced rows.
A vector file whose stat differs from the one recorded is checked against its CRC-32 before use (as the ONNX
cache's records are): a truncated or altered file is deleted with its keys and made again, never used.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import sqlite3
import struct
import sys
import time
import zlib
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from alexnet_gui.core.errors import UserError
from alexnet_gui.core.language import gettext

if TYPE_CHECKING:
    import numpy as np

log = logging.getLogger("alexnet_gui")

MAGIC = b"AXGEMBED"
FORMAT_VERSION = 1
HEADER_BYTES = 256
#: magic, version, dim, count, rows' CRC-32, card id length, layer length; then the texts; the header's own CRC-32
#: sits in its last 4 bytes
_FIXED = struct.Struct("<8sIIQIHH")
_MAX_TEXT = HEADER_BYTES - _FIXED.size - 4
VECTORS_NAME = "vectors.f16"
KEYS_NAME = "keys.sqlite"
LOCK_NAME = "lock"
#: the layers an index records: the pooled conv features and the two hidden fully connected layers, after ReLU
EMBEDDING_LAYERS = ("pool5", "fc6", "fc7")
#: at most this many seconds of appended vectors are not yet synced to disk (a power cut may lose them)
SYNC_SECONDS = 10.0
#: bytes hashed at a time
_CHUNK = 1 << 20


class IndexDamaged(Exception):
    """The vector file or its keys cannot be trusted; the phrase says why."""


def embeddings_root() -> Path:
    """Where the stores live: the app's cache folder ($ALEXNET_GUI_CACHE, else the user cache) /embeddings."""
    from alexnet_gui.core.cache_paths import cache_path

    return cache_path("embeddings")


def store_key(card_id: str, recipe: dict | None, layer: str) -> str:
    """The store's folder name: the card id made safe for a file name, a digest of the card id and the
    preprocessing (another recipe gives other vectors), and the layer."""
    digest = hashlib.sha256(json.dumps([card_id, recipe], sort_keys=True).encode()).hexdigest()[:12]
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", card_id)[:60].strip("._") or "model"
    return f"{safe}-{digest}-{layer}"


def file_sha256(path: str) -> str:
    """The SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _stat_key(st: os.stat_result) -> tuple[int, int, int, int]:
    return st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns


def _header(dim: int, count: int, crc: int, card_id: str, layer: str) -> bytes:
    card, name = card_id.encode("utf-8", "surrogateescape"), layer.encode()
    if len(card) + len(name) > _MAX_TEXT:
        card = card[: _MAX_TEXT - len(name)]
    body = _FIXED.pack(MAGIC, FORMAT_VERSION, dim, count, crc, len(card), len(name)) + card + name
    body = body.ljust(HEADER_BYTES - 4, b"\0")
    return body + struct.pack("<I", zlib.crc32(body))


def _read_header(raw: bytes) -> tuple[int, int, int, str, str]:
    """(dim, count, rows' CRC-32, card id, layer) of a header; IndexDamaged when it is not a sound one."""
    if len(raw) < HEADER_BYTES:
        raise IndexDamaged("its header is cut short")
    body, (crc,) = raw[: HEADER_BYTES - 4], struct.unpack("<I", raw[HEADER_BYTES - 4:HEADER_BYTES])
    magic, version, dim, count, rows_crc, card_len, layer_len = _FIXED.unpack_from(body)
    if magic != MAGIC:
        raise IndexDamaged("it is not an embedding index")
    if zlib.crc32(body) != crc:
        raise IndexDamaged("its header fails its checksum")
    if version != FORMAT_VERSION:
        raise IndexDamaged(f"it has format version {version}, not {FORMAT_VERSION}")
    start = _FIXED.size
    card = body[start:start + card_len].decode("utf-8", "surrogateescape")
    layer = body[start + card_len:start + card_len + layer_len].decode("ascii", "replace")
    return dim, count, rows_crc, card, layer


@contextmanager
def _exclusive(path: Path):
    """Hold an exclusive lock on `path` (created when missing): one writer per store at a time, across processes.
    The system drops it when its holder dies, however it dies."""
    with open(path, "a+b") as f:
        if sys.platform == "win32":
            import msvcrt

            f.seek(0)
            msvcrt.locking(f.fileno(), msvcrt.LK_LOCK, 1)
            try:
                yield
            finally:
                f.seek(0)
                msvcrt.locking(f.fileno(), msvcrt.LK_UNLCK, 1)
        else:
            import fcntl

            fcntl.flock(f.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(f.fileno(), fcntl.LOCK_UN)


class EmbeddingIndex:
    """One store: vectors of one layer of one model card, keyed by the files' content. Open with `open_index`."""

    def __init__(self, folder: Path, card_id: str, layer: str) -> None:
        #: numbers per vector: from the header, or set by the first vectors added (0 until then)
        self.dim = 0
        self.folder, self.card_id, self.layer = folder, card_id, layer
        self.vectors_path = folder / VECTORS_NAME
        self.keys_path = folder / KEYS_NAME
        self.lock_path = folder / LOCK_NAME
        #: why the store was made again when it was opened (a phrase), else None
        self.rebuilt: str | None = None
        self._db: sqlite3.Connection | None = None
        self._unsynced = False
        self._synced_at = time.monotonic()

    # -- opening and checking ------------------------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.keys_path, timeout=60, isolation_level=None, check_same_thread=False)
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = NORMAL")
        db.executescript(
            "CREATE TABLE IF NOT EXISTS keys (hash TEXT PRIMARY KEY, row INTEGER NOT NULL, label TEXT);"
            "CREATE TABLE IF NOT EXISTS files (path BLOB PRIMARY KEY, size INTEGER, mtime_ns INTEGER,"
            " inode INTEGER, ctime_ns INTEGER, hash TEXT NOT NULL);"
            "CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT);"
        )
        return db

    def _open(self) -> None:
        """Check the store (under the lock) and make it again when damaged; refuse one written for another card."""
        self.folder.mkdir(parents=True, exist_ok=True)
        with _exclusive(self.lock_path):
            try:
                self._db = self._connect()
                self._check()
            except (IndexDamaged, sqlite3.DatabaseError) as exc:
                self.rebuilt = str(exc)
                log.warning("the embedding index in %s %s: it is made again", self.folder, exc)
                self._reset()

    def _reset(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
        for name in (VECTORS_NAME, KEYS_NAME, KEYS_NAME + "-wal", KEYS_NAME + "-shm"):
            (self.folder / name).unlink(missing_ok=True)
        self._db = self._connect()
        self._write_empty()

    def _write_empty(self) -> None:
        tmp = self.vectors_path.with_name(f".{VECTORS_NAME}.{os.getpid()}.tmp")
        with open(tmp, "wb") as f:
            f.write(_header(self.dim, 0, 0, self.card_id, self.layer))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.vectors_path)
        self._record_stat()

    def _check(self) -> None:
        assert self._db is not None
        self._db.execute("SELECT count(*) FROM keys").fetchone()  # a file that is not SQLite fails here
        if not self.vectors_path.exists():
            self._db.execute("DELETE FROM keys")
            self._write_empty()
            return
        with open(self.vectors_path, "rb") as f:
            dim, count, crc, card, layer = _read_header(f.read(HEADER_BYTES))
        if card != self.card_id:
            raise UserError(
                gettext("the embedding index in {folder} was written by model card {card}, not {wanted}; give "
                        "another --index folder").format(folder=self.folder, card=card, wanted=self.card_id))
        if layer != self.layer:
            raise IndexDamaged(f"holds {layer} vectors, not {self.layer}")
        self.dim = dim
        expected = HEADER_BYTES + count * dim * 2
        size = self.vectors_path.stat().st_size
        if size < expected:
            raise IndexDamaged(f"is cut short ({size} bytes of {expected})")
        if size > expected:  # an append a kill interrupted: its rows were never referenced
            os.truncate(self.vectors_path, expected)
        if self._recorded_stat() != list(_stat_key(self.vectors_path.stat())):
            if self._rows_crc(count) != crc:
                raise IndexDamaged("fails its checksum")
            self._record_stat()
        self._db.execute("DELETE FROM keys WHERE row >= ?", (count,))

    def _rows_crc(self, count: int) -> int:
        crc = 0
        with open(self.vectors_path, "rb") as f:
            f.seek(HEADER_BYTES)
            left = count * self.dim * 2
            while left > 0:
                chunk = f.read(min(left, 16 * _CHUNK))
                if not chunk:
                    break
                crc = zlib.crc32(chunk, crc)
                left -= len(chunk)
        return crc

    def _recorded_stat(self) -> list[int] | None:
        assert self._db is not None
        row = self._db.execute("SELECT value FROM meta WHERE name = 'vectors_stat'").fetchone()
        return json.loads(row[0]) if row else None

    def _record_stat(self) -> None:
        assert self._db is not None
        self._db.execute("INSERT OR REPLACE INTO meta VALUES ('vectors_stat', ?)",
                         (json.dumps(list(_stat_key(self.vectors_path.stat()))),))

    def close(self) -> None:
        """Sync the vectors written, and close the keys database."""
        if self._unsynced:
            with open(self.vectors_path, "rb+") as f:
                os.fsync(f.fileno())
            self._unsynced = False
        if self._db is not None:
            self._db.close()
            self._db = None

    # -- content hashes -----------------------------------------------------------------------------------------

    def hashes(self, paths: Sequence[str]) -> list[str | None]:
        """Each file's content hash (None for one that cannot be read), from the memo when its size, times and
        inode are unchanged."""
        assert self._db is not None
        out: list[str | None] = []
        fresh: list[tuple] = []
        for path in paths:
            key = os.fsencode(os.path.abspath(path))
            try:
                st = os.stat(path)
            except (OSError, ValueError):
                out.append(None)
                continue
            stamp = _stat_key(st)
            row = self._db.execute("SELECT size, mtime_ns, inode, ctime_ns, hash FROM files WHERE path = ?",
                                   (key,)).fetchone()
            if row is not None and tuple(row[:4]) == stamp:
                out.append(row[4])
                continue
            try:
                digest = file_sha256(path)
            except OSError:
                out.append(None)
                continue
            out.append(digest)
            fresh.append((key, *stamp, digest))
        if fresh:
            with self._db:
                self._db.executemany("INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?)", fresh)
        return out

    # -- rows ---------------------------------------------------------------------------------------------------

    def rows(self, hashes: Iterable[str | None]) -> dict[str, int]:
        """hash → row of every given hash the store holds."""
        assert self._db is not None
        wanted = sorted({h for h in hashes if h is not None})
        found: dict[str, int] = {}
        for start in range(0, len(wanted), 500):
            part = wanted[start:start + 500]
            query = f"SELECT hash, row FROM keys WHERE hash IN ({','.join('?' * len(part))})"
            found.update(self._db.execute(query, part).fetchall())
        return found

    def labels(self, hashes: Iterable[str]) -> dict[str, str]:
        """hash → the top-1 label recorded with its vector ("" when none was)."""
        assert self._db is not None
        wanted = sorted(set(hashes))
        found: dict[str, str] = {}
        for start in range(0, len(wanted), 500):
            part = wanted[start:start + 500]
            query = f"SELECT hash, label FROM keys WHERE hash IN ({','.join('?' * len(part))})"
            found.update((h, label or "") for h, label in self._db.execute(query, part))
        return found

    def add(self, hashes: Sequence[str], vectors: np.ndarray, labels: Sequence[str] | None = None) -> int:
        """Append the vectors of hashes the store lacks (a hash already there, maybe written meanwhile by another
        run, is skipped) and commit their keys; return how many were added."""
        import numpy as np

        assert self._db is not None
        if len(hashes) != len(vectors):
            raise ValueError("one vector per hash")
        labels = list(labels) if labels is not None else [""] * len(hashes)
        with _exclusive(self.lock_path):
            have = self.rows(hashes)
            keep, seen = [], set()
            for i, h in enumerate(hashes):
                if h not in have and h not in seen:
                    keep.append(i)
                    seen.add(h)
            if not keep:
                return 0
            block = np.ascontiguousarray(np.asarray(vectors, np.float32)[keep].astype("<f2"))
            with open(self.vectors_path, "r+b") as f:
                dim, count, crc, _card, _layer = _read_header(f.read(HEADER_BYTES))
                if count == 0:
                    dim = block.shape[1]  # the first vectors set the width
                if block.shape[1] != dim:
                    raise ValueError(f"vectors of {block.shape[1]} numbers for an index of {dim}")
                self.dim = dim
                end = HEADER_BYTES + count * dim * 2
                f.truncate(end)  # the tail of an append a kill interrupted
                f.seek(end)
                data = block.tobytes()
                f.write(data)
                f.seek(0)
                f.write(_header(dim, count + len(keep), zlib.crc32(data, crc), self.card_id, self.layer))
                # No fsync per batch (it cost 4-16 % of classify's rate): a killed process loses nothing written;
                # the file is synced every SYNC_SECONDS and by `close`. A power cut that kept the header and lost
                # rows leaves a file cut short or failing its checksum, which the next open detects and makes again.
                self._unsynced = True
                if time.monotonic() - self._synced_at > SYNC_SECONDS:
                    os.fsync(f.fileno())
                    self._unsynced, self._synced_at = False, time.monotonic()
            with self._db:
                self._record_stat()
                self._db.executemany("INSERT OR REPLACE INTO keys VALUES (?, ?, ?)",
                                     [(hashes[i], count + n, labels[i]) for n, i in enumerate(keep)])
            return len(keep)

    def vectors(self, rows: Sequence[int]) -> np.ndarray:
        """The vectors of `rows` as float32, (len(rows), dim)."""
        import numpy as np

        with open(self.vectors_path, "rb") as f:
            # From the header, not this object: another writer may have set the width and added rows since.
            self.dim, count = _read_header(f.read(HEADER_BYTES))[:2]
        if not len(rows) or count == 0:
            return np.zeros((0, self.dim), np.float32)
        stored = np.memmap(self.vectors_path, dtype="<f2", mode="r", offset=HEADER_BYTES, shape=(count, self.dim))
        order = np.asarray(rows, dtype=np.int64)
        return np.asarray(stored[order], dtype=np.float32)

    def __len__(self) -> int:
        with open(self.vectors_path, "rb") as f:
            return _read_header(f.read(HEADER_BYTES))[1]


def open_index(card_id: str, layer: str, *, recipe: dict | None = None,
               folder: str | os.PathLike[str] | None = None) -> EmbeddingIndex:
    """Open (creating, or making again when damaged) the store of `layer` for this card and recipe: `folder`/LAYER
    when a folder is given (a user's --index), else under `embeddings_root()`. Refused (UserError) when the store
    was written for another card."""
    where = Path(folder) / layer if folder is not None else embeddings_root() / store_key(card_id, recipe, layer)
    index = EmbeddingIndex(where, card_id, layer)
    try:
        index._open()
    except OSError as exc:
        from alexnet_gui.core.errors import describe_os_error

        raise UserError(gettext("cannot use the embedding index in {folder}: {reason}").format(
            folder=where, reason=describe_os_error(exc))) from None
    return index
