"""The GUI's control layer stays small and layered (issue 32): read from the source with `ast`, no Qt needed.

MainWindow keeps layout and wiring only (at most 400 lines), no function under alexnet_gui/gui is longer than 60
lines, no GUI module longer than 500; widgets never reach the window's worker; no Qt signal routes answers by a
string kind; the GUI imports no backend implementation (it asks the inference thread, which asks the core).
"""

from __future__ import annotations

import ast
from pathlib import Path

GUI = Path(__file__).resolve().parents[1] / "alexnet_gui" / "gui"
BACKEND_IMPLEMENTATIONS = tuple(f"alexnet_gui.core.backends.{name}" for name in (
    "torch_backend", "onnx_backend", "onnx_int8", "onnx_fp16", "onnx_export", "onnx_cache"))


def _modules() -> dict[Path, ast.Module]:
    return {path: ast.parse(path.read_text(encoding="utf-8")) for path in sorted(GUI.rglob("*.py"))}


def _length(node: ast.AST) -> int:
    return node.end_lineno - node.lineno + 1  # type: ignore[attr-defined]


def test_main_window_is_layout_and_wiring_at_most_400_lines():
    tree = _modules()[GUI / "main_window.py"]
    [window] = [n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "MainWindow"]
    own_bases = [b.id for b in window.bases if isinstance(b, ast.Name) and b.id != "QMainWindow"]
    assert own_bases == []  # a base class of the package would count towards the 400 lines
    assert _length(window) <= 400


def test_no_function_is_longer_than_60_lines_and_no_module_longer_than_500():
    long_functions, long_modules = [], []
    for path, tree in _modules().items():
        if len(path.read_text(encoding="utf-8").splitlines()) > 500:
            long_modules.append(path.name)
        long_functions += [f"{path.relative_to(GUI)}:{node.name} ({_length(node)} lines)" for node in ast.walk(tree)
                           if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and _length(node) > 60]
    assert long_functions == [] and long_modules == []


def test_no_widget_reaches_the_windows_worker_and_no_signal_routes_by_a_string_kind():
    reaching, kind_signals = [], []
    for path, tree in _modules().items():
        text = path.read_text(encoding="utf-8")
        for needle in (".handle.worker", "window.handle", "window_.handle", "window._"):
            if needle in text:
                reaching.append(f"{path.name}: {needle}")
        for node in ast.walk(tree):
            # Signal(str, object) / Signal(str, str) / Signal(str, int, int): the old "kind, payload" routing
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Signal" and len(node.args) >= 2 \
                    and getattr(node.args[0], "id", "") == "str" and getattr(node.args[1], "id", "") == "object":
                kind_signals.append(f"{path.name}:{node.lineno}")
            if isinstance(node, ast.Attribute) and node.attr in ("view_ready", "view_failed", "view_progress",
                                                                  "compute_view", "ask_view", "run_tool_kind"):
                kind_signals.append(f"{path.name}:{node.lineno} {node.attr}")
    assert reaching == [] and kind_signals == []


def test_the_gui_imports_no_backend_implementation():
    found = []
    for path, tree in _modules().items():
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            if isinstance(node, ast.ImportFrom) and node.module == "alexnet_gui.core.backends":
                names += [f"alexnet_gui.core.backends.{a.name}" for a in node.names]
            found += [f"{path.name}: {n}" for n in names if n.startswith(BACKEND_IMPLEMENTATIONS)]
    assert found == []
