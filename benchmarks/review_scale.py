"""Review mode at scale (issue 33): a labelling project of N distinct images (default 100,000), how long the app takes
to open it, and how long a key press in review mode blocks the GUI thread, measured from outside the process.

    DISPLAY=:N .venv/bin/python benchmarks/review_scale.py [--images 100000] [--keys 200]

1. Makes N distinct 8x8 PNGs (written with zlib directly: a few seconds) and a project of them with made-up top-9
   predictions (the core's `record_predictions`, as a classification would leave it), outside the clock.
2. Open, in a process of its own (offscreen): the app's window first, then the clock runs over
   `LabellingProject.open` (the core's open and re-scan of every file, the table's first rows, the
   Label/Source/Agrees columns) and the review queue shown; then until the table holds every image (it fills in
   the background, TABLE_CHUNK rows per turn of the event loop).
3. Keys, under a real X server: `alexnet-gui --project P --review`, shared/tools/x11_ping_probe.py pinging the
   window every 20 ms, then xdotool presses 1-9 / Enter / Space / Ctrl+Z (--keys of them, 50 ms apart); prints the
   longest ping round trip while keys were pressed (the GUI thread's longest block) and the labels the project
   holds afterwards. Also the time of one label's commit (the core's `set_label`: one synced transaction) on this
   disk.
"""

from __future__ import annotations

import argparse
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from gui_responsiveness import PROBE, wait_until_idle, worst_ms, xdotool  # noqa: E402

LABELS = tuple(f"class {i}" for i in range(1000))


def png_bytes(i: int) -> bytes:
    """An 8x8 RGB PNG whose pixels encode `i` (every file distinct)."""
    row = b"\x00" + bytes((i >> (8 * (k % 3))) & 255 for k in range(24))
    raw = row * 8

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 8, 8, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 1)) + chunk(b"IEND", b""))


def make_project(home: Path, count: int) -> Path:
    from alexnet_gui.core.labelling.project import open_project
    from alexnet_gui.core.outputs.results import Prediction, Result

    folder = home / "images"
    for d in range(count // 1000 + 1):
        (folder / f"{d:03d}").mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        path = folder / f"{i // 1000:03d}" / f"img{i:06d}.png"
        path.write_bytes(png_bytes(i))
        paths.append(path)
    file = home / "p.sqlite"
    with open_project(file) as project:
        project.add_paths([folder])
        batch = []
        for i, path in enumerate(paths):
            top1 = 0.2 + 0.7 * ((i * 7919) % 1000) / 1000
            rest = (1 - top1) / 9
            order = [(i + k * 13) % 1000 for k in range(9)]
            batch.append(Result(str(path), None, tuple(Prediction(c, LABELS[c], top1 if k == 0 else rest)
                                                       for k, c in enumerate(order))))
            if len(batch) == 5000:
                project.record_predictions("{}", "made-up", batch, 1000, LABELS)
                batch.clear()
        if batch:
            project.record_predictions("{}", "made-up", batch, 1000, LABELS)
    return file


OPEN_SCRIPT = """
import os, sys, time
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from PySide6.QtWidgets import QApplication
app = QApplication([])
from alexnet_gui.gui.main_window import MainWindow
from alexnet_gui.gui.settings import Settings
from alexnet_gui.gui.views import install_views
from alexnet_gui.gui.widgets.labelling_menu import install_labelling
window = MainWindow(Settings())
install_views(window)
menu = install_labelling(window)
window.show()
app.processEvents()
t0 = time.perf_counter()
assert menu.labelling.open(sys.argv[1])
t1 = time.perf_counter()
menu.show_review()
app.processEvents()
t2 = time.perf_counter()
shown = window.model.total_rows()
while not menu.labelling.table_filled():
    app.processEvents()
t3 = time.perf_counter()
print(f"open {t1 - t0:.3f} s, review shown {t2 - t0:.3f} s ({shown} rows in the table then), "
      f"table full {t3 - t0:.3f} s ({window.model.total_rows()} rows)")
menu.labelling.close()
os._exit(0)
"""


def commit_time(home: Path) -> float:
    """The median time of one label's commit (the core's set_label), in ms, on this disk."""
    from alexnet_gui.core.labelling.project import open_project

    folder = home / "commit"
    folder.mkdir(exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{home / 'commit.sqlite'}{suffix}").unlink(missing_ok=True)
    for i in range(50):
        (folder / f"{i}.png").write_bytes(png_bytes(i))
    times = []
    with open_project(home / "commit.sqlite") as project:
        project.add_paths([folder])
        for i in range(50):
            t0 = time.perf_counter()
            project.set_label(folder / f"{i}.png", "cat")
            times.append((time.perf_counter() - t0) * 1000)
    return sorted(times)[len(times) // 2]


def press_keys(home: Path, file: Path, keys: int) -> None:
    config = home / "config" / "alexnet-gui"
    config.mkdir(parents=True, exist_ok=True)
    (config / "alexnet-gui.conf").write_text("[model]\nweights_mode=untrained\nbackend=torch\n")
    env = {**os.environ, "XDG_CONFIG_HOME": str(home / "config")}
    started = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "alexnet_gui", "--project", str(file), "--review"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    probe = None
    try:
        window = xdotool("search", "--sync", "--onlyvisible", "--pid", str(proc.pid)).splitlines()[0]
        log = home / "probe.log"
        probe_python = "/usr/bin/python3" if Path("/usr/bin/python3").exists() else sys.executable
        probe = subprocess.Popen([probe_python, str(PROBE), window, str(log), "0.02", "60"])
        # Ready once the app is idle: the project open, the first image shown, and the model loaded (its
        # import and load on the inference thread take the GIL now and then, which is start-up, not a key press).
        wait_until_idle(proc.pid, timeout=600)
        print(f"app start to idle (project open, review shown, model loaded): {time.monotonic() - started:.1f} s")
        xdotool("windowfocus", "--sync", window)
        cycle = ["1", "2", "Return", "space", "3", "ctrl+z", "9", "5"]
        begin = time.time()
        for k in range(keys):
            xdotool("key", cycle[k % len(cycle)])
            time.sleep(0.05)
        time.sleep(1.0)
        worst, count = worst_ms(log, begin, time.time())
        if os.environ.get("REVIEW_SCALE_LOG"):
            shutil.copy(log, os.environ["REVIEW_SCALE_LOG"])
            print(f"keys from {begin:.3f}")
        print(f"{keys} key presses: longest GUI-thread block {worst:.0f} ms over {count} pings")
    finally:
        for p in (probe, proc):
            if p is not None and p.poll() is None:
                p.kill()
                p.wait()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--images", type=int, default=100_000)
    parser.add_argument("--keys", type=int, default=200)
    parser.add_argument("--keep", help="make the project here and keep it (else a temporary folder)")
    args = parser.parse_args()
    home = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="alexnet-gui-review-"))
    home.mkdir(parents=True, exist_ok=True)
    try:
        t0 = time.perf_counter()
        file = home / "p.sqlite"
        if not file.exists():
            file = make_project(home, args.images)
        print(f"{args.images} images and their project made in {time.perf_counter() - t0:.1f} s (not timed below)")
        print(f"one label's commit (set_label, median of 50): {commit_time(home):.1f} ms")
        for run in range(2):  # the second with the files' metadata in the page cache, as on a reopen
            out = subprocess.run([sys.executable, "-c", OPEN_SCRIPT, str(file)], capture_output=True, text=True,
                                 cwd=ROOT, env={**os.environ, "XDG_CONFIG_HOME": str(home / "open-config")})
            print(f"open, run {run + 1}: {out.stdout.strip() or out.stderr.strip()[-500:]}")
        if os.environ.get("DISPLAY"):
            press_keys(home, file, args.keys)
            from alexnet_gui.core.labelling.project import open_project

            with open_project(file) as project:
                print("labelled after the keys: {}/{}".format(*project.counts()))
        else:
            print("no DISPLAY: key presses not measured (run under Xvfb)")
    finally:
        if not args.keep:
            shutil.rmtree(home, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
