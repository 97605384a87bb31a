"""The 1000 ImageNet-1k category names, in class-index order.

They are torchvision's `AlexNet_Weights.IMAGENET1K_V1.meta["categories"]`, shipped as a data file so that the
ONNX path can name classes without importing torchvision; a test keeps the copy equal to the original.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files


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
        raise UserError(f"folder name {name!r} names more than one ImageNet class; rename it to one of {', '.join(ids)}")
    return index
