"""Both backends: strict torchvision architecture, ONNX equal to torch, activations, devices, bad models."""

import os
from pathlib import Path

import numpy as np
import pytest

from alexnet_gui.core.backends import PREPACK_FROM_IMAGES, load_backend, prepack_pays_off
from alexnet_gui.core.backends.base import ACTIVATION_LAYERS, BackendError
from alexnet_gui.core.model.weights import resolve_weights
from tests.fresh_interpreter import imports_after
from tests.known_answers import TEST_CARD

SHAPES = {
    "conv1": (64, 55, 55), "relu1": (64, 55, 55), "pool1": (64, 27, 27),
    "conv2": (192, 27, 27), "relu2": (192, 27, 27), "pool2": (192, 13, 13),
    "conv3": (384, 13, 13), "relu3": (384, 13, 13),
    "conv4": (256, 13, 13), "relu4": (256, 13, 13),
    "conv5": (256, 13, 13), "relu5": (256, 13, 13), "pool5": (256, 6, 6),
}


def batch(n, seed=0):
    return np.random.default_rng(seed).standard_normal((n, 3, 224, 224)).astype(np.float32)


@pytest.mark.parametrize("n", [1, 3, 8])
def test_onnx_logits_equal_torch_and_top5_order_is_identical(torch_backend, onnx_backend, n):
    x = batch(n, seed=n)
    a, b = onnx_backend.predict(x), torch_backend.predict(x)
    assert a.shape == b.shape == (n, 1000)
    assert np.abs(a - b).max() <= 1e-4
    assert (np.argsort(-a, axis=1, kind="stable")[:, :5] == np.argsort(-b, axis=1, kind="stable")[:, :5]).all()


def test_every_activation_layer_matches_between_backends(torch_backend, onnx_backend):
    x = batch(2, seed=7)
    ours = onnx_backend.activations(x, ACTIVATION_LAYERS)
    ref = torch_backend.activations(x, ACTIVATION_LAYERS)
    for name in ACTIVATION_LAYERS:
        assert ours[name].shape == ref[name].shape == (2, *SHAPES[name]), name
        assert np.abs(ours[name] - ref[name]).max() <= 1e-4, name


def test_conv_outputs_are_taken_before_the_in_place_relu(torch_backend):
    acts = torch_backend.activations(batch(1), ["conv1", "relu1"])
    assert acts["conv1"].min() < 0
    assert acts["relu1"].min() == 0
    assert np.array_equal(np.maximum(acts["conv1"], 0), acts["relu1"])


def test_unknown_layer_lists_the_valid_names(torch_backend, onnx_backend):
    for backend in (torch_backend, onnx_backend):
        with pytest.raises(BackendError, match="unknown layer 'fc9'; choose from conv1, relu1"):
            backend.activations(batch(1), ["fc9"])


def test_torch_model_is_torchvisions_alexnet_loaded_strictly(tmp_path, torch_backend):
    import torch
    import torchvision

    from alexnet_gui.core.model.weights import untrained_state_dict

    # The card's builder makes torchvision's network: the same keys, and the same answers as torchvision's own.
    reference = torchvision.models.alexnet(weights=None).eval()
    reference.load_state_dict(untrained_state_dict(0), strict=True)
    assert list(torch_backend.model.state_dict()) == list(reference.state_dict())
    x = torch.randn(2, 3, 224, 224, generator=torch.Generator().manual_seed(1))
    with torch.inference_mode():
        assert torch.equal(torch_backend.model(x), reference(x))
    state = untrained_state_dict(0)
    del state["classifier.6.bias"]
    torch.save(state, tmp_path / "partial.pth")
    from alexnet_gui.core.model.archs import ArchitectureError

    with pytest.raises(ArchitectureError, match=r"partial\.pth has no classifier\.6\.bias: every AlexNet layer has a bias"):
        load_backend("torch", resolve_weights(tmp_path / "partial.pth"), "cpu")


def test_real_state_dict_file_round_trips(tmp_path, torch_backend):
    import torch

    from alexnet_gui.core.model.weights import untrained_state_dict

    torch.save(untrained_state_dict(0), tmp_path / "w.pth")
    backend = load_backend("torch", resolve_weights(tmp_path / "w.pth"), "cpu")
    x = batch(2)
    assert np.array_equal(backend.predict(x), torch_backend.predict(x))
    assert backend.weights_source == f"file {tmp_path / 'w.pth'}"


def test_auto_device_falls_back_to_cpu_and_explicit_cuda_is_refused_here():
    from alexnet_gui.core.backends import cuda_status

    weights = resolve_weights(untrained=True)
    for name in ("torch", "onnx"):
        usable, reason = cuda_status(name)
        if usable:
            pytest.skip("this machine has a usable GPU")
        assert reason
        with pytest.raises(BackendError, match="CUDA is not usable"):
            load_backend(name, weights, "cuda")


def test_without_an_nvidia_driver_the_cuda_provider_is_not_even_tried(monkeypatch):
    from alexnet_gui.core.backends import onnx_backend as module

    def no_probe(*args, **kwargs):
        raise AssertionError("the CUDA provider was loaded just to fail")

    monkeypatch.setattr(module, "_nvidia_driver_present", lambda: False)
    monkeypatch.setattr(module.ort, "InferenceSession", no_probe)
    module.cuda_status.cache_clear()
    try:
        assert module.cuda_status() == (False, "no NVIDIA driver found (libcuda could not be loaded)")
    finally:
        module.cuda_status.cache_clear()


def test_onnx_backend_reports_the_provider_that_actually_runs(onnx_backend):
    assert onnx_backend.device == "cpu"
    assert onnx_backend.provider == "CPUExecutionProvider"
    assert onnx_backend.session.get_providers()[0] == onnx_backend.provider


def test_onnx_export_is_cached_and_reused(onnx_backend, monkeypatch):
    from alexnet_gui.core.backends import onnx_export

    path = onnx_backend.model_path
    assert path.name == "alexnet-untrained-seed0.onnx"
    mtime = path.stat().st_mtime_ns

    def refuse(*args, **kwargs):
        raise AssertionError("exported again")

    monkeypatch.setattr(onnx_export, "export_onnx", refuse)
    again = load_backend("onnx", resolve_weights(untrained=True), "cpu")
    assert again.model_path == path and path.stat().st_mtime_ns == mtime


def test_classify_runs_a_logits_only_copy_whose_weights_are_external_data(onnx_backend, tmp_path):
    from alexnet_gui.core.backends.onnx_files import logits_only_model, model_bytes

    lean = logits_only_model(onnx_backend.model_path)
    assert lean.name == "alexnet-untrained-seed0.lean.onnx"
    assert [o.name for o in onnx_backend.session.get_outputs()] == ["logits"]
    # The graph is a few kB; the 61,100,840 float32 weights live in the data file beside it, all but conv1's and
    # conv2's biases (64 + 192 floats: tensors under 1 kB stay in the graph).
    assert lean.stat().st_size < 100_000
    assert Path(f"{lean}.data").stat().st_size == (61_100_840 - 64 - 192) * 4
    x = np.random.default_rng(3).standard_normal((2, 3, 224, 224), dtype=np.float32)
    full = onnx_backend.activations(x, ["conv1"])  # opens the full graph
    assert full["conv1"].shape == (2, 64, 55, 55)
    import onnxruntime as ort

    whole = ort.InferenceSession(str(onnx_backend.model_path), providers=["CPUExecutionProvider"])
    np.testing.assert_array_equal(onnx_backend.predict(x), whole.run(["logits"], {"input": x})[0])
    # Shipped to a Ray worker as one buffer, the external weights travel inside it.
    inlined = ort.InferenceSession(model_bytes(lean), providers=["CPUExecutionProvider"])
    np.testing.assert_array_equal(inlined.run(None, {"input": x})[0], onnx_backend.predict(x))


def test_an_old_single_file_logits_copy_is_replaced(onnx_backend):
    from alexnet_gui.core.backends.onnx_files import logits_only_model

    path = onnx_backend.model_path
    lean = logits_only_model(path)
    old = path.with_name(f"{path.stem}.logits.onnx")
    old.write_bytes(b"stale")
    os.utime(lean, ns=(0, 0))  # older than the export: made again
    assert logits_only_model(path) == lean and lean.stat().st_mtime_ns > path.stat().st_mtime_ns
    assert not old.exists()


def test_onnx_path_from_a_warm_cache_never_imports_torch(onnx_backend):
    code = (
        "from alexnet_gui.core.backends import load_backend\n"
        "from alexnet_gui.core.model.weights import resolve_weights\n"
        "import numpy as np\n"
        "b = load_backend('onnx', resolve_weights(untrained=True), 'auto')\n"
        "b.predict(np.zeros((1, 3, 224, 224), np.float32))\n"
    )
    imported, proc = imports_after(code, ("torch", "torchvision", "onnx", "PySide6"), timeout=120)
    assert imported == []
    assert proc.stderr == ""  # the CUDA probe's C++ log lines are silenced


def _save_model(path, input_shape, output_shape):
    import onnx
    from onnx import TensorProto, helper

    node = helper.make_node("ReduceMean", ["x"], ["y"], keepdims=0, axes=[2, 3])
    graph = helper.make_graph(
        [node], "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, input_shape)],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, output_shape)],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.save(model, path)


@pytest.mark.parametrize(
    "input_shape, output_shape, message",
    [
        (["N", 1, 224, 224], ["N", 1], r"takes input of shape \['N', 1, 224, 224\], not N x 3 x H x W"),
        (["N", 3, 224, 224], ["N", 3, 7], r"^m\.onnx has no N x classes output \(its outputs: y "),
    ],
)
def test_user_onnx_models_are_checked_before_use(tmp_path, input_shape, output_shape, message):
    path = tmp_path / "m.onnx"
    _save_model(path, input_shape, output_shape)
    with pytest.raises(BackendError, match=message):
        load_backend("onnx", resolve_weights(path), "cpu")


def test_garbage_onnx_file_is_one_sentence(tmp_path):
    (tmp_path / "g.onnx").write_bytes(b"garbage")
    with pytest.raises(BackendError, match=r"^cannot load ONNX model g\.onnx \("):
        load_backend("onnx", resolve_weights(tmp_path / "g.onnx"), "cpu")


def test_an_onnx_file_on_the_torch_backend_is_refused(tmp_path):
    (tmp_path / "g.onnx").write_bytes(b"x")
    with pytest.raises(BackendError, match="runs on the onnx backend only"):
        load_backend("torch", resolve_weights(tmp_path / "g.onnx"), "cpu")


def test_exported_file_is_a_valid_onnx_with_a_dynamic_batch_and_named_outputs(onnx_backend):
    import onnx

    model = onnx.load(str(onnx_backend.model_path), load_external_data=False)
    onnx.checker.check_model(model)
    assert [o.name for o in model.graph.output] == ["logits", *ACTIVATION_LAYERS, "fc6", "fc7"]
    dim0 = model.graph.input[0].type.tensor_type.shape.dim[0]
    assert dim0.dim_param and not dim0.dim_value


def test_a_short_run_opens_the_model_without_prepacking_and_gets_the_same_logits(untrained_weights, onnx_backend):
    quick = load_backend("onnx", untrained_weights, "cpu", prepack=False)
    assert quick.session.get_session_options().get_session_config_entry("session.disable_prepacking") == "1"
    with pytest.raises(RuntimeError):  # the shared backend keeps ONNX Runtime's default: prepacked weights
        onnx_backend.session.get_session_options().get_session_config_entry("session.disable_prepacking")
    x = np.random.default_rng(5).normal(size=(3, 3, 224, 224)).astype(np.float32)
    np.testing.assert_allclose(quick.predict(x), onnx_backend.predict(x), rtol=0, atol=1e-6)
    quick.close()


def test_the_command_line_prepacks_only_for_runs_long_enough_to_repay_it(monkeypatch, untrained_weights):
    import argparse

    import alexnet_gui.core.backends as backends
    from alexnet_gui.commands.model_options import open_backend

    asked = []
    monkeypatch.setattr(backends, "load_backend",
                        lambda name, weights, device, precision, prepack, choices, calibrate: asked.append(prepack) or _Opened())
    args = argparse.Namespace(backend="onnx", device="cpu")
    for images in (None, 1, PREPACK_FROM_IMAGES - 1, PREPACK_FROM_IMAGES):
        open_backend(args, untrained_weights, images=images)
    assert asked == [True, False, False, True]
    assert PREPACK_FROM_IMAGES == 1000 and prepack_pays_off(1000) and not prepack_pays_off(999)


class _Opened:
    name, device, provider, precision, weights_source = "onnx", "cpu", "CPUExecutionProvider", "fp32", "test"
    card = TEST_CARD


def test_fc6_and_fc7_are_the_classifiers_linear_outputs_on_both_backends(torch_backend, onnx_backend):
    import torch
    from torch.nn import functional as F

    x = batch(2, seed=9)
    ours = onnx_backend.activations(x, ["fc6", "fc7", "pool5"])
    theirs = torch_backend.activations(x, ["fc6", "fc7"])
    state = torch_backend.model.state_dict()
    # The reference: the classifier's arithmetic by hand from the weights, on pool5 (avgpool is a no-op at 224).
    pooled = torch.from_numpy(ours["pool5"]).flatten(1)
    fc6 = F.linear(pooled, state["classifier.1.weight"], state["classifier.1.bias"])
    fc7 = F.linear(F.relu(fc6), state["classifier.4.weight"], state["classifier.4.bias"])
    for name, want in (("fc6", fc6), ("fc7", fc7)):
        assert ours[name].shape == theirs[name].shape == (2, 4096)
        assert ours[name].min() < 0  # before the in-place ReLU
        assert np.abs(ours[name] - want.numpy()).max() <= 1e-4, name
        assert np.abs(theirs[name] - want.numpy()).max() <= 1e-4, name
