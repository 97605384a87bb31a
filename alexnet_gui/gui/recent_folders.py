"""File > Recent folders and File > Reopen last session: what the user queued is remembered (the folders and
files named, not every image found in them), so the next start can queue it again in one step."""

from __future__ import annotations

import os

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QMenu

#: the most files and folders a session remembers (a drop of 10,000 files is remembered by its first ones)
SESSION_PATHS = 200


class RecentFolders(QObject):
    """Remembers what `window` queues (`remember`) and offers it again from its File menu."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.settings = window.settings
        self.previous = [p for p in self.settings.session_paths if os.path.exists(p)]  # the last session's
        self._session: list[str] = []  # this session's, written to the settings as they come
        menus = [m for m in window.open_folder_action.associatedObjects() if isinstance(m, QMenu)]
        file_menu = menus[0] if menus else None
        self.menu = QMenu(self.tr("Recent folders"), window)
        self.menu.aboutToShow.connect(self.fill_menu)
        self.reopen_action = window.addAction(self.tr("Reopen last session"))
        self.reopen_action.setToolTip(self.tr("Queue again the files and folders the last session queued"))
        self.reopen_action.setStatusTip(self.reopen_action.toolTip())
        self.reopen_action.triggered.connect(self.reopen)
        self.reopen_action.setEnabled(bool(self.previous))
        if self.previous:
            self.reopen_action.setText(self.tr("Reopen last session (%n item(s))", "", len(self.previous)))
        if file_menu is not None:
            after = window.export_action
            file_menu.insertMenu(after, self.menu)
            file_menu.insertAction(after, self.reopen_action)
            file_menu.insertSeparator(after)

    def remember(self, paths: list[str]) -> None:
        """Note paths the user queued: the first one's folder is where the file dialogs open next, folders among
        them become recent folders, and all join this session."""
        self.settings.last_folder = paths[0] if os.path.isdir(paths[0]) else os.path.dirname(paths[0])
        for path in paths:
            if os.path.isdir(path):
                self.settings.remember_folder(os.path.abspath(path))
        new = [os.path.abspath(p) for p in paths if os.path.abspath(p) not in self._session]
        self._session = (self._session + new)[:SESSION_PATHS]
        self.settings.session_paths = self._session

    def fill_menu(self) -> None:
        self.menu.clear()
        folders = [f for f in self.settings.recent_folders if os.path.isdir(f)]
        if not folders:
            self.menu.addAction(self.tr("(none yet)")).setEnabled(False)
        for folder in folders:
            self.menu.addAction(folder, lambda f=folder: self.window.add_paths([f]))

    def reopen(self) -> None:
        """Queue the last session's files and folders (those still there) again."""
        if self.previous:
            self.window.add_paths(self.previous)
