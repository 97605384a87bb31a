"""Refresh the interface's translations after strings changed: extract, merge, compile.

    .venv/bin/python packaging/update_translations.py        # extract and compile; report what is unfinished
    .venv/bin/python packaging/update_translations.py --check  # exit 1 when anything is unfinished or stale

The app's strings (Qt's tr()) go to resources/i18n/alexnet_gui_<lang>.ts through pyside6-lupdate; translators edit
those in Qt Linguist (pyside6-linguist), and pyside6-lrelease compiles them to the .qm files the app loads. English
needs only its plural forms ("%n image(s)" -> "1 image", "3 images"): lupdate -pluralonly. The command line's and
the core's messages (gettext) go to resources/locale/alexnet_gui.pot through Babel's extractor, are merged into
resources/locale/<lang>/LC_MESSAGES/alexnet_gui.po, and compiled to .mo. Both compiled forms are committed, so an
installed app needs neither tool; tests/test_language.py fails when they are out of date.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "alexnet_gui"
I18N = PACKAGE / "resources" / "i18n"
LOCALE = PACKAGE / "resources" / "locale"
QT_LANGUAGES = ("zh_CN", "en")
GETTEXT_LANGUAGES = ("zh_CN",)
# Babel's standard keywords (gettext, ngettext, _, ...), plus N_ (marks a table's strings) and counted's noun (its
# 2nd argument).
EXTRA_KEYWORDS = {"N_": None, "counted": (2,)}


def gui_sources() -> list[str]:
    """The files whose tr() strings the app shows."""
    return sorted(str(p) for p in (PACKAGE / "gui").rglob("*.py"))


def lupdate_command(language: str, ts: Path) -> list[str]:
    """pyside6-lupdate merging the app's tr() strings into `ts` (English keeps only the plural forms)."""
    extra = ["-pluralonly"] if language == "en" else []
    # The action tables mark their texts with _t (lupdate reads no string passed on to QT_TRANSLATE_NOOP).
    return [tool("pyside6-lupdate"), "-no-obsolete", "-locations", "none", "-tr-function-alias", "QT_TR_NOOP+=_t",
            *extra, *gui_sources(), "-ts", str(ts)]


def extract_messages():
    """The gettext messages in the code now, as a Babel catalogue template."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir

    template = Catalog(domain="alexnet_gui")
    for filename, line, message, comments, context in extract_from_dir(
            str(PACKAGE), keywords={**DEFAULT_KEYWORDS, **EXTRA_KEYWORDS}):
        template.add(message, None, [(filename, line)], auto_comments=comments, context=context)
    return template


def tool(name: str) -> str:
    """A console script of this virtual environment (pyside6-lupdate, pybabel), beside the interpreter."""
    return str(Path(sys.executable).with_name(name))


def update_qt(check: bool) -> list[str]:
    """Run lupdate and lrelease; return the problems (unfinished or vanished strings)."""
    problems = []
    for language in QT_LANGUAGES:
        ts = I18N / f"alexnet_gui_{language}.ts"
        if not check:
            subprocess.run(lupdate_command(language, ts), check=True)
        text = ts.read_text(encoding="utf-8")
        unfinished = text.count('type="unfinished"') + text.count('type="vanished"')
        if unfinished:
            problems.append(f"{ts.name}: {unfinished} unfinished string(s)")
        if not check:
            subprocess.run([tool("pyside6-lrelease"), str(ts), "-qm", str(ts.with_suffix(".qm"))], check=True)
    return problems


def update_gettext(check: bool) -> list[str]:
    """Extract the gettext messages, merge them into each .po and compile the .mo; return the problems."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po, write_po

    pot = LOCALE / "alexnet_gui.pot"
    template = extract_messages()
    if not check:
        with pot.open("wb") as f:
            write_po(f, template, omit_header=True, no_location=True, sort_output=True)
    problems = []
    for language in GETTEXT_LANGUAGES:
        po_path = LOCALE / language / "LC_MESSAGES" / "alexnet_gui.po"
        with po_path.open("rb") as f:
            catalog = read_po(f, locale=language)
        created = catalog.creation_date  # the header keeps its date: a run that changes nothing changes no file
        catalog.update(template, no_fuzzy_matching=True)
        catalog.creation_date = created
        missing = [m.id for m in catalog if m.id and (not m.string or m.fuzzy)]
        if missing:
            problems.append(f"{po_path.name} ({language}): {len(missing)} untranslated: {missing[:5]}")
        if not check:
            catalog.obsolete.clear()
            with po_path.open("wb") as f:
                write_po(f, catalog, omit_header=False, no_location=True, sort_output=True, width=0)
            with po_path.with_suffix(".mo").open("wb") as f:
                write_mo(f, catalog)
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if anything is unfinished")
    args = parser.parse_args(argv)
    problems = update_qt(args.check) + update_gettext(args.check)
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
