"""Counts in the sentences the app and the command line show: "1 image", "2 images"."""


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """Return `n` with `noun` in the number it takes (`plural` when adding an "s" is wrong)."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"
