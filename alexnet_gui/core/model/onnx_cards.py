"""The card of an ONNX graph: from its own metadata, a sidecar, the ONNX Model Zoo's signature, or its shapes.

An ONNX file says its input and output shapes but not its labels or preprocessing. Order: a card sidecar beside
it; the card the app writes into every export's `metadata_props` ("alexnet_gui.card"); the Model Zoo's BVLC
AlexNet (recognised by SHA-256 or by its input/output names), whose recipe is Caffe's; OpenVINO's Caffe AlexNet
(`data` 227 → `prob`); otherwise any image classifier with one N x 3 x H x W input and one N x C output, given
torchvision's recipe at H pixels, with the output kind (logits or probabilities) told by running it once.
Fixed batch sizes become the card's batch limit. Needs neither torch nor the onnx package.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from alexnet_gui.core.errors import UserError
from alexnet_gui.core.language import gettext
from alexnet_gui.core.model.card import ModelCard, read_card
from alexnet_gui.core.model.labels import default_labels, imagenet_labels
from alexnet_gui.core.model.loading import CardChoices, apply_choices, card_sidecar_for
from alexnet_gui.core.model.preprocess import CAFFE, OPENVINO_CAFFE, TORCHVISION
from alexnet_gui.core.small_files import MAX_CARD_BYTES, SmallFileError, loads, too_large

METADATA_KEY = "alexnet_gui.card"
#: The most 224-pixel images one call of a graph with a fixed batch may take (fewer for larger inputs): 256 make a
#: 154 MB input and about 1 GB of activations.
MAX_IMAGES_A_CALL = 256

#: SHA-256 of the ONNX Model Zoo's AlexNet files (from their Git LFS pointers in onnx/models).
ZOO_HASHES = {
    "6b0da9510f27f234ee96a85dc3809dd210150fdefad87f6850f9788513216945": "bvlcalexnet-12",
    "d53bbedf100be79277cf55d78c72bdcb67d88786988561bf5d530f038e443c7b": "bvlcalexnet-12-int8",
    "9a4dc22fd706a19462aaec3b08e027e0ef89daf63d123824f20b59b6de9a727b": "bvlcalexnet-8",
    "f1ae53b93d83dd74731c84337ae64035288ce336794a46e2b17b56e7566feaab": "bvlcalexnet-6",
}
#: (input name, output name) of the zoo's Caffe2-converted AlexNets and of OpenVINO's Caffe model
ZOO_SIGNATURES = {("data_0", "softmaxout_1"): "bvlcalexnet", ("data_0", "prob_1"): "bvlcalexnet"}
OPENVINO_SIGNATURES = {("data", "prob")}

Shape = Sequence[object]


class OnnxModelError(UserError):
    """An ONNX graph that is not an image classifier the app can run."""


def _dims(shape: Shape) -> list[int | None]:
    return [d if isinstance(d, int) and d > 0 else None for d in shape]


def card_for_onnx(path: Path, inputs: Sequence[tuple[str, Shape]], outputs: Sequence[tuple[str, Shape]],
                  metadata: dict[str, str], sha256: str, run: Callable[[Any], Any],
                  choices: CardChoices = CardChoices(), source: str = "") -> tuple[ModelCard, str]:
    """The card of an ONNX graph and the name of the output that holds its classes.

    `run(batch)` runs the graph on a float32 batch and returns that output (used once, to tell logits from
    probabilities when nothing else says)."""
    if len(inputs) != 1:
        raise OnnxModelError(
            gettext("{name} has {n_inputs} inputs; an image classifier has one").format(
                name=path.name, n_inputs=len(inputs)
            )
        )
    in_name, in_shape = inputs[0]
    dims = _dims(in_shape)
    if len(dims) != 4 or dims[1] != 3 or dims[2] is None or dims[2] != dims[3]:
        raise OnnxModelError(
            gettext(
                "{name} takes input of shape {list}, not N x 3 x H x W with square H x W as an image classifier does"
            ).format(name=path.name, list=list(in_shape))
        )
    size = int(dims[2])
    candidates = [(n, s) for n, s in outputs if len(_dims(s)) == 2]
    named = [c for c in candidates if c[0] == "logits"]
    if not candidates:
        raise OnnxModelError(
            gettext("{name} has no N x classes output (its outputs: {join})").format(
                name=path.name, join=", ".join(f"{n} {list(s)}" for n, s in outputs)
            )
        )
    out_name, out_shape = (named or candidates)[0]
    classes = _dims(out_shape)[1]
    batch_limit = dims[0]
    # A fixed batch is run whole, padded: 2000 images a call took 3.6 GB for 2 photos.
    most = max(1, MAX_IMAGES_A_CALL * 224 * 224 // (size * size))
    if batch_limit is not None and batch_limit > most:
        raise OnnxModelError(
            gettext(
                "{name} takes a fixed batch of {batch} images; the app runs at most {most} images of {size} px a "
                "call: export it with a dynamic or smaller batch"
            ).format(name=path.name, batch=batch_limit, most=most, size=size)
        )
    source = source or f"ONNX model {path}"

    sidecar = card_sidecar_for(path)
    if sidecar is not None:
        card = replace(read_card(sidecar), sha256=sha256, source=source, format="onnx")
    elif METADATA_KEY in metadata:
        try:
            text = metadata[METADATA_KEY]
            if len(text) > MAX_CARD_BYTES:
                raise SmallFileError(too_large(len(text), MAX_CARD_BYTES))
            data = loads(text)
        except SmallFileError as exc:
            raise OnnxModelError(
                gettext("{name}'s card metadata cannot be read ({value})").format(name=path.name, value=exc)
            ) from None
        except ValueError:
            raise OnnxModelError(gettext("{name}'s card metadata is not valid JSON").format(name=path.name)) from None
        card = ModelCard.from_dict(data, where=f"{path.name}'s metadata")
        card = replace(card, sha256=sha256, source=source, format="onnx",
                       notes=(f"card: written into {path.name} when it was exported",))
    elif sha256 in ZOO_HASHES or (in_name, out_name) in ZOO_SIGNATURES:
        how = f"SHA-256 of {ZOO_HASHES[sha256]}" if sha256 in ZOO_HASHES else f"input {in_name} / output {out_name}"
        card = ModelCard(ZOO_HASHES.get(sha256, "bvlcalexnet"), None, imagenet_labels(), CAFFE, "probabilities",
                         batch_limit, source, sha256, "onnx",
                         (f"card: the ONNX Model Zoo's BVLC AlexNet (recognised by its {how})",))
    elif (in_name, out_name) in OPENVINO_SIGNATURES and size == 227 and classes == 1000:
        card = ModelCard("openvino-caffe-alexnet", None, imagenet_labels(), OPENVINO_CAFFE, "probabilities",
                         batch_limit, source, sha256, "onnx",
                         (f"card: OpenVINO's Caffe AlexNet (input {in_name} 227 px, output {out_name})",))
    else:
        if classes is None:
            raise OnnxModelError(
                gettext("{name}'s output {out_name} has no fixed class count ({list})").format(
                    name=path.name, out_name=out_name, list=list(out_shape)
                )
            )
        recipe = TORCHVISION if size == 224 else replace(TORCHVISION, size=max(size, round(size * 256 / 224)),
                                                         crop=size)
        kind = _output_kind(run, batch_limit or 2, size)
        card = ModelCard(path.stem, None, default_labels(classes), recipe, kind, batch_limit, source, sha256, "onnx",
                         ("card: from the graph's shapes (no card or metadata found)",
                          f"preprocessing: guessed torchvision's at {size} px; pass --preprocess if it was "
                          "trained otherwise",
                          f"output: {kind}, found by running the graph once"))
    if card.batch_limit is None and batch_limit is not None:
        card = replace(card, batch_limit=batch_limit)
    if len(card.labels) != classes and classes is not None:
        raise OnnxModelError(
            gettext("{name} outputs {classes} classes, but its card names {n_labels}").format(
                name=path.name, classes=classes, n_labels=len(card.labels)
            )
        )
    if card.input_size != size:
        raise OnnxModelError(
            gettext("{name} takes {size}-pixel inputs, but its card's preprocessing makes {input_size}").format(
                name=path.name, size=size, input_size=card.input_size
            )
        )
    card = apply_choices(card, choices, path)
    if card.input_size != size:
        raise OnnxModelError(
            gettext("preprocessing {name!r} makes {input_size}-pixel inputs; {name2} takes {size}").format(
                name=card.preprocess.name, input_size=card.input_size, name2=path.name, size=size
            )
        )
    return card, out_name


def _output_kind(run: Callable[[Any], Any], batch: int, size: int) -> str:
    """"probabilities" when every row of the output on two random images is non-negative and sums to 1."""
    import numpy as np

    x = np.random.default_rng(0).standard_normal((batch, 3, size, size)).astype(np.float32)
    y = np.asarray(run(x), dtype=np.float64)
    if y.ndim == 2 and (y >= 0).all() and np.allclose(y.sum(axis=1), 1.0, atol=1e-3):
        return "probabilities"
    return "logits"
