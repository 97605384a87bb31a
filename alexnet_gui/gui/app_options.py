"""The desktop app's own options, read before Qt starts (no Qt here): `--project FILE` opens a labelling project
(created when FILE does not exist) and `--review` starts in review mode with the keyboard focus there."""

from __future__ import annotations

from dataclasses import dataclass

from alexnet_gui.core.language import gettext as _


@dataclass(frozen=True)
class AppOptions:
    project: str | None = None
    review: bool = False


def split_app_options(words: list[str]) -> tuple[AppOptions, list[str]]:
    """Take `--project FILE` (or `--project=FILE`) and `--review` out of `words`; return them and the rest.
    Raises ValueError with one sentence for `--project` without a file, or `--review` without a project."""
    project: str | None = None
    review = False
    rest: list[str] = []
    i = 0
    while i < len(words):
        word = words[i]
        if word == "--review":
            review = True
        elif word == "--project" or word.startswith("--project="):
            value = word.split("=", 1)[1] if "=" in word else (words[i + 1] if i + 1 < len(words) else "")
            i += 0 if "=" in word else 1
            if not value or value.startswith("-"):
                raise ValueError(_("--project needs a FILE (a labelling project, created when it does not exist)"))
            project = value
        else:
            rest.append(word)
        i += 1
    if review and project is None:
        raise ValueError(_("--review needs --project FILE (the labelling project to review)"))
    return AppOptions(project, review), rest
