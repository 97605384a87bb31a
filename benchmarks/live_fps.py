"""The live view's frame rate (issue 19): frames of a generated 640x480 video read with OpenCV, classified through
ONNX Runtime with one layer's feature maps from the same run, as the app's live view does each frame.

    python benchmarks/live_fps.py [--frames 300] [--layer conv2]

Target: at least 15 frames per second on this 2-core CPU. The seeded network (the rate does not depend on the
weights)."""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from bench import machine  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=300)
    parser.add_argument("--layer", default="conv2")
    opts = parser.parse_args()
    from alexnet_gui.core.backends import load_backend
    from alexnet_gui.core.model.weights import resolve_weights
    from alexnet_gui.core.pipeline.live import VideoSource, classify_frame
    from tests.video_fixtures import write_video

    with tempfile.TemporaryDirectory() as work:
        video = write_video(Path(work) / "pan.avi", frames=opts.frames)
        backend = load_backend("onnx", resolve_weights(untrained=True), "cpu", prepack=False)
        rows = []
        for layer in (None, opts.layer):
            source = VideoSource(str(video))
            classify_frame(backend, source.read(), layer=layer)  # the first frame opens the sessions
            frames, model = 0, 0.0
            start = time.perf_counter()
            while (rgb := source.read()) is not None:
                frame = classify_frame(backend, rgb, source.index, layer=layer)
                model += frame.seconds
                frames += 1
            seconds = time.perf_counter() - start
            source.close()
            rows.append((layer or "none", frames / seconds, 1000 * model / frames))
        backend.close()
    print(f"machine: {machine()}")
    print("| feature maps | frames/s (read + preprocess + model) | model + preprocess per frame (ms) |")
    print("|---|---|---|")
    for layer, fps, ms in rows:
        print(f"| {layer} | {fps:.1f} | {ms:.1f} |")
    ok = rows[-1][1] >= 15
    print(f"target: at least 15 frames/s with {opts.layer}'s maps: {'PASS' if ok else 'MISS'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
