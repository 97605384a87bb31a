"""What recording embeddings costs classify, and how fast the index answers (issue 34).

    python benchmarks/embeddings_bench.py [--images 96] [--reps 3] [--backend onnx] [--search 10000,100000]
                                          [--faiss]

1. classify's engine (in process, the seeded random network, a generated 640x480 JPEG corpus) with and without an
   fc7 recorder, interleaved pairs, best of --reps each: images/s and the cost of recording in %.
2. One query against --search random 4096-d vectors (NearestIndex: float16 or float32 scores, exact re-score), and with faiss-cpu's
   IndexFlatIP when --faiss is given and faiss is installed; duplicates and the PCA map over the first 10,000.
3. The index on disk: bytes per image (float16) and the size at 100,000 images.
Prints the CPU model first: run it on a quiet machine.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith("model name"):
                    return f"{line.split(':', 1)[1].strip()}, {os.cpu_count()} cores"
    except OSError:
        pass
    return f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores"


def classify_rate(backend, paths: list[str], recorder) -> tuple[float, float]:
    """images/s by the wall clock, and images per CPU second of this process (what other jobs on a shared machine
    disturb least)."""
    from alexnet_gui.core.pipeline.engine import Engine

    engine = Engine(backend, embedding_recorder=recorder)
    start, cpu = time.perf_counter(), time.process_time()
    n = sum(1 for _ in engine.run(paths))
    return n / (time.perf_counter() - start), n / (time.process_time() - cpu)


def bench_recording(args) -> None:
    from alexnet_gui.core.backends import load_backend
    from alexnet_gui.core.embeddings.index import open_index
    from alexnet_gui.core.embeddings.tasks import EmbeddingRecorder
    from alexnet_gui.core.model.weights import resolve_weights
    from tests.image_fixtures import write_photos

    work = Path(tempfile.mkdtemp(prefix="alexnet-gui-embed-bench-"))
    os.environ.setdefault("ALEXNET_GUI_CACHE", str(work / "cache"))
    paths = [str(p) for p in write_photos(work / "photos", args.images)]
    backend = load_backend(args.backend, resolve_weights(untrained=True), "cpu")
    # Warm-up: both sessions open (the onnx backend runs activations on its full export), caches filled.
    classify_rate(backend, paths[:32], None)
    warm = open_index(backend.card.card_id, "fc7", folder=work / "warm")
    classify_rate(backend, paths[:32], EmbeddingRecorder(warm))
    warm.close()
    plain, recorded = [], []
    for rep in range(args.reps):
        plain.append(classify_rate(backend, paths, None))
        # A fresh index each time: every vector is written, the cost a first classify --embed pays.
        index = open_index(backend.card.card_id, "fc7", folder=work / f"index{rep}")
        recorded.append(classify_rate(backend, paths, EmbeddingRecorder(index)))
        index.close()
    for what, i in (("wall clock", 0), ("CPU time", 1)):
        best_plain, best_recorded = max(p[i] for p in plain), max(r[i] for r in recorded)
        print(f"classify {args.backend} on the CPU, {args.images} images 640x480, by {what}: {best_plain:.1f} "
              f"images/s; with fc7 recorded {best_recorded:.1f}: {100 * (1 - best_recorded / best_plain):+.1f} % "
              f"(pairs: {', '.join(f'{a[i]:.1f}/{b[i]:.1f}' for a, b in zip(plain, recorded))})")


def bench_search(args) -> None:
    import numpy as np

    from alexnet_gui.core.embeddings.duplicates import close_groups
    from alexnet_gui.core.embeddings.layout import pca_2d
    from alexnet_gui.core.embeddings.search import NearestIndex, nearest, unit_rows

    rng = np.random.default_rng(0)
    for n in (int(s) for s in args.search.split(",")):
        vectors = np.maximum(rng.standard_normal((n, 4096), dtype=np.float32), 0)
        query = vectors[0]
        times = []
        for _ in range(3):
            start = time.perf_counter()
            nearest(query, vectors, 6)
            times.append(time.perf_counter() - start)
        prepared = NearestIndex(vectors)
        pre = []
        for row in rng.integers(n, size=12):  # 12 different queries: min / median / max, as issue 34 asks
            start = time.perf_counter()
            prepared.query(vectors[row], 6)
            pre.append(time.perf_counter() - start)
        pre.sort()
        normed = unit_rows(vectors)
        line = (f"{n} x 4096: numpy one query {1000 * min(times):.0f} ms (normalising every row each time), "
                f"{1000 * pre[0]:.0f} / {1000 * (pre[5] + pre[6]) / 2:.0f} / {1000 * pre[-1]:.0f} ms min / median / "
                f"max of 12 on a NearestIndex ({'float16 via torch' if prepared.half else 'float32'} scores, exact "
                f"re-score), load {os.getloadavg()[0]:.1f}; "
                f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}")
        if args.faiss:
            try:
                import faiss
            except ImportError:
                line += "; faiss not installed"
            else:
                start = time.perf_counter()
                flat = faiss.IndexFlatIP(4096)
                flat.add(normed)
                build = time.perf_counter() - start
                ft = []
                for _ in range(3):
                    start = time.perf_counter()
                    flat.search(unit_rows(query[None]), 6)
                    ft.append(time.perf_counter() - start)
                line += f"; faiss IndexFlatIP {1000 * min(ft):.0f} ms a query (+{build:.2f} s to build)"
        print(line)
        del normed, prepared
        if n <= 10_000:
            start = time.perf_counter()
            close_groups(vectors, 0.05, cancel=threading.Event())
            dup = time.perf_counter() - start
            start = time.perf_counter()
            pca_2d(vectors)
            print(f"{n} x 4096: duplicates {dup:.2f} s, PCA map {time.perf_counter() - start:.2f} s")
    print(f"index on disk: {4096 * 2} B per fc7 vector (float16) + ~150 B of keys; 100,000 images "
          f"{100_000 * (4096 * 2 + 150) / 1e9:.2f} GB")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=96)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--backend", choices=("onnx", "torch"), default="onnx")
    parser.add_argument("--search", default="10000,100000", help="comma-separated vector counts")
    parser.add_argument("--faiss", action="store_true", help="also time faiss-cpu's IndexFlatIP (if installed)")
    parser.add_argument("--skip-classify", action="store_true")
    args = parser.parse_args()
    print(f"CPU: {cpu_model()}")
    if not args.skip_classify:
        bench_recording(args)
    if args.search:
        bench_search(args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
