"""Qt's side of the interface language: the app's own catalogue (`resources/i18n/*.qm`, made by pyside6-lrelease
from the `.ts` files that pyside6-lupdate extracts) and Qt's own (the standard dialogs' buttons), installed before
any window exists; the core's gettext messages follow the same language."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from alexnet_gui.core.language import resolve_language, set_language
from alexnet_gui.resource_files import resource_path

#: View > Language's entries, each in its own language (a user who cannot read the current one still finds theirs)
LANGUAGE_NAMES = {"en": "English", "zh_CN": "简体中文"}


def catalogue_path(language: str) -> Path:
    """The app's compiled catalogue for `language` (English's holds only its plural forms)."""
    return resource_path(f"i18n/alexnet_gui_{language}.qm")


def install_translations(app: QCoreApplication, choice: str | None = None) -> str:
    """Make `app` speak the chosen language (None: the saved choice, else the system's); return the language.

    Call it before building windows: strings are translated when widgets are made."""
    language = resolve_language(choice)
    set_language(language)
    for old in app.findChildren(QTranslator, "alexnet-gui"):
        app.removeTranslator(old)
        old.deleteLater()
    QLocale.setDefault(QLocale("zh_CN" if language == "zh_CN" else "en_US"))
    own = QTranslator(app)
    own.setObjectName("alexnet-gui")
    if own.load(str(catalogue_path(language))):
        app.installTranslator(own)
    if language != "en":
        qt = QTranslator(app)
        qt.setObjectName("alexnet-gui")
        if qt.load(QLocale(language), "qtbase", "_", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
            app.installTranslator(qt)
    return language


def window_text(source: str, disambiguation: str | None = None, n: int = -1) -> str:
    """`source` in the interface's language, from the empty context: lupdate catalogues a plain tr() call (one
    that is not self.tr) there, so a module that imports this as `tr` finds its strings."""
    return QCoreApplication.translate("", source, disambiguation, n)
