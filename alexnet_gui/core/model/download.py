"""Download transport: a hash-checked file fetched into a folder, all or nothing.

Four steps, each failing with one WeightsError that names its `problem`: open the address, stream it into a
temporary file beside its final name, verify its length and SHA-256, install it by renaming into place. A failure,
a cancel, SIGTERM (raised as KeyboardInterrupt), a full disk or a mismatch leaves nothing behind. What to download
(torchvision's file, a named model) is the registry's business: weights.py.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from glob import escape as glob_escape
from pathlib import Path
from typing import IO, Any

from alexnet_gui.core.errors import describe_os_error
from alexnet_gui.core.language import gettext
from alexnet_gui.core.model.choice import DownloadCancelled, Progress, WeightsError

#: The longest a weights download may take in all: a server that trickles a byte every few seconds never times out
#: a single read, so the whole download has a deadline too (244 MB at 140 kB/s still fits).
DOWNLOAD_DEADLINE_S = 1800.0

#: A temporary download file untouched for this long belongs to a download that was killed (SIGKILL, a power cut):
#: a live one is written every few seconds at worst.
_ABANDONED_AFTER_S = 3600
_CHUNK = 1 << 16


def _failure(message: str, *, problem: str, url: str = "", **fields: Any) -> WeightsError:
    """The one error of a step: its (translated) sentence filled in, with the kind of problem and the address."""
    return WeightsError(message.format(url=url, **fields), problem=problem, url=url)


def _cannot_keep(folder: Path, exc: OSError) -> WeightsError:
    return _failure(gettext("cannot save the weights in {folder}: {describe_os_error}; nothing was kept"),
                    problem="disk", folder=folder, describe_os_error=describe_os_error(exc))


def _remove_abandoned_parts(folder: Path, name: str) -> None:
    import time

    for part in folder.glob(f".{glob_escape(name)}.*.part"):
        try:
            if time.time() - part.stat().st_mtime > _ABANDONED_AFTER_S:
                part.unlink()
        except OSError:
            pass  # gone meanwhile, or not ours to remove


def _open_part(folder: Path, name: str) -> tuple[int, Path]:
    """The temporary file beside the final name (the same file system, so installing it is a rename)."""
    _remove_abandoned_parts(folder, name)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{name}.", suffix=".part", dir=folder)
    except OSError as exc:
        raise _failure(
            gettext(
                "cannot save weights in {folder}: {describe_os_error}; set TORCH_HOME to a writable folder, or pass --weights FILE"
            ),
            problem="disk", folder=folder, describe_os_error=describe_os_error(exc),
        ) from None
    return fd, Path(tmp_name)


def _open_url(url: str, timeout: float, what_to_do: str) -> Any:
    # Imported here: urllib pulls in ssl and http (~15 ms) that every run without a download would pay for.
    import urllib.error
    import urllib.request

    try:
        return urllib.request.urlopen(url, timeout=timeout)  # noqa: S310 - https or a user's mirror
    except urllib.error.HTTPError as exc:
        raise _failure(gettext("downloading {url} failed (HTTP {code} {reason}); {what_to_do}"), problem="server",
                       url=url, code=exc.code, reason=exc.reason, what_to_do=what_to_do) from None
    except (urllib.error.URLError, OSError) as exc:
        raise _failure(gettext("could not download {url} ({reason}); {what_to_do}"), problem="unreachable", url=url,
                       reason=getattr(exc, "reason", exc), what_to_do=what_to_do) from None


def _stream(response: Any, out: IO[bytes], digest: Any, *, url: str, folder: Path, what_to_do: str,
            progress: Progress | None, cancel: Callable[[], bool] | None, ends: float,
            limit: float) -> tuple[int, int | None]:
    """Copy the response into `out`, hashing as it goes; the bytes written and the length the server announced."""
    import time

    length = response.headers.get("Content-Length")
    total = int(length) if length and length.isdigit() else None
    done = 0
    if progress:
        progress(0, total)
    while True:
        if cancel and cancel():
            raise DownloadCancelled("the weights download was cancelled; nothing was saved")
        if time.monotonic() > ends:
            raise _failure(
                gettext(
                    "the download of {url} was too slow ({done} bytes in {value:.0f} s) and was stopped; {what_to_do}"
                ),
                problem="slow", url=url, done=done, value=limit, what_to_do=what_to_do,
            )
        try:
            block = response.read1(_CHUNK)
        except OSError as exc:
            raise _failure(gettext("the download of {url} broke off ({exc}); {what_to_do}"), problem="broken",
                           url=url, exc=exc, what_to_do=what_to_do) from None
        if not block:
            return done, total
        try:
            out.write(block)
        except OSError as exc:
            raise _cannot_keep(folder, exc) from None
        digest.update(block)
        done += len(block)
        if progress:
            progress(done, total)


def _verify(url: str, done: int, total: int | None, sha256: str, prefix: str, what_to_do: str) -> None:
    if total is not None and done != total:
        raise _failure(gettext("the download of {url} ended early ({done} of {total} bytes); {what_to_do}"),
                       problem="broken", url=url, done=done, total=total, what_to_do=what_to_do)
    if not sha256.startswith(prefix):
        raise _failure(
            gettext("the file downloaded from {url} does not match its hash {value} and was discarded; {what_to_do}"),
            problem="hash", url=url, value=prefix[:16], what_to_do=what_to_do,
        )


def fetch_file(
    url: str,
    *,
    folder: Path,
    name: str,
    sha256_prefix: str,
    what_to_do: str,
    progress: Progress | None = None,
    cancel: Callable[[], bool] | None = None,
    timeout: float = 30.0,
    deadline: float | None = None,
) -> Path:
    """Download `url` to `folder / name` when its SHA-256 starts with `sha256_prefix`, and return that path.

    `timeout` bounds each read, `deadline` (default DOWNLOAD_DEADLINE_S) the whole download; `what_to_do` ends
    every sentence that a user can act on."""
    import hashlib  # here: OpenSSL's load (~8 ms) is not on the command line's way to its first decode
    import time

    limit = DOWNLOAD_DEADLINE_S if deadline is None else deadline
    ends = time.monotonic() + limit
    fd, tmp = _open_part(folder, name)
    digest = hashlib.sha256()
    try:
        with os.fdopen(fd, "wb") as out, _open_url(url, timeout, what_to_do) as response:
            done, total = _stream(response, out, digest, url=url, folder=folder, what_to_do=what_to_do,
                                  progress=progress, cancel=cancel, ends=ends, limit=limit)
        _verify(url, done, total, digest.hexdigest(), sha256_prefix, what_to_do)
        final = folder / name
        os.replace(tmp, final)  # install: the name appears only with the whole, checked file behind it
        return final
    except OSError as exc:  # the file's last block, flushed at close, on a full disk
        raise _cannot_keep(folder, exc) from None
    finally:
        tmp.unlink(missing_ok=True)
