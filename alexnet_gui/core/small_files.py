"""Reading the small files that describe a model or a run (cards, labels, recipes, resume records, the cache's
memos): regular files only, a size cap checked before reading, and JSON whose nesting is bounded.

A FIFO or a device (`/dev/zero`) named as a labels file would block the open or never end the read, and a file
far larger than any class list or card could be would fill the memory; JSON nested thousands deep exhausts
Python's recursion. Each is refused here with a phrase the caller puts in its own sentence ("cannot read model
card X (it is not a regular file)"), raised as `SmallFileError`, a ValueError: callers that already catch
(OSError, ValueError) for unreadable or invalid files refuse these the same way.
"""

from __future__ import annotations

import os
import stat
from typing import Any

from alexnet_gui.core.language import gettext

#: The deepest JSON any file the app reads needs (a card's training record is 4 levels deep).
MAX_JSON_DEPTH = 64
#: Cards and recipes: a card lists its class names and its training record, about 1 MB for 10,000 classes.
MAX_CARD_BYTES = 16 << 20
#: Labels files: ImageNet-21k's 21,841 class names take 0.6 MB.
MAX_LABELS_BYTES = 8 << 20


class SmallFileError(ValueError):
    """A file refused before or while reading it: not a regular file, too large, or JSON nested too deep."""


def check_regular_file(path: str | os.PathLike[str]) -> os.stat_result:
    """The file's status; SmallFileError when it is not a regular file (a FIFO, a device, a folder). Never opens it,
    so a FIFO cannot block. OSError when it cannot be reached."""
    st = os.stat(path)
    if not stat.S_ISREG(st.st_mode):
        raise SmallFileError(gettext("it is not a regular file"))
    return st


def read_bytes(path: str | os.PathLike[str], limit: int) -> bytes:
    """The file's bytes, refused (SmallFileError) when it is not a regular file or holds more than `limit` bytes.

    Opened without blocking and checked again on the open file, so a FIFO swapped in after the first check cannot
    block either; the read stops at `limit` + 1 bytes whatever the file claims."""
    size = check_regular_file(path).st_size
    if size > limit:
        raise SmallFileError(too_large(size, limit))
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    with os.fdopen(fd, "rb") as f:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise SmallFileError(gettext("it is not a regular file"))
        if st.st_size > limit:
            raise SmallFileError(too_large(st.st_size, limit))
        data = f.read(limit + 1)
    if len(data) > limit:
        raise SmallFileError(too_large(len(data), limit))
    return data


def too_large(size: int, limit: int) -> str:
    """The phrase for a file past its cap."""
    return gettext("it holds {size:,} bytes; no such file needs more than {limit:,}").format(size=size, limit=limit)


def read_text(path: str | os.PathLike[str], limit: int, encoding: str = "utf-8") -> str:
    """`read_bytes` decoded (UnicodeDecodeError, a ValueError, for other bytes)."""
    return read_bytes(path, limit).decode(encoding)


def loads(text: str | bytes) -> Any:
    """JSON text as Python data; SmallFileError when it nests deeper than MAX_JSON_DEPTH, ValueError when it is not
    JSON. The depth is checked after parsing, without recursion, so nothing downstream (a card's to_json, a copy)
    can exhaust the stack; text too deep for the parser itself is refused the same way."""
    import json

    try:
        data = json.loads(text)
    except RecursionError:
        raise SmallFileError(too_deep()) from None
    pending: list[tuple[Any, int]] = [(data, 1)]
    while pending:
        value, depth = pending.pop()
        children: Any
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > MAX_JSON_DEPTH:
            raise SmallFileError(too_deep())
        pending.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return data


def too_deep() -> str:
    """The phrase for JSON nested past MAX_JSON_DEPTH."""
    return gettext("its JSON is nested more than {depth} levels deep").format(depth=MAX_JSON_DEPTH)


def read_json(path: str | os.PathLike[str], limit: int) -> Any:
    """A JSON file's data, through `read_bytes` and `loads` (UTF-8, a leading BOM allowed)."""
    return loads(read_bytes(path, limit).decode("utf-8-sig"))
