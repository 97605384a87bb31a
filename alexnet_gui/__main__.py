"""`python -m alexnet_gui` is the same as the `alexnet-gui` command."""

from alexnet_gui.cli import run

run()
