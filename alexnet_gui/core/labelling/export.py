"""Exports of a project's labels: CSV, JSON Lines, and class folders that `alexnet-gui train` reads directly.

An export only reads the images: class folders are filled by copying (or hard-linking) them, never by moving; a
name already taken in a class folder gets a numbered name instead of overwriting it; the output folder must be
new (or empty) and outside every folder added to the project.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from alexnet_gui.core.errors import UserError, describe_os_error
from alexnet_gui.core.labelling.project import ImageRow, Project, cancel_check, open_project
from alexnet_gui.core.language import gettext
from alexnet_gui.core.outputs.results import path_from_cell

FORMATS = ("csv", "jsonl", "imagefolder")
CSV_COLUMNS = ("path", "label", "source", "model_label", "model_prob", "agrees", "labelled_at")
#: names Windows will not create as a file or folder, whatever the extension
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))}
_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')


@dataclass
class ExportReport:
    """What an export wrote."""

    out: Path
    images: int = 0
    #: imagefolder: class folder name -> the label it holds (only where they differ)
    renamed: dict[str, str] = field(default_factory=dict)
    #: labelled images whose file is gone (not exported)
    missing: list[str] = field(default_factory=list)
    #: imagefolder with a split: images in train and val
    split: tuple[int, int] | None = None
    cancelled: bool = False


def safe_folder_name(label: str) -> str:
    """A folder name for a label on any file system: no separators, control or reserved characters, no leading
    dot (hidden, skipped by the folder reader), no trailing dot or space, not a Windows device name."""
    name = _UNSAFE.sub("_", label).strip().rstrip(".")
    if name.startswith("."):
        name = "_" + name[1:]
    if not name or name.split(".")[0].lower() in _RESERVED:
        name = "_" + name
    return name[:200]


def folder_names(labels: list[str]) -> dict[str, str]:
    """label -> its folder name, distinct even where two labels make the same safe name (or differ in case
    only, which a case-insensitive file system would merge)."""
    taken: set[str] = set()
    names: dict[str, str] = {}
    for label in sorted(labels):
        base = safe_folder_name(label)
        name, n = base, 2
        while name.lower() in taken:
            name, n = f"{base}-{n}", n + 1
        taken.add(name.lower())
        names[label] = name
    return names


def _cells(row: ImageRow) -> list[str]:
    from alexnet_gui.core.outputs.results import neutralise_cell

    agrees = "" if row.agrees is None else ("yes" if row.agrees else "no")
    prob = "" if row.model_prob is None else f"{row.model_prob:.6f}"
    return [neutralise_cell(row.path), neutralise_cell(row.label or ""), row.source or "",
            neutralise_cell(row.model_label or ""), prob, agrees, row.labelled_at or ""]


def _record(row: ImageRow) -> dict:
    return {"path": row.path, "label": row.label, "source": row.source, "model_label": row.model_label,
            "model_prob": row.model_prob, "agrees": row.agrees, "labelled_at": row.labelled_at,
            "missing": row.missing,
            "top": [{"index": i, "label": name, "prob": p}
                    for i, name, p in zip(row.top_indices, row.top_labels, row.top_probs)]}


def _write_atomically(out: Path, text: str) -> None:
    from alexnet_gui.core.outputs.output_paths import honour_umask

    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".part", dir=out.parent)
    try:
        honour_umask(fd)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, out)
    finally:
        Path(tmp).unlink(missing_ok=True)


def chosen_labels(project: Project, min_prob: float | None) -> list[tuple[ImageRow, str]]:
    """The images an imagefolder export (and training on a project) uses, with their label: every human or
    folder label; with `min_prob`, also a model label (a bulk-accepted one, else the model's top-1 of an
    unlabelled image) whose probability is at least `min_prob`."""
    chosen = []
    for row in project.rows():
        if row.label is not None and row.source in ("human", "folder"):
            chosen.append((row, row.label))
        elif min_prob is not None and row.model_prob is not None and row.model_prob >= min_prob:
            label = row.label if row.label is not None else row.model_label
            if label is not None:
                chosen.append((row, label))
    return chosen


def _check_imagefolder_out(out: Path, project: Project) -> None:
    from alexnet_gui.core.outputs.output_paths import check_output_folder

    check_output_folder(out)
    if out.is_dir() and any(out.iterdir()):
        raise UserError(gettext("{out} exists and is not empty: choose a new folder for the export").format(out=out))
    resolved = out.resolve()
    for source in project.sources():
        root = Path(path_from_cell(source)).resolve()
        if root.is_dir() and (resolved == root or root in resolved.parents):
            raise UserError(
                gettext("--out {out} is inside {root}, a folder of the project's images: choose a folder outside it").format(
                    out=out, root=source
                )
            )


def _place(src: str, folder: Path, link: bool) -> Path:
    """Copy (or hard-link) `src` into `folder` under its own name, or a numbered "name (N).ext" when that is
    taken; never over an existing file, and never a truncated copy under a real name."""
    from alexnet_gui.core.outputs.sort_files import copy_without_overwriting

    name = os.path.basename(src)
    if not link:
        return Path(copy_without_overwriting(src, os.fspath(folder / name)))
    stem, suffix = os.path.splitext(name)
    n = 0  # numbered as the copies are: "name (1).ext", "name (2).ext", ...
    while True:
        target = folder / (name if n == 0 else f"{stem} ({n}){suffix}")
        try:
            os.link(src, target)  # whole or not at all
            return target
        except FileExistsError:
            n += 1


def export_labels(
    project_path: str | os.PathLike[str],
    fmt: str,
    out: str | os.PathLike[str],
    *,
    link: bool = False,
    split: float | None = None,
    seed: int = 0,
    min_prob: float | None = None,
    cancel: Callable[[], bool] | threading.Event | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> ExportReport:
    """Export the project's labels as `fmt` (csv, jsonl or imagefolder) to `out`; the output is checked before
    anything is written. csv and jsonl hold one row per image (unlabelled ones with empty labels)."""
    if fmt not in FORMATS:
        raise UserError(gettext("unknown export format {fmt!r}; choose {join}").format(fmt=fmt, join=", ".join(FORMATS)))
    if fmt != "imagefolder" and (link or split is not None):
        raise UserError(gettext("--link and --split apply to --format imagefolder only"))
    with open_project(project_path, readonly=True) as project:
        if fmt == "imagefolder":
            return _export_folders(project, Path(out), link=link, split=split, seed=seed, min_prob=min_prob,
                                   cancelled=cancel_check(cancel), on_progress=on_progress)
        from alexnet_gui.core.outputs.output_paths import check_output_file

        target = check_output_file(out, inputs=[project_path])
        rows = project.rows()
        if min_prob is not None:
            rows = [r for r in rows if r.label is not None or (r.model_prob is not None and r.model_prob >= min_prob)]
        if fmt == "csv":
            buffer = io.StringIO()
            writer = csv.writer(buffer, lineterminator="\n")
            writer.writerow(CSV_COLUMNS)
            writer.writerows(_cells(r) for r in rows)
            text = buffer.getvalue()
        else:
            text = "".join(json.dumps(_record(r), ensure_ascii=False) + "\n" for r in rows)
        _write_atomically(target, text)
        if on_progress is not None:
            on_progress(len(rows), len(rows))
        return ExportReport(target, len(rows))


def _export_folders(project: Project, out: Path, *, link: bool, split: float | None, seed: int,
                    min_prob: float | None, cancelled: Callable[[], bool],
                    on_progress: Callable[[int, int], None] | None) -> ExportReport:
    from alexnet_gui.core.training.folders import ClassFolders, split_stratified

    if split is not None and not 0.0 < split < 1.0:
        raise UserError(gettext("--split must be between 0 and 1 (exclusive), not {split}").format(split=split))
    _check_imagefolder_out(out, project)
    chosen = chosen_labels(project, min_prob)
    report = ExportReport(out)
    report.missing = [row.path for row, _ in chosen if row.missing or not os.path.isfile(path_from_cell(row.path))]
    gone = set(report.missing)
    chosen = [(row, label) for row, label in chosen if row.path not in gone]
    if not chosen:
        raise UserError(gettext("{path} has no labelled images to export").format(path=project.path))
    names = folder_names(sorted({label for _, label in chosen}))
    report.renamed = {name: label for label, name in names.items() if name != label}
    labels = sorted(names)
    by_label: dict[str, list[str]] = {label: [] for label in labels}
    for row, label in chosen:
        by_label[label].append(path_from_cell(row.path))  # the file's own name, to copy
    if split is not None:
        folders = ClassFolders(str(project.path), tuple(labels), tuple(tuple(by_label[lb]) for lb in labels))
        parts = split_stratified(folders, split, seed)
        plan = [("train", p, labels[i]) for p, i in parts.train] + [("val", p, labels[i]) for p, i in parts.val]
        report.split = (len(parts.train), len(parts.val))
    else:
        plan = [("", p, label) for label in labels for p in by_label[label]]
    out.mkdir(parents=True, exist_ok=True)
    _write_atomically(out / "labels.json", json.dumps(
        {"folders": {names[lb]: lb for lb in labels}, "source": str(project.path), "split": split, "seed": seed,
         "min_prob": min_prob}, ensure_ascii=False, indent=1) + "\n")
    try:
        for done, (part, path, label) in enumerate(plan, 1):
            if cancelled():
                report.cancelled = True
                break
            folder = out / part / names[label] if part else out / names[label]
            folder.mkdir(parents=True, exist_ok=True)
            _place(path, folder, link)
            report.images += 1
            if on_progress is not None:
                on_progress(done, len(plan))
    except OSError as exc:
        if link and exc.errno == 18:  # EXDEV: a hard link cannot cross file systems
            raise UserError(
                gettext("--link cannot hard-link across file systems ({path} to {out}): export without --link").format(
                    path=path, out=out
                )
            ) from None
        raise UserError(
            gettext("cannot write {out}: {describe_os_error}").format(out=out, describe_os_error=describe_os_error(exc))
        ) from None
    return report
