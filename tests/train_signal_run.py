"""Run `train` in this process, sending it a signal as epoch N's line is printed:
`python -m tests.train_signal_run SIGNAL N train ARGS...` (an interruption at a known point, without timing)."""

from __future__ import annotations

import os
import signal
import sys

from alexnet_gui import cli
from alexnet_gui.core.training import trainer


def main() -> None:
    name, epoch, *argv = sys.argv[1:]
    signum, at_epoch = getattr(signal, name), int(epoch)
    describe = trainer.EpochReport.describe

    def describe_then_signal(self, epochs):
        if self.epoch == at_epoch:
            os.kill(os.getpid(), signum)
        return describe(self, epochs)

    trainer.EpochReport.describe = describe_then_signal
    sys.argv = ["alexnet-gui", *argv]
    cli.run()


if __name__ == "__main__":
    main()
