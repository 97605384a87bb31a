"""What `classify --engine ray` costs over the local engine on this machine (one node, a local Ray instance).

    python benchmarks/ray_overhead.py [--images 200] [--reps 2] [--workers 1]

Both runs are whole processes timed from launch to exit on the same generated 1024x768 JPEG corpus (the seeded
random network, ONNX model cached by a warm-up run), best of --reps. The Ray run includes starting Ray, which a
real cluster pays once, not per command. Prints one markdown row per engine; needs the ray extra.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from corpus import make_corpus  # noqa: E402


def timed(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    out = subprocess.run(cmd, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if out.returncode != 0:
        raise SystemExit(f"failed (exit {out.returncode}): {' '.join(cmd)}\n{out.stderr[-2000:]}")
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=200)
    parser.add_argument("--reps", type=int, default=2)
    parser.add_argument("--workers", type=int, default=None, help="Ray classifier actors (default: the CLI's)")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "alexnet-gui-ray-bench")
    args = parser.parse_args()
    work = args.work.resolve()
    corpus = work / f"corpus-{args.images}"
    make_corpus(corpus, args.images, 0)
    env = {**os.environ, "ALEXNET_GUI_CACHE": str(work / "cache")}

    def classify(csv: str, *extra: str) -> list[str]:
        return [sys.executable, "-m", "alexnet_gui", "classify", str(corpus), "--untrained",
                "--out", str(work / csv), *extra]

    timed(classify("warm.csv"), env)  # export the ONNX model once and warm the file cache
    ray_extra = ["--engine", "ray", *(["--workers", str(args.workers)] if args.workers else [])]
    runs = {
        "local": min(timed(classify("local.csv"), env) for _ in range(args.reps)),
        "ray": min(timed(classify("ray.csv", *ray_extra), env) for _ in range(args.reps)),
    }
    same = (work / "local.csv").read_bytes() == (work / "ray.csv").read_bytes()
    print(f"| engine | images/s ({args.images} images, whole process, best of {args.reps}) | seconds |")
    print("| --- | ---: | ---: |")
    for name, seconds in runs.items():
        print(f"| `--engine {name}` | {args.images / seconds:.1f} | {seconds:.1f} |")
    print(f"\nCSV identical: {'yes' if same else 'NO'}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
