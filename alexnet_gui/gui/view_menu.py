"""View > Language (System, English, 简体中文) and View > Theme (System, Light, Dark, High contrast)."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QObject
from PySide6.QtGui import QAction, QActionGroup

# Marked for lupdate here: set_language_choice shows it in the current language and in the chosen one.
LANGUAGE_NOTE = QT_TRANSLATE_NOOP("MainWindow", "The interface speaks {language} from the next start of alexnet-gui; "
                                                "the command line already does.")


class ViewMenu(QObject):
    """The View menu of one window: language and theme, both remembered."""

    def __init__(self, window, settings) -> None:
        super().__init__(window)
        from alexnet_gui.core.language import CHOICES, saved_choice, system_language
        from alexnet_gui.gui.theme import THEMES
        from alexnet_gui.gui.translation import LANGUAGE_NAMES

        self._window = window
        self.settings = settings
        self.menu = window.menuBar().addMenu(self.tr("&View"))
        names = {"system": self.tr("System ({language})").format(language=LANGUAGE_NAMES[system_language()]),
                 **LANGUAGE_NAMES}
        self.language_actions = self._exclusive_actions(
            self.menu.addMenu(self.tr("&Language")), [(c, names[c]) for c in CHOICES], saved_choice(),
            self.tr("The interface's language, remembered for the app and the command line"),
            self.set_language_choice)
        titles = {"system": self.tr("System"), "light": self.tr("Light"), "dark": self.tr("Dark"),
                  "high-contrast": self.tr("High contrast")}
        self.theme_actions = self._exclusive_actions(
            self.menu.addMenu(self.tr("&Theme")), [(t, titles[t]) for t in THEMES], settings.theme,
            self.tr("Colours of the windows and of the views' plots; remembered"), self.set_theme)

    def _exclusive_actions(self, menu, entries: list[tuple[str, str]], current: str, tip: str,
                           slot) -> dict[str, QAction]:
        """One checkable entry of `menu` per (key, title), only one checked (`current`); choosing one calls
        `slot(key)`. Returns the actions by key."""
        group = QActionGroup(self)
        actions: dict[str, QAction] = {}
        for key, title in entries:
            action = menu.addAction(title)
            action.setCheckable(True)
            action.setChecked(key == current)
            action.setStatusTip(tip)
            action.triggered.connect(lambda _checked=False, k=key: slot(k))
            group.addAction(action)
            actions[key] = action
        return actions

    def set_language_choice(self, choice: str) -> None:
        """Remember the interface language ("system", "en" or "zh_CN"); it applies from the next start, and the
        command line follows it at once. The note says so in the current language and in the chosen one."""
        from PySide6.QtCore import QTranslator

        from alexnet_gui.core.language import current_language, resolve_language, save_choice
        from alexnet_gui.gui.translation import LANGUAGE_NAMES, catalogue_path

        save_choice(choice)
        language = resolve_language(choice)
        self.language_actions[choice].setChecked(True)
        if language == current_language():
            return
        note = QCoreApplication.translate("MainWindow", LANGUAGE_NOTE).format(language=LANGUAGE_NAMES[language])
        other = QTranslator(self)
        if other.load(str(catalogue_path(language))):
            chosen = other.translate("MainWindow", LANGUAGE_NOTE) or LANGUAGE_NOTE
            note += " / " + chosen.format(language=LANGUAGE_NAMES[language])
        other.deleteLater()
        self._window.statusBar().showMessage(note, 15000)
        from alexnet_gui.gui.widgets.restart_box import offer_restart

        if getattr(self, "restart_box", None) is not None:
            self.restart_box.close()  # a later choice replaces the earlier offer
        self.restart_box = offer_restart(self._window, note)

    def set_theme(self, name: str) -> None:
        """Switch to a theme now (View > Theme) and remember it."""
        from PySide6.QtWidgets import QApplication

        from alexnet_gui.gui.theme import apply_theme

        self.settings.theme = name
        self.theme_actions[name].setChecked(True)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_theme(app, name)
