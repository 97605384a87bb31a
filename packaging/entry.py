"""The bundle's entry point: the same `alexnet-gui` command line as the pip install (no sub-command: the GUI)."""

import multiprocessing
import sys

from alexnet_gui.cli import main

if __name__ == "__main__":
    multiprocessing.freeze_support()
    sys.exit(main())
