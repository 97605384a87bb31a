"""Can a window open here? Asked before Qt starts, because Qt aborts the process (SIGABRT) when it has no display or
its xcb plugin's libraries are missing, and a user then sees 'Aborted (core dumped)' instead of what to do.

This module imports no Qt: it reads the environment and tries the shared libraries with ctypes.
"""

from __future__ import annotations

import ctypes
import os
import sys

#: Libraries Qt's xcb platform plugin links against that minimal systems lack, with the Debian package of each.
XCB_LIBRARIES: dict[str, str] = {
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
}

_COMMAND_LINE = "or use the command line instead (alexnet-gui classify PATH --out results.csv)"

#: Qt's own command-line options (QGuiApplication and QApplication), with whether each takes a value.
QT_OPTIONS: dict[str, bool] = {
    "-platform": True, "-platformpluginpath": True, "-platformtheme": True, "-plugin": True, "-qmljsdebugger": True,
    "-qwindowgeometry": True, "-qwindowicon": True, "-qwindowtitle": True, "-reverse": False, "-session": True,
    "-display": True, "-geometry": True, "-style": True, "-stylesheet": True, "-widgetcount": False,
    "-nograb": False, "-dograb": False, "-sync": False, "-fontengine": True,
}


def missing_display_reason(environ: dict[str, str] | None = None) -> str | None:
    """One sentence on why no window can open here (no display, missing xcb libraries), or None when one can."""
    env = os.environ if environ is None else environ
    if not sys.platform.startswith("linux"):
        return None
    platform = env.get("QT_QPA_PLATFORM", "").split(":", 1)[0].split(";", 1)[0].strip()
    if platform in ("offscreen", "minimal", "vnc", "eglfs", "linuxfb", "vkkhrdisplay"):
        return None
    if platform.startswith("wayland") or (not platform and env.get("WAYLAND_DISPLAY")):
        if env.get("WAYLAND_DISPLAY"):
            return None
        return f"no display to open the window on (WAYLAND_DISPLAY is not set): start it in a desktop session, {_COMMAND_LINE}"
    if not env.get("DISPLAY"):
        return ("no display to open the window on (DISPLAY is not set): start it in a desktop session or under "
                f"xvfb-run, {_COMMAND_LINE}")
    missing = [name for name in XCB_LIBRARIES if not _loads(name)]
    if missing:
        packages = " ".join(XCB_LIBRARIES[name] for name in missing)
        return (f"the window cannot open: Qt's X11 plugin needs {', '.join(missing)}, which this system lacks "
                f"(on Debian or Ubuntu: apt-get install {packages}), {_COMMAND_LINE}")
    return None


def _loads(library: str) -> bool:
    try:
        ctypes.CDLL(library)
    except OSError:
        return False
    return True


def split_qt_arguments(args: list[str]) -> tuple[list[str], list[str]]:
    """Separate Qt's options (`-style fusion`, `--style=fusion`, `-reverse`, ...) from the rest; return
    (qt_args, rest)."""
    qt_args: list[str] = []
    rest: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        name = "-" + arg.split("=", 1)[0].lstrip("-")
        if arg.startswith("-") and name in QT_OPTIONS:
            qt_args.append(arg)
            if QT_OPTIONS[name] and "=" not in arg and i + 1 < len(args):
                qt_args.append(args[i + 1])
                i += 1
        else:
            rest.append(arg)
        i += 1
    return qt_args, rest
