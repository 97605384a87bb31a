"""A project as training data: its human and folder labels as the class folders `alexnet-gui train` trains on."""

from __future__ import annotations

import os

from alexnet_gui.core.errors import UserError
from alexnet_gui.core.labelling.project import open_project
from alexnet_gui.core.language import gettext
from alexnet_gui.core.outputs.results import path_from_cell
from alexnet_gui.core.training.folders import ClassFolders


def project_class_folders(path: str | os.PathLike[str], min_prob: float | None = None) -> ClassFolders:
    """The project's labelled images present on disk, grouped by label in sorted order (the folder reader's
    rule); with `min_prob`, model labels at or above it count too (as in an imagefolder export)."""
    from alexnet_gui.core.labelling.export import chosen_labels

    with open_project(path, readonly=True) as project:
        found = [(path_from_cell(row.path), label) for row, label in chosen_labels(project, min_prob) if not row.missing]
        chosen = [(path, label) for path, label in found if os.path.isfile(path)]
    if not chosen:
        raise UserError(gettext("{path} has no labelled images to train on").format(path=path))
    classes = sorted({label for _, label in chosen})
    images = tuple(tuple(sorted(p for p, label in chosen if label == name)) for name in classes)
    return ClassFolders(os.fspath(path), tuple(classes), images)
