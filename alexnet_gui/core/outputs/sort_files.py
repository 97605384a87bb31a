"""Sort classified images into `OUT/<top-1 label>/` folders (copy or move), never overwriting a file.

Planning and doing are separate steps, so a dry run and the app's confirmation dialog show exactly the plan
that is then carried out. Name clashes get a " (1)", " (2)", ... suffix, both against files already in OUT and
between images of the plan itself; the final existence check happens at the moment of writing (a hard link), so
a file that appears meanwhile is not overwritten either.

A copy (and a move to another file system) is written to a temporary name in the destination folder, flushed to
disk, and only then given its real name: a kill mid-copy leaves no truncated image under a real name, and the
next sort into that folder removes the temporary copy (the source is still where it was).
"""

from __future__ import annotations

import errno
import fcntl
import itertools
import os
import re
import shutil
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from alexnet_gui.core.errors import UserError
from alexnet_gui.core.language import gettext
from alexnet_gui.core.outputs.results import Result
from alexnet_gui.core.wording import counted

UNCERTAIN_FOLDER = "_uncertain"
#: a copy being written: `.alexnet-gui-sort.PID.N.part` in the destination folder, locked by its writer
_COPY_PREFIX = ".alexnet-gui-sort."
_COPY_NAME = re.compile(r"\.alexnet-gui-sort\.\d+\.\d+\.part")
_copy_numbers = itertools.count()
#: errors of a hard link where the file system has none or the file is on another one: copy instead
_NO_LINK = (errno.EXDEV, errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP)


@dataclass(frozen=True)
class SortStep:
    """One file's planned copy/move: its source, its destination, and the folder name it goes into."""

    source: str
    target: str
    folder: str
    prob: float


@dataclass(frozen=True)
class SortPlan:
    """What a sort will do: the steps in input order, and the results that cannot be sorted (failed to read)."""

    out_dir: str
    steps: tuple[SortStep, ...]
    skipped: tuple[Result, ...]

    def folder_counts(self) -> dict[str, int]:
        """Return {folder name: number of files going there}, largest first (ties by name)."""
        counts = Counter(step.folder for step in self.steps)
        return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def folder_for(result: Result, threshold: float | None) -> str:
    """Return the folder a classified result belongs in: its top-1 label, or `_uncertain` below the threshold."""
    best = result.top[0]
    if threshold is not None and best.prob < threshold:
        return UNCERTAIN_FOLDER
    return safe_folder_name(best.label, best.index)


def safe_folder_name(label: str, index: int) -> str:
    """A class name as one folder name: a label (a user's own folder name, or a card's) never names a path, and
    a NUL, which no file name can hold, becomes "_" like a separator."""
    name = label.replace(os.sep, "_").replace("/", "_").replace("\0", "_").strip(". ")
    return name or f"class {index}"


def _numbered(name: str, n: int) -> str:
    stem, ext = os.path.splitext(name)
    return f"{stem} ({n}){ext}"


def _why_not_sortable(path: str, move: bool) -> str | None:
    """The reason a file must not be copied or moved, or None. A CSV can name any path: only regular files that
    still open as images are sorted, so a crafted row cannot move a system file, hang on a FIFO or copy /dev/zero."""
    from alexnet_gui.core.pipeline.images import ImageError, check_image_file

    try:
        if move and os.path.islink(path):
            # Moving a relative link would leave it pointing nowhere; moving its target would empty another folder.
            return "a symbolic link: not moved (sort without --move copies the image it points to)"
        check_image_file(path)
    except ImageError as exc:
        return str(exc)
    except (OSError, ValueError) as exc:
        return f"cannot be read ({exc})"
    return None


def plan_sort(results: Iterable[Result], out_dir: str | os.PathLike[str], *, threshold: float | None = None,
              move: bool = False, vet: bool = True) -> SortPlan:
    """Plan copying/moving each classified result into `out_dir/<label>/` (or `_uncertain/`).

    `threshold` is a probability in [0, 1]: a top-1 below it goes to `_uncertain`. Results that failed, and files
    that are no longer regular image files (or, with `move`, are symbolic links), are skipped with their reason
    (listed in the plan). Destination names never clash with existing files or each other. `vet=False` skips
    opening each file (the app's live preview); `apply_sort` checks each file again as it copies it anyway.
    """
    if threshold is not None and not 0.0 <= threshold <= 1.0:
        raise UserError(
            gettext("the threshold is a probability between 0 and 1, got {threshold}").format(threshold=threshold)
        )
    out = os.fspath(out_dir)
    if os.path.exists(out) and not os.path.isdir(out):
        raise UserError(gettext('{out} exists and is not a folder').format(out=out))
    taken: set[str] = set()
    steps: list[SortStep] = []
    skipped: list[Result] = []
    for result in results:
        if not result.ok or not result.top:
            skipped.append(result)
            continue
        reason = _why_not_sortable(result.path, move) if vet else None
        if reason is not None:
            skipped.append(Result(result.path, reason))
            continue
        folder = folder_for(result, threshold)
        name = os.path.basename(result.path)
        target = os.path.join(out, folder, name)
        n = 0
        while target in taken or os.path.lexists(target):
            n += 1
            target = os.path.join(out, folder, _numbered(name, n))
        taken.add(target)
        steps.append(SortStep(result.path, target, folder, result.top[0].prob))
    return SortPlan(out, tuple(steps), tuple(skipped))


def _free_name(target: str) -> tuple[str, int]:
    # The plan's name may have been taken since planning: find the next free suffix.
    folder, name = os.path.split(target)
    n = 0
    candidate = target
    while os.path.lexists(candidate):
        n += 1
        candidate = os.path.join(folder, _numbered(name, n))
    return candidate, n


def _copy_exclusive(source: str, target: str) -> str:
    """Copy `source` to `target` or the next free numbered name; never replaces an existing file. The bytes go to
    a locked temporary file in the destination folder, reach the disk (fsync), and only then get the real name."""
    folder = os.path.dirname(target)
    with open(source, "rb") as src:
        while True:
            partial = os.path.join(folder, f"{_COPY_PREFIX}{os.getpid()}.{next(_copy_numbers)}.part")
            try:
                fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)
            except FileExistsError:
                continue  # a killed run's copy under this process's number: take the next one
            break
        try:
            # Held until the copy has its name: a sort that finds this file unlocked knows its writer is gone.
            fcntl.flock(fd, fcntl.LOCK_EX)
            with os.fdopen(fd, "wb", closefd=False) as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
                dst.flush()
                os.fsync(fd)
            shutil.copystat(source, partial)
            return _give_name(partial, target)
        finally:
            try:
                os.unlink(partial)  # the second link of a copy that has its name, or a copy that failed
            except FileNotFoundError:
                pass  # renamed into place
            os.close(fd)


def _give_name(partial: str, target: str) -> str:
    """Give the complete copy `partial` the name `target` or the next free numbered one, never replacing a file."""
    while True:
        candidate, _ = _free_name(target)
        try:
            # A hard link fails if the name exists, unlike rename: that makes the no-overwrite check atomic.
            os.link(partial, candidate)
        except FileExistsError:
            continue
        except OSError as exc:
            if exc.errno not in _NO_LINK:
                raise
            # No hard links on this file system (FAT, some shares): rename after the check is the closest.
            if os.path.lexists(candidate):
                continue
            os.rename(partial, candidate)
        return candidate


def _move_exclusive(source: str, target: str) -> str:
    """Move `source` to `target` or the next free numbered name; never replaces an existing file."""
    while True:
        candidate, _ = _free_name(target)
        try:
            os.link(source, candidate)
        except FileExistsError:
            continue
        except OSError as exc:
            if exc.errno not in _NO_LINK:
                raise
            candidate = _copy_exclusive(source, candidate)  # other file system, or no hard links there
            _sync_folder(os.path.dirname(candidate))  # the copy's name on disk before the source goes
        os.unlink(source)
        return candidate


def move_without_overwriting(source: str, target: str) -> str:
    """Move `source` to `target`, or to the next free "name (N).ext" when that is taken: never replaces a file
    (a hard link claims the name atomically; a copy synced to disk first across file systems). Returns where."""
    return _move_exclusive(source, target)


def copy_without_overwriting(source: str, target: str) -> str:
    """Copy `source` to `target`, or to the next free "name (N).ext" when that is taken: never replaces a file,
    and a full disk or a kill never leaves a truncated copy under a real name (the bytes are synced to disk under a
    temporary name first). Returns where."""
    return _copy_exclusive(source, target)


def _sync_folder(folder: str) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # a file system that cannot sync a folder: the rename is as safe as it can be there
    finally:
        os.close(fd)


def _remove_abandoned_copies(folder: str | os.PathLike[str]) -> list[str]:
    """Remove the temporary copies a killed sort left in `folder` (those no running sort holds locked); return
    their paths. Their sources were not touched, so sorting them again finishes the work."""
    removed: list[str] = []
    try:
        names = [name for name in os.listdir(folder) if _COPY_NAME.fullmatch(name)]
    except OSError:
        return removed
    for name in names:
        path = os.path.join(folder, name)
        try:
            fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC | os.O_NOFOLLOW)
        except OSError:
            continue  # gone meanwhile, or not a file of ours
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            os.unlink(path)
            removed.append(path)
        except OSError:
            pass  # a running sort's copy in progress
        finally:
            os.close(fd)
    return removed


def apply_sort(
    plan: SortPlan,
    *,
    move: bool = False,
    on_progress: Callable[[int, int], None] | None = None,
    cancel: Callable[[], bool] | None = None,
) -> list[tuple[SortStep, str | None, str | None]]:
    """Carry out a plan; return (step, final path or None, error sentence or None) for each step.

    One file that cannot be copied (vanished, permission denied) is reported and the rest still go.
    """
    done: list[tuple[SortStep, str | None, str | None]] = []
    made: set[str] = set()
    for i, step in enumerate(plan.steps, 1):
        if cancel is not None and cancel():
            break  # the files done so far stay where they went
        folder = os.path.dirname(step.target)
        reason = _why_not_sortable(step.source, move)
        if reason is not None:
            done.append((step, None, f"{reason}: {step.source}"))
            if on_progress is not None:
                on_progress(i, len(plan.steps))
            continue
        try:
            if folder not in made:
                os.makedirs(folder, exist_ok=True)
                _remove_abandoned_copies(folder)
                made.add(folder)
            final = (_move_exclusive if move else _copy_exclusive)(step.source, step.target)
            done.append((step, final, None))
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            done.append((step, None, f"{reason.lower()}: {exc.filename or step.source}"))
        if on_progress is not None:
            on_progress(i, len(plan.steps))
    return done


def describe_plan(plan: SortPlan, *, move: bool) -> str:
    """Return a short text of the plan's counts per folder, for a dry run or a confirmation dialog."""
    heading = gettext("move {counted} into {folder}:") if move else gettext("copy {counted} into {folder}:")
    lines = [heading.format(counted=counted(len(plan.steps), "image"), folder=Path(plan.out_dir))]
    lines += [f"  {count:6d}  {folder}/" for folder, count in plan.folder_counts().items()]
    if plan.skipped:
        lines.append(
            gettext("  not readable, left where they are: {counted}").format(
                counted=counted(len(plan.skipped), "image")
            )
        )
    return "\n".join(lines)


def results_from_csv(csv_path: str | os.PathLike[str]) -> list[Result]:
    """Read a `classify` CSV back into results (top-1 only), so a finished run can be sorted without re-running."""
    import csv

    from alexnet_gui.core.outputs.results import Prediction, path_from_cell, restore_cell

    try:
        with open(csv_path, encoding="utf-8", newline="") as f:
            rows = list(csv.reader(f))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise UserError(gettext('cannot read {csv_path}: {exc}').format(csv_path=csv_path, exc=exc)) from None
    if not rows or rows[0][:5] != ["path", "error", "top1_index", "top1_label", "top1_prob"]:
        raise UserError(gettext('{csv_path} is not a CSV written by `alexnet-gui classify`').format(csv_path=csv_path))
    results = []
    for number, row in enumerate(rows[1:], 2):
        path = path_from_cell(restore_cell(row[0])) if row else ""  # a name that is not UTF-8 is escaped in it
        if len(row) < 5 or not path:
            results.append(Result(path or f"row {number}", f"damaged row {number} of {csv_path}: too few cells"))
            continue
        if row[1]:
            results.append(Result(path, restore_cell(row[1])))
            continue
        try:
            prob = float(row[4])
            top = (Prediction(int(row[2]), restore_cell(row[3]), prob),)
        except ValueError:
            results.append(
                Result(path, f"damaged row {number} of {csv_path}: its class or probability is not a number")
            )
            continue
        results.append(Result(path, None, top))
    return results
