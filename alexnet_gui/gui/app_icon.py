"""The application icon and the first-frame probe used by the packaging smoke test."""

from __future__ import annotations

import sys
import time

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QWidget

from alexnet_gui.resource_files import ICON_SIZES, icon_png

#: Set this to quit as soon as the main window has painted its first frame (the bundle's smoke test).
FIRST_FRAME_ENV = "ALEXNET_GUI_QUIT_AFTER_FIRST_FRAME"


def application_icon() -> QIcon:
    """The app icon from the pre-rendered PNGs (no SVG plugin needed), every size so each desktop picks its own."""
    icon = QIcon()
    for size in ICON_SIZES:
        path = icon_png(size)
        if path.is_file():
            icon.addFile(str(path))
    return icon


class _FirstFrame(QObject):
    def __init__(self, window: QWidget, started: float) -> None:
        super().__init__(window)
        self.started = started

    def eventFilter(self, obj, event) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Paint:
            obj.removeEventFilter(self)
            print(f"first frame painted {time.perf_counter() - self.started:.2f} s after the window was created",
                  file=sys.stderr, flush=True)
            # Let this paint finish, then leave the event loop as the user quitting would.
            QTimer.singleShot(0, QApplication.instance().quit)
        return False


def quit_after_first_frame(window: QWidget, started: float | None = None) -> None:
    """Quit the app once `window` has painted its first frame, printing how long that took to stderr."""
    window.installEventFilter(_FirstFrame(window, time.perf_counter() if started is None else started))
