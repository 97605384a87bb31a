"""Hostile files that describe or hold a model: each is one sentence (exit 2 on the command line), refused before
anything large is read or allocated. Memory bombs are built small here and proven refused before the read (a
loader that fails the test if called), never by allocating what they claim."""

from __future__ import annotations

import builtins
import io
import json
import os
from pathlib import Path

import pytest
import torch

from alexnet_gui.cli import main
from alexnet_gui.core.errors import UserError
from alexnet_gui.core.model import weights as W
from alexnet_gui.core.model.archs import Architecture, build_network
from alexnet_gui.core.model.card import read_card
from alexnet_gui.core.model.labels import read_labels_file
from alexnet_gui.core.model.preprocess import TORCHVISION, load_recipe

SMALL = Architecture("torchvision", (8, 16, 16, 16, 8), (1, 1, 1, 1, 1), (32, 32), 3)
DEEP = "[" * 100_000 + "]" * 100_000


def small_pth(path: Path) -> Path:
    torch.manual_seed(0)
    torch.save(build_network(SMALL).state_dict(), path)
    return path


def card_data(**changes) -> dict:
    data = {"schema": "alexnet-gui.card/1", "name": "small", "labels": {"names": ["a", "b", "c"]},
            "architecture": SMALL.to_dict(), "preprocess": TORCHVISION.to_dict()}
    for key, value in changes.items():
        target = data
        *parents, last = key.split(".")
        for parent in parents:
            target = target[parent]
        target[last] = value
    return data


def one_sentence(err: str) -> str:
    assert "Traceback" not in err
    lines = [line for line in err.strip().splitlines() if not line.startswith(("usage:", " "))]
    assert len(lines) == 1, err
    return lines[0]


@pytest.fixture
def never_opened(monkeypatch):
    """Paths added to the returned set fail the test if anything opens them (a FIFO would block the open, a device
    or a huge file would fill the memory): the refusal must come from their status alone."""
    forbidden: set[str] = set()

    def guard(real):
        def opener(file, *args, **kwargs):
            if isinstance(file, (str, os.PathLike)) and os.path.abspath(os.fspath(file)) in forbidden:
                raise AssertionError(f"{file} was opened")
            return real(file, *args, **kwargs)
        return opener

    monkeypatch.setattr(builtins, "open", guard(builtins.open))
    monkeypatch.setattr(io, "open", guard(io.open))
    monkeypatch.setattr(os, "open", guard(os.open))
    return forbidden


# --- finding 10: JSON nested 100,000 deep ----------------------------------------------------------------------------

def test_a_deeply_nested_card_labels_or_recipe_file_is_one_sentence(tmp_path):
    for name in ("card.json", "labels.json", "recipe.json"):
        (tmp_path / name).write_text(DEEP)
    why = "its JSON is nested more than 64 levels deep"
    with pytest.raises(UserError) as err:
        read_card(tmp_path / "card.json")
    assert str(err.value) == f"cannot read model card {tmp_path / 'card.json'} ({why})"
    with pytest.raises(UserError) as err:
        read_labels_file(tmp_path / "labels.json")
    assert str(err.value) == f"cannot read labels file {tmp_path / 'labels.json'} ({why})"
    with pytest.raises(UserError) as err:
        load_recipe(str(tmp_path / "recipe.json"))
    assert str(err.value) == f"cannot read preprocessing file {tmp_path / 'recipe.json'} ({why})"
    # 900 deep parses in Python, yet is as absurd for a card: refused by the same bound
    (tmp_path / "card.json").write_text(json.dumps(card_data(training={"x": json.loads("[" * 900 + "]" * 900)})))
    with pytest.raises(UserError, match=r"\(its JSON is nested more than 64 levels deep\)$"):
        read_card(tmp_path / "card.json")


def test_a_model_folders_deep_card_json_is_exit_2_with_one_sentence(tmp_path, capsys):
    folder = tmp_path / "model"
    folder.mkdir()
    small_pth(folder / "model.pth")
    (folder / "card.json").write_text(DEEP)
    assert main(["model-info", str(folder)]) == 2
    assert one_sentence(capsys.readouterr().err) == (
        f"error: cannot read model card {folder / 'card.json'} (its JSON is nested more than 64 levels deep)")


def test_a_deep_card_in_an_onnx_graphs_metadata_is_one_sentence(tmp_path):
    from alexnet_gui.core.model.onnx_cards import METADATA_KEY, OnnxModelError, card_for_onnx

    def run(batch):
        raise AssertionError("the graph was run")

    with pytest.raises(OnnxModelError) as err:
        card_for_onnx(tmp_path / "m.onnx", [("x", [1, 3, 224, 224])], [("logits", [1, 3])], {METADATA_KEY: DEEP},
                      "", run)
    assert str(err.value) == "m.onnx's card metadata cannot be read (its JSON is nested more than 64 levels deep)"


def test_a_deep_resume_record_is_one_sentence(tmp_path):
    from alexnet_gui.core.outputs.resume import read_record, record_path

    record_path(tmp_path / "out.csv").write_text(DEEP)
    with pytest.raises(UserError) as err:
        read_record(tmp_path / "out.csv")
    assert str(err.value) == (f"cannot read the resume record {record_path(tmp_path / 'out.csv')}: its JSON is nested "
                              "more than 64 levels deep")


def test_a_deep_or_fifo_hash_memo_is_made_again(tmp_path, monkeypatch):
    monkeypatch.setenv("ALEXNET_GUI_CACHE", str(tmp_path / "cache"))
    weights = small_pth(tmp_path / "m.pth")
    memo = tmp_path / "cache" / "sha256.json"
    memo.parent.mkdir()
    memo.write_text(DEEP)
    assert W.memoised_sha256(weights) == W.file_sha256(weights)
    assert list(json.loads(memo.read_text()).values()) == [W.file_sha256(weights)]
    memo.unlink()
    os.mkfifo(memo)  # would block the read forever
    assert W.memoised_sha256(weights) == W.file_sha256(weights)
    assert memo.is_file()


# --- finding 11: card field types ------------------------------------------------------------------------------------

@pytest.mark.parametrize("change, message", [
    ({"preprocess.interpolation": ["bilinear"]}, "preprocessing 'torchvision': interpolation must be text, not "
                                                  "['bilinear']"),
    ({"preprocess.name": ["x"]}, "preprocessing: name must be text, not ['x']"),
    ({"name": ["x"]}, "{card}: name must be text, not a list"),
    ({"architecture.classes": "5"}, "{card}: architecture classes must be a whole number from 1 to 100000, not '5'"),
    ({"architecture.groups": [2, 2, 2, 2, 2]}, "{card}: architecture groups: conv1 has 2 groups, which must divide "
                                               "its 3 input and 8 output channels"),
    ({"architecture.lrn": "yes"}, "{card}: architecture lrn must be true or false, not 'yes'"),
    ({"notes": "x"}, "{card}: notes must be a list of text"),
    ({"training": {"best_val_accuracy": "high"}}, "{card}: training.best_val_accuracy must be a number and "
                                                  "training.validation_report hold whole numbers top1 and images"),
])
def test_a_card_field_of_the_wrong_type_is_one_sentence_naming_it(tmp_path, change, message):
    card = tmp_path / "card.json"
    card.write_text(json.dumps(card_data(**change)))
    with pytest.raises(UserError) as err:
        read_card(card)
    assert str(err.value) == message.format(card=card)


def test_a_card_with_impossible_groups_is_refused_when_it_is_read(tmp_path, capsys):
    small_pth(tmp_path / "m.pth")
    (tmp_path / "m.pth.card.json").write_text(json.dumps(card_data(**{"architecture.groups": [1, 2, 2, 2, 3]})))
    assert main(["model-info", str(tmp_path / "m.pth")]) == 2
    assert one_sentence(capsys.readouterr().err) == (
        f"error: {tmp_path / 'm.pth.card.json'}: architecture groups: conv5 has 3 groups, which must divide its 16 "
        "input and 8 output channels")


@pytest.mark.parametrize("scale, shown", [("1e309", "inf"), ("1e-300", "1e-300"), ("1e9", "1e+09")])
def test_an_absurd_recipe_scale_is_refused(tmp_path, scale, shown):
    recipe = tmp_path / "r.json"
    recipe.write_text('{"name": "mine", "scale": %s}' % scale)
    with pytest.raises(UserError) as err:
        load_recipe(str(recipe))
    assert str(err.value) == (f"preprocessing 'mine': scale must be from 0.001 to 65535 (pixels 0..255 are divided "
                              f"by it), not {shown}")


# --- findings 15 and 17: FIFOs, devices and huge files as model inputs -------------------------------------------

@pytest.mark.parametrize("option, what", [("--labels", "labels file"), ("--card", "model card"),
                                          ("--preprocess", "preprocessing file")])
def test_a_fifo_given_as_a_model_input_is_refused_without_opening_it(tmp_path, capsys, never_opened, option, what):
    small_pth(tmp_path / "m.pth")
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    never_opened.add(str(fifo))
    assert main(["model-info", str(tmp_path / "m.pth"), option, str(fifo)]) == 2
    assert one_sentence(capsys.readouterr().err) == f"error: cannot read {what} {fifo} (it is not a regular file)"


def test_a_device_as_labels_is_refused_without_reading_it(never_opened):
    never_opened.add("/dev/zero")
    with pytest.raises(UserError) as err:
        read_labels_file("/dev/zero")
    assert str(err.value) == "cannot read labels file /dev/zero (it is not a regular file)"


def test_a_labels_file_larger_than_any_class_list_is_refused_before_reading(tmp_path, never_opened):
    big = tmp_path / "labels.txt"
    with open(big, "wb") as f:
        f.truncate(250_000_000)  # sparse: no disk used
    never_opened.add(str(big))
    with pytest.raises(UserError) as err:
        read_labels_file(big)
    assert str(err.value) == (f"cannot read labels file {big} (it holds 250,000,000 bytes; no such file needs more "
                              "than 8,388,608)")


def test_a_fifo_as_weights_says_it_is_not_a_regular_file(tmp_path, capsys, never_opened):
    fifo = tmp_path / "model.pth"
    os.mkfifo(fifo)
    never_opened.add(str(fifo))
    assert main(["model-info", str(fifo)]) == 2
    assert one_sentence(capsys.readouterr().err) == (
        f"error: weights file {fifo} is not a regular file (a FIFO or a device cannot be a model)")


# --- finding 12 and 17: Keras files, malformed or declaring more than an AlexNet holds ----------------------------

def keras_h5(path: Path, edit_config=None, edit_weights=None) -> Path:
    """A tiny AlexNet_v1 as Keras 2 saves it (model_config JSON and model_weights/<layer>/<weight_names>), built
    with h5py; `edit_config(layers)` and `edit_weights(arrays)` make it hostile."""
    import h5py
    import numpy as np

    widths = (4, 8, 8, 8, 4)
    layers = [{"class_name": "InputLayer", "config": {"name": "input", "batch_shape": [None, 224, 224, 3]}},
              {"class_name": "ZeroPadding2D", "config": {"name": "pad", "padding": [[1, 2], [1, 2]]}}]
    arrays: dict[str, list] = {}
    rng = np.random.default_rng(0)
    in_channels = 3
    for i, (width, side) in enumerate(zip(widths, (11, 5, 3, 3, 3)), start=1):
        layers.append({"class_name": "Conv2D", "config": {"name": f"conv{i}",
                                                          "padding": "valid" if i == 1 else "same"}})
        arrays[f"conv{i}"] = [rng.standard_normal((side, side, in_channels, width)).astype("f4"),
                              np.zeros(width, "f4")]
        in_channels = width
    for i, (n_in, n_out) in enumerate(((4 * 36, 16), (16, 16), (16, 3)), start=1):
        layers.append({"class_name": "Dense", "config": {"name": f"dense{i}"}})
        arrays[f"dense{i}"] = [rng.standard_normal((n_in, n_out)).astype("f4"), np.zeros(n_out, "f4")]
    config = {"class_name": "Sequential", "config": {"name": "alexnet", "layers": layers}}
    if edit_config is not None:
        config = edit_config(config)
    if edit_weights is not None:
        edit_weights(arrays)
    with h5py.File(path, "w") as h5:
        h5.attrs["model_config"] = config if isinstance(config, str) else json.dumps(config)
        group = h5.create_group("model_weights")
        for layer, values in arrays.items():
            names = [f"{layer}/kernel:0", f"{layer}/bias:0"][:len(values)]
            group.create_group(layer).attrs["weight_names"] = [n.encode() for n in names]
            for name, value in zip(names, values):
                if isinstance(value, tuple):  # a declared shape, allocated lazily: nothing is written
                    group[layer].create_dataset(name, shape=value, dtype="f4", chunks=True)
                else:
                    group[layer][name] = value
    return path


def _layers(config):
    return config["config"]["layers"]


def test_a_hand_built_keras_file_loads(tmp_path):
    from alexnet_gui.core.model.keras_files import read_keras_model

    model = read_keras_model(keras_h5(tmp_path / "m.h5"))
    assert model.architecture.conv == (4, 8, 8, 8, 4) and model.architecture.conv1_padding == (1, 2, 1, 2)
    assert model.state["classifier.6.weight"].shape == (3, 16)


def _nest(config, depth):
    for _ in range(depth):
        config = {"class_name": "Sequential", "config": {"layers": [config]}}
    return config


@pytest.mark.parametrize("edit_config, edit_weights, message", [
    (lambda c: [c], None, "the Keras file's model config lists no layers"),
    (lambda c: (_layers(c).insert(1, 5), c)[1], None, "{path}: a layer in the Keras model config is not an object (5)"),
    (lambda c: (_layers(c).insert(1, {"class_name": "Dense", "config": [1]}), c)[1], None,
     "{path}: a layer in the Keras model config is not an object ({{'class_name': 'Dense', 'config': [1]}})"),
    (None, lambda a: a.pop("conv2"), "{path}: Conv2D layer conv2 has no weights in the file"),
    (lambda c: (_layers(c)[1]["config"].pop("padding"), c)[1], None,
     "{path}: ZeroPadding2D's padding must be ((top, bottom), (left, right)) of whole numbers, not None"),
    (lambda c: (_layers(c)[0]["config"].update(batch_shape=[None, "a", "a", 3]), c)[1], None,
     "{path}: the Keras model's input shape [None, 'a', 'a', 3] is not a list of sizes"),
    (None, lambda a: a["conv1"].__setitem__(0, a["conv1"][0].ravel()[:11]),
     "{path}: Conv2D layer conv1 must hold a 4-D kernel and a bias of its outputs, not arrays of shapes (11,), (4,)"),
    (None, lambda a: a["dense2"].pop(),
     "{path}: Dense layer dense2 must hold a 2-D kernel and a bias of its outputs, not arrays of shapes (16, 16)"),
    (None, lambda a: a["conv2"].__setitem__(0, a["conv2"][0][:3, :3]),
     "{path}: conv2's kernel has shape (3, 3, 4, 8); AlexNet's is (5, 5, 4, N)"),
    (lambda c: "[" * 100_000 + "]" * 100_000, None,
     "cannot read {path} as a Keras model (its JSON is nested more than 64 levels deep)"),
    (lambda c: _nest(c, 10), None, "{path}: the Keras model nests models more than 4 deep"),
])
def test_a_malformed_keras_file_is_one_sentence(tmp_path, edit_config, edit_weights, message):
    from alexnet_gui.core.model.keras_files import read_keras_model

    path = keras_h5(tmp_path / "m.h5", edit_config, edit_weights)
    with pytest.raises(W.WeightsError) as err:
        read_keras_model(path)
    assert str(err.value) == message.format(path=path)


@pytest.fixture
def no_large_reads(monkeypatch):
    """Reading an HDF5 dataset of more than a million numbers fails the test."""
    import h5py

    real = h5py.Dataset.__array__

    def guarded(self, *args, **kwargs):
        if self.size > 1_000_000:
            raise AssertionError(f"read a dataset of shape {self.shape}")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(h5py.Dataset, "__array__", guarded)


def test_a_sparse_h5_dataset_larger_than_any_alexnet_layer_is_refused_before_reading(tmp_path, no_large_reads):
    from alexnet_gui.core.model.keras_files import read_keras_model

    path = keras_h5(tmp_path / "m.h5", edit_weights=lambda a: a["dense1"].__setitem__(0, (30000, 30000)))
    assert path.stat().st_size < 1_000_000
    with pytest.raises(W.WeightsError) as err:
        read_keras_model(path)
    assert str(err.value) == (f"{path}: dense1/dense1/kernel:0 has shape (30000, 30000); no AlexNet layer holds more "
                              "than 134,217,728 numbers")


def test_a_keras_zip_whose_config_inflates_past_any_models_is_refused(tmp_path, monkeypatch):
    import zipfile

    from alexnet_gui.core.model.keras_files import read_keras_model

    path = tmp_path / "m.keras"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("config.json", "w") as member:
            for _ in range(17):
                member.write(b" " * (1 << 20))
        archive.writestr("model.weights.h5", b"")
    assert path.stat().st_size < 100_000
    real_read = zipfile.ZipExtFile.read

    def guarded(self, n=-1):
        if n is None or n < 0 or n > 16 << 20:
            raise AssertionError("inflated a member without a bound")
        return real_read(self, n)

    monkeypatch.setattr(zipfile.ZipExtFile, "read", guarded)
    with pytest.raises(W.WeightsError) as err:
        read_keras_model(path)
    assert str(err.value) == (f"{path}: its config.json inflates to 17,825,792 bytes; an AlexNet's needs at most "
                              "16,777,216")


def test_a_pth_zip_declaring_more_than_any_checkpoint_is_refused_before_torch_load(tmp_path, monkeypatch):
    import zipfile

    from alexnet_gui.core.model.checkpoints import load_state_dict

    path = tmp_path / "m.pth"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("archive/data.pkl", b"\x80\x02}q\x00.")
        archive.writestr("archive/data/0", b"\0" * 1000)
        archive.filelist[-1].file_size = 4 << 30  # what the central directory declares: 4 GiB inflated
    monkeypatch.setattr(torch, "load", lambda *a, **k: pytest.fail("torch.load ran on the zip bomb"))
    with pytest.raises(W.WeightsError) as err:
        load_state_dict(path)
    assert str(err.value) == (f"refused to load {path}: it inflates to 4,294,967,302 bytes, more than any AlexNet "
                              "checkpoint (2,147,483,648)")


# --- finding 17: ONNX graphs that allocate more than an AlexNet could ------------------------------------------------

def test_an_onnx_graph_with_a_huge_fixed_batch_is_refused_before_it_runs(tmp_path):
    from alexnet_gui.core.model.onnx_cards import OnnxModelError, card_for_onnx

    def run(batch):
        raise AssertionError(f"the graph ran on {len(batch)} images")

    with pytest.raises(OnnxModelError) as err:
        card_for_onnx(tmp_path / "m.onnx", [("x", [2000, 3, 224, 224])], [("y", [2000, 5])], {}, "", run)
    assert str(err.value) == ("m.onnx takes a fixed batch of 2000 images; the app runs at most 256 images of 224 px a "
                              "call: export it with a dynamic or smaller batch")
    with pytest.raises(OnnxModelError, match=r"at most 64 images of 448 px a call"):
        card_for_onnx(tmp_path / "m.onnx", [("x", [65, 3, 448, 448])], [("y", [65, 5])], {}, "", run)


def constant_of_shape_bomb(path: Path) -> Path:
    """369 bytes in the attack; here a graph whose ConstantOfShape asks for 1000^3 floats (4 GB) from a constant."""
    import numpy as np
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    nodes = [
        helper.make_node("Constant", [], ["shape"],
                         value=numpy_helper.from_array(np.array([1, 1000, 1000, 1000], np.int64))),
        helper.make_node("ConstantOfShape", ["shape"], ["big"],
                         value=numpy_helper.from_array(np.array([1.0], np.float32))),
        helper.make_node("ReduceSum", ["big"], ["total"], keepdims=0),
        helper.make_node("GlobalAveragePool", ["x"], ["pooled"]),
        helper.make_node("Flatten", ["pooled"], ["flat"]),
        helper.make_node("Add", ["flat", "total"], ["y"]),
    ]
    graph = helper.make_graph(nodes, "bomb", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 3, 32, 32])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 3])])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), path)
    return path


def test_an_onnx_constant_bomb_is_refused_before_onnx_runtime_opens_it(tmp_path, monkeypatch, capsys):
    from alexnet_gui.core.backends.onnx_backend import OnnxBackend

    path = constant_of_shape_bomb(tmp_path / "bomb.onnx")
    assert path.stat().st_size < 1000

    def refuse(self, model_path, *args, **kwargs):
        raise AssertionError("ONNX Runtime opened the graph (folding its constants allocates 4 GB)")

    monkeypatch.setattr(OnnxBackend, "_open_session", refuse)
    assert main(["model-info", str(path)]) == 2
    assert one_sentence(capsys.readouterr().err) == (
        "error: bomb.onnx makes a tensor big of shape (1, 1000, 1000, 1000) (1,000,000,000 numbers); no AlexNet "
        "needs more than 134,217,728 in one tensor, so it was not opened")


def test_the_graph_check_passes_a_real_export_with_its_weights(tmp_path):
    """The check reads shapes, not weights: an AlexNet-sized graph with 150 MB of weights passes it."""
    import numpy as np
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    from alexnet_gui.core.backends.onnx_graph_check import check_graph_tensors

    weight = numpy_helper.from_array(np.zeros((9216, 4096), np.float32), "fc6")
    graph = helper.make_graph([helper.make_node("MatMul", ["x", "fc6"], ["y"])], "fc6",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 9216])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 4096])], [weight])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), tmp_path / "fc6.onnx")
    check_graph_tensors(tmp_path / "fc6.onnx")
    wide = numpy_helper.from_array(np.zeros((1, 1), np.float32), "fc6")
    wide.dims[:] = [16384, 16384]  # declared, not stored: the check sees the dimensions alone
    del graph.initializer[:]
    graph.initializer.append(wide)
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), tmp_path / "wide.onnx")
    with pytest.raises(UserError, match=r"makes a tensor fc6 of shape \(16384, 16384\) \(268,435,456 numbers\)"):
        check_graph_tensors(tmp_path / "wide.onnx")
