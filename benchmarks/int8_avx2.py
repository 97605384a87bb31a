"""int8 on a CPU without VNNI (issue 35): the app's 7-bit copy against a full-range 8-bit one, on this CPU and on an
emulated AVX2-only CPU.

    python benchmarks/int8_avx2.py [--images 60]

Without AVX-512 VNNI, ONNX Runtime's u8 x s8 kernels add each pair of adjacent products into int16 with saturation
(VPMADDUBSW), so int8 weights that use all 8 bits give other answers there than on a VNNI CPU. This script exports the
seeded stand-in network, makes the app's int8 copy (7-bit weights, `onnx_int8.QUANTISATION`) and, for comparison, the
same copy with 8-bit weights, then runs both over the benchmark corpus natively and under `qemu-x86_64 -cpu Haswell`
(AVX2, no AVX-512, no VNNI: ONNX Runtime picks its saturating kernels there). It reports, against fp32 on this CPU,
top-1 agreement, top-5 overlap and the largest top-1 probability difference (targets: overlap >= 4.9 of 5, difference
<= 0.05), and whether the emulated logits equal the native ones. Emulation gives answers, not speed: it runs ~100x
slower. Needs qemu-user (`apt-get install qemu-user`).
"""

from __future__ import annotations

import argparse
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
from corpus import make_corpus  # noqa: E402

from tests.int8_copies import full_range_copy  # noqa: E402

RUN = ("import sys, numpy as np, onnxruntime as ort\n"
       "o = ort.SessionOptions(); o.intra_op_num_threads = 2\n"
       "s = ort.InferenceSession(sys.argv[1], o, providers=['CPUExecutionProvider'])\n"
       "x = np.load(sys.argv[2])\n"
       "np.save(sys.argv[3], np.concatenate([s.run(['logits'], {'input': x[i:i + 16]})[0]"
       " for i in range(0, len(x), 16)]))\n")


def softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(1, keepdims=True))
    return e / e.sum(1, keepdims=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=60)
    args = parser.parse_args()
    if shutil.which("qemu-x86_64") is None:
        print("needs qemu-user: apt-get install qemu-user", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="int8-avx2-"))
    os.environ["ALEXNET_GUI_CACHE"] = str(work / "cache")
    try:
        from alexnet_gui.core.backends import load_backend
        from alexnet_gui.core.backends.onnx_backend import onnx_cache_dir
        from alexnet_gui.core.backends.onnx_int8 import QUANTISATION
        from alexnet_gui.core.model.weights import resolve_weights
        from alexnet_gui.core.pipeline.decode import load_input

        weights = resolve_weights(untrained=True)
        fp32 = load_backend("onnx", weights, "cpu")
        photos = make_corpus(work / "corpus")[: args.images]
        x = np.stack([load_input(p, recipe=fp32.card.preprocess) for p in photos])
        np.save(work / "x.npy", x)
        reference = softmax(fp32.predict(x))
        fp32.close()
        load_backend("onnx", weights, "cpu", "int8").close()
        (seven,) = onnx_cache_dir().glob("*.lean.int8-*.onnx")
        (lean,) = onnx_cache_dir().glob("*.lean.onnx")
        eight = full_range_copy(lean, weights_recipe(), work / "eight.onnx")
        print(f"machine: {machine()}")
        print(f"stand-in network, {len(x)} corpus images; against fp32 on this CPU")
        print("| int8 weights | CPU | top-1 agreement | top-5 overlap | largest top-1 probability difference "
              "| logits equal to this CPU's |")
        print("|---|---|---|---|---|---|")
        ok = True
        for name, model in ((f"7-bit ({QUANTISATION})", seven), ("8-bit (before)", eight)):
            logits = {}
            for cpu, prefix in (("this CPU", [sys.executable]),
                                ("emulated Haswell (AVX2, no VNNI)", ["qemu-x86_64", "-cpu", "Haswell",
                                                                     sys.executable])):
                out = work / "logits.npy"
                subprocess.run([*prefix, "-c", RUN, str(model), str(work / "x.npy"), str(out)], check=True,
                               capture_output=True)
                logits[cpu] = np.load(out)
                p = softmax(logits[cpu])
                top1 = float((p.argmax(1) == reference.argmax(1)).mean())
                overlap = float(np.mean([len(set(np.argsort(-a)[:5]) & set(np.argsort(-b)[:5]))
                                         for a, b in zip(reference, p)]))
                diff = float(np.abs(p[np.arange(len(p)), reference.argmax(1)] - reference.max(1)).max())
                same = np.array_equal(logits[cpu], logits["this CPU"])
                print(f"| {name} | {cpu} | {100 * top1:.1f}% | {overlap:.2f} of 5 | {diff:.2e} | "
                      f"{'yes' if same else 'no'} |")
                if name.startswith("7-bit"):
                    ok &= overlap >= 4.9 and diff <= 0.05
        print("target for the app's copy (top-5 overlap >= 4.9, top-1 probability difference <= 0.05, on both):",
              "PASS" if ok else "MISS")
        return 0 if ok else 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


def weights_recipe():
    from alexnet_gui.core.model.preprocess import TORCHVISION

    return TORCHVISION  # the stand-in network's card recipe


if __name__ == "__main__":
    sys.exit(main())
