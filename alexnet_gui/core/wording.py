"""Counts in the sentences the app and the command line show: "1 image", "2 images"."""

from alexnet_gui.core.language import current_language, gettext


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """Return `n` with `noun` in the number it takes (`plural` when adding an "s" is wrong); in Chinese, the noun's
    translation with its measure word ("3 张图像")."""
    if current_language() != "en":
        return f"{n} {gettext(noun)}"
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


def format_probability(prob: float) -> str:
    """A probability as the table shows it: percent with one decimal, more where that would read 0.0 % (an
    untrained network's 0.1 % classes, or a confident model's runners-up)."""
    percent = prob * 100
    if percent >= 1 or percent == 0:
        return f"{percent:.1f} %"
    return f"{percent:.3g} %"
