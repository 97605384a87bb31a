"""Labels that are probably wrong: out-of-fold probabilities from logistic-regression heads on the model's cached
features, ranked by cleanlab's confident learning.

Each image's probabilities come from a head that never saw its label (K-fold), so a wrong label is not simply
learnt back; cleanlab then flags the images whose given label the heads' calibrated confidence contradicts, and
scores every image (self-confidence: the probability of its given label) so the list runs most likely wrong first.
"""

from __future__ import annotations

import csv
import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from alexnet_gui.core.errors import UserError
from alexnet_gui.core.labelling.project import cancel_check
from alexnet_gui.core.language import gettext

ISSUE_COLUMNS = ("path", "given_label", "suggested_label", "score", "issue")


@dataclass(frozen=True)
class LabelIssue:
    """One image's verdict."""

    path: str
    given_label: str
    suggested_label: str
    #: cleanlab's label quality (0..1; low: probably wrong)
    score: float
    #: cleanlab flags the label as an issue
    issue: bool


def out_of_fold_probabilities(features: np.ndarray, labels: np.ndarray, classes: int, *, folds: int = 5,
                              seed: int = 0, cancel: Callable[[], bool] | None = None) -> np.ndarray | None:
    """(N, classes) probabilities, each row from a standardised logistic-regression head trained on the other
    folds (stratified, seeded); None when cancelled."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    counts = np.bincount(labels, minlength=classes)
    smallest = int(counts[counts > 0].min()) if counts.any() else 0
    if len(np.flatnonzero(counts)) < 2:
        raise UserError(gettext("finding label errors needs at least two classes"))
    k = min(folds, smallest)
    if k < 2:
        raise UserError(
            gettext("each class needs at least two labelled images to find label errors (the smallest has {n})").format(
                n=smallest
            )
        )
    probs = np.zeros((len(labels), classes))
    splitter = StratifiedKFold(n_splits=k, shuffle=True, random_state=seed)
    for train, held in splitter.split(features, labels):
        if cancel is not None and cancel():
            return None
        head = make_pipeline(StandardScaler(), LogisticRegression(C=0.1, max_iter=2000))
        head.fit(features[train], labels[train])
        probs[np.ix_(held, head.classes_)] = head.predict_proba(features[held])
    return probs


def rank_label_issues(paths: Sequence[str], labels: np.ndarray, class_names: Sequence[str], pred_probs: np.ndarray
                      ) -> list[LabelIssue]:
    """Every image with cleanlab's verdict: the flagged ones first in cleanlab's order (self-confidence), then the
    rest by quality score, lowest first."""
    from cleanlab.filter import find_label_issues
    from cleanlab.rank import get_label_quality_scores

    flagged = find_label_issues(labels, pred_probs, return_indices_ranked_by="self_confidence", n_jobs=1)
    scores = get_label_quality_scores(labels, pred_probs, method="self_confidence")
    flagged_set = set(int(i) for i in flagged)
    rest = sorted((i for i in range(len(labels)) if i not in flagged_set), key=lambda i: (scores[i], paths[i]))
    suggested = pred_probs.argmax(1)
    return [LabelIssue(paths[i], class_names[labels[i]], class_names[suggested[i]], float(scores[i]),
                       i in flagged_set) for i in [int(j) for j in flagged] + rest]


def write_issues_csv(out: Path, issues: Sequence[LabelIssue]) -> None:
    """The issues as CSV (ISSUE_COLUMNS), written to a temporary file and renamed into place."""
    import tempfile

    from alexnet_gui.core.outputs.output_paths import honour_umask
    from alexnet_gui.core.outputs.results import neutralise_cell

    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".part", dir=out.parent)
    try:
        honour_umask(fd)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f, lineterminator="\n")
            writer.writerow(ISSUE_COLUMNS)
            for it in issues:
                writer.writerow([neutralise_cell(it.path), neutralise_cell(it.given_label),
                                 neutralise_cell(it.suggested_label), f"{it.score:.6f}", "yes" if it.issue else "no"])
        os.replace(tmp, out)
    finally:
        Path(tmp).unlink(missing_ok=True)


def labelled_images(source: str | os.PathLike[str]) -> tuple[list[tuple[str, int]], tuple[str, ...]]:
    """(image, class index) pairs and the class names, from a folder of class folders or a project's human and
    folder labels."""
    from alexnet_gui.core.training.folders import scan_class_folders

    if os.path.isfile(source):
        from alexnet_gui.core.labelling.training import project_class_folders

        folders = project_class_folders(source)
    else:
        folders = scan_class_folders(source, what="label-issues")
    return folders.pairs(), folders.classes


def model_features(paths: Sequence[str], *, weights: str | None, untrained: bool, preprocess: str | None = None,
                   card: str | None = None, cancel: threading.Event | None = None,
                   on_progress: Callable[[int, int], None] | None = None, workers: int = 2
                   ) -> tuple[np.ndarray, np.ndarray, dict[str, str]] | None:
    """The base model's fc7 features of `paths` (through the training's feature cache: a later `train --mode
    head` on the same images and model reuses them), which images could be read, and why not the others; None
    when cancelled."""
    import torch
    from torch import nn

    from alexnet_gui.core.cache_paths import cache_path
    from alexnet_gui.core.model.archs import build_network
    from alexnet_gui.core.training.features import extract_features, feature_key, run_extraction
    from alexnet_gui.core.training.job import TrainRequest, open_base
    from alexnet_gui.core.training.trainer import TrainSettings

    base, state = open_base(TrainRequest("", "", TrainSettings(), weights=weights, untrained=untrained,
                                         preprocess=preprocess, card=card))
    assert base.architecture is not None  # open_base refuses an ONNX graph
    network = build_network(base.architecture)
    network.load_state_dict(state)
    trunk = nn.Sequential(network.features, network.avgpool, nn.Flatten(1), network.classifier[:6]).eval()
    # The trainer's key (`--mode head --head last`): the same paths in the same order share one cache entry.
    key = feature_key(base, "fc7", list(paths))
    found = run_extraction(extract_features(trunk, list(paths), base.preprocess, folder=cache_path("features"),
                                            key=key, device=torch.device("cpu"), workers=workers, cancel=cancel),
                           on_progress)
    if found is None:
        return None
    reader = found.reader()
    try:
        rows = reader.take(np.arange(found.rows))
    finally:
        reader.close()
    return rows, found.valid, dict(found.failed)


def find_label_issues(
    source: str | os.PathLike[str],
    *,
    weights: str | None = None,
    untrained: bool = False,
    folds: int = 5,
    seed: int = 0,
    cancel: Callable[[], bool] | threading.Event | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> tuple[list[LabelIssue], dict[str, str]] | None:
    """The label issues of a folder of class folders or a project: features, out-of-fold heads, cleanlab.
    Returns the issues (every readable image, most likely wrong first) and the unreadable images with their
    reasons; None when cancelled."""
    cancelled = cancel_check(cancel)
    event = cancel if isinstance(cancel, threading.Event) else threading.Event()
    pairs, classes = labelled_images(source)

    def progress(done: int, total: int) -> None:
        if cancelled():
            event.set()
        if on_progress is not None:
            on_progress(done, total)

    paths = [p for p, _ in pairs]
    extracted = model_features(paths, weights=weights, untrained=untrained, cancel=event, on_progress=progress)
    if extracted is None or cancelled():
        return None
    features, valid, failed = extracted
    keep = np.flatnonzero(valid)
    labels = np.array([c for _, c in pairs], dtype=np.int64)[keep]
    probs = out_of_fold_probabilities(features[keep], labels, len(classes), folds=folds, seed=seed,
                                      cancel=cancelled)
    if probs is None:
        return None
    return rank_label_issues([paths[i] for i in keep], labels, classes, probs), failed
