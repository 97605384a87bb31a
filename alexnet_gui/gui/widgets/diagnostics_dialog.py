"""Help > Diagnostics: the facts of `alexnet-gui info` (devices, providers that load, torch/CUDA, weights) in a dialog.

Collecting them probes ONNX Runtime's providers and imports torch when it is installed (seconds), so that runs on
a Python thread; the dialog opens at once and fills in when the facts arrive.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future

from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtGui import QAction, QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
)

from alexnet_gui.gui.accessibility import describe, describe_buttons
from alexnet_gui.gui.theme import error_colour


def window_facts(context) -> list:
    """What this window (its `AppContext`) is running right now, and the toolkit, as diagnostics facts."""
    import PySide6
    from PySide6.QtCore import qVersion

    from alexnet_gui.core.diagnostics import Fact

    facts = [Fact("App", "Qt (PySide6)", f"{qVersion()} (PySide6 {PySide6.__version__}, "
                                         f"platform {QGuiApplication.platformName()})")]
    info = context.controller.loaded_info() if context is not None else None
    if info:
        for key in ("backend", "device", "provider", "weights"):
            facts.append(Fact("This window", key, str(info.get(key, ""))))
    elif context is not None:
        facts.append(Fact("This window", "model", "not loaded yet"))
    return facts


class DiagnosticsDialog(QDialog):
    """The diagnostics report as a tree (section > key: value) with a Copy button for bug reports."""

    def __init__(self, parent=None, extra_facts: list | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Diagnostics — alexnet-gui"))
        self.resize(860, 560)
        self.facts: list | None = None
        self._extra = list(extra_facts or [])
        self.status = QLabel(self.tr("Collecting: probing ONNX Runtime's providers and PyTorch…"))
        self.tree = QTreeWidget()
        self.tree.setColumnCount(2)
        self.tree.setHeaderLabels(["", self.tr("Value")])
        self.tree.setAlternatingRowColors(True)
        describe(self.tree, self.tr("Diagnostics"), self.tr("What this installation can run on, and why not."))
        self.tree.setWordWrap(True)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = QPushButton(self.tr("Copy"))
        self.copy_button.setToolTip(self.tr("Copy the whole report as text, e.g. for a bug report"))
        self.copy_button.setEnabled(False)
        self.copy_button.clicked.connect(self.copy_to_clipboard)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        describe_buttons(buttons, {QDialogButtonBox.StandardButton.Close: self.tr("Close this window")})
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(self.tree)
        layout.addWidget(buttons)
        # The thread never touches a Qt object: the dialog polls its result on the GUI thread. A signal emitted
        # from the thread on an object of the dialog's could race its deletion when the dialog is closed early.
        self._facts: Future = Future()
        self.thread = threading.Thread(target=_collect, args=(self._facts,), name="diagnostics", daemon=True)
        self.thread.start()
        self._poll = QTimer(self)
        self._poll.setInterval(50)
        self._poll.timeout.connect(self._show_when_collected)
        self._poll.start()

    def _show_when_collected(self) -> None:
        if self._facts.done():
            self._poll.stop()
            self._show(self._facts.result())

    def _show(self, facts: list) -> None:
        app = [f for f in facts if f.section == "App"]
        rest = [f for f in facts if f.section != "App"]
        here = [f for f in self._extra if f.section == "App"]
        self.facts = app + here + rest + [f for f in self._extra if f.section != "App"]
        self.tree.clear()
        sections: dict[str, QTreeWidgetItem] = {}
        for fact in self.facts:
            parent = sections.get(fact.section)
            if parent is None:
                parent = sections[fact.section] = QTreeWidgetItem(self.tree, [fact.section])
                font = parent.font(0)
                font.setBold(True)
                parent.setFont(0, font)
                parent.setFirstColumnSpanned(True)
            item = QTreeWidgetItem(parent, [fact.key, fact.value])
            item.setToolTip(1, fact.value)
            if fact.value.startswith(("falls back", "no:", "not installed", "not loaded")):
                item.setForeground(1, error_colour(self.palette()))
        self.tree.expandAll()
        self.status.setText(self.tr("What this installation can run on, and why not."))
        self.copy_button.setEnabled(True)

    def report_text(self) -> str:
        """The report as `alexnet-gui info` prints it."""
        from alexnet_gui.core.diagnostics import format_facts

        return format_facts(self.facts or [])

    def copy_to_clipboard(self) -> None:
        QGuiApplication.clipboard().setText(self.report_text())
        self.status.setText(self.tr("Copied to the clipboard."))


def _collect(result: Future) -> None:
    """Collect the facts into `result` (on the diagnostics thread)."""
    from alexnet_gui.core.diagnostics import Fact, collect_facts

    try:
        facts = collect_facts()
    except Exception as exc:  # noqa: BLE001 - show what went wrong rather than an empty dialog
        facts = [Fact("App", "error", f"{type(exc).__name__}: {exc}")]
    result.set_result(facts)


def show_diagnostics(context) -> DiagnosticsDialog:
    """Open the (non-modal) diagnostics dialog over the app's window (`context.parent`)."""
    dialog = DiagnosticsDialog(context.parent, window_facts(context))
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    return dialog


def install_diagnostics_action(context, help_menu) -> QAction:
    """Add Help > Diagnostics… to `help_menu`; return the action."""
    text = QCoreApplication.translate("diagnostics_dialog", "Diagnostics…")
    tip = QCoreApplication.translate(
        "diagnostics_dialog", "Devices, ONNX Runtime providers that load (and why not), PyTorch/CUDA, weights found")
    action = QAction(text, help_menu)
    action.setToolTip(tip)
    action.setStatusTip(tip)
    action.triggered.connect(lambda: show_diagnostics(context))
    help_menu.addAction(action)
    return action
