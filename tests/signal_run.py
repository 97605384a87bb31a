"""Run `classify` in this process with the colour-coded test backend, which sends this process a signal at its Nth
batch: `python -m tests.signal_run SIGNAL N classify ARGS...`. SIGKILL there is a kill -9 (or a power cut) at a
known point of a run, so the test needs no timing."""

from __future__ import annotations

import os
import signal
import sys

from alexnet_gui import cli
from alexnet_gui.commands import classify as classify_command
from tests.known_answers import ColourCodedBackend

ANSWERS = {code: [code, code + 1, 2, 3, 4] for code in range(10, 250, 10)}


class SignallingBackend(ColourCodedBackend):
    def __init__(self, signum: int, at_batch: int):
        super().__init__(ANSWERS)
        self.signum, self.at_batch, self.calls = signum, at_batch, 0

    def predict(self, batch):
        self.calls += 1
        if self.calls == self.at_batch:
            os.kill(os.getpid(), self.signum)
        return super().predict(batch)


def main() -> None:
    name, at_batch, *argv = sys.argv[1:]
    backend = SignallingBackend(getattr(signal, name) if name != "none" else 0, int(at_batch) if name != "none" else 0)
    classify_command.choose_weights = lambda args: None
    classify_command.open_backend = lambda args, weights=None, images=None: backend
    sys.argv = ["alexnet-gui", *argv]
    cli.run()


if __name__ == "__main__":
    main()
