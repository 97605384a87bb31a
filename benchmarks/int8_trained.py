"""int8 against fp32 on a trained model (issue 20's agreement target, with issue 18's digits model).

    python benchmarks/int8_trained.py

Trains `alexnet-gui train --mode head` on scikit-learn's digits from the seeded full-size network (97.21 % on its
validation split: a trained classifier on real images, though its features are not ImageNet's), then classifies the
359 validation images with the fp32 ONNX model and with its int8 copy, calibrated on the built-in photos and on the
user's own training images (`--calibrate`), and reports top-1 agreement, top-5 overlap, the largest probability
difference and both accuracies. Target: top-1 agreement at least 99 %, top-5 overlap at least 4.9 of 5.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from bench import machine  # noqa: E402
from train_bench import write_digits  # noqa: E402


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="int8-trained-"))
    os.environ["ALEXNET_GUI_CACHE"] = str(work / "cache")
    try:
        data = work / "digits"
        write_digits(data)
        subprocess.run([sys.executable, "-m", "alexnet_gui", "train", str(data), "--out", str(work / "model"),
                        "--untrained"], check=True, capture_output=True)
        from alexnet_gui.core.backends import load_backend
        from alexnet_gui.core.model.weights import resolve_weights
        from alexnet_gui.core.pipeline.decode import load_input
        from alexnet_gui.core.pipeline.scores import softmax

        val = [line for line in (work / "model" / "validation.txt").read_text().splitlines() if line]
        truth = np.array([int(Path(p).parent.name) for p in val])
        own = work / "calibration"
        own.mkdir()
        for i, path in enumerate(sorted(data.rglob("*.png"))[::28][:64]):  # 64 training-folder images
            if str(path.resolve()) not in set(val):
                shutil.copy(path, own / f"{i:03d}.png")
        weights = resolve_weights(work / "model")  # model.pth: int8 quantises the app's own export of it
        full = load_backend("onnx", weights, "cpu", precision="fp32")
        x = np.stack([load_input(p, recipe=full.card.preprocess) for p in val])
        a = softmax(full.predict(x))
        rows = []
        for label, calibrate in (("built-in photos", None), ("64 of the user's own training images", str(own))):
            quant = load_backend("onnx", weights, "cpu", precision="int8", calibrate=calibrate)
            b = softmax(quant.predict(x))
            quant.close()
            overlap = np.mean([len(set(np.argsort(-ra)[:5]) & set(np.argsort(-rb)[:5])) for ra, rb in zip(a, b)])
            rows.append((label, float((a.argmax(1) == b.argmax(1)).mean()), float(overlap),
                         float(np.abs(a - b).max()), float((b.argmax(1) == truth).mean())))
        full.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"machine: {machine()}")
    print(f"digits model (10 classes), {len(val)} validation images; fp32 accuracy "
          f"{100 * float((a.argmax(1) == truth).mean()):.2f}%")
    print("| int8 calibrated on | top-1 agreement | top-5 overlap | largest probability difference | int8 accuracy |")
    print("|---|---|---|---|---|")
    for label, agree, overlap, diff, acc in rows:
        print(f"| {label} | {100 * agree:.2f}% | {overlap:.2f} of 5 | {diff:.3f} | {100 * acc:.2f}% |")
    ok = all(agree >= 0.99 and overlap >= 4.9 for _, agree, overlap, _, _ in rows)
    print("target (>= 99 % top-1 agreement, >= 4.9 of 5 top-5 overlap):", "PASS" if ok else "MISS")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
