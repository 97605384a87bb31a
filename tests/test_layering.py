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
