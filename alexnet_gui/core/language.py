"""The language the app and the command line speak: the user's choice (View > Language, shared by both), else the
system locale; and the command line's and core's messages in it, through gettext.

The desktop app's own strings go through Qt's translator (`gui/translation.py`); this module holds what the core
and the command line say, so an error from loading a model reads the same in a terminal and in the app's dialog.
Option names, CSV columns, file formats and log lines stay English: scripts and bug reports depend on them.
"""

from __future__ import annotations

import gettext as _gettext_module
import os
from pathlib import Path

#: the choices View > Language offers: follow the system, or one of the interface's languages
CHOICES = ("system", "en", "zh_CN")
#: the languages the interface speaks (English is the source text)
LANGUAGES = ("en", "zh_CN")
DOMAIN = "alexnet_gui"
#: the compiled catalogues, as resources (alexnet_gui/resources/locale/<language>/LC_MESSAGES/alexnet_gui.mo)
LOCALE_FOLDER = "locale"

_catalog: _gettext_module.NullTranslations = _gettext_module.NullTranslations()
_language = "en"


def choice_file() -> Path:
    """Where the choice is kept: the user's config folder (platformdirs), beside the app's QSettings file."""
    import platformdirs

    return Path(platformdirs.user_config_dir("alexnet-gui", appauthor=False)) / "language"


def saved_choice() -> str:
    """The choice View > Language saved ("system" when none was, or the file is unreadable)."""
    try:
        value = choice_file().read_text(encoding="utf-8").strip()
    except OSError:
        return "system"
    return value if value in CHOICES else "system"


def save_choice(choice: str) -> None:
    """Remember `choice` (one of CHOICES) for the app and the command line."""
    if choice not in CHOICES:
        raise ValueError(f"language must be one of {', '.join(CHOICES)}, not {choice!r}")
    path = choice_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(choice + "\n", encoding="utf-8")


def system_language(environ=None) -> str:
    """The interface language the system locale asks for, by gettext's order (LANGUAGE, LC_ALL, LC_MESSAGES,
    LANG): "zh_CN" for any Chinese in Simplified script or region, else "en"."""
    environ = os.environ if environ is None else environ
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name, "")
        if not value:
            continue
        for part in value.split(":"):  # LANGUAGE is a priority list: "zh_CN:en"
            code = part.split(".")[0].split("@")[0]
            if code in ("C", "POSIX", ""):
                continue
            if code.lower().startswith("zh") and not code.lower().startswith(("zh_tw", "zh_hk", "zh_hant")):
                return "zh_CN"
            return "en"
        if name != "LANGUAGE":
            return "en"
    return "en"


def resolve_language(choice: str | None = None, environ=None) -> str:
    """The language to speak: an explicit choice, else the saved one, else the system locale's."""
    choice = saved_choice() if choice is None else choice
    return choice if choice in LANGUAGES else system_language(environ)


def set_language(language: str) -> None:
    """Speak `language` ("en" or "zh_CN") from now on in every message this module translates."""
    global _catalog, _language
    _language = language if language in LANGUAGES else "en"
    if _language == "en":  # the source text: no catalogue to look for
        _catalog = _gettext_module.NullTranslations()
        return
    from alexnet_gui.resource_files import resource_path

    _catalog = _gettext_module.translation(DOMAIN, localedir=str(resource_path(LOCALE_FOLDER)), languages=[_language],
                                           fallback=True)


def current_language() -> str:
    """The language messages are translated into now."""
    return _language


def gettext(message: str) -> str:
    """`message` in the current language (itself when untranslated or English)."""
    return _catalog.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form for `n`, in the current language."""
    return _catalog.ngettext(singular, plural, n)


def N_(message: str) -> str:  # noqa: N802 - gettext's conventional name, which the extractor looks for
    """Mark `message` for translation where it is defined (a table of titles); `gettext` it where shown."""
    return message


def use_saved_language() -> str:
    """Speak the saved choice's (or the system's) language; return it. The command line calls this first."""
    language = resolve_language()
    set_language(language)
    return language
