"""The window from the keyboard alone: Tab and Shift+Tab leave the results table, Ctrl+PgDn / Ctrl+PgUp (and
Ctrl+Tab / Ctrl+Shift+Tab) and Alt+1..9 switch the right-hand tabs wherever the focus is, F1 lists the keys.

Its actions are a table like `actions.ACTIONS`, connected to a `Keyboard` that holds the window's tabs."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QTabWidget

from alexnet_gui.gui.actions import ActionSpec, make_action


def _t(text: str) -> str:
    """Mark `text` for lupdate, which reads _t as QT_TR_NOOP (packaging/update_translations.py): the empty context,
    the one the actions are translated from where they are made."""
    return text


KEYBOARD_ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("next_tab_action", _t("Next view"), "next_tab", "Ctrl+PgDown",
               _t("Show the next tab on the right (Ctrl+PgDown or Ctrl+Tab)")),
    ActionSpec("previous_tab_action", _t("Previous view"), "previous_tab", "Ctrl+PgUp",
               _t("Show the previous tab on the right (Ctrl+PgUp or Ctrl+Shift+Tab)")),
    ActionSpec("keys_action", _t("Keyboard shortcuts"), "show_keys", QKeySequence.StandardKey.HelpContents,
               _t("Every key the window answers to (F1)"), "help"),
)
# The same moves by the keys Qt's own tab widgets use, which the table would otherwise take.
EXTRA_SHORTCUTS = {"next_tab_action": ("Ctrl+Tab",), "previous_tab_action": ("Ctrl+Shift+Tab", "Ctrl+Shift+Backtab")}


class Keyboard(QObject):
    """The keyboard's moves in `window` (its `tabs`, its `table`); the actions are kept as its attributes."""

    def __init__(self, window, tabs: QTabWidget, help_menu=None) -> None:
        super().__init__(window)
        self.window, self.tabs = window, tabs
        for spec in KEYBOARD_ACTIONS:
            tip = QCoreApplication.translate("", spec.tip)
            action = make_action(window, QCoreApplication.translate("", spec.text),
                                 getattr(self, spec.handler), spec.shortcut, tip)
            action.setShortcuts([action.shortcut(), *map(QKeySequence, EXTRA_SHORTCUTS.get(spec.name, ()))])
            setattr(self, spec.name, action)
            if spec.menu == "help" and help_menu is not None:
                help_menu.insertAction(help_menu.actions()[0] if help_menu.actions() else None, action)
        # One text for the nine: the keys dialog lists them on one line.
        self.tab_actions = [make_action(window, QCoreApplication.translate("MainWindow", "The view at that place"),
                                        lambda _checked=False, i=n - 1: self.show_tab(i), f"Alt+{n}")
                            for n in range(1, 10)]

    def show_tab(self, index: int) -> None:
        """Show the right-hand tab at `index` (counted from 0); nothing when there are fewer tabs."""
        if 0 <= index < self.tabs.count():
            self.tabs.setCurrentIndex(index)

    def next_tab(self) -> None:
        self.show_tab((self.tabs.currentIndex() + 1) % max(1, self.tabs.count()))

    def previous_tab(self) -> None:
        self.show_tab((self.tabs.currentIndex() - 1) % max(1, self.tabs.count()))

    def show_keys(self):
        """Show the keys dialog (F1); return it."""
        from alexnet_gui.gui.widgets.keys_dialog import KeysDialog

        self.keys_dialog = KeysDialog(self.window)
        self.keys_dialog.show()
        self.keys_dialog.raise_()
        self.keys_dialog.activateWindow()
        return self.keys_dialog


class EscClears(QObject):
    """Esc in a line edit clears its text (the filter box), before the window's Esc (Cancel) sees it; an empty box
    lets Esc go on to cancel a batch."""

    def eventFilter(self, watched, event) -> bool:  # noqa: N802
        kind = event.type()
        if kind in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress) and event.key() == Qt.Key.Key_Escape \
                and watched.text():
            if kind == QEvent.Type.ShortcutOverride:
                event.accept()  # the key press comes here instead of triggering the shortcut
                return False
            watched.clear()
            return True
        return False


def install_keyboard(window) -> Keyboard:
    """Make the results table let Tab go, the filter box clear on Esc, and give `window` its tab-switching keys
    and F1."""
    window.table.setTabKeyNavigation(False)  # Tab and Shift+Tab move between controls, as everywhere else
    # The arrows move through the rows from the start: the focus went to the toolbar's Backend box, where Down
    # switched the model to PyTorch and loaded it again.
    window.table.setFocus()
    keyboard = Keyboard(window, window.tabs, window.help_menu)
    keyboard.esc_clears = EscClears(keyboard)
    window.filter_edit.installEventFilter(keyboard.esc_clears)
    return keyboard
