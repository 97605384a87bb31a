"""The offer to restart the app now, after a choice that applies from the next start (View > Language)."""

from __future__ import annotations

import sys

from PySide6.QtCore import QProcess
from PySide6.QtWidgets import QMessageBox

from alexnet_gui.gui.accessibility import describe


def restart_command() -> tuple[str, list[str]]:
    """The program and arguments that started this process (the interpreter's own options included)."""
    return sys.executable, list(sys.orig_argv[1:])


def restart_app(window) -> bool:
    """Close `window` (it saves its settings as on any close) and start the app again; False when the window
    stayed open or the new process could not start."""
    if not window.close():
        return False
    program, arguments = restart_command()
    started = QProcess.startDetached(program, arguments)
    return bool(started[0] if isinstance(started, tuple) else started)


class RestartBox(QMessageBox):
    """Restart now or Later, for `note`'s change; shown without blocking (`open`)."""

    def __init__(self, window, note: str) -> None:
        super().__init__(QMessageBox.Icon.Question, "", "", QMessageBox.StandardButton.NoButton, window)
        self.setWindowTitle(self.tr("Restart alexnet-gui?"))
        self.setText(note + "\n\n" + self.tr("Restart now? The table's rows are not kept; open them again after."))
        restart = self.addButton(self.tr("Restart now"), QMessageBox.ButtonRole.AcceptRole)
        later = self.addButton(self.tr("Later"), QMessageBox.ButtonRole.RejectRole)
        describe(restart, self.tr("Restart now"), self.tr("Close alexnet-gui and start it again in the chosen language"))
        describe(later, self.tr("Later"), self.tr("Keep working; the language changes at the next start"))
        self.setDefaultButton(later)
        self.buttonClicked.connect(lambda button: button is restart and restart_app(window))


def offer_restart(window, note: str) -> QMessageBox:
    """Ask, without blocking, whether to restart now for `note`'s change; Restart now does `restart_app`."""
    box = RestartBox(window, note)
    box.open()
    return box
