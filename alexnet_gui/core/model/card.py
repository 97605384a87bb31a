"""The model card: one frozen record of what belongs together for one model (after torchvision's `Weights`).

Architecture, labels, preprocessing, output kind, batch limit, source and SHA-256 travel together from the
loader through the backends, the engine, the results, the CSV's provenance, the views and the app; nothing
downstream assumes 1000 classes, 224 pixels or ImageNet's statistics. A card is written as JSON (schema
`alexnet-gui.card/1`, documented in docs/formats.md) beside every export, and read back from such a sidecar.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from alexnet_gui.core.errors import UserError
from alexnet_gui.core.language import gettext
from alexnet_gui.core.model.archs import Architecture
from alexnet_gui.core.model.labels import Labels
from alexnet_gui.core.model.preprocess import Recipe

SCHEMA = "alexnet-gui.card/1"
OUTPUT_KINDS = ("logits", "probabilities")
#: The sidecar a folder or an export carries: `model.onnx` → `model.onnx.card.json`, or `card.json` in a folder.
SIDECAR_SUFFIX = ".card.json"


@dataclass(frozen=True)
class ModelCard:
    """Everything the app needs to run one model and say what it ran."""

    name: str
    architecture: Architecture | None  # None: an ONNX graph the app did not build (its layers are its own)
    labels: Labels
    preprocess: Recipe
    output: str = "logits"
    #: the most images one model call takes (an ONNX graph with a fixed batch); None: any number
    batch_limit: int | None = None
    #: where the weights came from, in words
    source: str = ""
    sha256: str = ""
    #: "pth", "onnx", "keras" or "untrained"
    format: str = "pth"
    #: how each part was chosen, for the user who needs to see a wrong guess ("labels: class_indices.json beside
    #: the weights")
    notes: tuple[str, ...] = field(default=())
    #: how `alexnet-gui train` made the model (data, counts, split, settings, metrics per epoch, versions); None for
    #: a model trained elsewhere. Left out of equality: two cards of the same weights are the same card.
    training: Mapping[str, Any] | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.output not in OUTPUT_KINDS:
            raise UserError(
                gettext("card {name!r}: output must be logits or probabilities, not {output!r}").format(
                    name=self.name, output=self.output
                )
            )
        if self.architecture is not None and len(self.labels) != self.architecture.classes:
            raise UserError(
                gettext("the labels ({source}) name {n_labels} classes, but the model has {classes}").format(
                    source=self.labels.source, n_labels=len(self.labels), classes=self.architecture.classes
                )
            )
        if self.architecture is not None and self.preprocess.input_size != self.architecture.input_size:
            if not self.architecture.avgpool:
                raise UserError(
                    gettext(
                        "preprocessing {name!r} makes {input_size}-pixel inputs, but this {family} network takes {input_size2}"
                    ).format(
                        name=self.preprocess.name,
                        input_size=self.preprocess.input_size,
                        family=self.architecture.family,
                        input_size2=self.architecture.input_size,
                    )
                )

    @property
    def classes(self) -> int:
        """How many classes the model tells apart."""
        return len(self.labels)

    @property
    def input_size(self) -> int:
        """The side of the square input the model is fed."""
        return self.preprocess.input_size

    @property
    def card_id(self) -> str:
        """A short id for rows and provenance: the name and the first 8 hex of the weights' SHA-256."""
        return f"{self.name}@{self.sha256[:8]}" if self.sha256 else self.name

    def layer_names(self) -> tuple[str, ...]:
        """The layers a view can show (none for an ONNX graph the app did not build)."""
        return self.architecture.layer_names() if self.architecture is not None else ()

    def unit_layers(self) -> tuple[str, ...]:
        """The layers whose units the insight views offer: `layer_names`, then fc6 and fc7."""
        return self.architecture.unit_layers() if self.architecture is not None else ()

    def with_labels(self, labels: Labels, note: str) -> ModelCard:
        """This card with other labels (checked against the class count)."""
        return replace(self, labels=labels, notes=_renote(self.notes, "labels", note))

    def with_preprocess(self, recipe: Recipe, note: str) -> ModelCard:
        """This card with another preprocessing recipe."""
        return replace(self, preprocess=recipe, notes=_renote(self.notes, "preprocessing", note))

    def summary_lines(self) -> list[str]:
        """What `model-info` and the command line's summary print: one fact a line."""
        lines = [
            gettext("model: {card_id} ({format}; {source})").format(
                card_id=self.card_id, format=self.format, source=self.source
            )
        ]
        if self.architecture is not None:
            lines.append(gettext('architecture: {describe}').format(describe=self.architecture.describe()))
        else:
            lines.append(gettext('architecture: ONNX graph, {input_size} px input').format(input_size=self.input_size))
        lines.append(gettext('classes: {classes} ({source})').format(classes=self.classes, source=self.labels.source))
        lines.append(gettext('preprocessing: {describe}').format(describe=self.preprocess.describe()))
        lines.append(
            gettext("output: {output}").format(output=self.output)
            + (
                gettext(", at most {batch_limit} images a call").format(batch_limit=self.batch_limit)
                if self.batch_limit
                else ""
            )
        )
        if self.sha256:
            lines.append(gettext('sha256: {sha256}').format(sha256=self.sha256))
        lines += [gettext('chosen: {note}').format(note=note) for note in self.notes]
        if self.training:
            t = self.training
            best = t.get("best_val_accuracy")
            lines.append(
                gettext("trained: on {data} ({split}), best epoch {best} of {epochs}").format(
                    data=t.get("data"), split=t.get("split"), best=t.get("best_epoch"), epochs=t.get("epochs_run")
                )
                + (gettext(", validation accuracy {value:.2f}%").format(value=100 * best) if best is not None else "")
            )
            report = t.get("validation_report")
            if report:
                lines.append(
                    gettext("validated: {top1}/{images} correct ({accuracy:.2f}%) on the saved model").format(
                        top1=report["top1"],
                        images=report["images"],
                        accuracy=100 * report["top1"] / max(report["images"], 1),
                    )
                )
        return lines

    def to_dict(self) -> dict[str, Any]:
        """The card as JSON-ready data (schema `alexnet-gui.card/1`)."""
        return {
            "schema": SCHEMA,
            "name": self.name,
            "format": self.format,
            "architecture": self.architecture.to_dict() if self.architecture is not None else None,
            "labels": self.labels.to_dict(),
            "preprocess": self.preprocess.to_dict(),
            "output": self.output,
            "batch_limit": self.batch_limit,
            "source": self.source,
            "sha256": self.sha256,
            "notes": list(self.notes),
            **({"training": dict(self.training)} if self.training else {}),
        }

    def to_json(self) -> str:
        """`to_dict` as indented JSON text."""
        import json  # here: the command line's way to its first decode does without json's import

        return json.dumps(self.to_dict(), indent=1, ensure_ascii=False)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, where: str = "card") -> ModelCard:
        """Read a card written by `to_dict`; anything else is one UserError naming the field."""
        if not isinstance(data, Mapping) or data.get("schema") != SCHEMA:
            raise UserError(
                gettext('{where} is not a model card (its "schema" must be {SCHEMA!r})').format(
                    where=where, SCHEMA=SCHEMA
                )
            )
        arch = data.get("architecture")
        batch_limit = data.get("batch_limit")
        for key in ("name", "output", "source", "sha256", "format"):
            if data.get(key) is not None and not isinstance(data[key], str):
                raise UserError(
                    gettext("{where}: {key} must be text, not {value}").format(
                        where=where, key=key, value=_json_kind(data[key])
                    )
                )
        notes = data.get("notes")
        if notes is not None and not (isinstance(notes, list) and all(isinstance(n, str) for n in notes)):
            raise UserError(gettext("{where}: notes must be a list of text").format(where=where))
        if batch_limit is not None and (not isinstance(batch_limit, int) or isinstance(batch_limit, bool)
                                        or batch_limit < 1):
            raise UserError(gettext('{where}: batch_limit must be a positive whole number or null').format(where=where))
        return cls(
            name=str(data.get("name") or "model"),
            architecture=Architecture.from_dict(arch, where=where) if arch is not None else None,
            labels=Labels.from_dict(data.get("labels"), where=where),
            preprocess=Recipe.from_dict(data.get("preprocess") or {}, where=where),
            output=str(data.get("output", "logits")),
            batch_limit=batch_limit,
            source=str(data.get("source", "")),
            sha256=str(data.get("sha256", "")),
            format=str(data.get("format", "pth")),
            notes=tuple(str(n) for n in data.get("notes") or ()) or (f"card: {where}",),
            training=_training_record(data.get("training"), where),
        )


def _json_kind(value: Any) -> str:
    """What a JSON value is, in words, for a field of the wrong type ("a list", "a number")."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return gettext("a number")
    if isinstance(value, list):
        return gettext("a list")
    if isinstance(value, Mapping):
        return gettext("an object")
    return repr(value)


def _training_record(value: Any, where: str) -> Mapping[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise UserError(
            gettext("{where}: training must be an object (how alexnet-gui train made the model)").format(where=where)
        )
    # The summary computes with these two; the rest of the record is only shown.
    best = value.get("best_val_accuracy")
    report = value.get("validation_report")
    if (best is not None and (isinstance(best, bool) or not isinstance(best, (int, float)))) or (
            report is not None and not (isinstance(report, Mapping) and all(
                isinstance(report.get(k), int) and not isinstance(report.get(k), bool) for k in ("top1", "images")))):
        raise UserError(
            gettext(
                "{where}: training.best_val_accuracy must be a number and training.validation_report hold whole "
                "numbers top1 and images"
            ).format(where=where)
        )
    return value


def _renote(notes: tuple[str, ...], part: str, note: str) -> tuple[str, ...]:
    return tuple(n for n in notes if not n.startswith(f"{part}:")) + (f"{part}: {note}",)


def read_card(path: str | os.PathLike[str]) -> ModelCard:
    """Read a card JSON file; a file that is not one is a UserError naming it."""
    from alexnet_gui.core.small_files import MAX_CARD_BYTES, read_json

    try:
        data = read_json(path, MAX_CARD_BYTES)
    except (OSError, ValueError) as exc:
        raise UserError(
            gettext("cannot read model card {path} ({value})").format(
                path=path, value=getattr(exc, "strerror", None) or exc
            )
        ) from None
    return ModelCard.from_dict(data, where=os.fspath(path))


def sidecar_path(model_path: str | os.PathLike[str]) -> Path:
    """Where a model file's card sidecar lives: beside it, named after it."""
    path = Path(model_path)
    return path.with_name(path.name + SIDECAR_SUFFIX)


def write_sidecar(card: ModelCard, model_path: str | os.PathLike[str]) -> Path:
    """Write the card beside a model file (atomically) and return its path."""
    out = sidecar_path(model_path)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(card.to_json() + "\n", encoding="utf-8")
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    return out
