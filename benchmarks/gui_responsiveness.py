"""How long the desktop app's GUI thread is blocked, measured from outside the process as a user feels it.

Under a real X server (`DISPLAY` set; Xvfb is enough, no window manager needed): launches `alexnet-gui FOLDER` on a
folder of N small images, waits until it has classified them, then, while shared/tools/x11_ping_probe.py pings the
window from another X client every 50 ms, types a label into the filter one key at a time (as a user does), clears
it, moves to the last row, selects all and presses Delete. Prints the longest ping round trip during each action
(Qt answers the ping from its event loop, so that is how long the window was frozen), and exits 1 if any passed the
limit.

    DISPLAY=:7 .venv/bin/python benchmarks/gui_responsiveness.py [--images 10000] [--limit-ms 250] [--source DIR]

`--source DIR` runs another checkout's `alexnet_gui` (e.g. a `git worktree` of an older commit) for a
before/after comparison with the same probe.
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

ROOT = Path(__file__).resolve().parent.parent
PROBE = ROOT.parent / "shared" / "tools" / "x11_ping_probe.py"


def write_images(folder: Path, count: int) -> None:
    from PIL import Image

    folder.mkdir(parents=True)
    for i in range(count):
        # Distinct colours, so the untrained network gives them a few different labels to filter by.
        Image.new("RGB", (48, 36), ((i * 37) % 256, (i * 91) % 256, (i * 53) % 256)).save(folder / f"img{i:05d}.png")


def xdotool(*args: str) -> str:
    return subprocess.run(["xdotool", *args], check=True, capture_output=True, text=True).stdout.strip()


def cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def wait_until_idle(pid: int, timeout: float, quiet_s: float = 2.0) -> float:
    """Until the app has used under 5 % of a core for `quiet_s` seconds (its folder is classified); the seconds it
    was busy before that."""
    start = time.monotonic()
    quiet, last = 0, cpu_ticks(pid)
    while time.monotonic() - start < timeout:
        time.sleep(0.5)
        now = cpu_ticks(pid)
        quiet = quiet + 1 if now - last <= os.sysconf("SC_CLK_TCK") * 0.5 * 0.05 else 0
        last = now
        if quiet * 0.5 >= quiet_s:
            return time.monotonic() - start - quiet_s
    raise TimeoutError("the app did not become idle")


def worst_ms(log: Path, start: float, end: float) -> tuple[float, int]:
    """The longest round trip among pings sent in [start, end], or still unanswered at its end."""
    worst, count = 0.0, 0
    for line in log.read_text().splitlines():
        parts = line.split()
        sent, ms = float(parts[0]), float(parts[1])
        if start - ms / 1000 <= sent <= end:
            worst, count = max(worst, ms), count + 1
    return worst, count


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--images", type=int, default=10_000)
    parser.add_argument("--limit-ms", type=float, default=250.0)
    parser.add_argument("--source", help="run the alexnet_gui package from this checkout instead")
    args = parser.parse_args()
    if not os.environ.get("DISPLAY"):
        sys.exit("needs an X server: DISPLAY=:N (Xvfb :N -screen 0 1600x1000x24)")
    home = Path(tempfile.mkdtemp(prefix="alexnet-gui-responsive-"))
    proc = probe = None
    try:
        folder = home / "images"
        write_images(folder, args.images)
        config = home / "config" / "alexnet-gui"
        config.mkdir(parents=True)
        (config / "alexnet-gui.conf").write_text("[model]\nweights_mode=untrained\nbackend=onnx\nfast_decode=true\n")
        env = {**os.environ, "XDG_CONFIG_HOME": str(home / "config"), "ALEXNET_GUI_CACHE": str(home / "cache")}
        if args.source:
            env["PYTHONPATH"] = args.source
        # The export of the untrained network is made once, before the clock matters.
        subprocess.run([sys.executable, "-m", "alexnet_gui", "export-onnx", "--untrained", "--out",
                        str(home / "warm.onnx")], env=env, check=True, capture_output=True)
        started = time.monotonic()
        proc = subprocess.Popen([sys.executable, "-m", "alexnet_gui", str(folder)], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        window = xdotool("search", "--sync", "--onlyvisible", "--pid", str(proc.pid)).splitlines()[0]
        log = home / "probe.log"
        # The probe needs python-xlib: Debian's python3-xlib for the system Python, where the venv has none.
        probe_python = "/usr/bin/python3" if Path("/usr/bin/python3").exists() else sys.executable
        probe = subprocess.Popen([probe_python, str(PROBE), window, str(log), "0.05", "30"])
        geometry = dict(line.split("=") for line in xdotool("getwindowgeometry", "--shell", window).splitlines())
        x, y = int(geometry["X"]), int(geometry["Y"])
        results = []

        def action(name: str, *steps: list[str]) -> None:
            begin = time.time()
            for step in steps:
                xdotool(*step)
            time.sleep(1.5)  # let any blocked work show up in the probe's round trips
            results.append((name, *worst_ms(log, begin, time.time())))
            if os.environ.get("RESPONSIVENESS_SHOTS"):
                shot = Path(os.environ["RESPONSIVENESS_SHOTS"]) / f"{len(results)}.png"
                subprocess.run(["import", "-window", "root", str(shot)], check=False)

        filter_box = [["mousemove", str(x + 200), str(y + 60)], ["click", "1"]]
        time.sleep(3.0)  # the first batches are in the table; the rest of the folder is being classified
        action("during the batch: sort by Top-1 prob (header click)",
               ["mousemove", str(x + 450), str(y + 86)], ["click", "1"])
        action("during the batch: type 'magpie' into the filter (150 ms between keys)",
               *filter_box, ["type", "--delay", "150", "magpie"])
        action("during the batch: clear the filter (Ctrl+A, BackSpace)", ["key", "ctrl+a"], ["key", "BackSpace"])
        wait_until_idle(proc.pid, timeout=1800)
        print(f"{args.images} images classified in {time.monotonic() - started:.0f} s (app start to idle)")
        action("idle", ["sleep", "0.1"])
        action("type 'magpie' into the filter (150 ms between keys)", *filter_box,
               ["type", "--delay", "150", "magpie"])
        action("clear the filter (Ctrl+A, BackSpace)", ["key", "ctrl+a"], ["key", "BackSpace"])
        action("sorted table: last row, select all, Delete",
               ["mousemove", str(x + 300), str(y + 200)], ["click", "1"], ["key", "End"], ["key", "ctrl+a"],
               ["key", "Delete"])
        print(f"{'action':60} {'worst ping':>10} {'pings':>6}")
        failed = False
        for name, worst, count in results:
            flag = "" if worst <= args.limit_ms else f"  > {args.limit_ms:.0f} ms"
            failed |= bool(flag)
            print(f"{name:60} {worst:8.0f} ms {count:6d}{flag}")
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
