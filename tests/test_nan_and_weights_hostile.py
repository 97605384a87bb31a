"""Issue 35's loose ends: a model whose scores are not numbers (NaN weights in a .pth on the torch backend; a
recipe whose std would turn every pixel infinite), on the local engine and on Ray, and `train` from a weights file
the system refuses to read. Each is a row with its reason (exit 1) or one sentence (exit 2)."""

from __future__ import annotations

import builtins
import csv
import errno
import io
import json
import os
from pathlib import Path

import pytest
import torch

from alexnet_gui.cli import main
from alexnet_gui.core.errors import UserError
from alexnet_gui.core.model.archs import build_network
from alexnet_gui.core.model.preprocess import Recipe, load_recipe
from tests.image_fixtures import write_photos
from tests.test_model_files_hostile import SMALL, card_data, one_sentence, small_pth
from tests.training_data import write_digits

NAN_REASON = "the model's scores are not numbers (NaN)"


@pytest.fixture(scope="module")
def photos(tmp_path_factory):
    folder = tmp_path_factory.mktemp("photos")
    write_photos(folder, 3, size=(96, 72))
    return folder


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


# --- 19: NaN scores from a .pth, and a std that would make them --------------------------------------------------

def test_a_pth_with_nan_weights_gives_each_image_the_nan_reason_on_the_torch_backend(photos, tmp_path, capsys):
    network = build_network(SMALL)
    with torch.no_grad():
        for parameter in network.parameters():
            parameter.fill_(float("nan"))
    torch.save(network.state_dict(), tmp_path / "m.pth")
    (tmp_path / "m.pth.card.json").write_text(json.dumps(card_data()))
    out = tmp_path / "out.csv"
    assert main(["classify", str(photos), "--weights", str(tmp_path / "m.pth"), "--backend", "torch",
                 "--out", str(out)]) == 1
    rows = _rows(out)
    assert [r["error"] for r in rows] == [NAN_REASON] * 3
    assert all(r["top1_index"] == "" and r["top1_prob"] == "" for r in rows)
    err = capsys.readouterr().err
    assert "3 images, 3 failed" in err and "Traceback" not in err


@pytest.mark.parametrize("std, shown", [("1e-45", "1e-45"), ("9.9e-7", "9.9e-07"), ("5e-324", "4.94066e-324")])
def test_a_recipe_std_too_small_to_divide_by_is_refused_at_load(tmp_path, std, shown):
    recipe = tmp_path / "r.json"
    recipe.write_text('{"name": "mine", "std": [0.2, %s, 0.2]}' % std)
    with pytest.raises(UserError) as err:
        load_recipe(str(recipe))
    assert str(err.value) == (f"preprocessing 'mine': std must be at least 1e-06 (the scaled pixels are divided by "
                              f"it), not {shown}")
    assert Recipe("fine", std=(1e-6, 1e-6, 1e-6)).std == (1e-6, 1e-6, 1e-6)  # the bound itself is allowed


def test_classify_with_a_std_of_1e_45_is_one_sentence_before_any_row(photos, tmp_path, capsys):
    # Before the bound: every pixel divided by 1e-45 overflowed float32 to infinity and every row was NaN (exit 1).
    small_pth(tmp_path / "m.pth")
    (tmp_path / "m.pth.card.json").write_text(json.dumps(card_data()))
    (tmp_path / "r.json").write_text('{"name": "mine", "std": [1e-45, 1e-45, 1e-45]}')
    out = tmp_path / "out.csv"
    assert main(["classify", str(photos), "--weights", str(tmp_path / "m.pth"), "--backend", "torch",
                 "--preprocess", str(tmp_path / "r.json"), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    # The recipe file is read before the model starts loading: no "waiting for the model to finish loading" first.
    assert "waiting for the model" not in err
    assert [line for line in err.splitlines() if line.startswith("error:")] == [
        "error: preprocessing 'mine': std must be at least 1e-06 (the scaled pixels are divided by it), not 1e-45"]
    assert not out.exists()


def test_a_card_whose_recipe_has_a_std_of_1e_45_is_one_sentence(photos, tmp_path, capsys):
    small_pth(tmp_path / "m.pth")
    (tmp_path / "m.pth.card.json").write_text(json.dumps(card_data(**{"preprocess.std": [1e-45, 0.2, 0.2]})))
    assert main(["model-info", str(tmp_path / "m.pth")]) == 2
    assert one_sentence(capsys.readouterr().err) == (
        "error: preprocessing 'torchvision': std must be at least 1e-06 (the scaled pixels are divided by it), "
        "not 1e-45")


def _nan_onnx(path: Path) -> Path:
    """An ONNX classifier of 10 declared classes whose one weight matrix is all NaN: every score is NaN."""
    import numpy as np
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    x = helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 3, 224, 224])
    y = helper.make_tensor_value_info("scores", TensorProto.FLOAT, ["N", 10])
    nodes = [helper.make_node("GlobalAveragePool", ["input"], ["pooled"]),
             helper.make_node("Flatten", ["pooled"], ["flat"]),
             helper.make_node("MatMul", ["flat", "W"], ["scores"])]
    weights = numpy_helper.from_array(np.full((3, 10), np.nan, np.float32), "W")
    model = helper.make_model(helper.make_graph(nodes, "nan", [x], [y], [weights]),
                              opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.save(model, path)
    return path


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::DeprecationWarning:ray.*")
def test_nan_scores_on_ray_are_each_images_reason_as_locally(photos, tmp_path, capsys):
    ray = pytest.importorskip("ray", reason="ray is not installed (pip install 'alexnet-gui[ray]')")
    pytest.importorskip("ray.data", reason="Ray Data is not installed (pip install 'alexnet-gui[ray]')")
    graph = _nan_onnx(tmp_path / "nan.onnx")
    local, on_ray = tmp_path / "local.csv", tmp_path / "ray.csv"
    assert main(["classify", str(photos), "--weights", str(graph), "--out", str(local)]) == 1
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level="WARNING",
             object_store_memory=300 * 1024**2)
    try:
        assert main(["classify", str(photos), "--weights", str(graph), "--engine", "ray", "--workers", "1",
                     "--out", str(on_ray)]) == 1
    finally:
        ray.shutdown()
    assert [r["error"] for r in _rows(on_ray)] == [NAN_REASON] * 3
    assert on_ray.read_bytes() == local.read_bytes()
    assert "Traceback" not in capsys.readouterr().err


# --- 14: train from a weights file that cannot be read -------------------------------------------------------------

@pytest.fixture
def refused_reads(monkeypatch):
    """Paths added to the returned set raise PermissionError when opened, however they are opened: chmod 000 means
    nothing to root, who runs these tests, so the refused read is simulated."""
    refused: set[str] = set()

    def guard(real):
        def opener(file, *args, **kwargs):
            if isinstance(file, (str, os.PathLike)) and os.path.abspath(os.fspath(file)) in refused:
                raise PermissionError(errno.EACCES, "Permission denied", os.fspath(file))
            return real(file, *args, **kwargs)
        return opener

    monkeypatch.setattr(builtins, "open", guard(builtins.open))
    monkeypatch.setattr(io, "open", guard(io.open))
    monkeypatch.setattr(os, "open", guard(os.open))
    return refused


def test_train_from_an_unreadable_weights_file_is_one_sentence(tmp_path, capsys, refused_reads):
    data = write_digits(tmp_path / "digits", per_class=3)
    pth = small_pth(tmp_path / "base.pth")
    refused_reads.add(str(pth))
    out = tmp_path / "models" / "digits"
    assert main(["train", str(data), "--weights", str(pth), "--out", str(out), "--epochs", "1"]) == 2
    assert one_sentence(capsys.readouterr().err) == f"error: cannot read {pth} (permission denied)"
    assert not (tmp_path / "models").exists()  # the model folder it made (and its parent) are gone again
    (tmp_path / "kept").mkdir()
    assert main(["train", str(data), "--weights", str(pth), "--out", str(tmp_path / "kept"), "--epochs", "1"]) == 2
    assert (tmp_path / "kept").is_dir()  # an empty folder the user made stays
