"""Conv kernels read from a model, a state_dict and an exported .onnx file are the same numbers."""

import numpy as np
import pytest

from alexnet_gui.core.analysis.kernels import CONV_SHAPES, conv_kernels, model_kernels, onnx_kernels


def test_untrained_kernels_are_the_seeded_state_dict(untrained_weights, torch_backend):
    from alexnet_gui.core.model.weights import untrained_state_dict

    state = untrained_state_dict(0)
    kernels = conv_kernels(untrained_weights)
    assert {n: k.shape for n, k in kernels.items()} == CONV_SHAPES
    assert np.array_equal(kernels["conv3"], state["features.6.weight"].numpy())
    from_model = model_kernels(torch_backend.model)
    assert all(np.array_equal(from_model[n], kernels[n]) for n in CONV_SHAPES)


def test_onnx_file_gives_the_same_kernels(untrained_weights, onnx_backend):
    from alexnet_gui.core.backends.onnx_backend import cached_model_path
    from alexnet_gui.core.model.weights import WeightsChoice

    path = cached_model_path(untrained_weights)
    expected = conv_kernels(untrained_weights)
    got = conv_kernels(WeightsChoice("onnx", path, f"file {path}"))
    for name in CONV_SHAPES:
        assert np.array_equal(got[name], expected[name]), name


def test_an_onnx_file_without_alexnet_kernels_is_one_sentence(tmp_path):
    import onnx
    from onnx import TensorProto, helper

    graph = helper.make_graph([helper.make_node("Relu", ["x"], ["y"])], "g",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1])])
    path = tmp_path / "relu.onnx"
    onnx.save(helper.make_model(graph), str(path))
    with pytest.raises(Exception, match=r"has no AlexNet kernels for conv1, conv2, conv3, conv4, conv5$"):
        onnx_kernels(path)


def test_filters_command_reads_an_onnx_file(untrained_weights, onnx_backend, tmp_path):
    from PIL import Image

    from alexnet_gui.cli import main
    from alexnet_gui.core.analysis.visualize import filters_grid
    from alexnet_gui.core.backends.onnx_backend import cached_model_path

    out = tmp_path / "conv1.png"
    assert main(["filters", "--weights", str(cached_model_path(untrained_weights)), "--scale", "2",
                 "--out", str(out)]) == 0
    expected, _ = filters_grid(conv_kernels(untrained_weights)["conv1"], scale=2)
    assert np.array_equal(np.asarray(Image.open(out).convert("RGB")), expected)
