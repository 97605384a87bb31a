"""The desktop app's images/s on a folder: the window (offscreen) loads the model, the folder is queued as a drop
would queue it, and the worker's own rate for the job is printed, exact and with Fast JPEG decoding, alternating.

    .venv/bin/python benchmarks/gui_folder_rate.py FOLDER [--reps 3] [--backend onnx|torch] [--compare decode|record]

`--compare record` alternates exact decoding with Model > Keep each unit's top images off and on (the cost of
recording every unit's top images while classifying); the default compares exact and fast decoding, recording off.

Each run is a fresh process with its own settings file and the seeded untrained network (the same compute as the
real weights). Set ALEXNET_GUI_CACHE to reuse an exported ONNX model (bench.py's is in its work folder's cache).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile

_RUN = r"""
import os, sys
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from PySide6.QtCore import QEventLoop, QSettings
from PySide6.QtWidgets import QApplication
app = QApplication([])
from alexnet_gui.gui.main_window import MainWindow
from alexnet_gui.gui.settings import Settings
folder, fast, backend, ini = sys.argv[1], sys.argv[2] == "fast", sys.argv[3], sys.argv[4]
settings = Settings(QSettings(ini, QSettings.Format.IniFormat))
settings.weights_mode, settings.backend, settings.fast_decode = "untrained", backend, fast
settings.record_units = sys.argv[2] == "record"
window = MainWindow(settings)
loop = QEventLoop()
window.model_ready.connect(lambda info: loop.quit())
window.start()
loop.exec()
rates = []
window.handle.worker.job_finished.connect(lambda job, cancelled, rate: (rates.append(rate), loop.quit()))
window.add_paths([folder])
loop.exec()
print(f"RATE {rates[0]:.2f} {window.model.rowCount()}")
window.handle.stop()
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--backend", choices=("onnx", "torch"), default="onnx")
    parser.add_argument("--compare", choices=("decode", "record"), default="decode")
    args = parser.parse_args()
    modes = ("exact", "fast") if args.compare == "decode" else ("exact", "record")
    rates: dict[str, list[float]] = {mode: [] for mode in modes}
    with tempfile.TemporaryDirectory() as tmp:
        for rep in range(args.reps):
            for mode in rates:
                ini = os.path.join(tmp, f"{mode}{rep}.ini")
                out = subprocess.run([sys.executable, "-c", _RUN, args.folder, mode, args.backend, ini],
                                     capture_output=True, text=True, check=True).stdout
                rate, rows = out.split("RATE ")[1].split()
                rates[mode].append(float(rate))
                print(f"{mode:6s} run {rep + 1}: {float(rate):6.1f} images/s over {rows} rows", flush=True)
    for mode, values in rates.items():
        print(f"{mode:6s}: median {statistics.median(values):.1f} images/s, "
              f"range {min(values):.1f}-{max(values):.1f} ({args.backend}, {len(values)} runs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
