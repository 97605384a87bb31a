"""What a screen reader says for a control: its accessible name, and a description where its tooltip (Qt's
default description) says nothing or the control has none. A control with a visible label gets its name from the
label (QLabel.setBuddy, QFormLayout rows); the rest are named here."""

from __future__ import annotations

from PySide6.QtWidgets import QDialogButtonBox, QWidget


def describe(widget: QWidget, name: str, description: str | None = None) -> QWidget:
    """Give `widget` its accessible name, and a description when one is given; return it."""
    widget.setAccessibleName(name)
    if description is not None:
        widget.setAccessibleDescription(description)
    return widget


def describe_buttons(box: QDialogButtonBox, descriptions: dict) -> None:
    """Describe a button box's standard buttons (OK, Cancel, Close): what pressing each does here."""
    for which, description in descriptions.items():
        button = box.button(which)
        if button is not None:
            button.setAccessibleDescription(description)
