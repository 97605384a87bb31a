"""Counts in the sentences the app and the command line show: "1 image", "2 images"; text shown on a terminal."""

import re

from alexnet_gui.core.language import current_language, gettext

# C0 and C1 controls, DEL, the bidirectional overrides and isolates (which reorder what follows them), and lone
# surrogates (a file name's bytes that are not UTF-8, which a strict terminal encoding cannot write at all).
_UNSEEN = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff"
_CONTROLS = re.compile(f"[\x00-\x1f\x7f-\x9f{_UNSEEN}]")
_CONTROLS_BUT_NEWLINES = re.compile(f"[\x00-\x09\x0b-\x1f\x7f-\x9f{_UNSEEN}]")


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """Return `n` with `noun` in the number it takes (`plural` when adding an "s" is wrong); in Chinese, the noun's
    translation with its measure word ("3 张图像")."""
    if current_language() != "en":
        return f"{n} {gettext(noun)}"
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


def format_probability(prob: float) -> str:
    """A probability as the table shows it: percent with one decimal, more where that would read 0.0 % (an
    untrained network's 0.1 % classes, or a confident model's runners-up); below 0.001 % it says so, never in
    exponent notation (4.43e-06 %)."""
    percent = prob * 100
    if percent >= 1 or percent == 0:
        return f"{percent:.1f} %"
    if percent < 0.001:
        return "< 0.001 %"
    return f"{percent:.3g} %"


def escape_controls(text: str, *, keep_newlines: bool = False) -> str:
    """`text` (a card's name, a label source, a file name: the user's or a model file's) safe to print on a
    terminal: every control character escaped as Python writes it (`\\x1b`, `\\n`, `\\u202e`), so an escape sequence
    in a model file cannot retitle the window, clear the screen or fake a line. `keep_newlines` keeps line breaks
    (for text of several lines that is already escaped line by line)."""
    pattern = _CONTROLS_BUT_NEWLINES if keep_newlines else _CONTROLS
    return pattern.sub(lambda m: m.group().encode("unicode_escape", "backslashreplace").decode("ascii"), text)
