"""How long the views' numpy rendering takes (no model run): feature-map grids, filter grids, overlays.

    .venv/bin/python benchmarks/render_views.py

Prints the median of 20 runs for each; the issue's target is a 64-channel 55x55 grid well under 100 ms.
"""

from __future__ import annotations

import statistics
import time

import numpy as np

from alexnet_gui.core.analysis import visualize as V


def median_ms(fn, runs: int = 20) -> float:
    fn()  # warm the colour map cache
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    rng = np.random.default_rng(0)
    conv1_maps = rng.random((64, 55, 55), dtype=np.float32)
    conv2_maps = rng.random((192, 27, 27), dtype=np.float32)
    conv1_kernels = rng.standard_normal((64, 3, 11, 11)).astype(np.float32)
    conv3_kernels = rng.standard_normal((384, 192, 3, 3)).astype(np.float32)
    crop = rng.integers(0, 256, (224, 224, 3), dtype=np.uint8)
    cases = {
        "feature grid 64x55x55 (scale 1)": lambda: V.feature_grid(conv1_maps),
        "feature grid 64x55x55 (scale 2, sorted)": lambda: V.feature_grid(
            conv1_maps, order=V.channel_order(conv1_maps), scale=2),
        "feature grid 192x27x27 (scale 4)": lambda: V.feature_grid(conv2_maps, scale=4),
        "feature grid + colour bar (scale 2)": lambda: V.with_colour_bar(*_grid_and_range(conv1_maps)),
        "filter grid conv1 64x3x11x11 (scale 4)": lambda: V.filters_grid(conv1_kernels, scale=4),
        "filter grid conv3 384x3x3, one channel (scale 14)": lambda: V.filters_grid(
            conv3_kernels, in_channel=5, scale=14),
        "Grad-CAM overlay 13x13 -> 224x224": lambda: V.overlay(crop, conv1_maps[0, :13, :13], alpha=0.5),
    }
    for name, fn in cases.items():
        print(f"{name:<52} {median_ms(fn):8.2f} ms")


def _grid_and_range(maps):
    grid, _, (lo, hi) = V.feature_grid(maps, scale=2)
    return grid, lo, hi


if __name__ == "__main__":
    main()
