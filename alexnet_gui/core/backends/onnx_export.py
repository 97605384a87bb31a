"""Export any card's AlexNet to ONNX: a dynamic batch axis, every layer of the card as a named output, and the
card itself in the file's metadata (`alexnet_gui.card`), so an exported file describes itself."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn

from alexnet_gui.core.backends.base import ACTIVATION_LAYERS, BackendError
from alexnet_gui.core.backends.torch_backend import build_base_model
from alexnet_gui.core.model.archs import FC_LAYERS, feature_index
from alexnet_gui.core.model.card import ModelCard
from alexnet_gui.core.model.loading import NO_CHOICES, CardChoices, apply_choices
from alexnet_gui.core.model.onnx_cards import METADATA_KEY
from alexnet_gui.core.model.weights import WeightsChoice

INPUT_NAME = "input"
#: torchvision's layout's outputs (a card with LRN adds norm1 and norm2: see `output_names`)
OUTPUT_NAMES = ("logits", *ACTIVATION_LAYERS)
#: the largest difference from torch an export may show, relative to the outputs' size (at least 1): float32
#: rounding grows with the values, and a trained head's logits reach the hundreds
PARITY_TOLERANCE = 1e-4


def output_names(card: ModelCard) -> tuple[str, ...]:
    """The export's outputs: the scores, then every layer whose units the card's views offer (fc6 and fc7 last)."""
    return ("logits", *card.unit_layers())


class _ExposedAlexNet(nn.Module):
    """AlexNet returning (scores, *layer outputs); ReLUs out of place so each activation stays distinct."""

    def __init__(self, model: nn.Module, shown: set[int]) -> None:
        super().__init__()
        self._shown = shown
        features = model.features
        assert isinstance(features, nn.Sequential)
        avgpool, classifier = model.avgpool, model.classifier
        assert isinstance(avgpool, nn.Module) and isinstance(classifier, nn.Sequential)
        self.features, self.avgpool, self.classifier = features, avgpool, classifier

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, ...]:
        outputs = []
        for i, layer in enumerate(self.features):
            x = torch.relu(x) if isinstance(layer, nn.ReLU) else layer(x)
            if i in self._shown:
                outputs.append(x)
        x = torch.flatten(self.avgpool(x), 1)
        fully_connected = []
        for i, layer in enumerate(self.classifier):
            x = torch.relu(x) if isinstance(layer, nn.ReLU) else layer(x)
            if i in FC_LAYERS.values():
                fully_connected.append(x)
        return (x, *outputs, *fully_connected)


@dataclass(frozen=True)
class ExportReport:
    """What an export produced: the file, and the largest difference from torch on the check batch."""

    path: Path
    max_abs_diff: float
    card: ModelCard
    #: the card the weights file itself gives, before the user's choices (what the ONNX cache keeps beside it)
    base_card: ModelCard

    def __str__(self) -> str:
        return (f"verified against PyTorch: max abs difference {self.max_abs_diff:.2e} over "
                f"{len(output_names(self.card))} outputs")


def _verify(path: Path, wrapper: nn.Module, card: ModelCard) -> tuple[float, float]:
    """The largest absolute difference between ONNX Runtime's outputs and torch's on a random batch, and the
    largest absolute torch output (the scale the difference is judged against)."""
    import onnx
    import onnxruntime as ort

    onnx.checker.check_model(str(path), full_check=True)
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    size = card.input_size
    x = torch.randn(3, 3, size, size, generator=torch.Generator().manual_seed(0))
    got = session.run(list(output_names(card)), {INPUT_NAME: x.numpy()})
    with torch.inference_mode():
        want = wrapper(x)
    diff = max(float(np.abs(g - w.numpy()).max()) for g, w in zip(got, want))
    return diff, max(float(w.abs().max()) for w in want)


def export_onnx(weights: WeightsChoice, out: str | os.PathLike[str], *, verify: bool = True,
                choices: CardChoices = NO_CHOICES) -> ExportReport:
    """Export the chosen weights to `out` (written atomically) with their card in its metadata; with verify,
    refuse a file that differs from torch."""
    out = Path(out)
    base, model = build_base_model(weights)
    card = apply_choices(base, choices, weights.path)
    assert card.architecture is not None
    wrapper = _ExposedAlexNet(model, set(feature_index(card.architecture).values())).eval()
    folder = out.parent if str(out.parent) else Path(".")
    if not folder.is_dir():
        raise BackendError(f"cannot write {out}: folder {folder} does not exist")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".part", dir=folder)
    try:
        from alexnet_gui.core.outputs.output_paths import honour_umask

        honour_umask(fd)  # as readable as the model.pt and reports beside it, not mkstemp's 0600
    finally:
        os.close(fd)
    tmp = Path(tmp_name)
    try:
        size = card.input_size
        batch = torch.zeros(2, 3, size, size)  # batch >= 2 so the exporter keeps the axis dynamic
        program = torch.onnx.export(
            wrapper, (batch,),
            input_names=[INPUT_NAME], output_names=list(output_names(card)),
            dynamic_shapes={"x": {0: torch.export.Dim("N", min=1, max=65536)}},
            dynamo=True, verbose=False,
        )
        assert program is not None  # the dynamo exporter returns the program when given no file
        # The card goes into the graph's metadata before the one save (a second load and save of 244 MB to add
        # it costs a second).
        program.model.metadata_props[METADATA_KEY] = card.to_json()
        program.save(str(tmp), external_data=False)
        diff, scale = _verify(tmp, wrapper, card) if verify else (float("nan"), 1.0)
        allowed = PARITY_TOLERANCE * max(1.0, scale)
        if verify and not diff <= allowed:
            raise BackendError(f"the exported model differs from PyTorch by {diff:.2e} (more than {allowed:.1e}, "
                               f"{PARITY_TOLERANCE} of its largest output {scale:.3g})")
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    return ExportReport(out, diff, card, base)
