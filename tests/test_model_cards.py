"""Model cards: how one is chosen, what each bad file or option says, and the checkpoint wrappers users have."""

from __future__ import annotations

import hashlib
import json

import pytest
import torch

from alexnet_gui.cli import main
from alexnet_gui.core.errors import UserError
from alexnet_gui.core.model import weights as W
from alexnet_gui.core.model.archs import Architecture, ArchitectureError, build_network, detect_architecture
from alexnet_gui.core.model.card import ModelCard, read_card, write_sidecar
from alexnet_gui.core.model.checkpoints import load_state_dict
from alexnet_gui.core.model.labels import read_labels_file
from alexnet_gui.core.model.loading import CardChoices, apply_choices, open_state_model, quick_card
from alexnet_gui.core.model.preprocess import PRESETS, TORCHVISION, Recipe, load_recipe
from tests.loopback import serve

SMALL = Architecture("torchvision", (8, 16, 16, 16, 8), (1, 1, 1, 1, 1), (32, 32), 3)


def small_state(arch: Architecture = SMALL, seed: int = 0) -> dict:
    torch.manual_seed(seed)
    return build_network(arch).state_dict()


# --- checkpoint wrappers -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("wrap", [
    lambda s: s,
    lambda s: {"state_dict": s, "epoch": 3},
    lambda s: {"model_state_dict": s, "optimizer_state_dict": {}},
    lambda s: {"net": s, "acc": 0.9},
    lambda s: {"model": {f"module.{k}": v for k, v in s.items()}},
    # pytorch/examples' imagenet main.py wraps AlexNet's features alone in DataParallel
    lambda s: {"state_dict": {k.replace("features.", "features.module."): v for k, v in s.items()}, "arch": "alexnet"},
])
def test_every_checkpoint_wrapper_gives_the_same_state_dict(tmp_path, wrap):
    state = small_state()
    torch.save(wrap(state), tmp_path / "checkpoint.pth.tar")
    loaded = load_state_dict(tmp_path / "checkpoint.pth.tar")
    assert list(loaded) == list(state) and all(torch.equal(loaded[k], state[k]) for k in state)


def test_a_whole_pickled_model_is_refused_with_the_two_lines_that_re_save_it(tmp_path):
    import torchvision

    torch.save(torchvision.models.alexnet(weights=None), tmp_path / "whole.pth")
    with pytest.raises(W.WeightsError) as caught:
        load_state_dict(tmp_path / "whole.pth")
    message = str(caught.value)
    assert message.startswith(f"refused to load {tmp_path / 'whole.pth'}: it holds a whole pickled model")
    assert f"model = torch.load('{tmp_path / 'whole.pth'}', weights_only=False)" in message
    assert f"torch.save(model.state_dict(), '{tmp_path / 'whole.state_dict.pth'}')" in message


def test_a_checkpoint_without_weights_names_what_it_holds(tmp_path):
    torch.save({"epoch": 3, "optimizer": {"lr": 0.1}}, tmp_path / "c.pth")
    with pytest.raises(W.WeightsError, match=r"holds no state_dict of tensors \(its entries: epoch, optimizer\)"):
        load_state_dict(tmp_path / "c.pth")


@pytest.mark.parametrize("edit, message", [
    (lambda s: s.pop("classifier.6.bias"), r"has no classifier\.6\.bias: every AlexNet layer has a bias"),
    (lambda s: s.update({"features.1.running_mean": torch.zeros(8)}),
     r"has layers AlexNet does not \(features\.1\.running_mean\); it is another network"),
    (lambda s: (s.pop("features.10.weight"), s.pop("features.10.bias")),
     r"is not an AlexNet: it has 4 convolution and 3 fully connected weights \(AlexNet has 5 and 3\)"),
    (lambda s: s.update({"classifier.1.weight": torch.zeros(32, 100)}),
     r"the first fully connected layer takes 100 features; conv5's 8 channels at 6x6 give 288"),
])
def test_a_state_dict_that_is_not_an_alexnet_says_what_differs(edit, message):
    state = small_state()
    edit(state)
    with pytest.raises(ArchitectureError, match=message):
        detect_architecture({k: tuple(v.shape) for k, v in state.items()})


def test_the_older_torchvision_file_name_is_found_like_the_current_one(tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    folder = tmp_path / "hub" / "checkpoints"
    folder.mkdir(parents=True)
    (folder / "alexnet-owt-4df8aa71.pth").write_bytes(b"x")
    choice = W.resolve_weights(download=False)
    assert choice.path.name == "alexnet-owt-4df8aa71.pth"
    card = quick_card(choice)
    assert card is not None and card.name == "torchvision-imagenet1k-v1" and card.labels.is_imagenet()


# --- labels ----------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name, text, names, synsets", [
    ("class_indices.json", json.dumps({"1": "dandelion", "0": "daisy"}), ("daisy", "dandelion"), None),
    ("labels.json", json.dumps(["cat", "dog"]), ("cat", "dog"), None),
    ("classes.txt", "cat\n\ndog\n", ("cat", "dog"), None),
    ("synset.txt", "n01440764 tench, Tinca tinca\nn01443537 goldfish, Carassius auratus\n", ("tench", "goldfish"),
     ("n01440764", "n01443537")),
])
def test_labels_files_of_each_format(tmp_path, name, text, names, synsets):
    (tmp_path / name).write_text(text)
    labels = read_labels_file(tmp_path / name)
    assert labels.names == names and labels.synsets == synsets


@pytest.mark.parametrize("name, text, message", [
    ("class_indices.json", '{"0": "a", "2": "b"}', r"classes must be numbered 0 to 1, each with a name"),
    ("class_indices.json", '{"zero": "a"}', r"keys must be class indices"),
    ("labels.json", "{nope", r"is not valid JSON"),
    ("labels.txt", "\n\n", r"is empty"),
])
def test_a_bad_labels_file_is_one_sentence(tmp_path, name, text, message):
    (tmp_path / name).write_text(text)
    with pytest.raises(UserError, match=message):
        read_labels_file(tmp_path / name)


def test_labels_that_do_not_match_the_class_count_are_refused(tmp_path):
    torch.save(small_state(), tmp_path / "m.pth")
    (tmp_path / "labels.txt").write_text("a\nb\n")
    card, _ = open_state_model(W.resolve_weights(tmp_path / "m.pth"))
    with pytest.raises(W.WeightsError, match=r"the labels in .*labels\.txt name 2 classes, but the model has 3"):
        apply_choices(card, CardChoices(), tmp_path / "m.pth")
    assert main(["model-info", str(tmp_path / "m.pth")]) == 2


def test_labels_given_on_the_command_line_win_over_the_file_beside_the_weights(tmp_path, capsys):
    torch.save(small_state(), tmp_path / "m.pth")
    (tmp_path / "labels.txt").write_text("a\nb\nc\n")
    (tmp_path / "mine.txt").write_text("x\ny\nz\n")
    assert main(["model-info", str(tmp_path / "m.pth"), "--labels", str(tmp_path / "mine.txt")]) == 0
    out = capsys.readouterr().out
    assert f"classes: 3 (file {tmp_path / 'mine.txt'})" in out
    assert f"chosen: labels: --labels {tmp_path / 'mine.txt'}" in out


# --- preprocessing recipes -------------------------------------------------------------------------------------------

def test_named_presets_and_recipe_files(tmp_path):
    assert set(PRESETS) == {"torchvision", "tutorial", "caffe", "openvino-caffe", "keras-tutorial", "alexnet2012"}
    (tmp_path / "r.json").write_text(json.dumps({"name": "mine", "resize": "squash", "size": 200, "crop": 200}))
    assert load_recipe(str(tmp_path / "r.json")) == Recipe("mine", "squash", 200, 200)
    assert Recipe.from_dict(TORCHVISION.to_dict()) == TORCHVISION


@pytest.mark.parametrize("data, message", [
    ({"resize": "stretch"}, r"resize must be one of short-side, squash, not 'stretch'"),
    ({"crop": 300, "size": 256}, r"crop and size must be whole numbers with 16 <= crop <= size <= 4096"),
    ({"channels": "RGBA"}, r"channels must be RGB or BGR, not 'RGBA'"),
    ({"std": [1, 0, 1]}, r"std and scale must be positive"),
    ({"mean": [1, 2]}, r"mean must be three numbers"),
    ({"colour": "yes"}, r"unknown preprocess field 'colour'"),
])
def test_a_bad_recipe_is_one_sentence(tmp_path, data, message):
    (tmp_path / "r.json").write_text(json.dumps(data))
    with pytest.raises(UserError, match=message):
        load_recipe(str(tmp_path / "r.json"))


def test_an_unknown_preset_name_lists_the_presets():
    with pytest.raises(UserError, match=r"unknown preprocessing 'caffe2': name a preset \(torchvision, tutorial, "):
        load_recipe("caffe2")


# --- the card file ---------------------------------------------------------------------------------------------------

def test_a_card_round_trips_through_json_and_a_sidecar_is_found_beside_its_weights(tmp_path):
    torch.save(small_state(), tmp_path / "m.pth")
    card, _ = open_state_model(W.resolve_weights(tmp_path / "m.pth"))
    card = card.with_labels(read_labels_file(_write(tmp_path / "l.txt", "a\nb\nc\n")), "test")
    assert ModelCard.from_dict(json.loads(card.to_json())) == card
    write_sidecar(card.with_preprocess(PRESETS["tutorial"], "test"), tmp_path / "m.pth")
    found = quick_card(W.resolve_weights(tmp_path / "m.pth"))
    assert found is not None and found.preprocess.name == "tutorial" and found.labels.names == ("a", "b", "c")


def test_a_model_folder_with_one_model_file_and_its_card(tmp_path, capsys):
    folder = tmp_path / "flowers"
    folder.mkdir()
    torch.save(small_state(), folder / "weights.pth")
    (folder / "classes.txt").write_text("rose\ntulip\niris\n")
    assert main(["model-info", str(folder), "--json"]) == 0
    card = json.loads(capsys.readouterr().out)
    assert card["schema"] == "alexnet-gui.card/1" and card["labels"]["names"] == ["rose", "tulip", "iris"]
    assert card["architecture"]["conv"] == [8, 16, 16, 16, 8]
    (folder / "other.onnx").write_bytes(b"x")
    assert main(["model-info", str(folder)]) == 2
    assert "a model folder must hold exactly one model file; " in capsys.readouterr().err


@pytest.mark.parametrize("data, message", [
    ({"name": "x"}, r"is not a model card \(its \"schema\" must be 'alexnet-gui.card/1'\)"),
    ({"schema": "alexnet-gui.card/1", "labels": {"names": "abc"}}, r"labels must be an object with a list of names"),
    ({"schema": "alexnet-gui.card/1", "labels": {"names": ["a"]}, "output": "scores"},
     r"output must be logits or probabilities, not 'scores'"),
    ({"schema": "alexnet-gui.card/1", "labels": {"names": ["a"]}, "batch_limit": 0},
     r"batch_limit must be a positive whole number or null"),
])
def test_a_bad_card_file_is_one_sentence(tmp_path, data, message):
    (tmp_path / "card.json").write_text(json.dumps(data))
    with pytest.raises(UserError, match=message):
        read_card(tmp_path / "card.json")


def _write(path, text):
    path.write_text(text)
    return path


# --- the ONNX Model Zoo's AlexNet as a named download ---------------------------------------------------------------

def test_bvlc_alexnet_downloads_by_name_hash_checked_from_its_mirror(tmp_path, monkeypatch):
    body = b"pretend zoo model"
    with serve(lambda _path: body) as (base, served):
        monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
        monkeypatch.setenv("ALEXNET_GUI_BVLC_URL", f"{base}/bvlcalexnet-12.onnx")
        with pytest.raises(W.WeightsError, match=r"does not match its hash 6b0da9510f27f234 and was discarded; check "
                                                 r"the network connection, set ALEXNET_GUI_BVLC_URL to a mirror"):
            W.resolve_weights("bvlc-alexnet")
        assert not list((tmp_path / "torch" / "hub" / "checkpoints").iterdir())
        real = W.BVLC_ALEXNET
        monkeypatch.setitem(W.NAMED_MODELS, "bvlc-alexnet", W.NamedModel(
            real.name, real.url, real.file_name, hashlib.sha256(body).hexdigest(), len(body), real.mirror_env,
            real.kind, real.description))
        choice = W.resolve_weights("bvlc-alexnet")
        assert choice.kind == "onnx" and choice.path.read_bytes() == body
        assert W.resolve_weights("bvlc-alexnet").path == choice.path and len(served) == 2  # cached: no third GET
