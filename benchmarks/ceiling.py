"""What the machine can do, measured inside one process with imports and model load excluded.

    python benchmarks/ceiling.py decode FOLDER [--fast] [--workers N]   # decode + preprocess alone, images/s
    python benchmarks/ceiling.py model [--device cpu|cuda] [--batch N]  # the ONNX backend alone on ready tensors
    python benchmarks/ceiling.py parity FOLDER                          # fast-decode vs exact input, RMS per image
    python benchmarks/ceiling.py fp16 FOLDER [--backend B]              # fp16 vs fp32 logits on CUDA

Each prints one JSON line on stdout. `bench.py` runs these as subprocesses.
"""

from __future__ import annotations

import json
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np


def _arg(name: str, default: str | None = None) -> str | None:
    return sys.argv[sys.argv.index(name) + 1] if name in sys.argv else default


def _files(folder: str) -> list[str]:
    return sorted(str(p) for p in Path(folder).glob("*.jpg"))


def decode(folder: str) -> dict:
    from alexnet_gui.core.pipeline.decode import load_input
    from alexnet_gui.core.pipeline.engine import default_decode_workers

    fast = "--fast" in sys.argv
    workers = int(_arg("--workers") or default_decode_workers())
    files = _files(folder)
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(lambda p: load_input(p, fast_decode=fast), files[:4]))  # warm Pillow's plugins
        start = time.perf_counter()
        for _ in pool.map(lambda p: load_input(p, fast_decode=fast), files):
            pass
        seconds = time.perf_counter() - start
    return {"what": "decode", "fast": fast, "workers": workers, "images": len(files), "seconds": seconds,
            "images_per_s": len(files) / seconds}


def model() -> dict:
    from alexnet_gui.core.backends import load_backend
    from alexnet_gui.core.model.weights import resolve_weights

    device = _arg("--device", "cpu")
    batch = int(_arg("--batch", "32"))
    backend = load_backend(_arg("--backend", "onnx"), resolve_weights(untrained=True), device,
                           precision=_arg("--precision", "fp32"))
    x = np.random.default_rng(0).standard_normal((batch, 3, 224, 224), dtype=np.float32)
    backend.predict(x)  # first call allocates and tunes
    n, start = 0, time.perf_counter()
    while n < 6 * batch or time.perf_counter() - start < 3.0:
        backend.predict(x)
        n += batch
    seconds = time.perf_counter() - start
    return {"what": "model", "backend": backend.name, "device": backend.device, "provider": backend.provider,
            "batch": batch, "images": n, "seconds": seconds, "images_per_s": n / seconds}


def parity(folder: str) -> dict:
    from alexnet_gui.core.pipeline.decode import load_input

    rms = []
    for p in _files(folder):
        exact = load_input(p)
        fast = load_input(p, fast_decode=True)
        rms.append(float(np.sqrt(np.mean((exact - fast) ** 2))))
    return {"what": "parity", "images": len(rms), "rms_max": max(rms), "rms_mean": float(np.mean(rms))}


def fp16(folder: str) -> dict:
    """Logits of the fp16 model against the fp32 one on the corpus, both on CUDA: how much half precision moves."""
    from alexnet_gui.core.backends import load_backend
    from alexnet_gui.core.model.weights import resolve_weights
    from alexnet_gui.core.pipeline.decode import load_input
    from alexnet_gui.core.pipeline.scores import softmax

    name, weights = _arg("--backend", "onnx"), resolve_weights(untrained=True)
    full = load_backend(name, weights, "cuda", precision="fp32")
    half = load_backend(name, weights, "cuda", precision="fp16")
    files = _files(folder)
    top1 = top5 = 0
    max_abs = max_prob = 0.0
    for start in range(0, len(files), 32):
        x = np.stack([load_input(p) for p in files[start:start + 32]])
        a, b = full.predict(x), half.predict(x)
        max_abs = max(max_abs, float(np.abs(a - b).max()))
        max_prob = max(max_prob, float(np.abs(softmax(a) - softmax(b)).max()))
        top1 += int((a.argmax(1) == b.argmax(1)).sum())
        top5 += sum(set(np.argsort(-ra)[:5]) == set(np.argsort(-rb)[:5]) for ra, rb in zip(a, b))
    return {"what": "fp16", "backend": name, "images": len(files), "top1_agree": top1 / len(files),
            "top5_agree": top5 / len(files), "max_abs": max_abs, "max_prob": max_prob}


def int8(folder: str) -> dict:
    """The int8 model against the fp32 one on the corpus, both on the CPU: top-1 agreement, top-5 overlap, the
    largest probability difference."""
    from alexnet_gui.core.backends import load_backend
    from alexnet_gui.core.model.weights import resolve_weights
    from alexnet_gui.core.pipeline.decode import load_input
    from alexnet_gui.core.pipeline.scores import softmax

    weights = resolve_weights(untrained=True)
    full = load_backend("onnx", weights, "cpu", precision="fp32")
    quant = load_backend("onnx", weights, "cpu", precision="int8")
    files = _files(folder)
    top1 = 0
    overlap = 0.0
    max_prob = 0.0
    for start in range(0, len(files), 32):
        x = np.stack([load_input(p) for p in files[start:start + 32]])
        a, b = softmax(full.predict(x)), softmax(quant.predict(x))
        max_prob = max(max_prob, float(np.abs(a - b).max()))
        top1 += int((a.argmax(1) == b.argmax(1)).sum())
        overlap += sum(len(set(np.argsort(-ra)[:5]) & set(np.argsort(-rb)[:5])) for ra, rb in zip(a, b))
    return {"what": "int8", "images": len(files), "top1_agree": top1 / len(files),
            "top5_overlap": overlap / len(files), "max_prob": max_prob, "calibration": quant.calibration}


def main() -> int:
    what = sys.argv[1]
    if what == "decode":
        out = decode(sys.argv[2])
    elif what == "model":
        out = model()
    elif what == "parity":
        out = parity(sys.argv[2])
    elif what == "fp16":
        out = fp16(sys.argv[2])
    elif what == "int8":
        out = int8(sys.argv[2])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    out["cores"] = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
