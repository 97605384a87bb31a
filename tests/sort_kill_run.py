"""Run `sort` in this process and kill it (SIGKILL) halfway through copying its first file, as a kill -9 or a power
cut would: `python -m tests.sort_kill_run sort ARGS... --out DIR`. Hard links from outside DIR fail as they do
across file systems (EXDEV), so `--move` copies, as onto another disk; the kill point is fixed, so the test needs
no timing."""

from __future__ import annotations

import errno
import os
import shutil
import signal
import sys

from alexnet_gui import cli


def main() -> None:
    argv = sys.argv[1:]
    out = os.path.realpath(argv[argv.index("--out") + 1])
    real_link = os.link

    def link_within_out_only(src, dst, *args, **kwargs):
        if not os.path.realpath(src).startswith(out + os.sep):
            raise OSError(errno.EXDEV, os.strerror(errno.EXDEV), src, None, dst)
        return real_link(src, dst, *args, **kwargs)

    def copy_half_then_die(src, dst, length=0):
        data = src.read()
        dst.write(data[: len(data) // 2])
        dst.flush()
        os.kill(os.getpid(), signal.SIGKILL)

    os.link = link_within_out_only
    shutil.copyfileobj = copy_half_then_die
    sys.argv = ["alexnet-gui", *argv]
    cli.run()


if __name__ == "__main__":
    main()
