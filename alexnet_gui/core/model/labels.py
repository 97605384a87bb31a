"""Class names: a model's own (`Labels`, read from its card or a labels file), and ImageNet-1k's built in.

The 1000 ImageNet names are torchvision's `AlexNet_Weights.IMAGENET1K_V1.meta["categories"]`, shipped as a data file so that the
ONNX path can name classes without importing torchvision; a test keeps the copy equal to the original.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from alexnet_gui.core.language import gettext


@cache
def _load_categories() -> tuple[str, ...]:
    text = files("alexnet_gui.core").joinpath("data/imagenet_categories.txt").read_text(encoding="utf-8")
    return tuple(text.splitlines())


def __getattr__(name: str):
    # CATEGORIES is read on first use, not at import, to keep start-up free of file I/O.
    if name == "CATEGORIES":
        return _load_categories()
    raise AttributeError(name)


def category(index: int) -> str:
    """Return the category name of an ImageNet class index (0..999)."""
    return _load_categories()[index]


@cache
def _load_synsets() -> tuple[str, ...]:
    # WordNet ids of the 1000 classes; class index i is the i-th id in sorted order (copied from timm's
    # imagenet_synsets.txt, because torchvision ships no wnids).
    text = files("alexnet_gui.core").joinpath("data/imagenet_synsets.txt").read_text(encoding="utf-8")
    return tuple(text.split())


def synset(index: int) -> str:
    """Return the WordNet synset id (e.g. "n01440764") of an ImageNet class index (0..999)."""
    return _load_synsets()[index]


@cache
def _folder_name_index() -> dict[str, int | None]:
    # Keys are normalised names; None marks a name two classes share once case is ignored ("Cardigan" the corgi,
    # "cardigan" the sweater).
    table: dict[str, int | None] = {}
    for i, name in enumerate(_load_categories()):
        key = _normalise_name(name)
        table[key] = None if key in table else i
    for i, wnid in enumerate(_load_synsets()):
        table[wnid] = i
    return table


def _normalise_name(name: str) -> str:
    return " ".join(name.replace("_", " ").split()).casefold()


def index_from_folder_name(name: str) -> int | None:
    """Return the class index a folder name means (a synset id like "n02123045" or a class name such as
    "tabby" or "Egyptian_cat", case-insensitive), or None when it names no class.

    A name shared by two classes once case is ignored ("cardigan") raises UserError: only the synset id is unambiguous.
    """
    from alexnet_gui.core.errors import UserError

    key = _normalise_name(name)
    table = _folder_name_index()
    if key not in table:
        return None
    index = table[key]
    if index is None:
        ids = [synset(i) for i, c in enumerate(_load_categories()) if _normalise_name(c) == key]
        raise UserError(
            gettext("folder name {name!r} names more than one ImageNet class; rename it to one of {join}").format(
                name=name, join=", ".join(ids)
            )
        )
    return index


# --- A model's own labels ------------------------------------------------------------------------------------

#: The sources of the names the app makes up itself, when a model came without labels.
IMAGENET_SOURCE = "ImageNet-1k (torchvision's names)"
NUMBERED_SOURCE = "none found: classes are numbered"

#: Files beside a weights file that are read as its labels, in this order of preference.
LABEL_FILE_NAMES = ("class_indices.json", "labels.json", "labels.txt", "classes.txt", "synset.txt", "synset_words.txt")


@dataclass(frozen=True)
class Labels:
    """A model's class names in class-index order, with WordNet ids where known, and where they came from."""

    names: tuple[str, ...]
    synsets: tuple[str, ...] | None = None
    source: str = "built in"

    def __len__(self) -> int:
        return len(self.names)

    def name(self, index: int) -> str:
        """The name of class `index`."""
        return self.names[index]

    def index_from_folder_name(self, name: str) -> int | None:
        """The class a folder name means: a class name (case, spaces and underscores ignored) or a synset id; None
        when it names none. A name two classes share raises UserError naming the ids that tell them apart."""
        from alexnet_gui.core.errors import UserError

        if self.is_imagenet():
            return index_from_folder_name(name)
        key = _normalise_name(name)
        if self.synsets and name in self.synsets:
            return self.synsets.index(name)
        matches = [i for i, n in enumerate(self.names) if _normalise_name(n) == key]
        if len(matches) > 1:
            raise UserError(
                gettext("folder name {name!r} names more than one class of this model (classes {join})").format(
                    name=name, join=", ".join(map(str, matches))
                )
            )
        return matches[0] if matches else None

    def is_imagenet(self) -> bool:
        """Whether these are the 1000 ImageNet classes in torchvision's order."""
        return self.names == _load_categories()

    def to_dict(self) -> dict:
        """JSON-ready: the card schema's "labels" object."""
        out: dict = {"names": list(self.names), "source": self.source}
        if self.synsets:
            out["synsets"] = list(self.synsets)
        return out

    @classmethod
    def from_dict(cls, data, *, where: str = "card") -> Labels:
        """Read `to_dict`'s form; one UserError for anything else."""
        from alexnet_gui.core.errors import UserError

        if not isinstance(data, dict) or not isinstance(data.get("names"), list) or not all(
                isinstance(n, str) for n in data["names"]):
            raise UserError(gettext('{where}: labels must be an object with a list of names').format(where=where))
        synsets = data.get("synsets")
        if synsets is not None and (not isinstance(synsets, list) or len(synsets) != len(data["names"])
                                    or not all(isinstance(n, str) for n in synsets)):
            raise UserError(gettext('{where}: labels.synsets must list one id per name').format(where=where))
        return cls(tuple(data["names"]), tuple(synsets) if synsets else None, str(data.get("source", where)))


def imagenet_labels() -> Labels:
    """The 1000 ImageNet-1k classes (torchvision's names, WordNet ids)."""
    return Labels(_load_categories(), _load_synsets(), IMAGENET_SOURCE)


def numbered_labels(count: int) -> Labels:
    """Names "class 0" .. "class N-1", for a model that came without labels."""
    return Labels(tuple(f"class {i}" for i in range(count)), None, NUMBERED_SOURCE)


def default_labels(count: int) -> Labels:
    """ImageNet's names for a 1000-class model, numbered names otherwise."""
    return imagenet_labels() if count == 1000 else numbered_labels(count)


def read_labels_file(path: str | os.PathLike[str]) -> Labels:
    """Read a labels file: JSON {"0": "daisy", ...} (class_indices.json) or a list; text with one name per line;
    or Caffe's synset.txt ("n01440764 tench, Tinca tinca"). One UserError for a file that is none of these."""
    import re

    from alexnet_gui.core.errors import UserError
    from alexnet_gui.core.small_files import MAX_LABELS_BYTES, SmallFileError, loads, read_text

    path = os.fspath(path)
    try:
        text = read_text(path, MAX_LABELS_BYTES, "utf-8-sig")
    except (OSError, ValueError) as exc:
        raise UserError(
            gettext("cannot read labels file {path} ({value})").format(
                path=path, value=getattr(exc, "strerror", None) or exc
            )
        ) from None
    source = f"file {path}"
    if path.lower().endswith(".json"):
        try:
            data = loads(text)
        except SmallFileError as exc:
            raise UserError(gettext("cannot read labels file {path} ({value})").format(path=path, value=exc)) from None
        except ValueError as exc:
            raise UserError(
                gettext("labels file {path} is not valid JSON ({exc})").format(path=path, exc=exc)
            ) from None
        if isinstance(data, list) and all(isinstance(n, str) for n in data):
            names = data
        elif isinstance(data, dict):
            try:
                indices = sorted((int(k), v) for k, v in data.items())
            except ValueError:
                raise UserError(
                    gettext('labels file {path}: keys must be class indices ("0", "1", ...)').format(path=path)
                ) from None
            if [i for i, _ in indices] != list(range(len(indices))) or not all(isinstance(v, str) for _, v in indices):
                raise UserError(
                    gettext("labels file {path}: classes must be numbered 0 to {value}, each with a name").format(
                        path=path, value=len(indices) - 1
                    )
                )
            names = [v for _, v in indices]
        else:
            raise UserError(
                gettext("labels file {path} must hold a list of names or an object of index: name").format(path=path)
            )
        return Labels(tuple(names), None, source)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        raise UserError(gettext('labels file {path} is empty').format(path=path))
    synset_line = re.compile(r"^(n\d{8})\s+(.+)$")
    matches = [synset_line.match(line) for line in lines]
    if all(matches):
        return Labels(tuple(m.group(2).split(",")[0].strip() for m in matches if m),
                      tuple(m.group(1) for m in matches if m), source)
    return Labels(tuple(lines), None, source)


def labels_beside(weights_path: str | os.PathLike[str]) -> Labels | None:
    """The labels file in the weights file's folder (see LABEL_FILE_NAMES), read; None when there is none."""
    folder = os.path.dirname(os.path.abspath(weights_path))
    for name in LABEL_FILE_NAMES:
        candidate = os.path.join(folder, name)
        if os.path.isfile(candidate):
            return read_labels_file(candidate)
    return None
