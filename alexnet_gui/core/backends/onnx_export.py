"""Export AlexNet to ONNX with a dynamic batch axis and every intermediate activation as a named output."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn

from alexnet_gui.core.backends.base import ACTIVATION_LAYERS, BackendError
from alexnet_gui.core.backends.torch_backend import build_model
from alexnet_gui.core.model.weights import WeightsChoice

INPUT_NAME = "input"
OUTPUT_NAMES = ("logits", *ACTIVATION_LAYERS)
PARITY_TOLERANCE = 1e-4


class _ExposedAlexNet(nn.Module):
    """AlexNet returning (logits, *features outputs); ReLUs out of place so each activation stays distinct."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        features = model.features
        assert isinstance(features, nn.Sequential)
        avgpool, classifier = model.avgpool, model.classifier
        assert isinstance(avgpool, nn.Module) and isinstance(classifier, nn.Module)
        self.features, self.avgpool, self.classifier = features, avgpool, classifier

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, ...]:
        outputs = []
        for layer in self.features:
            x = torch.relu(x) if isinstance(layer, nn.ReLU) else layer(x)
            outputs.append(x)
        logits = self.classifier(torch.flatten(self.avgpool(x), 1))
        return (logits, *outputs)


@dataclass(frozen=True)
class ExportReport:
    """What an export produced: the file, and the largest difference from torch on the check batch."""

    path: Path
    max_abs_diff: float

    def __str__(self) -> str:
        return f"verified against PyTorch: max abs difference {self.max_abs_diff:.2e} over {len(OUTPUT_NAMES)} outputs"


def _verify(path: Path, wrapper: nn.Module) -> float:
    import onnx
    import onnxruntime as ort

    onnx.checker.check_model(str(path), full_check=True)
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    x = torch.randn(3, 3, 224, 224, generator=torch.Generator().manual_seed(0))
    got = session.run(list(OUTPUT_NAMES), {INPUT_NAME: x.numpy()})
    with torch.inference_mode():
        want = wrapper(x)
    return max(float(np.abs(g - w.numpy()).max()) for g, w in zip(got, want))


def export_onnx(weights: WeightsChoice, out: str | os.PathLike[str], *, verify: bool = True) -> ExportReport:
    """Export the chosen weights to `out` (written atomically); with verify, refuse a file that differs from torch."""
    out = Path(out)
    wrapper = _ExposedAlexNet(build_model(weights)).eval()
    folder = out.parent if str(out.parent) else Path(".")
    if not folder.is_dir():
        raise BackendError(f"cannot write {out}: folder {folder} does not exist")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".part", dir=folder)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        batch = torch.zeros(2, 3, 224, 224)  # batch >= 2 so the exporter keeps the axis dynamic
        torch.onnx.export(
            wrapper, (batch,), str(tmp),
            input_names=[INPUT_NAME], output_names=list(OUTPUT_NAMES),
            dynamic_shapes={"x": {0: torch.export.Dim("N", min=1, max=65536)}},
            dynamo=True, external_data=False, verbose=False,
        )
        diff = _verify(tmp, wrapper) if verify else float("nan")
        if verify and not diff <= PARITY_TOLERANCE:
            raise BackendError(f"the exported model differs from PyTorch by {diff:.2e} (more than {PARITY_TOLERANCE})")
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    return ExportReport(out, diff)
