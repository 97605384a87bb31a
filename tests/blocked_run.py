"""Run a command line whose command blocks inside a C library, where Python's signal handlers never run: OpenCV's
FFmpeg opening a FIFO that has no writer. `python -m tests.blocked_run FIFO` prints "blocking" once the main thread
waits in the kernel for the FIFO's writer (Linux: /proc's wchan says so), so the test signals a blocked process, or
"unsupported" when wchan has not said so within DEADLINE_S (a sandbox shows "0"), so the test skips."""

from __future__ import annotations

import argparse
import sys
import threading
import time

from alexnet_gui import cli

# Names the kernel gives a thread waiting in open(2) for a FIFO's other end: fifo_open's wait_for_partner (5.9 on),
# pipe_wait (5.8 and older), or fifo_open itself where the wait is inlined.
FIFO_WAITS = {"wait_for_partner", "pipe_wait", "fifo_open"}
# Past this, wchan shows none of them (a sandbox reads "0"): say so rather than leave the test waiting forever.
DEADLINE_S = 10.0


def _say_when_blocked(main_thread: int) -> None:
    wchan = f"/proc/self/task/{main_thread}/wchan"
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        try:
            with open(wchan, encoding="ascii") as f:
                if f.read().strip() in FIFO_WAITS:
                    print("blocking", flush=True)
                    return
        except OSError:
            break  # no wchan to read here
        time.sleep(0.01)  # polling the main thread's real state, not waiting for it to get there
    print("unsupported", flush=True)


def _block(args: argparse.Namespace) -> int:
    import cv2

    threading.Thread(target=_say_when_blocked, args=(threading.get_native_id(),), daemon=True).start()
    cv2.VideoCapture(args.fifo)  # waits in open(2) for a writer, retrying after every signal
    return 0


def main() -> None:
    fifo = sys.argv[1]
    real_build = cli.build_parser

    def build_parser():
        parser, subparsers = real_build()
        blocked = subparsers.add_parser("blocked")
        blocked.add_argument("fifo")
        blocked.set_defaults(func=_block)
        return parser, subparsers

    cli.build_parser = build_parser
    sys.argv = ["alexnet-gui", "blocked", fifo]
    cli.run()


if __name__ == "__main__":
    main()
