"""Reading one JSON object of a card file into a dataclass's fields: a non-object or an unknown field is one
sentence naming it (the architecture and the recipe are read this way)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from alexnet_gui.core.errors import UserError


def known_fields(data: object, cls: type, what: str, where: str, error: type[UserError] = UserError) -> dict[str, Any]:
    """`data` as a dict of `cls`'s dataclass fields; raise `error` when it is not an object or names another."""
    if not isinstance(data, Mapping):
        raise error(f"{where}: {what} must be an object")
    known = set(cls.__dataclass_fields__)  # type: ignore[attr-defined]
    unknown = sorted(set(data) - known)
    if unknown:
        raise error(f"{where}: unknown {what} field {unknown[0]!r}; fields are {', '.join(sorted(known))}")
    return dict(data)
