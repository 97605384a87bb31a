"""A training set from labelled folders: one sub-folder per class (torchvision's ImageFolder layout, nested folders
inside a class counting for it), and the seeded, stratified validation split.

Classes are the sub-folders' names in sorted order (ImageFolder's rule), so class index i is the i-th name.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from alexnet_gui.core.errors import UserError
from alexnet_gui.core.language import gettext
from alexnet_gui.core.wording import counted


@dataclass(frozen=True)
class ClassFolders:
    """The classes found under a folder and the images of each, in sorted order."""

    root: str
    classes: tuple[str, ...]
    images: tuple[tuple[str, ...], ...]  # images[i]: the files of class i
    #: images directly in the root, in no class folder (their class is unknown: not used)
    loose: tuple[str, ...] = ()
    #: class sub-folders that hold no image (not used)
    empty: tuple[str, ...] = ()

    @property
    def counts(self) -> tuple[int, ...]:
        """Images per class."""
        return tuple(len(files) for files in self.images)

    @property
    def total(self) -> int:
        """Images in all classes."""
        return sum(self.counts)

    def imbalance(self) -> float:
        """The largest class's count over the smallest's (1.0: balanced)."""
        smallest = min(self.counts, default=0)
        return max(self.counts) / smallest if smallest else 1.0

    def describe(self) -> list[str]:
        """One line per class ("  cats  120 images"), for the terminal and the app before training starts."""
        width = max(len(name) for name in self.classes)
        return [f"  {name:<{width}}  {counted(n, 'image')}" for name, n in zip(self.classes, self.counts)]

    def pairs(self) -> list[tuple[str, int]]:
        """Every (image, class index), class by class."""
        return [(path, i) for i, files in enumerate(self.images) for path in files]


def scan_class_folders(folder: str | os.PathLike[str], *, what: str = "training") -> ClassFolders:
    """Find the classes and their images under `folder`; one UserError for a folder not in the layout."""
    from alexnet_gui.core.pipeline.engine import iter_image_paths
    from alexnet_gui.core.pipeline.images import IMAGE_EXTENSIONS

    root = os.fspath(folder)
    if not os.path.isdir(root):
        raise UserError(gettext('{root} is not a folder').format(root=root))
    try:
        with os.scandir(root) as it:
            entries = sorted((e for e in it if not e.name.startswith(".")), key=lambda e: e.name)
    except OSError as exc:
        from alexnet_gui.core.errors import describe_os_error

        raise UserError(
            gettext("cannot read {root} ({describe_os_error})").format(
                root=root, describe_os_error=describe_os_error(exc)
            )
        ) from None
    subfolders = [e for e in entries if e.is_dir()]
    loose = tuple(e.path for e in entries
                  if not e.is_dir() and os.path.splitext(e.name)[1].lower() in IMAGE_EXTENSIONS)
    classes, images, empty = [], [], []
    for entry in subfolders:
        files = tuple(iter_image_paths([entry.path]))
        if files:
            classes.append(entry.name)
            images.append(files)
        else:
            empty.append(entry.name)
    layout = f"{what} needs one sub-folder of images per class ({root}/cats/*.jpg, {root}/dogs/*.jpg, ...)"
    if not classes:
        found = f"{counted(len(loose), 'image')} directly in it" if loose else "no images in class sub-folders"
        raise UserError(
            gettext("{root} is not a folder of class folders: {layout}; it has {found}").format(
                root=root, layout=layout, found=found
            )
        )
    return ClassFolders(root, tuple(classes), tuple(images), loose, tuple(empty))


def check_trainable(folders: ClassFolders, *, with_val_folder: bool = False) -> None:
    """Refuse what cannot be trained on: a single class, or a class with fewer than two images."""
    if len(folders.classes) < 2:
        raise UserError(
            gettext("{root} has only one class ({value}): training needs at least two class sub-folders").format(
                root=folders.root, value=folders.classes[0]
            )
        )
    need = 1 if with_val_folder else 2
    for name, count in zip(folders.classes, folders.counts):
        if count < need:
            raise UserError(
                gettext(
                    "class {name!r} has {counted} ({join}): each class needs at least two, one to train on and one to validate with"
                ).format(name=name, counted=counted(count, "image"), join=os.path.join(folders.root, name))
            )


@dataclass(frozen=True)
class Split:
    """Which images train and which validate, each as (path, class index)."""

    train: tuple[tuple[str, int], ...]
    val: tuple[tuple[str, int], ...]
    #: how it was made, for the card's provenance ("--val FOLDER" or "stratified 20% of FOLDER, seed 0")
    how: str

    def counts(self, classes: int) -> tuple[list[int], list[int]]:
        """Images per class in the training and validation parts."""
        train, val = [0] * classes, [0] * classes
        for _, i in self.train:
            train[i] += 1
        for _, i in self.val:
            val[i] += 1
        return train, val


def split_stratified(folders: ClassFolders, fraction: float, seed: int) -> Split:
    """Hold out `fraction` of each class for validation (at least one image, and at least one left to train on),
    chosen by a seeded shuffle so the same seed gives the same split.

    By hand rather than scikit-learn's StratifiedShuffleSplit: that one refuses a class smaller than the number of
    splits and would make scikit-learn a dependency of the app for ten lines."""
    import numpy as np

    if not 0.0 < fraction < 1.0:
        raise UserError(
            gettext("--val-split must be between 0 and 1 (exclusive), not {fraction}").format(fraction=fraction)
        )
    rng = np.random.default_rng(seed)
    train: list[tuple[str, int]] = []
    val: list[tuple[str, int]] = []
    for index, files in enumerate(folders.images):
        order = rng.permutation(len(files))
        held = min(max(1, round(fraction * len(files))), len(files) - 1)
        chosen = set(order[:held].tolist())
        for j, path in enumerate(files):
            (val if j in chosen else train).append((path, index))
    return Split(tuple(train), tuple(val), f"stratified {100 * fraction:g}% of {folders.root}, seed {seed}")


def split_by_folder(train: ClassFolders, val: ClassFolders) -> Split:
    """Validation from its own folder; its classes must be among the training folder's."""
    unknown = [name for name in val.classes if name not in train.classes]
    if unknown:
        raise UserError(
            gettext("the validation folder {root} has classes the training folder lacks: {join}{value}").format(
                root=val.root, join=", ".join(unknown[:5]), value=", ..." if len(unknown) > 5 else ""
            )
        )
    index = {name: i for i, name in enumerate(train.classes)}
    pairs = tuple((path, index[name]) for name, files in zip(val.classes, val.images) for path in files)
    return Split(tuple(train.pairs()), pairs, f"--val {val.root}")
