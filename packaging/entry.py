"""The bundle's entry point: the same `alexnet-gui` command line as the pip install (no sub-command: the GUI)."""

import multiprocessing

from alexnet_gui.cli import run

if __name__ == "__main__":
    multiprocessing.freeze_support()
    run()
