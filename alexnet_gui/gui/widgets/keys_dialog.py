"""Help > Keyboard shortcuts (F1): every key the window answers to, read from its actions (so it never goes out of
date), with a Close button; Esc closes it too."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from alexnet_gui.gui.accessibility import describe, describe_buttons


def window_keys(window: QWidget) -> list[tuple[str, str]]:
    """(keys, what they do) for each of `window`'s actions that has a shortcut, in the order they were made;
    actions of one text (Alt+1 … Alt+9) share a line."""
    keys_of: dict[str, list[str]] = {}
    for action in window.actions():
        keys = [k.toString(QKeySequence.SequenceFormat.NativeText) for k in action.shortcuts() if not k.isEmpty()]
        if keys and action.text():
            keys_of.setdefault(action.text().replace("&", ""), []).extend(keys)
    return [(", ".join(keys), text) for text, keys in keys_of.items()]


def add_close_button(dialog: QDialog, layout) -> QDialogButtonBox:
    """Put a Close button at the foot of `layout`: it does what Esc does (QDialog's reject)."""
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
    box.rejected.connect(dialog.reject)
    describe_buttons(box, {QDialogButtonBox.StandardButton.Close: QCoreApplication.translate("KeysDialog", "Close this window (Esc)")})
    layout.addWidget(box)
    return box


class KeysDialog(QDialog):
    """The window's keys in a table: keys, and what they do."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.setWindowTitle(self.tr("Keyboard shortcuts"))
        rows = window_keys(window)
        self.table = QTableWidget(len(rows), 2)
        self.table.setHorizontalHeaderLabels([self.tr("Keys"), self.tr("Does")])
        for i, (keys, what) in enumerate(rows):
            self.table.setItem(i, 0, QTableWidgetItem(keys))
            self.table.setItem(i, 1, QTableWidgetItem(what))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.resizeColumnToContents(0)
        describe(self.table, self.tr("Keyboard shortcuts"), self.tr("Each key the main window answers to"))
        note = QLabel(self.tr("Tab and Shift+Tab move between the table, the filter and the views; the arrow keys "
                              "move through the rows; Alt and a menu's underlined letter open that menu."))
        note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(self.table)
        self.buttons = add_close_button(self, layout)
        self.resize(560, 520)
