"""Dataset examples (issue 19): the true argmax over a folder, the receptive field as the gradient sees it, the
cached index, both backends, and `alexnet-gui examples`."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image

from alexnet_gui.cli import main
from alexnet_gui.core.analysis.unit_examples import TopImages, examples_grid, index_folder, unit_examples
from alexnet_gui.core.errors import UserError
from alexnet_gui.core.model.archs import Architecture, build_network, feature_index, receptive_field
from tests.training_data import write_digits, write_narrow_base

FAMILIES = {
    "torchvision": Architecture(conv=(8, 8, 8, 8, 8), fc=(16, 16), classes=3),
    "alexnet2012": Architecture("alexnet2012", (8, 8, 8, 8, 8), (1, 2, 1, 2, 2), (16, 16), 3, 227, True,
                                (0, 0, 0, 0), False),
    "keras": Architecture("keras", (8, 8, 8, 8, 8), fc=(16, 16), classes=3, conv1_padding=(1, 2, 1, 2)),
}


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("layer", ["conv1", "pool1", "conv2", "pool2", "conv3", "conv5", "pool5"])
def test_the_receptive_field_is_where_the_gradient_reaches(family, layer):
    arch = FAMILIES[family]
    torch.manual_seed(0)
    net = build_network(arch)
    # The same geometry, linear: every input pixel in the field reaches the unit, none outside it does.
    layers = [torch.nn.AvgPool2d(3, 2) if isinstance(m, torch.nn.MaxPool2d) else
              torch.nn.Identity() if isinstance(m, (torch.nn.ReLU, torch.nn.LocalResponseNorm)) else m
              for m in net.features]
    trunk = torch.nn.Sequential(*layers[: feature_index(arch)[layer] + 1])
    size = arch.input_size
    x = torch.randn(1, 3, size, size, requires_grad=True)
    out = trunk(x)
    h, w = out.shape[2:]
    for y, xx in ((0, 0), (h // 2, w // 3), (h - 1, w - 1)):
        x.grad = None
        trunk(x)[0, 1, y, xx].backward()
        rows = np.flatnonzero(x.grad[0].abs().sum((0, 2)).numpy())
        cols = np.flatnonzero(x.grad[0].abs().sum((0, 1)).numpy())
        assert receptive_field(arch, layer, y, xx) == (rows[0], cols[0], rows[-1] + 1, cols[-1] + 1)


def test_a_relu_or_norm_sees_what_its_conv_sees():
    arch = FAMILIES["alexnet2012"]
    assert receptive_field(arch, "norm2", 3, 4) == receptive_field(arch, "relu2", 3, 4) == \
        receptive_field(arch, "conv2", 3, 4)
    assert receptive_field(arch, "conv1", 0, 0) == (0, 0, 11, 11)  # no padding in the 2012 network
    assert receptive_field(FAMILIES["torchvision"], "conv1", 0, 0) == (0, 0, 9, 9)  # padding 2: 2 pixels outside
    assert receptive_field(FAMILIES["torchvision"], "conv1", 0, 0, clip=False) == (-2, -2, 9, 9)


def test_the_top_lists_are_the_true_argmax_whatever_the_batches():
    rng = np.random.default_rng(0)
    acts = rng.standard_normal((50, 4, 5, 6)).astype(np.float32)
    acts[7, 2, 1, 3] = acts[31, 2, 4, 0] = 9.0  # a tie: the earlier image first
    whole = TopImages.empty("conv5", 4, keep=5)
    whole.update(acts, np.arange(50))
    pieces = TopImages.empty("conv5", 4, keep=5)
    for start in range(0, 50, 7):
        pieces.update(acts[start:start + 7], np.arange(start, min(start + 7, 50)))
    for unit in range(4):
        peak = acts[:, unit].reshape(50, -1).max(1)
        order = sorted(range(50), key=lambda i: (-peak[i], i))[:5]
        got = whole.best(unit, 5)
        assert [g[1] for g in got] == order == [g[1] for g in pieces.best(unit, 5)]
        for value, image, (y, x) in got:
            assert value == peak[image] and acts[image, unit, y, x] == peak[image]
    assert [g[1] for g in whole.best(2, 2)] == [7, 31]
    with pytest.raises(UserError, match="conv5 has units 0..3, not 4"):
        whole.best(4, 1)


@pytest.fixture(scope="module")
def digits(tmp_path_factory):
    return write_digits(tmp_path_factory.mktemp("ex") / "data", per_class=6)


@pytest.fixture(scope="module")
def narrow_weights(tmp_path_factory):
    from alexnet_gui.core.model.weights import resolve_weights

    return resolve_weights(write_narrow_base(tmp_path_factory.mktemp("base") / "narrow.pth"))


def _paths(folder):
    from alexnet_gui.core.pipeline.engine import iter_image_paths

    return list(iter_image_paths([folder]))


def test_the_folders_examples_match_a_brute_force_search_on_both_backends(digits, narrow_weights, tmp_path):
    from alexnet_gui.core.backends import load_backend
    from alexnet_gui.core.pipeline.decode import load_input

    paths = _paths(digits)
    torch_backend = load_backend("torch", narrow_weights, "cpu")
    onnx_backend = load_backend("onnx", narrow_weights, "cpu", prepack=False)
    try:
        index = index_folder(torch_backend, paths, ["conv4", "pool5"], batch_size=16)
        other = index_folder(onnx_backend, paths, ["conv4", "pool5"], batch_size=7)
        x = np.stack([load_input(p, recipe=torch_backend.card.preprocess) for p in paths])
        every = torch_backend.activations(x, ["conv4"])["conv4"]
    finally:
        torch_backend.close()
        onnx_backend.close()
    peak = every.reshape(len(paths), every.shape[1], -1).max(2)
    for unit in (0, 5, 31):
        want = sorted(range(len(paths)), key=lambda i: (-peak[i, unit], i))[:9]
        assert [image for _, image, _ in index.layers["conv4"].best(unit, 9)] == want
        assert [image for _, image, _ in other.layers["conv4"].best(unit, 9)] == want
    examples = unit_examples(index, torch_backend.card, "conv4", 5, top=4)
    assert [e.path for e in examples] == [paths[i] for i in sorted(range(len(paths)),
                                                                  key=lambda i: (-peak[i, 5], i))[:4]]
    field = receptive_field(torch_backend.card.architecture, "conv4", *examples[0].position, clip=False)
    assert examples[0].patch.shape == (field[2] - field[0], field[3] - field[1], 3)
    grid = examples_grid(examples, size=50)
    assert grid.shape == (4 + 2 * 54, 4 + 2 * 54, 3)


def test_a_second_unit_of_the_same_folder_comes_from_the_cache(digits, narrow_weights, tmp_path, monkeypatch):
    from alexnet_gui.core.backends import load_backend

    paths = _paths(digits)
    backend = load_backend("torch", narrow_weights, "cpu")
    try:
        first = index_folder(backend, paths, ["conv5"], cache_dir=tmp_path)
        monkeypatch.setattr(backend, "activations", lambda *a: pytest.fail("the cached index was not used"))
        again = index_folder(backend, paths, ["conv5"], cache_dir=tmp_path)
    finally:
        backend.close()
    assert np.array_equal(first.layers["conv5"].images, again.layers["conv5"].images)
    assert again.paths == paths


def test_examples_command_writes_the_grid_and_names_the_images(digits, narrow_weights, tmp_path, capsys,
                                                                monkeypatch):
    monkeypatch.setenv("ALEXNET_GUI_CACHE", str(tmp_path / "cache"))
    (digits / "0" / "broken.png").write_bytes(b"not a png")
    out = tmp_path / "grid.png"
    try:
        status = main(["examples", str(digits), "--weights", str(narrow_weights.path), "--layer", "conv3",
                       "--unit", "2", "--top", "4", "--size", "40", "--out", str(out)])
    finally:
        (digits / "0" / "broken.png").unlink()
    assert status == 1  # one image could not be read
    with Image.open(out) as png:
        assert png.size == (4 + 2 * 44, 4 + 2 * 44)
    err = capsys.readouterr().err
    assert "the 4 images of 61 that most activate conv3 unit 2" in err and "could not read 1 images" in err
    assert main(["examples", str(digits), "--weights", str(narrow_weights.path), "--layer", "fc9", "--unit", "2",
                 "--out", str(tmp_path / "x.png")]) == 2
    assert "no layer 'fc9' in this model" in capsys.readouterr().err


def test_an_fc_units_examples_are_its_true_argmax_and_see_the_whole_input(digits, narrow_weights):
    from alexnet_gui.core.backends import load_backend
    from alexnet_gui.core.pipeline.decode import load_crop, load_input

    paths = _paths(digits)
    backend = load_backend("onnx", narrow_weights, "cpu", prepack=False)
    try:
        index = index_folder(backend, paths, ["fc7"], batch_size=10)
        x = np.stack([load_input(p, recipe=backend.card.preprocess) for p in paths])
        every = backend.activations(x, ["fc7"])["fc7"]
    finally:
        backend.close()
    for unit in (0, 9):
        want = sorted(range(len(paths)), key=lambda i: (-every[i, unit], i))[:5]
        assert [image for _, image, _ in index.layers["fc7"].best(unit, 5)] == want
    (first, *_) = unit_examples(index, backend.card, "fc7", 9, top=3)
    assert first.box == (0, 0, 224, 224) and first.position == (0, 0)
    assert np.array_equal(first.patch, load_crop(first.path, recipe=backend.card.preprocess))


def _brute_force(backend, paths, layer, unit, top):
    from alexnet_gui.core.pipeline.decode import load_input

    x = np.stack([load_input(p, recipe=backend.card.preprocess) for p in paths])
    every = backend.activations(x, [layer])[layer]
    peak = every.reshape(len(paths), every.shape[1], -1).max(2)
    return [paths[i] for i in sorted(range(len(paths)), key=lambda i: (-peak[i, unit], i))[:top]]


def test_classifying_records_the_units_so_the_table_is_answered_without_a_pass(digits, narrow_weights, tmp_path,
                                                                                monkeypatch):
    import os
    import shutil

    from alexnet_gui.core.analysis.unit_examples import UnitRecorder, index_for_paths
    from alexnet_gui.core.backends import load_backend
    from alexnet_gui.core.pipeline.engine import Engine

    folder = tmp_path / "copy"
    shutil.copytree(digits, folder)
    paths = _paths(folder)
    cache = tmp_path / "examples"
    backend = load_backend("torch", narrow_weights, "cpu")
    try:
        recorder = UnitRecorder(backend.card, cache)
        rows = list(Engine(backend, batch_size=9, unit_recorder=recorder).run(paths))
        recorder.save()
        assert all(r.ok for r in rows) and recorder.recorded == len(paths)
        assert recorder.layers[-2:] == ("fc6", "fc7")
        # A second run over the same files adds nothing (and would double no image).
        again = UnitRecorder(backend.card, cache)
        list(Engine(backend, batch_size=9, unit_recorder=again).run(paths[:5]))
        assert again.recorded == 0 and len(again.index.paths) == len(paths)

        real_activations = backend.activations
        monkeypatch.setattr(backend, "activations", lambda *a: pytest.fail("the recorded index was not used"))
        for layer, unit in (("conv4", 5), ("pool2", 3), ("fc6", 7)):
            index = index_for_paths(backend, paths, layer, unit=unit, top=9, cache_dir=cache)
            got = [index.paths[i] for _, i, _ in index.layers[layer].best(unit, 9)]
            monkeypatch.setattr(backend, "activations", real_activations)
            assert got == _brute_force(backend, paths, layer, unit, 9), layer
            monkeypatch.setattr(backend, "activations", lambda *a: pytest.fail("the recorded index was not used"))

        # Rows removed from the table: the answer is over the rows left, still without a pass.
        kept = paths[::3]
        index = index_for_paths(backend, kept, "conv4", unit=5, top=9, cache_dir=cache)
        got = [index.paths[i] for _, i, _ in index.layers["conv4"].best(5, 9)]
        monkeypatch.setattr(backend, "activations", real_activations)
        assert got == _brute_force(backend, kept, "conv4", 5, 9)

        # A file changed since it was classified, and one the recorder never saw: only those two are run again.
        changed, new = paths[0], str(folder / "0" / "new.png")
        shutil.copy(paths[-1], new)
        shutil.copy(paths[-2], changed)
        os.utime(changed, ns=(1, 2_000_000_000))
        seen: list[int] = []
        monkeypatch.setattr(backend, "activations", lambda x, layers: (seen.append(len(x)),
                                                                        real_activations(x, layers))[1])
        table = [*paths, new]
        index = index_for_paths(backend, table, "conv4", unit=5, top=9, cache_dir=cache)
        assert seen == [2]
        got = [index.paths[i] for _, i, _ in index.layers["conv4"].best(5, 9)]
        assert got == _brute_force(backend, table, "conv4", 5, 9)
    finally:
        backend.close()


def test_an_export_made_before_fc6_and_fc7_were_outputs_is_made_again_when_asked(narrow_weights, tmp_path,
                                                                                 monkeypatch):
    import onnx

    from alexnet_gui.core.backends import load_backend, onnx_cache
    from alexnet_gui.core.backends.onnx_backend import CACHE_ENV

    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "onnx"))
    first = load_backend("onnx", narrow_weights, "cpu", prepack=False)
    path = first.model_path
    first.close()
    old = onnx.load(str(path))
    keep = [o for o in old.graph.output if o.name not in ("fc6", "fc7")]
    del old.graph.output[:]
    old.graph.output.extend(keep)
    onnx.save(old, str(path))
    onnx_cache.record_file(path)  # as the older version left it: complete and recorded
    backend = load_backend("onnx", narrow_weights, "cpu", prepack=False)
    try:
        x = np.zeros((1, 3, 224, 224), np.float32)
        assert backend.activations(x, ["fc7"])["fc7"].shape == (1, 64)
    finally:
        backend.close()
    assert "fc7" in [o.name for o in onnx.load(str(path), load_external_data=False).graph.output]
