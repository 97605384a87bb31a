"""How long the app's GUI thread is blocked while the Similar tab, Tools > Find near-duplicates… and the Map view work
on 10,000 indexed images (issue 34: "the GUI never blocks more than 250 ms"), measured from outside the process.

Under a real X server (`DISPLAY` set; Xvfb is enough, no window manager needed). Makes N small distinct JPEGs (64x64
noise and shapes) and indexes them once with `classify --embed --fast-decode` (or takes `--folder` and `--cache`
from an earlier run), launches `alexnet-gui FOLDER` with the same cache (the seeded untrained network, onnx, fast
decoding: the app classifies the folder for its table and finds every vector in the index), waits until it has
classified them, then, while shared/tools/x11_ping_probe.py pings the window from another X client every 50 ms:

1. opens the Similar tab, clicks the first row and moves down the table a row at a time (each row a search over
   all N vectors),
2. opens Tools > Find near-duplicates…, and runs Find at each `--threshold` (the seeded network puts most images
   within 0.05 of each other: the default threshold makes one group of nearly all N),
3. opens the Map tab (a PCA map of all N) and moves the mouse over it (the hover thumbnail).

Prints the longest ping round trip (how long the window was frozen) during each action and until the app was idle
again, and exits 1 if any passed --limit-ms.

    Xvfb :81 -screen 0 1280x800x24 &
    DISPLAY=:81 .venv/bin/python benchmarks/embeddings_gui_block.py [--images 10000] [--threshold 0.01 0.05]
        [--folder DIR --cache DIR] [--shots DIR] [--limit-ms 250]

The window is stretched to the screen (1800x900 shows every tab); the positions of the tabs, the Tools menu and the
dialog's controls are this layout's, relative to the window or dialog: check them with --shots after a layout change.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from gui_responsiveness import PROBE, wait_until_idle, worst_ms, xdotool  # noqa: E402


def write_images(folder: Path, count: int) -> None:
    """`count` distinct 64x64 JPEGs: a random base colour, noise and three random ellipses or rectangles each."""
    import numpy as np
    from PIL import Image, ImageDraw

    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(21)
    for i in range(count):
        pixels = (rng.random((64, 64, 3)) * 80 + rng.integers(0, 176, 3)).astype(np.uint8)
        image = Image.fromarray(pixels)
        draw = ImageDraw.Draw(image)
        for _ in range(3):
            x, y = (int(v) for v in rng.integers(0, 48, 2))
            w, h = (int(v) for v in rng.integers(8, 32, 2))
            colour = tuple(int(v) for v in rng.integers(0, 256, 3))
            (draw.ellipse if rng.random() < 0.5 else draw.rectangle)([x, y, x + w, y + h], fill=colour)
        image.save(folder / f"{i:05d}.jpg", quality=85)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--images", type=int, default=10_000)
    parser.add_argument("--folder", help="images already indexed into --cache (skips making and indexing them)")
    parser.add_argument("--cache", help="the ALEXNET_GUI_CACHE that holds --folder's index")
    parser.add_argument("--threshold", type=float, nargs="+", default=[0.01, 0.05])
    parser.add_argument("--similar-tab", default="1537,62", help="the Similar tab's centre, X,Y in the window")
    parser.add_argument("--map-tab", default="1596,62", help="the Map tab's centre, X,Y in the window")
    parser.add_argument("--row", default="143,120", help="the table's first row, X,Y in the window")
    parser.add_argument("--tools-item", default="190,8,265,187",
                        help="the Tools menu, then its Find near-duplicates… item, X,Y,X,Y in the window")
    parser.add_argument("--shots", help="save a screenshot after each action into this folder")
    parser.add_argument("--limit-ms", type=float, default=250.0)
    args = parser.parse_args()
    if not os.environ.get("DISPLAY"):
        sys.exit("needs an X server: DISPLAY=:N (Xvfb :N -screen 0 1280x800x24)")
    home = Path(tempfile.mkdtemp(prefix="alexnet-gui-embed-block-"))
    proc = probe = None
    try:
        cache = Path(args.cache) if args.cache else home / "cache"
        env = {**os.environ, "XDG_CONFIG_HOME": str(home / "config"), "ALEXNET_GUI_CACHE": str(cache),
               "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "2")}
        if args.folder:
            folder = Path(args.folder)
        else:
            folder = home / "images"
            write_images(folder, args.images)
            began = time.monotonic()
            subprocess.run([sys.executable, "-m", "alexnet_gui", "classify", str(folder), "--untrained", "--embed",
                            "--fast-decode", "--out", str(home / "index.csv")], env=env, check=True,
                           capture_output=True)
            print(f"indexed {args.images} images in {time.monotonic() - began:.0f} s")
        count = sum(1 for _ in folder.iterdir())
        config = home / "config" / "alexnet-gui"
        config.mkdir(parents=True)
        (config / "alexnet-gui.conf").write_text("[model]\nweights_mode=untrained\nbackend=onnx\nfast_decode=true\n")
        started = time.monotonic()
        proc = subprocess.Popen([sys.executable, "-m", "alexnet_gui", str(folder)], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        window = xdotool("search", "--sync", "--onlyvisible", "--pid", str(proc.pid)).splitlines()[0]
        log = home / "probe.log"
        probe_python = "/usr/bin/python3" if Path("/usr/bin/python3").exists() else sys.executable
        probe = subprocess.Popen([probe_python, str(PROBE), window, str(log), "0.05", "60"])
        screen = xdotool("getdisplaygeometry").split()
        xdotool("windowsize", window, *screen)
        geometry = dict(line.split("=") for line in xdotool("getwindowgeometry", "--shell", window).splitlines())
        wx, wy = int(geometry["X"]), int(geometry["Y"])
        wait_until_idle(proc.pid, timeout=3600)
        print(f"{count} images classified by the app in {time.monotonic() - started:.0f} s (start to idle)")
        results = []

        def at(spec: str, ox: int | None = None, oy: int | None = None) -> list[str]:
            x, y = (int(v) for v in spec.split(","))
            return ["mousemove", str((wx if ox is None else ox) + x), str((wy if oy is None else oy) + y)]

        def action(name: str, *steps: list[str], settle: float = 1.5) -> None:
            begin = time.time()
            for step in steps:
                if step[0] == "sleep":
                    time.sleep(float(step[1]))
                else:
                    xdotool(*step)
            busy = wait_until_idle(proc.pid, timeout=600, quiet_s=settle)
            results.append((name, busy, *worst_ms(log, begin, time.time())))
            if args.shots:
                shot = Path(args.shots) / f"{len(results)}.png"
                subprocess.run(["import", "-window", "root", str(shot)], check=False)

        action("idle", ["sleep", "1"])
        action("Similar tab: open it on the first row", at(args.similar_tab), ["click", "1"], at(args.row),
               ["click", "1"])
        action("Similar tab: Down 5 times, 0.4 s apart (a search each)",
               *[step for _ in range(5) for step in (["key", "Down"], ["sleep", "0.4"])])
        menu = args.tools_item.split(",")
        action("Tools > Find near-duplicates… (open the dialog)", at(",".join(menu[:2])), ["click", "1"],
               ["sleep", "0.7"], at(",".join(menu[2:])), ["click", "1"], ["sleep", "1"])
        dialog = xdotool("search", "--sync", "--onlyvisible", "--name", "Near-duplicates").splitlines()[0]
        shape = dict(line.split("=") for line in xdotool("getwindowgeometry", "--shell", dialog).splitlines())
        dx, dy = int(shape["X"]), int(shape["Y"])
        for threshold in args.threshold:
            # the threshold box, then Find
            action(f"Find at threshold {threshold} ({count} images)", at("100,22", dx, dy), ["click", "1"],
                   ["key", "ctrl+a"], ["type", f"{threshold}"], at("184,22", dx, dy), ["click", "1"], settle=3.0)
        action("close the dialog", at("848,596", dx, dy), ["click", "1"])
        action(f"Map tab: PCA map of {count} images", at(args.map_tab), ["click", "1"], settle=3.0)
        action("Map tab: hover across the map", *[step for k in range(10) for step in (
            ["mousemove", str(wx + 1150 + 50 * k), str(wy + 350 + 40 * (k % 4))], ["sleep", "0.2"])])
        print(f"{'action':60} {'busy':>7} {'worst ping':>10} {'pings':>6}")
        failed = False
        for name, busy, worst, pings in results:
            flag = "" if worst <= args.limit_ms else f"  > {args.limit_ms:.0f} ms"
            failed |= bool(flag)
            print(f"{name:60} {busy:6.1f}s {worst:8.0f} ms {pings:6d}{flag}")
        return 1 if failed else 0
    finally:
        for p in (probe, proc):
            if p is not None and p.poll() is None:
                p.terminate()
                try:
                    p.wait(10)
                except subprocess.TimeoutExpired:
                    p.kill()
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
