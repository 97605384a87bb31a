"""What a fixed-batch ONNX graph costs: the zoo's layout (Caffe AlexNet, LRN, groups, softmax) at full size,
exported with a fixed batch of 1 and with a dynamic batch, run through the app's ONNX backend on the same inputs.

    python benchmarks/fixed_batch.py [--images 96]

Prints model-only images/s for each (the backend's own chunking at the card's batch limit against batches of 32).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from alexnet_gui.core.backends import load_backend  # noqa: E402
from alexnet_gui.core.model.weights import resolve_weights  # noqa: E402
from tests.model_families import CaffeAlexNet, seeded  # noqa: E402


def export(model, path: Path, dynamic: bool) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, (torch.zeros(1, 3, 224, 224),), str(path), input_names=["data_0"],
                          output_names=["softmaxout_1"], dynamo=False, opset_version=13,
                          dynamic_axes={"data_0": {0: "N"}, "softmaxout_1": {0: "N"}} if dynamic else None)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--images", type=int, default=96)
    args = parser.parse_args()
    torch.manual_seed(0)
    model = seeded(CaffeAlexNet(num_classes=1000, fc=4096, softmax=True, ceil_mode=True), 0)
    x = np.random.default_rng(0).standard_normal((args.images, 3, 224, 224)).astype(np.float32)
    with tempfile.TemporaryDirectory() as folder:
        rates = {}
        for name, dynamic in (("fixed batch 1", False), ("dynamic batch", True)):
            path = Path(folder) / f"{name.replace(' ', '-')}.onnx"
            export(model, path, dynamic)
            backend = load_backend("onnx", resolve_weights(path), "cpu")
            card = backend.card
            backend.predict(x[:32])  # warm-up
            start = time.perf_counter()
            out = np.concatenate([backend.predict(x[i:i + 32]) for i in range(0, len(x), 32)])
            rates[name] = len(x) / (time.perf_counter() - start)
            print(f"{name}: batch limit {card.batch_limit}, output {card.output}, {rates[name]:.1f} images/s "
                  f"(rows sum to {out.sum(axis=1).mean():.4f})")
            backend.close()
    print(f"fixed batch 1 runs at {rates['fixed batch 1'] / rates['dynamic batch']:.0%} of the dynamic graph's rate")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
