"""Choose a model's card: from its file, what lies beside it and what the user said.

Order, first that applies: a card sidecar (`model.pth.card.json`, or `card.json` in the model's folder); the
built-in card of torchvision's ImageNet file (found by name); for a PyTorch or Keras file the architecture its
shapes show, with that family's own preprocessing. Labels come from `--labels FILE`, else the card, else a labels
file beside the weights (`class_indices.json`, `labels.txt`, `classes.txt`, `synset.txt`), else ImageNet's for
1000 classes and numbered names otherwise. `--preprocess NAME|FILE` replaces the recipe. Each choice is written in
the card's notes, so the summary shows a wrong guess. ONNX graphs get their cards in `onnx_cards.py`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from alexnet_gui.core.language import gettext
from alexnet_gui.core.model.archs import TORCHVISION_ARCH, Architecture, detect_architecture
from alexnet_gui.core.model.card import ModelCard, read_card, sidecar_path
from alexnet_gui.core.model.choice import WeightsChoice, WeightsError
from alexnet_gui.core.model.labels import (
    IMAGENET_SOURCE,
    NUMBERED_SOURCE,
    Labels,
    default_labels,
    imagenet_labels,
    labels_beside,
    read_labels_file,
)
from alexnet_gui.core.model.preprocess import (
    ALEXNET2012,
    KERAS_TUTORIAL,
    TORCHVISION,
    TUTORIAL,
    Recipe,
    load_recipe,
)
from alexnet_gui.core.model.weights import TORCHVISION_FILE_NAMES

#: Each family's own recipe, used when nothing says otherwise (the source of the family's layout).
FAMILY_RECIPES: dict[str, Recipe] = {
    "torchvision": TORCHVISION, "half-width": TUTORIAL, "alexnet2012": ALEXNET2012, "keras": KERAS_TUTORIAL,
}


#: the sources of names the app makes up itself (ImageNet's for 1000 classes, numbers otherwise); constants, so
#: importing this module reads no label file (the command line's way to its first decode stays free of file I/O)
DEFAULT_LABEL_SOURCES = (IMAGENET_SOURCE, NUMBERED_SOURCE)


@dataclass(frozen=True)
class CardChoices:
    """What the user said about the model: a labels file, a preprocessing preset or file, a card file."""

    labels: str | None = None
    preprocess: str | None = None
    card: str | None = None


NO_CHOICES = CardChoices()


def torchvision_card(source: str = "torchvision AlexNet_Weights.IMAGENET1K_V1", sha256: str = "",
                     fmt: str = "pth", name: str = "torchvision-imagenet1k-v1") -> ModelCard:
    """The built-in card: torchvision's ImageNet AlexNet (1000 classes, its transforms)."""
    return ModelCard(name, TORCHVISION_ARCH, imagenet_labels(), TORCHVISION, "logits", None, source, sha256, fmt,
                     ("card: built in (torchvision's IMAGENET1K_V1 weights)",))


def untrained_card() -> ModelCard:
    """The seeded random network's card (torchvision's layout and ImageNet's names: predictions mean nothing)."""
    return ModelCard("untrained-seed0", TORCHVISION_ARCH, imagenet_labels(), TORCHVISION, "logits", None,
                     "untrained seeded random network — predictions are meaningless", "", "untrained",
                     ("card: built in (the untrained network)",))


def card_sidecar_for(path: Path) -> Path | None:
    """The card file that describes a model file: `NAME.card.json` beside it, or `card.json` in its folder."""
    for candidate in (sidecar_path(path), path.parent / "card.json"):
        if candidate.is_file():
            return candidate
    return None


def card_for_state(path: Path, shapes: dict, sha256: str, fmt: str = "pth",
                   arch: Architecture | None = None) -> ModelCard:
    """The card a state_dict's own shapes give (architecture detected; the family's recipe; default labels)."""
    note_arch = (
        "architecture: read from the Keras file" if arch is not None else "architecture: from the weights' shapes"
    )
    if arch is None:
        arch, _ = detect_architecture(shapes, where=str(path))
    recipe = FAMILY_RECIPES.get(arch.family, TORCHVISION)
    if recipe.crop != arch.input_size:
        size = max(recipe.size, arch.input_size) if recipe.resize == "short-side" else arch.input_size
        recipe = replace(recipe, size=size, crop=arch.input_size)
    name = path.name.split(".")[0]
    return ModelCard(name, arch, default_labels(arch.classes), recipe, "logits", None, f"file {path}", sha256, fmt,
                     (note_arch, f"preprocessing: the {arch.family} family's own ({recipe.name})",
                      f"labels: {default_labels(arch.classes).source}"))


def check_choices(choices: CardChoices) -> None:
    """Read the user's card, labels and recipe files once, so that a file refused is refused before any model
    loads (the loader reads them again: they are small, and capped by `small_files`)."""
    if choices.card:
        read_card(choices.card)
    if choices.labels:
        read_labels_file(choices.labels)
    if choices.preprocess:
        load_recipe(choices.preprocess)


def apply_choices(card: ModelCard, choices: CardChoices, weights_path: Path | None) -> ModelCard:
    """The card after the user's --card, --labels and --preprocess, and a labels file beside the weights."""
    if choices.card:
        card = _merge_card(card, read_card(choices.card))
    if choices.labels:
        card = card.with_labels(_checked(read_labels_file(choices.labels), card), f"--labels {choices.labels}")
    elif weights_path is not None and card.labels.source in DEFAULT_LABEL_SOURCES:
        # Only names the app supplied itself give way to a labels file: a card's own names stay.
        beside = labels_beside(weights_path)
        if beside is not None:
            card = card.with_labels(_checked(beside, card), f"{beside.source} beside the weights")
    if choices.preprocess:
        card = card.with_preprocess(load_recipe(choices.preprocess), f"--preprocess {choices.preprocess}")
    return card


def _checked(labels: Labels, card: ModelCard) -> Labels:
    if len(labels) != card.classes:
        raise WeightsError(
            gettext("the labels in {removeprefix} name {n_labels} classes, but the model has {classes}").format(
                removeprefix=labels.source.removeprefix("file "), n_labels=len(labels), classes=card.classes
            )
        )
    return labels


def _merge_card(found: ModelCard, given: ModelCard) -> ModelCard:
    """A card file the user names: its labels, recipe and output describe the weights, which keep their own
    architecture and hash."""
    if found.architecture is not None and given.architecture is not None and (
            given.architecture.classes != found.architecture.classes):
        raise WeightsError(
            gettext("the card names {classes} classes, but the model has {classes2}").format(
                classes=given.architecture.classes, classes2=found.architecture.classes
            )
        )
    return replace(found, name=given.name, labels=given.labels, preprocess=given.preprocess, output=given.output,
                   notes=found.notes + given.notes)


def is_torchvision_file(path: Path) -> bool:
    """Whether a file is torchvision's ImageNet AlexNet by its published name (today's or the older one)."""
    return path.name in TORCHVISION_FILE_NAMES


def quick_base_card(choice: WeightsChoice | None) -> ModelCard | None:
    """The base card when it is known without reading the weights (built in, or a sidecar); None otherwise."""
    if choice is None:
        return None
    if choice.kind == "untrained":
        return untrained_card()
    if choice.path is None or choice.kind == "onnx":
        return None
    sidecar = card_sidecar_for(choice.path)
    if sidecar is not None:
        return replace(read_card(sidecar), source=choice.source)
    if choice.kind == "pth" and is_torchvision_file(choice.path):
        return torchvision_card(choice.source)
    return None


def quick_card(choice: WeightsChoice | None, choices: CardChoices = NO_CHOICES) -> ModelCard | None:
    """The card (after the user's choices) when it is known without reading the weights; None otherwise.

    The command line starts decoding with this recipe while the model loads."""
    base = quick_base_card(choice)
    return apply_choices(base, choices, choice.path) if base is not None and choice is not None else None


def open_state_model(choice: WeightsChoice) -> tuple[ModelCard, dict]:
    """Read a PyTorch or Keras file (or make the untrained network) and return its base card (before the user's
    choices: see `apply_choices`) and torch state_dict, renamed onto the builder's keys."""
    import torch

    from alexnet_gui.core.model.weights import memoised_sha256, untrained_state_dict

    if choice.kind == "untrained":
        return untrained_card(), untrained_state_dict(0)
    if choice.kind not in ("pth", "keras"):
        raise WeightsError(gettext('{source} is not a PyTorch or Keras file').format(source=choice.source))
    path = choice.path
    assert path is not None
    sha = memoised_sha256(path)
    sidecar = card_sidecar_for(path)
    if choice.kind == "keras":
        from alexnet_gui.core.model.keras_files import read_keras_model

        keras = read_keras_model(path)
        state = {k: torch.from_numpy(v) for k, v in keras.state.items()}
        card = card_for_state(path, {}, sha, "keras", keras.architecture)
        if keras.ends_in_softmax:
            # The app applies its own softmax to logits: the file's final Softmax layer is left out, not doubled.
            card = replace(card, notes=card.notes + ("output: the Keras model's Softmax is applied by the app",))
    else:
        from alexnet_gui.core.model.checkpoints import load_state_dict

        raw = load_state_dict(path)
        shapes = {k: tuple(v.shape) for k, v in raw.items()}
        arch, renames = detect_architecture(shapes, where=str(path))
        state = {renames[k]: v for k, v in raw.items()}
        if is_torchvision_file(path) and arch == TORCHVISION_ARCH:
            card = torchvision_card(choice.source, sha)
        else:
            card = card_for_state(path, shapes, sha)
    if sidecar is not None:
        given = read_card(sidecar)
        if given.architecture is not None and given.architecture.classes != card.classes:
            raise WeightsError(
                gettext("the card {sidecar} names {classes} classes, but {name} has {classes2}").format(
                    sidecar=sidecar, classes=given.architecture.classes, name=path.name, classes2=card.classes
                )
            )
        arch_from_card = given.architecture or card.architecture
        card = replace(given, architecture=arch_from_card, sha256=sha, source=choice.source)
    return card, state

