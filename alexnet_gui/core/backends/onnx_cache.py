"""The ONNX export cache's bookkeeping: an integrity record beside every file the app writes there, checked before
the file is used, and a size cap with least-recently-used eviction (`alexnet-gui cache`).

Each cached file `F` gets `F.check`, written once `F` is complete: its size, inode, modification and status-change
times, and its CRC-32. Before use, the file is compared with its record by one stat: any write, truncation, copy,
or time reset through the file system changes the status-change time (ctime), which no user can set back. Only then
is the CRC-32 read: when the bytes still match (a `touch`, a move), the record is renewed and the file used; when
they do not, or the size differs, the file is deleted and made again, and the user is told so. A damaged file
never produces a row. Reading the CRC-32 of the 244 MB data file on every load cost +73 ms, 5.1 % of a 170-image
run (benchmarks/cache_check.py, 10 interleaved pairs); the stat costs nothing measurable. CRC-32, not SHA-256: this
guards against damage, not against someone who can write the cache (and so its records too).

The record's own modification time is the group's last use: loading a model touches its records, and eviction
removes whole groups (`alexnet-KEY.*`: the full export and its logits-only and fp16 copies), oldest use first.
"""

from __future__ import annotations

import json
import logging
import os
import re
import time
import zlib
from dataclasses import dataclass
from pathlib import Path

from alexnet_gui.core.small_files import read_json

log = logging.getLogger("alexnet_gui")

CHECK_SUFFIX = ".check"
SETTINGS_NAME = "cache-settings.json"
#: The cap when none is set: about four weights files' exports with their copies.
DEFAULT_MAX_BYTES = 4 << 30
_GROUP = re.compile(r"^alexnet-([^.]+)\.")


def check_path(path: Path) -> Path:
    """The integrity record of a cached file."""
    return path.with_name(path.name + CHECK_SUFFIX)


def file_crc32(path: Path) -> int:
    """The CRC-32 of a file. Mapped, not read: zlib reads the pages in place (54 ms for 244 MB against 85 ms through
    read()), and it releases the GIL meanwhile."""
    import mmap

    with open(path, "rb") as f:
        if os.fstat(f.fileno()).st_size == 0:
            return 0
        with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as view:
            return zlib.crc32(view)


def _stat_record(st: os.stat_result) -> dict[str, int]:
    return {"size": st.st_size, "ino": st.st_ino, "mtime_ns": st.st_mtime_ns, "ctime_ns": st.st_ctime_ns}


def record_file(path: Path, crc: int | None = None) -> None:
    """Write `path`'s integrity record (call it once the file is complete and in place)."""
    st = path.stat()
    record = {**_stat_record(st), "crc32": file_crc32(path) if crc is None else crc}
    tmp = path.with_name(f".{path.name}{CHECK_SUFFIX}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(record), encoding="utf-8")
    os.replace(tmp, check_path(path))


def damage(path: Path) -> str | None:
    """Why the cached file at `path` must not be used (a phrase), or None when it matches its record."""
    try:
        record = read_json(check_path(path), 1 << 16)
        size, crc = int(record["size"]), int(record["crc32"])
        stamp = {key: int(record[key]) for key in ("size", "ino", "mtime_ns", "ctime_ns")}
    except FileNotFoundError:
        return "has no integrity record (an earlier version made it, or it was copied in by hand)"
    except (OSError, ValueError, KeyError, TypeError):
        return "has a damaged integrity record"
    try:
        st = path.stat()
    except FileNotFoundError:
        return "is missing"
    if _stat_record(st) == stamp:
        return None
    if st.st_size != size:
        return f"is {st.st_size} bytes, not the {size} it was written with (truncated or altered)"
    if file_crc32(path) != crc:
        return "has different contents from those it was written with"
    try:
        record_file(path, crc)  # touched, moved or copied, but sound: no need to read it again next time
    except OSError:
        pass
    return None


def usable(path: Path, *, what: str = "cached ONNX model") -> bool:
    """Whether a cached file exists and matches its record; a damaged one is deleted (with its record), and the user
    is told it will be made again."""
    if not path.exists():
        return False
    return not report_damage([path], [damage(path)], what)


def report_damage(paths: list[Path], reasons: list[str | None], what: str = "cached ONNX model") -> bool:
    """Tell the user about each damaged file of `paths` (reasons from `damage`) and delete it; return whether any
    was."""
    found = False
    for path, reason in zip(paths, reasons):
        if reason is not None:
            log.warning("the %s %s %s: making it again", what, path.name, reason)
            remove_file(path)
            found = True
    return found


def remove_file(path: Path) -> None:
    """Delete a cached file and its record."""
    path.unlink(missing_ok=True)
    check_path(path).unlink(missing_ok=True)


def mark_used(paths: list[Path]) -> None:
    """Record that these cached files were just used (their records' time is the group's last use)."""
    now = time.time_ns()
    for path in paths:
        try:
            os.utime(check_path(path), ns=(now, now))
        except OSError:
            pass  # a read-only cache still works; it only cannot remember the use


@dataclass(frozen=True)
class CacheGroup:
    """The cached files made from one weights file (or the untrained network)."""

    key: str
    files: tuple[Path, ...]
    size: int
    last_used: float  # seconds since the epoch

    @property
    def name(self) -> str:
        return f"alexnet-{self.key}"


def cache_groups(folder: Path) -> list[CacheGroup]:
    """The cache's groups, most recently used first."""
    groups: dict[str, list[Path]] = {}
    try:
        entries = list(folder.iterdir())
    except FileNotFoundError:
        return []
    for entry in entries:
        match = _GROUP.match(entry.name)
        if match and entry.is_file():
            groups.setdefault(match.group(1), []).append(entry)
    result = []
    for key, files in groups.items():
        size = sum(f.stat().st_size for f in files)
        used = max((f.stat().st_mtime for f in files if f.name.endswith(CHECK_SUFFIX)),
                   default=max(f.stat().st_mtime for f in files))
        result.append(CacheGroup(key, tuple(sorted(files)), size, used))
    return sorted(result, key=lambda g: -g.last_used)


def folder_size(folder: Path) -> int:
    """Bytes of every file under the cache folder (its groups, the hash index, stray temporary files)."""
    total = 0
    for root, _, files in os.walk(folder):
        for name in files:
            try:
                total += os.stat(os.path.join(root, name)).st_size
            except OSError:
                pass
    return total


def max_bytes(folder: Path) -> int:
    """The cache's size cap: `alexnet-gui cache --max-size`'s setting, else DEFAULT_MAX_BYTES."""
    try:
        value = read_json(folder / SETTINGS_NAME, 1 << 16)["max_bytes"]
        return int(value) if int(value) >= 0 else DEFAULT_MAX_BYTES
    except (OSError, ValueError, KeyError, TypeError):
        return DEFAULT_MAX_BYTES


def set_max_bytes(folder: Path, limit: int) -> None:
    """Remember the cache's size cap."""
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".{SETTINGS_NAME}.{os.getpid()}.tmp"
    tmp.write_text(json.dumps({"max_bytes": int(limit)}), encoding="utf-8")
    os.replace(tmp, folder / SETTINGS_NAME)


def evict(folder: Path, *, keep: str | None = None, limit: int | None = None) -> list[CacheGroup]:
    """Remove least-recently-used groups until the cache is within its cap (never the group `keep`, which is in
    use); return the groups removed."""
    limit = max_bytes(folder) if limit is None else limit
    groups = cache_groups(folder)
    total = sum(g.size for g in groups)
    removed = []
    for group in reversed(groups):  # oldest use first
        if total <= limit:
            break
        if group.key == keep:
            continue
        remove_group(group)
        total -= group.size
        removed.append(group)
    for group in removed:
        log.info("removed %s from the ONNX cache (%.0f MB, least recently used) to keep it under %.0f MB",
                 group.name, group.size / 1e6, limit / 1e6)
    return removed


def remove_group(group: CacheGroup) -> None:
    """Delete every file of a group."""
    for f in group.files:
        f.unlink(missing_ok=True)
