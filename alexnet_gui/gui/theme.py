"""The app's themes (View > Theme): the system's, light, dark and high contrast, as Qt palettes; and the colours
views draw with, chosen from the palette in use so that error text, plot curves and outlines stay readable on it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

THEMES = ("system", "light", "dark", "high-contrast")
_SYSTEM_PALETTE: list[tuple[str, QPalette]] = []  # the palette the app started with, for "system"


def _palette(window: str, base: str, text: str, button: str, highlight: str, highlighted_text: str,
             disabled: str, link: str) -> QPalette:
    p = QPalette()
    roles = QPalette.ColorRole
    for role, colour in ((roles.Window, window), (roles.Base, base), (roles.AlternateBase, button),
                         (roles.Button, button), (roles.ToolTipBase, base), (roles.ToolTipText, text),
                         (roles.WindowText, text), (roles.Text, text), (roles.ButtonText, text),
                         (roles.BrightText, highlight), (roles.Highlight, highlight),
                         (roles.HighlightedText, highlighted_text), (roles.Link, link),
                         (roles.PlaceholderText, disabled)):
        p.setColor(role, QColor(colour))
    for role in (roles.WindowText, roles.Text, roles.ButtonText):
        p.setColor(QPalette.ColorGroup.Disabled, role, QColor(disabled))
    return p


def theme_palette(name: str) -> QPalette:
    """The palette of a theme other than "system"."""
    if name == "dark":
        return _palette("#2b2b2b", "#1e1e1e", "#e6e6e6", "#353535", "#3d7fd6", "#ffffff", "#8a8a8a", "#7fb2ff")
    if name == "high-contrast":
        # Black and white with a yellow selection: WCAG's highest contrast (21:1 text, 19.6:1 selection).
        return _palette("#000000", "#000000", "#ffffff", "#000000", "#ffff00", "#000000", "#c0c0c0", "#00ffff")
    return _palette("#efefef", "#ffffff", "#000000", "#e6e6e6", "#3072c4", "#ffffff", "#7a7a7a", "#1a56b0")


# Fusion draws outlines a shade darker than the window: black on black in high contrast, so checkboxes, buttons
# and fields lost their edges. White edges, and a cyan one on the focused control (Qt's style sheets have no
# `outline`), make every control and the focus visible.
HIGH_CONTRAST_SHEET = """
QCheckBox::indicator, QRadioButton::indicator { width: 13px; height: 13px; border: 2px solid #ffffff;
    background: #000000; }
QRadioButton::indicator { border-radius: 8px; }
QCheckBox::indicator:checked, QRadioButton::indicator:checked { background: #ffff00; }
QPushButton, QComboBox, QLineEdit, QAbstractSpinBox, QPlainTextEdit, QTableView, QListView, QTreeView {
    border: 1px solid #ffffff; padding: 2px 6px; }
QPushButton:disabled { border-color: #c0c0c0; }
QPushButton:focus, QComboBox:focus, QLineEdit:focus, QAbstractSpinBox:focus, QPlainTextEdit:focus,
QTableView:focus, QListView:focus, QTreeView:focus, QCheckBox:focus, QRadioButton:focus { border: 2px solid #00ffff; }
"""


def apply_theme(app: QApplication, name: str) -> None:
    """Switch every window to a theme now (Fusion draws the same widgets on every platform for the three fixed
    themes; "system" restores the style and palette the app started with)."""
    if not _SYSTEM_PALETTE:
        _SYSTEM_PALETTE.append((app.style().name(), QPalette(app.palette())))
    if name == "system":
        style, palette = _SYSTEM_PALETTE[0]
        app.setStyleSheet("")
        app.setPalette(palette)
        app.setStyle(style)
    else:
        # Palette first: the style change that follows is what a hidden window hears of (see CurvesView.event).
        app.setStyleSheet(HIGH_CONTRAST_SHEET if name == "high-contrast" else "")
        app.setPalette(theme_palette(name))
        app.setStyle("Fusion")
    # Leaving the high-contrast style sheet, some widgets (the model card's dock, most runs) kept its black
    # palette: every widget without a palette of its own takes the application's again.
    for widget in app.allWidgets():
        if not widget.testAttribute(Qt.WidgetAttribute.WA_SetPalette):
            widget.setPalette(QPalette())


def is_dark(palette: QPalette) -> bool:
    """Whether text is drawn light on dark (a dark or high-contrast theme, or the system's dark mode)."""
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def error_colour(palette: QPalette) -> QColor:
    """The text colour of something that failed: a red that reads on this palette's background (4.5:1 or
    more)."""
    return QColor("#ff8a80") if is_dark(palette) else QColor("#c62828")


def curve_colours(palette: QPalette) -> dict[str, str]:
    """The training curves' colours and the plots' background and axes, for this palette."""
    lines = ({"train": "#6cb6ff", "val": "#ff8a80", "best": "#8ee08e"} if is_dark(palette) else
             {"train": "#1f77b4", "val": "#d62728", "best": "#2ca02c"})
    return {**lines, "background": palette.color(QPalette.ColorRole.Base).name(),
            "foreground": palette.color(QPalette.ColorRole.Text).name()}
