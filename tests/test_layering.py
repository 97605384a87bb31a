"""The core stays headless and light: importing it never pulls in Qt, torch or torchvision."""

import pkgutil
import subprocess
import sys

import alexnet_gui.core


def core_modules():
    names = ["alexnet_gui.cli"]
    for info in pkgutil.walk_packages(alexnet_gui.core.__path__, "alexnet_gui.core."):
        # These exist to run torch or onnxruntime; every other core module must import without them.
        if info.name.rsplit(".", 1)[-1] in {"torch_backend", "onnx_export", "onnx_backend", "gradcam", "attribution",
                                            "feature_vis", "trainer"}:
            continue
        names.append(info.name)
    return names


def test_core_imports_without_qt_or_torch():
    code = (
        "import importlib, sys\n"
        f"for name in {core_modules()!r}: importlib.import_module(name)\n"
        "heavy = sorted(m for m in ('PySide6', 'torch', 'torchvision', 'onnx', 'onnxruntime') if m in sys.modules)\n"
        "print(','.join(heavy))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == ""


def test_no_qt_import_anywhere_in_core():
    from pathlib import Path

    core = Path(alexnet_gui.core.__file__).parent
    offenders = [str(p) for p in core.rglob("*.py") if "PySide6" in p.read_text(encoding="utf-8")]
    assert offenders == []


def _model_import_graph() -> dict[str, set[str]]:
    """core.model's modules and the siblings each imports, function-level imports included (ast, not grimp)."""
    import ast
    from pathlib import Path

    folder = Path(alexnet_gui.core.__file__).parent / "model"
    names = {p.stem for p in folder.glob("*.py") if p.stem != "__init__"}
    graph: dict[str, set[str]] = {}
    for name in names:
        tree = ast.parse((folder / f"{name}.py").read_text(encoding="utf-8"))
        found = set()
        for node in ast.walk(tree):
            modules = ([alias.name for alias in node.names] if isinstance(node, ast.Import)
                       else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            for module in modules:
                if module.startswith("alexnet_gui.core.model."):
                    found.add(module.split(".")[3])
        graph[name] = found & names
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str]:
    """One cycle of the graph as a path (first node repeated at the end), or [] when it has none."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return []

    for start in sorted(graph):
        if start not in state and (found := visit(start)):
            return found
    return []


def test_the_cycle_finder_sees_a_function_level_cycle():
    assert _cycle({"weights": {"loading"}, "loading": {"weights"}, "card": set()}) == ["loading", "weights", "loading"]
    assert _cycle({"weights": {"choice"}, "loading": {"weights", "choice"}, "choice": set()}) == []


def test_core_model_has_no_import_cycle_function_level_imports_included():
    graph = _model_import_graph()
    assert "choice" in graph and graph["choice"] == set()  # the record every module shares is a leaf
    assert _cycle(graph) == []
