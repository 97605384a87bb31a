"""Accuracy on a labelled folder: sub-folders named by one of the model's classes (its card's labels: a class name,
or a synset id where the labels have them) hold its images.

With the ImageNet validation set in that layout (`val/n01440764/*.JPEG`, ...), torchvision's weights should score
the published acc@1 56.522 % and acc@5 79.066 %.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from alexnet_gui.core.errors import UserError
from alexnet_gui.core.language import gettext
from alexnet_gui.core.outputs.results import Result
from alexnet_gui.core.wording import counted

if TYPE_CHECKING:
    from alexnet_gui.core.model.labels import Labels


@dataclass(frozen=True)
class LabelledImages:
    """The images of a labelled folder with their true class, and the sub-folders that name no class."""

    truth: dict[str, int]
    ignored_folders: tuple[str, ...]
    #: images directly in the folder, in no class sub-folder: their class is unknown, so they are not evaluated
    loose_images: tuple[str, ...] = ()

    @property
    def paths(self) -> list[str]:
        return list(self.truth)


def find_labelled_images(folder: str | os.PathLike[str], labels: Labels | None = None) -> LabelledImages:
    """Map every image under each class-named sub-folder of `folder` to that class's index in `labels` (the
    model's; ImageNet's when None).

    Sub-folders are matched by synset id (`n02123045`) or class name (`tabby`, `Egyptian_cat`, `daisy`); images
    are found recursively inside them. Raises UserError when no sub-folder names one of the classes.
    """
    from alexnet_gui.core.model.labels import imagenet_labels
    from alexnet_gui.core.pipeline.engine import iter_image_paths

    labels = labels or imagenet_labels()
    what = "an ImageNet class" if labels.is_imagenet() else "one of the model's classes"
    root = os.fspath(folder)
    if not os.path.isdir(root):
        raise UserError(gettext('{root} is not a folder').format(root=root))
    truth: dict[str, int] = {}
    ignored: list[str] = []
    from alexnet_gui.core.pipeline.images import IMAGE_EXTENSIONS

    with os.scandir(root) as it:
        entries = [e for e in it if not e.name.startswith(".")]
    subfolders = sorted(e.name for e in entries if e.is_dir())
    loose = sorted(
        e.path for e in entries if not e.is_dir() and os.path.splitext(e.name)[1].lower() in IMAGE_EXTENSIONS
    )
    for name in subfolders:
        index = labels.index_from_folder_name(name)
        if index is None:
            ignored.append(name)
            continue
        for path in iter_image_paths([os.path.join(root, name)]):
            truth[path] = index
    if not truth:
        if ignored:
            example = "synset id like n02123045 or a class name like tabby" if labels.is_imagenet() else (
                f"e.g. {', '.join(labels.names[:3])}")
            raise UserError(
                gettext("no sub-folder of {root} is named by {what} ({example}); found {join}{value}").format(
                    root=root,
                    what=what,
                    example=example,
                    join=", ".join(ignored[:5]),
                    value=", ..." if len(ignored) > 5 else "",
                )
            )
        raise UserError(
            gettext("{root} has no class sub-folders with images (expected e.g. {root}/n02123045/*.jpg)").format(
                root=root
            )
        )
    return LabelledImages(truth, tuple(ignored), tuple(loose))


def restrict_to_list(found: LabelledImages, list_file: str | os.PathLike[str]) -> LabelledImages:
    """Only the images `list_file` names (one path a line, as a training's validation.txt has them); a listed
    image that is not under a class folder is a UserError naming it."""
    from pathlib import Path

    try:
        # surrogateescape: a listed file name that is not UTF-8 is read as the name it is (validation.txt writes so)
        text = Path(list_file).read_text(encoding="utf-8", errors="surrogateescape")
        listed = [line.strip() for line in text.splitlines() if line.strip()]
    except OSError as exc:
        raise UserError(
            gettext("cannot read --files {list_file} ({value})").format(list_file=list_file, value=exc.strerror or exc)
        ) from None
    by_absolute = {os.path.abspath(path): path for path in found.truth}
    missing = [p for p in listed if os.path.abspath(p) not in by_absolute]
    if missing:
        raise UserError(
            gettext("{counted} in {list_file} not found in a class folder, e.g. {value}").format(
                counted=counted(len(missing), "image"), list_file=list_file, value=missing[0]
            )
        )
    truth = {by_absolute[os.path.abspath(p)]: found.truth[by_absolute[os.path.abspath(p)]] for p in listed}
    return LabelledImages(truth, found.ignored_folders, ())


@dataclass
class ClassScore:
    """Counts for one true class."""

    images: int = 0
    top1: int = 0
    top5: int = 0

    @property
    def top1_accuracy(self) -> float:
        return self.top1 / self.images if self.images else 0.0

    @property
    def top5_accuracy(self) -> float:
        return self.top5 / self.images if self.images else 0.0


@dataclass
class Evaluation(ClassScore):
    """Top-1/top-5 accuracy over the images that could be read, per class, and the confusions."""

    failed: list[Result] = field(default_factory=list)
    per_class: dict[int, ClassScore] = field(default_factory=dict)
    #: (true class, predicted top-1) → count, for wrong top-1 answers only
    confusions: Counter[tuple[int, int]] = field(default_factory=Counter)
    #: (path, true class, predicted top-1) of every image scored, in order: what the confusion matrix's cells hold
    records: list[tuple[str, int, int]] = field(default_factory=list)

    def add(self, result: Result, true_index: int) -> None:
        """Count one result against its true class."""
        if not result.ok:
            self.failed.append(result)
            return
        predicted = [p.index for p in result.top]
        score = self.per_class.setdefault(true_index, ClassScore())
        hit1 = predicted[:1] == [true_index]
        hit5 = true_index in predicted[:5]
        self.images += 1
        self.top1 += hit1
        self.top5 += hit5
        score.images += 1
        score.top1 += hit1
        score.top5 += hit5
        if not hit1:
            self.confusions[(true_index, predicted[0])] += 1
        self.records.append((result.path, true_index, predicted[0]))

    def most_confused(self, n: int = 10) -> list[tuple[int, int, int]]:
        """Return up to n (true class, predicted class, count) pairs, most frequent first."""
        pairs = sorted(self.confusions.items(), key=lambda kv: (-kv[1], kv[0]))
        return [(t, p, c) for (t, p), c in pairs[:n]]


def evaluate_results(results: Iterable[Result], truth: dict[str, int]) -> Evaluation:
    """Score results (top-k of at least 5 for a meaningful top-5) against {path: true class index}."""
    evaluation = Evaluation()
    for result in results:
        evaluation.add(result, truth[result.path])
    return evaluation


def trained_on_warning(card, folder: str | os.PathLike[str]) -> str | None:
    """One sentence when `folder` holds images the card's model was trained on (its training record names that
    folder, one inside it, or one around it): accuracy there overstates accuracy on new images. None otherwise."""
    data = (card.training or {}).get("data") if card is not None else None
    if not data:
        return None
    try:
        asked, trained = Path(folder).resolve(), Path(data).resolve()
    except OSError:
        return None
    if asked != trained and trained not in asked.parents and asked not in trained.parents:
        return None
    return gettext("these images include the ones the model was trained on ({data}): the accuracy below overstates "
                   "how it does on images it has not seen").format(data=data)


def format_evaluation(evaluation: Evaluation, *, confused: int = 10, labels: Labels | None = None) -> str:
    """Return the report the command line prints and the app shows: totals, per-class table, confused pairs,
    classes named by `labels` (the model's; ImageNet's when None)."""
    from alexnet_gui.core.model.labels import imagenet_labels

    labels = labels or imagenet_labels()

    def category(index: int) -> str:
        return labels.name(index)

    def synset(index: int) -> str:
        return labels.synsets[index] if labels.synsets else f"{index:>4}"

    # With five classes or fewer every image is in its top five: a top-5 figure (always 100 %) says nothing.
    top5 = len(labels) > 5
    lines = [
        gettext("images: {images} classified, {n_failed} could not be read").format(
            images=evaluation.images, n_failed=len(evaluation.failed)
        ),
        gettext("top-1 accuracy: {value:.3f}% ({top1}/{images})").format(
            value=100 * evaluation.top1_accuracy, top1=evaluation.top1, images=evaluation.images
        ),
    ]
    if top5:
        lines.append(gettext("top-5 accuracy: {value:.3f}% ({top5}/{images})").format(
            value=100 * evaluation.top5_accuracy, top5=evaluation.top5, images=evaluation.images
        ))
    lines += ["", gettext("per class (worst top-1 first):"), (
        gettext("  {top1:>7}  {top5:>7}  {images:>6}  class").format(
            top1="top-1", top5="top-5", images=gettext("images")) if top5 else
        gettext("  {top1:>7}  {images:>6}  class").format(top1="top-1", images=gettext("images")))]
    worst_first = sorted(evaluation.per_class.items(), key=lambda kv: (kv[1].top1_accuracy, kv[0]))
    for index, score in worst_first:
        lines.append(
            f"  {100 * score.top1_accuracy:6.1f}%  " + (f"{100 * score.top5_accuracy:6.1f}%  " if top5 else "")
            + f"{score.images:6d}  {synset(index)} {category(index)}"
        )
    pairs = evaluation.most_confused(confused)
    if pairs:
        lines += ["", gettext("most confused (true → predicted as, count):")]
        lines += [f"  {category(t)} → {category(p)}: {c}" for t, p, c in pairs]
    return "\n".join(lines)
