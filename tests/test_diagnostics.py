"""`--version`, `info` and the diagnostics behind them: the real provider list, why a provider falls back, weights found."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import onnxruntime as ort
import pytest

from alexnet_gui import __version__
from alexnet_gui.cli import main
from alexnet_gui.core import diagnostics
from alexnet_gui.core.backends import cuda_status
from alexnet_gui.core.backends.onnx_files import logits_only_model


def facts_by_key(facts):
    return {(f.section, f.key): f.value for f in facts}


def test_version_text_names_the_installed_backends():
    assert diagnostics.version_text() == f"alexnet-gui {__version__} (backends: onnx, torch)"


def test_version_text_without_torch(monkeypatch):
    real = diagnostics.importlib.util.find_spec
    monkeypatch.setattr(diagnostics.importlib.util, "find_spec", lambda name, *a: None if name == "torch" else real(name, *a))
    assert diagnostics.available_backends() == ["onnx"]
    assert diagnostics.version_text() == f"alexnet-gui {__version__} (backends: onnx)"
    facts = facts_by_key(diagnostics._torch_facts())
    assert facts[("PyTorch", "torch")].startswith("not installed")


def test_version_flag_exits_0_and_prints_the_version_line():
    out = subprocess.run([sys.executable, "-m", "alexnet_gui", "--version"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == diagnostics.version_text()


def test_provider_probe_agrees_with_what_onnxruntime_runs():
    probes = diagnostics.probe_onnx_providers()
    assert [name for name, _ok, _why in probes] == ort.get_available_providers()
    loads = {name: ok for name, ok, _why in probes}
    assert loads["CPUExecutionProvider"] is True
    if "CUDAExecutionProvider" in loads:
        # The backend's own check runs a session too: both must agree on whether CUDA really starts.
        assert loads["CUDAExecutionProvider"] == cuda_status("onnx")[0]
    for _name, ok, why in probes:
        assert why == "loads" if ok else why.startswith("falls back to the CPU: ") and len(why) > 24


def test_load_error_is_read_from_onnxruntime_log():
    log = (
        "\x1b[1;31m2026-01-01 [E:onnxruntime:Default, provider_bridge_ort.cc:2458 operator()] ... FAIL : Failed to "
        "load library /x/libonnxruntime_providers_cuda.so with error: libcudnn.so.9: cannot open shared object file: "
        "No such file or directory\n\x1b[m"
    )
    assert diagnostics._load_error(log) == "libcudnn.so.9: cannot open shared object file: No such file or directory"
    assert diagnostics._load_error("nothing wrong here") is None


def test_info_prints_the_real_providers_torch_and_weights(capsys):
    assert main(["info"]) == 0
    out = capsys.readouterr().out
    assert f"alexnet-gui                {__version__}"[:11] in out
    assert f"providers listed           {', '.join(ort.get_available_providers())}" in out
    assert "CPUExecutionProvider       loads" in out
    import torch

    cuda_line = next(line for line in out.splitlines() if line.strip().startswith("CUDA available"))
    assert ("yes" in cuda_line) == torch.cuda.is_available()
    assert f"version                    {torch.__version__}" in out
    # conftest points every cache into a temporary folder, with a mirror on a closed port.
    assert "torch cache" in out and "none in " in out
    assert "ALEXNET_GUI_WEIGHTS_URL    http://127.0.0.1:9/" in out
    assert "bundled model              none (not a desktop bundle)" in out


def test_info_json_lists_every_section(capsys):
    assert main(["info", "--json"]) == 0
    facts = json.loads(capsys.readouterr().out)
    assert {f["section"] for f in facts} >= {"App", "ONNX Runtime", "PyTorch", "Weights"}
    by_key = {(f["section"], f["key"]): f["value"] for f in facts}
    assert by_key[("ONNX Runtime", "version")] == ort.__version__
    assert by_key[("App", "backends available")] == "onnx, torch"


@pytest.fixture
def bundled(tmp_path, monkeypatch, onnx_backend):
    """Pretend to be a desktop bundle: resources/model/ holds the session's untrained export."""
    from alexnet_gui import resource_files

    (tmp_path / "model").mkdir()
    (tmp_path / "model" / "alexnet.onnx").symlink_to(onnx_backend.model_path)
    lean = logits_only_model(onnx_backend.model_path)
    (tmp_path / "model" / "alexnet.logits.onnx").symlink_to(lean)
    # The lean graph reads its weights from the data file it names, looked for beside the graph.
    (tmp_path / "model" / f"{lean.name}.data").symlink_to(f"{lean}.data")
    (tmp_path / "model" / "alexnet.json").write_text(json.dumps({"source": "the untrained seeded random network"}))
    monkeypatch.setattr(resource_files, "resource_path", lambda name: tmp_path.joinpath(*name.split("/")))
    return tmp_path / "model" / "alexnet.onnx"


def test_a_bundled_model_is_chosen_before_the_cache_and_runs(bundled, onnx_backend, tmp_path):
    from alexnet_gui.core.backends import load_backend
    from alexnet_gui.core.model.weights import resolve_weights

    choice = resolve_weights(download=False)
    assert (choice.kind, choice.path) == ("onnx", bundled)
    assert choice.source == "bundled ONNX model, exported from the untrained seeded random network"
    backend = load_backend("onnx", choice, "cpu")
    x = np.random.default_rng(0).standard_normal((2, 3, 224, 224), dtype=np.float32)
    np.testing.assert_allclose(backend.predict(x), onnx_backend.predict(x), atol=1e-5)
    # Classify runs the bundle's logits-only graph; the activations still come from the full one.
    assert [o.name for o in backend.session.get_outputs()] == ["logits"]
    got = backend.activations(x[:1], ["relu1"])["relu1"]
    np.testing.assert_allclose(got, onnx_backend.activations(x[:1], ["relu1"])["relu1"], atol=1e-5)
    backend.close()
    # A file the user names still wins over the bundle.
    mine = tmp_path / "mine.onnx"
    mine.write_bytes(b"")
    assert resolve_weights(mine).path == mine.resolve()
    weights = facts_by_key(diagnostics._weights_facts())
    assert weights[("Weights", "bundled model")].startswith(f"{bundled} — bundled ONNX model")


def test_without_torch_the_torch_backend_is_one_sentence(monkeypatch, untrained_weights):
    from alexnet_gui.core.backends import load_backend
    from alexnet_gui.core.errors import UserError

    real = diagnostics.importlib.util.find_spec
    monkeypatch.setattr(diagnostics.importlib.util, "find_spec", lambda name, *a: None if name == "torch" else real(name, *a))
    assert cuda_status("torch") == (False, "PyTorch is not installed (the desktop bundle runs ONNX Runtime only)")
    with pytest.raises(UserError, match="^the PyTorch backend is not installed here"):
        load_backend("torch", untrained_weights, "cpu")


def test_a_missing_torch_in_a_command_is_one_sentence(monkeypatch, capsys):
    def needs_torch(args):
        raise ModuleNotFoundError("No module named 'torch'", name="torch")

    import alexnet_gui.commands.summary as summary

    monkeypatch.setattr(summary, "run", needs_torch)
    assert main(["summary"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: this needs torch, which is not installed here") and "Traceback" not in err
    assert diagnostics.missing_dependency_message(ModuleNotFoundError("x", name="yaml")) is None
