"""`python -m alexnet_gui` is the same as the `alexnet-gui` command."""

import sys

from alexnet_gui.cli import main

sys.exit(main())
