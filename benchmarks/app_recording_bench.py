"""What keeping fc7 vectors costs the app's classification (issue 34: the app records by default only if cheap).

    python benchmarks/app_recording_bench.py [--images 64] [--reps 3] [--backend onnx]

The app's classify job runs the engine with its options (unit recorder on by default, so the model run already
returns activations); this measures that job's engine with and without the app's fc7 recorder, interleaved pairs,
each recorded run into a fresh index (so every vector is hashed, appended and committed), best of --reps:
images/s by the wall clock and per CPU second of the process. Prints the CPU model first.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=64)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--backend", default="onnx", choices=("onnx", "torch"))
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="alexnet-gui-app-record-"))
    os.environ.setdefault("ALEXNET_GUI_CACHE", str(work / "cache"))

    from embeddings_bench import cpu_model

    from alexnet_gui.core.backends import load_backend
    from alexnet_gui.core.embeddings.index import open_index
    from alexnet_gui.core.embeddings.tasks import EmbeddingRecorder
    from alexnet_gui.core.model.weights import resolve_weights
    from alexnet_gui.core.pipeline.engine import Engine
    from alexnet_gui.gui.embedding_jobs import LAYER, can_record
    from alexnet_gui.gui.worker import ClassifyOptions, _unit_recorder
    from tests.image_fixtures import write_photos

    print(cpu_model(), f"load {os.getloadavg()[0]:.1f}")
    paths = [str(p) for p in write_photos(work / "photos", args.images)]
    backend = load_backend(args.backend, resolve_weights(untrained=True), "cpu", prepack=False)  # as the app
    options = ClassifyOptions()
    assert can_record(backend, options)

    def run(record: bool, n: int) -> tuple[float, float]:
        recorder = None
        if record:
            card = backend.card
            index = open_index(card.card_id, LAYER, recipe=card.preprocess.to_dict(), folder=work / f"index{n}")
            recorder = EmbeddingRecorder(index)
        engine = Engine(backend, top_k=options.top_k, unit_recorder=_unit_recorder(backend, options),
                        embedding_recorder=recorder)
        start, cpu = time.perf_counter(), time.process_time()
        done = sum(1 for _ in engine.run(paths))
        return done / (time.perf_counter() - start), done / (time.process_time() - cpu)

    run(False, -1)  # warm: the export, the page cache
    plain, recorded = [], []
    for n in range(args.reps):
        plain.append(run(False, n))
        recorded.append(run(True, n))
        print(f"pair {n}: plain {plain[-1][0]:.1f}/s ({plain[-1][1]:.1f}/CPU s), "
              f"fc7 recorded {recorded[-1][0]:.1f}/s ({recorded[-1][1]:.1f}/CPU s)")
    for what, i in (("wall", 0), ("CPU", 1)):
        best_plain, best_rec = max(p[i] for p in plain), max(r[i] for r in recorded)
        print(f"{what}: best plain {best_plain:.1f}, best recorded {best_rec:.1f}, "
              f"cost {100 * (1 - best_rec / best_plain):.1f} %")


if __name__ == "__main__":
    main()
