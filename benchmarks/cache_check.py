"""What the ONNX cache's integrity check costs a 170-image `classify` run: whole processes, interleaved pairs with
the check and with it stubbed out. `python benchmarks/cache_check.py FOLDER [--pairs N]` (an --untrained run; the
export must already be cached)."""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time

STUB = ("import sys; from alexnet_gui.core.backends import onnx_cache; onnx_cache.damage = lambda p, deep=True: None; "
        "from alexnet_gui import cli; sys.argv = ['alexnet-gui', *sys.argv[1:]]; cli.run()")


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("folder")
    parser.add_argument("--pairs", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        run = ["classify", args.folder, "--out", f"{tmp}/r.csv", "--untrained"]
        checked, stubbed = [], []
        timed([sys.executable, "-m", "alexnet_gui", *run])  # warm the page cache and the export
        for _ in range(args.pairs):
            checked.append(timed([sys.executable, "-m", "alexnet_gui", *run]))
            stubbed.append(timed([sys.executable, "-c", STUB, *run]))
    diffs = [c - s for c, s in zip(checked, stubbed)]
    median = statistics.median(stubbed)
    print(f"with check {statistics.median(checked):.3f} s, without {median:.3f} s (medians of {args.pairs}); "
          f"paired median difference {statistics.median(diffs) * 1000:+.0f} ms = "
          f"{statistics.median(diffs) / median:+.1%} of the run")


if __name__ == "__main__":
    main()
