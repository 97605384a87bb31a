"""Check an output path before any work: it must never destroy an input, and it must be writable.

Every command that writes (classify, export-onnx, filters, features, cam, sort, the app's Export CSV) calls
`check_output_file` or `check_output_folder` first, so a bad `--out` costs a second, not a model load and a run.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from alexnet_gui.core.errors import UserError, describe_os_error
from alexnet_gui.core.language import gettext

#: The longest name the app derives from an output's name: `.NAME.part.stamps` for the CSV's journal
#: (see core/journal.py), `NAME.provenance.json` and the temporary `.NAME.provenance.json.XXXXXXXX.part`.
_LONGEST_DERIVED = len(".") + len(".provenance.json") + len(".") + 8 + len(".part")
#: Most file systems allow 255 bytes per name.
_NAME_MAX = 255


def _check_folder_writable(folder: Path, what: str) -> None:
    try:
        fd, probe = tempfile.mkstemp(prefix=".alexnet-gui-write-test.", dir=folder)
    except OSError as exc:
        raise UserError(
            gettext("cannot write {what}: {describe_os_error} in {folder}").format(
                what=what, describe_os_error=describe_os_error(exc), folder=folder
            )
        ) from None
    os.close(fd)
    os.unlink(probe)


def _identities(paths: Iterable[str | os.PathLike[str]]) -> set[tuple[int, int]]:
    ids = set()
    for p in paths:
        try:
            st = os.stat(p)
        except (OSError, ValueError):
            continue
        ids.add((st.st_dev, st.st_ino))
    return ids


def check_output_file(
    out: str | os.PathLike[str],
    *,
    inputs: Iterable[str | os.PathLike[str]] = (),
    option: str = "--out",
    sidecars: Iterable[str | os.PathLike[str]] = (),
) -> Path:
    """Refuse (UserError) an output file that is one of `inputs`, an existing folder, in a missing or unwritable
    folder, or too long a name for its journal and sidecars; return it as a Path.

    `inputs` are the files the command reads (images after walking folders, the model's files: see
    `commands.model_options.model_input_files`): an output that is the same file, by device and inode (so also
    through a link or another spelling), would overwrite it. `sidecars` are the files written (or removed) beside
    the output, its journal and records (`results.csv_companions`): each is held to the same rule.
    """
    path = Path(out)
    text = os.fspath(out)
    if not text or text.endswith(os.sep):
        raise UserError(gettext('{option} needs a file name, got {text!r}').format(option=option, text=text))
    name_bytes = len(os.fsencode(path.name))
    if name_bytes + _LONGEST_DERIVED > _NAME_MAX:
        raise UserError(
            gettext(
                "the file name of {option} is too long ({name_bytes} bytes; at most {value}, to leave room for its temporary and sidecar files)"
            ).format(option=option, name_bytes=name_bytes, value=_NAME_MAX - _LONGEST_DERIVED)
        )
    if path.is_dir():
        raise UserError(
            gettext("{option} {text} is a folder; give the name of a file to write").format(option=option, text=text)
        )
    folder = path.parent
    if not folder.exists():
        raise UserError(gettext('cannot write {text}: folder {folder} does not exist').format(text=text, folder=folder))
    if not folder.is_dir():
        raise UserError(gettext('cannot write {text}: {folder} is not a folder').format(text=text, folder=folder))
    read = _identities(inputs)
    if path.exists() and _identities([path]) & read:
        raise UserError(
            gettext("{option} {text} is one of the inputs; it would be overwritten — choose another name").format(
                option=option, text=text
            )
        )
    for sidecar in sidecars:
        if _identities([sidecar]) & read:
            raise UserError(
                gettext(
                    "{option} {text} would overwrite the input {sidecar}, which it writes beside itself — choose another name"
                ).format(option=option, text=text, sidecar=sidecar)
            )
    _check_folder_writable(folder, text)
    return path


def check_output_folder(out: str | os.PathLike[str], *, option: str = "--out") -> Path:
    """Refuse (UserError) an output folder that is an existing file, or that cannot be created or written into."""
    path = Path(out)
    text = os.fspath(out)
    if not text:
        raise UserError(gettext('{option} needs a folder name').format(option=option))
    if path.exists() and not path.is_dir():
        raise UserError(gettext('{option} {text} exists and is not a folder').format(option=option, text=text))
    existing = path
    while not existing.exists():
        if existing.parent == existing:
            break
        existing = existing.parent
    if not existing.is_dir():
        raise UserError(
            gettext("cannot create {text}: {existing} is not a folder").format(text=text, existing=existing)
        )
    _check_folder_writable(existing, text)
    return path


def folder_within(inner: str | os.PathLike[str], outer: str | os.PathLike[str]) -> bool:
    """Whether folder `inner` is `outer` or lies inside it, both resolved (links, `..`), existing or not."""
    inner_path, outer_path = Path(inner).resolve(), Path(outer).resolve()
    return inner_path == outer_path or outer_path in inner_path.parents


def _umask() -> int:
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    # Elsewhere the only way to read it is to set it; put it straight back.
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def honour_umask(fd: int) -> None:
    """Give a file made by `tempfile.mkstemp` (always 0600) the mode an ordinary `open` would: 0666 less the umask,
    so a CSV or sidecar renamed into place is as readable as the user's other files."""
    os.fchmod(fd, 0o666 & ~_umask())
