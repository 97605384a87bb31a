"""Every family of AlexNet a user holds classifies with its own labels and recipe, on both backends, and agrees
with an independent reference (tests/model_families.py) built the way that family's source builds it."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest
import torch
from PIL import Image

from alexnet_gui.cli import main
from alexnet_gui.core.backends import load_backend
from alexnet_gui.core.model.loading import CardChoices
from alexnet_gui.core.model.weights import resolve_weights
from alexnet_gui.core.pipeline.engine import Engine
from tests import model_families as F

pytestmark = pytest.mark.slow

FLOWERS = ["daisy", "dandelion", "roses", "sunflowers", "tulips"]


def reference_probs(model, inputs) -> np.ndarray:
    with torch.inference_mode():
        return torch.softmax(model(torch.stack(list(inputs))), dim=1).double().numpy()


def app_probs(backend_name: str, weights_path, paths, choices: CardChoices = CardChoices()):
    """Classify through the app's engine with every class in the top-k; return (probabilities by class, card)."""
    backend = load_backend(backend_name, resolve_weights(weights_path), "cpu", choices=choices)
    try:
        classes = backend.card.classes
        rows = []
        for result in Engine(backend, top_k=classes, batch_size=2).run([str(p) for p in paths]):
            assert result.ok, result.error
            row = np.zeros(classes)
            for p in result.top:
                row[p.index] = p.prob
            rows.append(row)
        return np.array(rows), backend.card
    finally:
        backend.close()


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def images(tmp_path_factory):
    return F.photos(tmp_path_factory.mktemp("photos"))


# --- 1. torchvision's AlexNet fine-tuned to N classes ------------------------------------------------------------

def test_torchvision_finetuned_to_five_classes_with_labels_beside_it(tmp_path, images):
    import torchvision

    model = torchvision.models.alexnet(weights=None)
    model.classifier[6] = torch.nn.Linear(4096, 5)  # the fine-tuning tutorial's replacement
    F.seeded(model, 1)
    torch.save(model.state_dict(), tmp_path / "finetuned.pth")
    (tmp_path / "labels.txt").write_text("\n".join(FLOWERS) + "\n")
    want = reference_probs(model, [F.torchvision_input(Image.open(p).convert("RGB")) for p in images])
    for backend in ("torch", "onnx"):
        got, card = app_probs(backend, tmp_path / "finetuned.pth", images)
        assert card.architecture.family == "torchvision" and card.classes == 5
        assert card.labels.names == tuple(FLOWERS) and card.preprocess.name == "torchvision"
        np.testing.assert_allclose(got, want, atol=2e-5, err_msg=backend)
    out = tmp_path / "out.csv"
    assert main(["classify", *map(str, images), "--weights", str(tmp_path / "finetuned.pth"), "--top-k", "3",
                 "--out", str(out), "--backend", "torch"]) == 0
    rows = read_csv(out)
    assert [r["top1_label"] for r in rows] == [FLOWERS[i] for i in want.argmax(axis=1)]
    assert [float(r["top1_prob"]) for r in rows] == pytest.approx(want.max(axis=1), abs=2e-6)
    provenance = json.loads((tmp_path / "out.csv.provenance.json").read_text())
    assert provenance["model"]["classes"] == 5 and provenance["model"]["labels"].endswith("labels.txt")
    assert provenance["preprocessing"]["recipe"] == "torchvision"


def test_top_k_beyond_the_class_count_leaves_the_extra_columns_empty(tmp_path, images, capsys):
    import torchvision

    model = F.seeded(torchvision.models.alexnet(weights=None, num_classes=2), 2)
    torch.save(model.state_dict(), tmp_path / "two.pth")
    out = tmp_path / "out.csv"
    assert main(["classify", str(images[0]), "--weights", str(tmp_path / "two.pth"), "--out", str(out),
                 "--backend", "torch"]) == 0
    row = read_csv(out)[0]
    assert row["top1_label"] in ("class 0", "class 1") and row["top2_label"] != ""
    assert row["top3_index"] == row["top3_label"] == row["top3_prob"] == ""
    assert "note: the model has 2 classes; --top-k 5 gives 2 per image" in capsys.readouterr().err


# --- 2. the half-width tutorial network --------------------------------------------------------------------------

def test_the_half_width_tutorial_network_with_its_class_indices_and_recipe(tmp_path, images):
    model = F.seeded(F.TutorialAlexNet(num_classes=5, fc=2048), 3)
    torch.save(model.state_dict(), tmp_path / "AlexNet.pth")
    (tmp_path / "class_indices.json").write_text(json.dumps({str(i): n for i, n in enumerate(FLOWERS)}, indent=4))
    want = reference_probs(model, [F.tutorial_input(Image.open(p).convert("RGB")) for p in images])
    for backend in ("torch", "onnx"):
        got, card = app_probs(backend, tmp_path / "AlexNet.pth", images)
        assert card.architecture.family == "half-width" and card.architecture.conv == (48, 128, 192, 192, 128)
        assert not card.architecture.avgpool and card.architecture.fc == (2048, 2048)
        assert card.preprocess.name == "tutorial" and card.labels.names == tuple(FLOWERS)
        np.testing.assert_allclose(got, want, atol=2e-5, err_msg=backend)


# --- 3. the 2012 architecture -------------------------------------------------------------------------------------

def test_dansuh17_checkpoint_with_lrn_dataparallel_prefix_and_227_pixels(tmp_path, images):
    model = F.seeded(F.Dansuh17AlexNet(num_classes=10, fc=64), 4)
    state = {f"module.{k}": v for k, v in model.state_dict().items()}  # DataParallel's names
    torch.save({"epoch": 3, "total_steps": 120, "optimizer": {"state": {}}, "model": state, "seed": 7},
               tmp_path / "alexnet_states_e3.pkl")
    want = reference_probs(model, [F.alexnet2012_input(Image.open(p).convert("RGB")) for p in images])
    for backend in ("torch", "onnx"):
        got, card = app_probs(backend, tmp_path / "alexnet_states_e3.pkl", images)
        arch = card.architecture
        assert arch.family == "alexnet2012" and arch.lrn and arch.input_size == 227 and arch.conv[0] == 96
        assert card.layer_names()[:4] == ("conv1", "relu1", "norm1", "pool1")
        np.testing.assert_allclose(got, want, atol=2e-5, err_msg=backend)


def test_caffe_style_grouped_network_with_named_layers(tmp_path, images):
    model = F.seeded(F.CaffeAlexNet(num_classes=7, fc=64), 5)
    torch.save({"state_dict": model.state_dict()}, tmp_path / "caffe_alexnet.pth")
    want = reference_probs(model, [F.alexnet2012_input(Image.open(p).convert("RGB")) for p in images])
    for backend in ("torch", "onnx"):
        got, card = app_probs(backend, tmp_path / "caffe_alexnet.pth", images)
        assert card.architecture.groups == (1, 2, 1, 2, 2) and card.architecture.lrn
        np.testing.assert_allclose(got, want, atol=2e-5, err_msg=backend)
    # conv2 sees 48 channels per group: the filter view's channel selector says so.
    assert main(["filters", "--weights", str(tmp_path / "caffe_alexnet.pth"), "--layer", "conv2", "--channel",
                 "48", "--out", str(tmp_path / "f.png")]) == 2
    assert main(["filters", "--weights", str(tmp_path / "caffe_alexnet.pth"), "--layer", "conv2", "--channel",
                 "47", "--out", str(tmp_path / "f.png")]) == 0


# --- 4. ONNX models: the zoo's fixed-batch softmax graph, and any classifier -------------------------------------

def _export(module, path, size, input_name, output_name, *, batch=1, dynamic=False):
    """Export as the zoo's converters did: TorchScript, fixed or dynamic batch, our names for input and output."""
    import warnings

    x = torch.zeros(batch, 3, size, size)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the TorchScript exporter is deprecated and its tracer warns; neither matters
        torch.onnx.export(module, (x,), str(path), input_names=[input_name], output_names=[output_name], dynamo=False,
                          opset_version=13,
                          dynamic_axes={input_name: {0: "N"}, output_name: {0: "N"}} if dynamic else None)


def test_a_zoo_like_onnx_graph_fixed_at_batch_one_with_softmax_output(tmp_path, images):
    model = F.seeded(F.CaffeAlexNet(num_classes=1000, fc=64, softmax=True, ceil_mode=True), 6)
    path = tmp_path / "bvlcalexnet-12.onnx"
    _export(model, path, 224, "data_0", "softmaxout_1")
    with torch.inference_mode():
        want = torch.cat([model(torch.from_numpy(F.caffe_input(Image.open(p).convert("RGB")))[None])
                          for p in images]).double().numpy()
    got, card = app_probs("onnx", path, images)  # three images through a graph that takes one at a time
    assert card.output == "probabilities" and card.batch_limit == 1 and card.preprocess.name == "caffe"
    assert card.labels.is_imagenet()
    # Not softmaxed twice: the top probability is the model's own, not a flattened 0.0015.
    np.testing.assert_allclose(got, want, atol=2e-6)
    assert got.max() > 0.01
    assert main(["model-info", str(path)]) == 0


def test_any_onnx_classifier_with_a_dynamic_batch_and_logits(tmp_path, images, capsys):
    model = F.seeded(F.TutorialAlexNet(num_classes=4, fc=64), 7)
    path = tmp_path / "mine.onnx"
    _export(model, path, 224, "images", "scores", batch=2, dynamic=True)
    (tmp_path / "classes.txt").write_text("cat\ndog\nbird\nfish\n")
    got, card = app_probs("onnx", path, images, CardChoices(preprocess="tutorial"))
    assert card.output == "logits" and card.batch_limit is None and card.labels.names == ("cat", "dog", "bird", "fish")
    want = reference_probs(model, [F.tutorial_input(Image.open(p).convert("RGB")) for p in images])
    np.testing.assert_allclose(got, want, atol=2e-5)
    assert main(["model-info", str(path), "--preprocess", "tutorial"]) == 0
    out = capsys.readouterr().out
    assert "output: logits" in out and "preprocessing: tutorial: resize to 224x224 (bilinear)" in out
    assert "chosen: preprocessing: --preprocess tutorial" in out


# --- 5. Keras files, read with h5py and checked against Keras 3 itself ----------------------------------------------

@pytest.fixture(scope="module")
def keras_model():
    import os

    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")
    from keras import layers, models

    inp = layers.Input(shape=(224, 224, 3), dtype="float32")
    x = layers.ZeroPadding2D(((1, 2), (1, 2)))(inp)
    x = layers.Conv2D(16, kernel_size=11, strides=4, activation="relu")(x)
    x = layers.MaxPool2D(pool_size=3, strides=2)(x)
    x = layers.Conv2D(24, kernel_size=5, padding="same", activation="relu")(x)
    x = layers.MaxPool2D(pool_size=3, strides=2)(x)
    x = layers.Conv2D(32, kernel_size=3, padding="same", activation="relu")(x)
    x = layers.Conv2D(32, kernel_size=3, padding="same", activation="relu")(x)
    x = layers.Conv2D(24, kernel_size=3, padding="same", activation="relu")(x)
    x = layers.MaxPool2D(pool_size=3, strides=2)(x)
    x = layers.Flatten()(x)
    x = layers.Dropout(0.2)(x)
    x = layers.Dense(64, activation="relu")(x)
    x = layers.Dropout(0.2)(x)
    x = layers.Dense(64, activation="relu")(x)
    x = layers.Dense(5)(x)
    model = models.Model(inputs=inp, outputs=layers.Softmax()(x))
    keras.utils.set_random_seed(8)
    for w in model.weights:
        if len(w.shape) > 1:
            fan_in = int(np.prod(w.shape[:-1]))
            w.assign(np.random.default_rng(9).normal(0, (2 / fan_in) ** 0.5, w.shape).astype("float32"))
    return model


# Keras 3's torch backend converts tensors with numpy's pre-2.0 __array__ protocol: its warning, not ours.
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.parametrize("suffix", [".h5", ".keras"])
def test_a_keras_alexnet_v1_file_matches_keras_itself(tmp_path, images, keras_model, suffix):
    path = tmp_path / f"AlexNet_v1{suffix}"
    keras_model.save(str(path))
    (tmp_path / "class_indices.json").write_text(json.dumps({str(i): n for i, n in enumerate(FLOWERS)}))
    batch = np.stack([F.keras_tutorial_input(Image.open(p).convert("RGB")) for p in images])
    want = np.asarray(keras_model.predict(batch, verbose=0), dtype=np.float64)
    for backend in ("torch", "onnx"):
        got, card = app_probs(backend, path, images)
        assert card.format == "keras" and card.architecture.conv1_padding == (1, 2, 1, 2)
        assert card.preprocess.name == "keras-tutorial" and card.labels.names == tuple(FLOWERS)
        np.testing.assert_allclose(got, want, atol=2e-5, err_msg=backend)


# --- 6. exports describe themselves ---------------------------------------------------------------------------------

def test_an_export_carries_its_card_and_runs_with_its_own_labels_and_recipe(tmp_path, images, capsys):
    model = F.seeded(F.TutorialAlexNet(num_classes=5, fc=64), 10)
    torch.save(model.state_dict(), tmp_path / "AlexNet.pth")
    (tmp_path / "class_indices.json").write_text(json.dumps({str(i): n for i, n in enumerate(FLOWERS)}))
    out_dir = tmp_path / "shipped"
    out_dir.mkdir()
    onnx_path = out_dir / "flowers.onnx"
    assert main(["export-onnx", "--weights", str(tmp_path / "AlexNet.pth"), "--out", str(onnx_path)]) == 0
    assert (out_dir / "flowers.onnx.card.json").is_file()
    (out_dir / "flowers.onnx.card.json").unlink()  # the metadata alone must describe it
    got, card = app_probs("onnx", onnx_path, images)
    assert card.labels.names == tuple(FLOWERS) and card.preprocess.name == "tutorial"
    assert "written into flowers.onnx" in card.notes[0]
    want = reference_probs(model, [F.tutorial_input(Image.open(p).convert("RGB")) for p in images])
    np.testing.assert_allclose(got, want, atol=2e-5)


def test_openvino_caffe_alexnet_by_its_signature_at_227_pixels(tmp_path, images):
    model = F.seeded(F.CaffeAlexNet(num_classes=1000, fc=64, softmax=True), 11)  # 227 px: floor pooling ends at 6
    path = tmp_path / "alexnet.onnx"
    _export(model, path, 227, "data", "prob")
    with torch.inference_mode():
        want = torch.cat([model(torch.from_numpy(
            F.caffe_input(Image.open(p).convert("RGB"), 227, means=(123.0, 117.0, 104.0)))[None])
            for p in images]).double().numpy()
    got, card = app_probs("onnx", path, images)
    assert card.name == "openvino-caffe-alexnet" and card.preprocess.name == "openvino-caffe"
    assert card.output == "probabilities" and card.batch_limit == 1
    np.testing.assert_allclose(got, want, atol=2e-6)


def test_an_int8_quantised_zoo_graph_is_recognised_and_agrees_with_its_fp32_original(tmp_path, images):
    from onnxruntime.quantization import QuantType, quantize_dynamic

    model = F.seeded(F.CaffeAlexNet(num_classes=1000, fc=64, softmax=True, ceil_mode=True), 12)
    fp32, int8 = tmp_path / "bvlcalexnet-12.onnx", tmp_path / "bvlcalexnet-12-int8.onnx"
    _export(model, fp32, 224, "data_0", "softmaxout_1")
    quantize_dynamic(str(fp32), str(int8), weight_type=QuantType.QInt8)
    want, _ = app_probs("onnx", fp32, images)
    got, card = app_probs("onnx", int8, images)
    assert card.preprocess.name == "caffe" and card.output == "probabilities" and card.batch_limit == 1
    assert (got.argmax(axis=1) == want.argmax(axis=1)).all()
    assert np.abs(got - want).max() < 0.05


def test_evaluate_and_sort_use_the_models_own_class_names(tmp_path, images, capsys):
    model = F.seeded(F.TutorialAlexNet(num_classes=5, fc=64), 13)
    torch.save(model.state_dict(), tmp_path / "AlexNet.pth")
    (tmp_path / "class_indices.json").write_text(json.dumps({str(i): n for i, n in enumerate(FLOWERS)}))
    val = tmp_path / "val"
    want = reference_probs(model, [F.tutorial_input(Image.open(p).convert("RGB")) for p in images]).argmax(axis=1)
    for i, path in enumerate(images):  # each photo filed under the class the model gives it, one under another
        folder = val / (FLOWERS[want[i]] if i else FLOWERS[(want[i] + 1) % 5])
        folder.mkdir(parents=True, exist_ok=True)
        (folder / path.name).write_bytes(path.read_bytes())
    (val / "not_a_flower").mkdir()
    assert main(["evaluate", str(val), "--weights", str(tmp_path / "AlexNet.pth"), "--backend", "torch"]) == 0
    captured = capsys.readouterr()
    assert f"top-1 accuracy: {100 * (len(images) - 1) / len(images):.3f}% ({len(images) - 1}/{len(images)})" in captured.out
    assert "ignored 1 sub-folder not named by one of the model's classes: not_a_flower" in captured.err
    out = tmp_path / "sorted"
    assert main(["sort", str(val), "--out", str(out), "--weights", str(tmp_path / "AlexNet.pth"), "--backend",
                 "torch"]) == 0
    assert {p.name for p in out.iterdir()} <= set(FLOWERS)


def test_feature_maps_of_lrn_layers_and_grad_cam_on_the_2012_network(tmp_path, images, capsys):
    model = F.seeded(F.Dansuh17AlexNet(num_classes=10, fc=64), 14)
    torch.save(model.state_dict(), tmp_path / "alexnet2012.pth")
    (tmp_path / "labels.txt").write_text("\n".join(f"kind {i}" for i in range(10)) + "\n")
    weights = ["--weights", str(tmp_path / "alexnet2012.pth")]
    assert main(["features", str(images[0]), "--layer", "norm1", "--out", str(tmp_path / "n.png"), *weights,
                 "--backend", "torch"]) == 0
    assert "wrote " + str(tmp_path / "n.png") + ": norm1, 96 channels of 55x55" in capsys.readouterr().err
    assert main(["cam", str(images[0]), "--out", str(tmp_path / "c.png"), *weights]) == 0
    err = capsys.readouterr().err
    with torch.inference_mode():
        top = int(model(F.alexnet2012_input(Image.open(images[0]).convert("RGB"))[None]).argmax())
    assert f"Grad-CAM: conv5's channels weighted by the class score's mean gradient — class {top} (kind {top}), p=" in err
    assert main(["cam", str(images[0]), "--class", "10", "--out", str(tmp_path / "c.png"), *weights]) == 2
    assert "the model's classes are 0..9, not 10" in capsys.readouterr().err
