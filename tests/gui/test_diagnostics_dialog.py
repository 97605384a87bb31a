"""Help > Diagnostics: the same facts as `alexnet-gui info`, the window's own backend, and Copy."""

from __future__ import annotations

import onnxruntime as ort
from PySide6.QtGui import QGuiApplication


def test_help_menu_opens_diagnostics_with_the_real_providers_and_copies(window, qtbot):
    assert window.diagnostics_action in window.help_menu.actions()
    from alexnet_gui.gui.widgets.diagnostics_dialog import DiagnosticsDialog

    window.diagnostics_action.trigger()
    dialog = window.findChild(DiagnosticsDialog)
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(lambda: dialog.facts is not None, timeout=60000)
    sections = [dialog.tree.topLevelItem(i).text(0) for i in range(dialog.tree.topLevelItemCount())]
    assert sections[0] == "App" and {"ONNX Runtime", "PyTorch", "Weights", "This window"} <= set(sections)
    values = {(f.section, f.key): f.value for f in dialog.facts}
    assert values[("ONNX Runtime", "providers listed")] == ", ".join(ort.get_available_providers())
    assert values[("ONNX Runtime", "CPUExecutionProvider")] == "loads"
    # The window's fixture runs the torch backend on the CPU with the untrained network.
    assert values[("This window", "backend")] == "torch" and values[("This window", "device")] == "cpu"
    assert "meaningless" in values[("This window", "weights")]
    assert values[("App", "Qt (PySide6)")].split()[0].count(".") == 2

    dialog.copy_button.click()
    text = QGuiApplication.clipboard().text()
    assert text == dialog.report_text()
    assert "ONNX Runtime:\n" in text and "  CPUExecutionProvider" in text and "This window:\n" in text
    dialog.close()


def test_closing_before_the_facts_arrive_is_harmless(window, qtbot):
    import threading

    from alexnet_gui.gui.widgets.diagnostics_dialog import show_diagnostics

    errors = []
    previous = threading.excepthook
    threading.excepthook = lambda hook_args: errors.append(hook_args.exc_value)
    try:
        dialog = show_diagnostics(window.context)
        thread = dialog.thread
        dialog.close()  # deleted on close while the thread is still collecting
        assert thread.is_alive()  # the case under test: closed before the facts arrived
        qtbot.waitUntil(lambda: not thread.is_alive(), timeout=60000)
    finally:
        threading.excepthook = previous
    assert errors == []
    again = show_diagnostics(window.context)  # and the app still works: the dialog opens again and gets its facts
    qtbot.waitUntil(lambda: again.facts is not None, timeout=60000)
    again.close()


def test_the_collecting_thread_is_handed_no_qt_object(window, qtbot, monkeypatch):
    # A signal emitted from the thread could race the dialog's deletion on the GUI thread (a crash now and then):
    # the thread gets only a Future, and the dialog polls it.
    import threading

    from PySide6.QtCore import QObject

    from alexnet_gui.gui.widgets import diagnostics_dialog

    handed = []

    class RecordingThread(threading.Thread):
        def __init__(self, *, target, args=(), **kwargs):
            handed.append((target, args))
            super().__init__(target=target, args=args, **kwargs)

    monkeypatch.setattr(diagnostics_dialog.threading, "Thread", RecordingThread)
    dialog = diagnostics_dialog.show_diagnostics(window.context)
    [(target, args)] = handed
    assert not isinstance(getattr(target, "__self__", None), QObject)
    assert not any(isinstance(a, QObject) for a in args)
    qtbot.waitUntil(lambda: dialog.facts is not None, timeout=60000)
    dialog.close()
