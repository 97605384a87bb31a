"""The icon, the .desktop entry and their lookup through importlib.resources, from the checkout and from a wheel."""

from __future__ import annotations

import configparser
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest
from PIL import Image

from alexnet_gui.resource_files import DESKTOP_ENTRY, ICON_SIZES, ICON_SVG, icon_png, resource_path

REPO = Path(__file__).resolve().parent.parent


def test_resources_are_found_inside_the_package():
    svg = resource_path(ICON_SVG)
    assert svg.is_file() and svg.parent == REPO / "alexnet_gui" / "resources"
    root = ElementTree.parse(svg).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg" and root.get("viewBox") == "0 0 512 512"


@pytest.mark.parametrize("size", ICON_SIZES)
def test_png_icons_have_their_size_and_transparent_corners(size):
    with Image.open(icon_png(size)) as im:
        assert im.size == (size, size) and im.mode == "RGBA"
        # A rounded square: the corner is transparent, the middle is opaque.
        assert im.getpixel((0, 0))[3] == 0
        assert im.getpixel((size // 2, size // 2))[3] == 255


def test_unknown_icon_size_is_refused():
    with pytest.raises(ValueError, match="no 20 px icon"):
        icon_png(20)


def test_desktop_entry_has_the_required_keys():
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str
    parser.read(resource_path(DESKTOP_ENTRY), encoding="utf-8")
    entry = parser["Desktop Entry"]
    assert entry["Type"] == "Application"
    assert entry["Name"] and entry["Categories"].endswith(";")
    assert entry["Exec"].split()[0] == "alexnet-gui" and entry["Icon"] == "alexnet-gui"
    assert "image/jpeg" in entry["MimeType"].split(";")


@pytest.mark.skipif(shutil.which("desktop-file-validate") is None, reason="desktop-file-utils is not installed")
def test_desktop_entry_passes_desktop_file_validate():
    out = subprocess.run(["desktop-file-validate", str(resource_path(DESKTOP_ENTRY))], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout == "", out.stdout


@pytest.mark.slow
def test_a_built_wheel_carries_the_resources(tmp_path):
    # Build from a copy so the checkout's build/ and egg-info are left alone.
    src = tmp_path / "src"
    shutil.copytree(REPO / "alexnet_gui", src / "alexnet_gui", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, src / name)
    out = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path), str(src)],
        capture_output=True, text=True, timeout=240,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    (wheel,) = tmp_path.glob("alexnet_gui-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    wanted = {f"alexnet_gui/resources/{ICON_SVG}", f"alexnet_gui/resources/{DESKTOP_ENTRY}"}
    wanted |= {f"alexnet_gui/resources/icons/alexnet-gui-{s}.png" for s in ICON_SIZES}
    assert wanted <= names
    # ...and importlib.resources finds them there: import the package from the unpacked wheel.
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    code = "from alexnet_gui.resource_files import resource_path as r; print(r('icons/alexnet-gui-64.png').is_file(), r('x'))"
    got = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path,
                         env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"}, timeout=60)
    assert got.stdout.split() == ["True", str(site / "alexnet_gui" / "resources" / "x")], got.stderr
