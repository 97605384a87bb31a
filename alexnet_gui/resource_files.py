"""Files the app loads at run time (icon, .desktop entry, a bundled model), found through importlib.resources.

They live in the package (`alexnet_gui/resources/`), so the same lookup works from a source checkout, an
installed wheel and the PyInstaller bundle (whose loader serves package data from its own folder).
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

ICON_SVG = "alexnet-gui.svg"
DESKTOP_ENTRY = "alexnet-gui.desktop"
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
#: Where a desktop bundle carries the ONNX model exported at build time (absent from a source checkout).
BUNDLED_MODEL = "model/alexnet.onnx"
#: Beside it: what the model was exported from, as the build wrote it ({"source": ..., "sha256": ...}).
BUNDLED_MODEL_INFO = "model/alexnet.json"
#: the built-in int8 calibration photos (see calibration/SOURCES.txt)
CALIBRATION_FOLDER = "calibration"


def resource_path(name: str) -> Path:
    """Return the path of resource `name` (e.g. "alexnet-gui.svg", "icons/alexnet-gui-64.png"); it may not exist."""
    return Path(str(files("alexnet_gui").joinpath("resources", *name.split("/"))))


def icon_png(size: int) -> Path:
    """The rendered application icon at `size` pixels (one of ICON_SIZES)."""
    if size not in ICON_SIZES:
        raise ValueError(f"no {size} px icon; sizes are {', '.join(map(str, ICON_SIZES))}")
    return resource_path(f"icons/alexnet-gui-{size}.png")
