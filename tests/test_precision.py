"""--precision fp16: CUDA only (refused on --device cpu, fp32 on the CPU under --device auto without CUDA), the
torch half model's parity with fp32 (run on the CPU, which torch allows), the ONNX fp16 copy, and provenance."""

import json

import numpy as np
import pytest

from alexnet_gui.cli import main
from alexnet_gui.core.backends import cuda_status, load_backend
from alexnet_gui.core.backends.base import BackendError
from tests.image_fixtures import write_photos

# Measured on the seeded untrained network, batch of 8 seeded N(0, 1) inputs (logits up to ~0.03 in magnitude):
# torch half on the CPU differs from fp32 by at most 2.0e-5, the ONNX fp16 copy (ORT CPU) by 1.3e-5; the
# smallest top-1 margin is 1.4e-3. The tolerances leave about 5x headroom.
TORCH_FP16_MAX_ABS = 1e-4
ONNX_FP16_MAX_ABS = 1e-4


def seeded_batch(n=8):
    return np.random.default_rng(0).standard_normal((n, 3, 224, 224)).astype(np.float32)


@pytest.mark.parametrize("backend", ["torch", "onnx"])
def test_fp16_on_the_cpu_is_exit_2_with_one_sentence(tmp_path, capsys, backend):
    write_photos(tmp_path, 1, size=(64, 64))
    out = tmp_path / "o.csv"
    status = main(["classify", str(tmp_path), "--out", str(out), "--untrained", "--backend", backend,
                   "--precision", "fp16", "--device", "cpu"])
    err = capsys.readouterr().err
    assert status == 2
    lines = [line for line in err.splitlines() if line.startswith("error: ")]
    assert lines == ["error: --precision fp16 needs CUDA; choose --device auto or cuda on a machine with an NVIDIA "
                     "GPU, or --precision fp32 on the CPU"]
    assert "Traceback" not in err and not out.exists()


@pytest.mark.parametrize("command", ["compare", "cam"])
def test_compare_and_cam_refuse_fp16_on_the_cpu_with_the_same_sentence(tmp_path, capsys, command):
    (photo,) = write_photos(tmp_path, 1, size=(64, 64))
    argv = [command, str(photo), "--untrained", "--precision", "fp16", "--device", "cpu"]
    if command == "cam":
        argv += ["--out", str(tmp_path / "cam.png")]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert [line for line in err.splitlines() if line.startswith("error: ")] == [
        "error: --precision fp16 needs CUDA; choose --device auto or cuda on a machine with an NVIDIA GPU, "
        "or --precision fp32 on the CPU"]
    assert "Traceback" not in err and not (tmp_path / "cam.png").exists()


@pytest.mark.skipif(cuda_status("torch")[0] or cuda_status("onnx")[0], reason="checks the CUDA-less fallback")
def test_compare_with_fp16_and_no_cuda_compares_fp32_and_says_so_once_per_backend(tmp_path, capsys):
    write_photos(tmp_path, 2, size=(64, 64))
    assert main(["compare", str(tmp_path), "--untrained", "--precision", "fp16", "-q"]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("2 images compared (0 could not be read): top-1 agreement 2/2 (100.0%)")
    notes = [line for line in captured.err.splitlines() if line.startswith("precision: ")]
    assert len(notes) == 2 and all(line.startswith("precision: fp32 on the CPU, not fp16") for line in notes)
    assert captured.err.count("WARNING: --untrained") == 2  # weights resolved once: before the run and after it


def test_load_backend_refuses_fp16_on_the_cpu_and_unknown_precisions(untrained_weights):
    with pytest.raises(BackendError, match="needs CUDA"):
        load_backend("torch", untrained_weights, "cpu", "fp16")
    with pytest.raises(BackendError, match="unknown precision 'fp8'"):
        load_backend("torch", untrained_weights, "auto", "fp8")


def test_argparse_rejects_fp8(tmp_path, capsys):
    assert main(["classify", str(tmp_path), "--out", str(tmp_path / "o.csv"), "--untrained", "--precision", "fp8"]) == 2
    err = capsys.readouterr().err
    assert "argument --precision: invalid choice: 'fp8'" in err and "Traceback" not in err


@pytest.mark.skipif(cuda_status("torch")[0] or cuda_status("onnx")[0], reason="checks the CUDA-less fallback")
@pytest.mark.parametrize("backend", ["torch", pytest.param("onnx", marks=pytest.mark.slow)])
def test_fp16_with_device_auto_and_no_cuda_runs_fp32_and_says_why(tmp_path, capsys, backend):
    images = tmp_path / "in"
    images.mkdir()
    write_photos(images, 2, size=(64, 64))
    out = tmp_path / "o.csv"
    assert main(["classify", str(images), "--out", str(out), "--untrained", "--backend", backend,
                 "--precision", "fp16"]) == 0
    err = capsys.readouterr().err
    reason = cuda_status(backend)[1]
    notes = [line for line in err.splitlines() if line.startswith("precision: ")]
    assert notes == [f"precision: fp32 on the CPU, not fp16 (fp16 needs CUDA; CUDA not used: {reason})"]
    prov = json.loads((tmp_path / "o.csv.provenance.json").read_text())
    assert (prov["backend"], prov["device"], prov["precision"]) == (backend, "cpu", "fp32")
    assert len(out.read_text().splitlines()) == 3


def test_fp32_is_the_default_and_what_the_backends_report(torch_backend):
    assert torch_backend.precision == "fp32"
    from alexnet_gui.cli import build_parser

    parser, _ = build_parser()
    for command in ("classify", "sort", "evaluate", "features"):
        argv = [command, "x"] + ([] if command == "evaluate" else ["--out", "o"])
        assert parser.parse_args(argv).precision == "fp32", command
        assert parser.parse_args([*argv, "--precision", "fp16"]).precision == "fp16", command


def test_provenance_records_the_precision_that_ran():
    from alexnet_gui.core.model.loading import untrained_card
    from alexnet_gui.core.outputs.provenance import start_provenance

    class Half:
        name, device, provider, weights_source, precision = "torch", "cuda", "torch (cuda:0)", "untrained", "fp16"
        card, calibration, quantisation = untrained_card(), "", ""

    class Full:
        name, device, provider, weights_source, precision = "onnx", "cpu", "CPUExecutionProvider", "untrained", "fp32"
        card, calibration, quantisation = untrained_card(), "", ""

    assert start_provenance(Half(), top_k=5).to_json()["precision"] == "fp16"
    assert start_provenance(Full(), top_k=5).to_json()["precision"] == "fp32"


def test_torch_half_model_matches_fp32_on_the_cpu(untrained_weights, torch_backend):
    import torch

    from alexnet_gui.core.backends.torch_backend import TorchBackend

    half = TorchBackend.on_torch_device(untrained_weights, "cpu", "fp16")
    try:
        assert half.precision == "fp16" and half.device == "cpu"
        assert next(half.model.parameters()).dtype == torch.float16
        x = seeded_batch()
        want, got = torch_backend.predict(x), half.predict(x)
        assert got.dtype == np.float32 and got.shape == (8, 1000)
        assert np.array_equal(got.argmax(1), want.argmax(1))
        diff = float(np.abs(got - want).max())
        assert 0 < diff < TORCH_FP16_MAX_ABS  # 0 would mean it did not run in half precision
        acts = half.activations(x[:2], ["conv1", "pool5"])
        assert acts["conv1"].dtype == np.float32 and acts["pool5"].shape == (2, 256, 6, 6)
        ref = torch_backend.activations(x[:2], ["pool5"])["pool5"]
        assert np.abs(acts["pool5"] - ref).max() < 1e-2 * np.abs(ref).max()
    finally:
        half.close()


@pytest.mark.slow
def test_onnx_fp16_copy_of_an_external_data_model(onnx_backend, untrained_weights):
    import onnx
    import onnxruntime as ort

    from alexnet_gui.core.backends.onnx_backend import cached_model_path
    from alexnet_gui.core.backends.onnx_files import logits_only_model
    from alexnet_gui.core.backends.onnx_fp16 import fp16_model

    lean = logits_only_model(cached_model_path(untrained_weights))  # the fp32 logits-only model, external data
    assert lean.name.endswith(".lean.onnx")
    assert any(t.data_location == onnx.TensorProto.EXTERNAL
               for t in onnx.load(str(lean), load_external_data=False).graph.initializer)
    half = fp16_model(lean)
    assert half == lean.with_name(lean.stem + ".fp16.onnx")
    data = half.with_name(half.name + ".data")
    assert data.is_file() and 115e6 < data.stat().st_size < 130e6  # 61.1 M parameters at 2 bytes
    assert [p.name for p in half.parent.iterdir() if p.name.startswith(f".{half.name}.")] == []  # no temp left

    model = onnx.load(str(half))
    onnx.checker.check_model(model)
    float32 = onnx.TensorProto.FLOAT
    assert [(i.name, i.type.tensor_type.elem_type) for i in model.graph.input] == [("input", float32)]
    assert [(o.name, o.type.tensor_type.elem_type) for o in model.graph.output] == [("logits", float32)]
    kinds = {t.data_type for t in model.graph.initializer}
    assert onnx.TensorProto.FLOAT16 in kinds and float32 not in kinds
    params = sum(int(np.prod(t.dims)) for t in model.graph.initializer if t.data_type == onnx.TensorProto.FLOAT16)
    assert params == 61_100_840

    # ONNX Runtime's CPU provider runs it (fp16 nodes without a CPU kernel get casts to fp32 inserted), so the
    # weights' rounding to fp16 is checked here; the CUDA provider runs the same graph in fp16 arithmetic.
    x = seeded_batch()
    want = onnx_backend.predict(x)
    got = ort.InferenceSession(str(half), providers=["CPUExecutionProvider"]).run(["logits"], {"input": x})[0]
    assert got.dtype == np.float32 and got.shape == (8, 1000)
    assert np.array_equal(got.argmax(1), want.argmax(1))
    assert 0 < float(np.abs(got - want).max()) < ONNX_FP16_MAX_ABS

    mtime = half.stat().st_mtime_ns
    assert fp16_model(lean) == half and half.stat().st_mtime_ns == mtime  # cached: not converted again


def test_onnx_backend_loads_the_fp16_copy_where_cuda_is_usable(onnx_backend, untrained_weights, monkeypatch, tmp_path):
    from alexnet_gui.core.backends import onnx_backend as module

    # Pretend CUDA works: the session then falls back to the CPU provider, which runs the fp16 graph too.
    monkeypatch.setattr(module, "cuda_status", lambda: (True, "pretend"))
    half = module.OnnxBackend(untrained_weights, "auto", precision="fp16")
    assert half.precision == "fp16"
    assert [o.name for o in half.session.get_outputs()] == ["logits"]
    x = seeded_batch()
    got, want = half.predict(x), onnx_backend.predict(x)
    assert np.array_equal(got.argmax(1), want.argmax(1)) and 0 < float(np.abs(got - want).max()) < ONNX_FP16_MAX_ABS
    # A user's own .onnx file is never converted beside itself.
    from alexnet_gui.core.model.weights import resolve_weights

    own = tmp_path / "mine.onnx"
    own.symlink_to(onnx_backend.model_path)
    with pytest.raises(BackendError, match=r"^--precision fp16 works with the app's own exports only"):
        module.OnnxBackend(resolve_weights(str(own)), "auto", precision="fp16")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.onnx"]
