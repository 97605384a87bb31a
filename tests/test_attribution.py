"""More attribution methods (issue 19): each checked against an independent computation written here, for every
model family, and on the command line."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image

from alexnet_gui.cli import main
from alexnet_gui.core.analysis.attribution import (
    METHODS,
    attribute,
    black_input,
    gradient_image,
    out_of_place_relus,
)
from alexnet_gui.core.errors import UserError
from alexnet_gui.core.model.archs import Architecture, build_network, feature_index
from alexnet_gui.core.model.card import ModelCard
from alexnet_gui.core.model.labels import numbered_labels
from alexnet_gui.core.model.preprocess import ALEXNET2012, TORCHVISION, normalise

NARROW = Architecture(conv=(16, 32, 32, 32, 32), fc=(64, 64), classes=5)


def _card(arch: Architecture, recipe=TORCHVISION) -> ModelCard:
    return ModelCard("test", arch, numbered_labels(arch.classes), recipe)


@pytest.fixture(scope="module")
def narrow():
    torch.manual_seed(0)
    return build_network(NARROW), _card(NARROW)


@pytest.fixture(scope="module")
def photo_input():
    from skimage import data

    pixels = np.asarray(Image.fromarray(data.chelsea()).resize((224, 224)))
    return normalise(pixels, TORCHVISION)[None]


class _Guided(torch.autograd.Function):
    """ReLU whose backward passes only positive gradients where the input was positive (Springenberg et al.)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.clamp(min=0)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * (x > 0) * (grad > 0)


class _Deconv(torch.autograd.Function):
    """ReLU whose backward is a ReLU of the gradient, whatever the input was (Zeiler and Fergus)."""

    @staticmethod
    def forward(ctx, x):
        return x.clamp(min=0)

    @staticmethod
    def backward(ctx, grad):
        return grad.clamp(min=0)


def _reference_forward(model, x, relu, stop_after: str | None = None, arch=NARROW):
    """The network's forward with every ReLU replaced by `relu`, written out layer by layer."""
    stop = feature_index(arch)[stop_after] if stop_after else None
    for i, layer in enumerate(model.features):
        x = relu.apply(x) if isinstance(layer, torch.nn.ReLU) else layer(x)
        if i == stop:
            return x
    x = torch.flatten(model.avgpool(x), 1)
    for layer in model.classifier:
        if isinstance(layer, torch.nn.Dropout):
            continue
        x = relu.apply(x) if isinstance(layer, torch.nn.ReLU) else layer(x)
    return x


@pytest.mark.parametrize("method, relu", [("guided-backprop", _Guided), ("deconvolution", _Deconv)])
def test_guided_backprop_and_deconvolution_equal_an_independent_reference(narrow, photo_input, method, relu):
    model, card = narrow
    x = torch.from_numpy(photo_input).requires_grad_(True)
    _reference_forward(model, x, relu)[0, 3].backward()
    want = gradient_image(x.grad[0].numpy())
    got = attribute(model, card, photo_input, method, 3)
    assert got.kind == "image" and got.values.shape == (224, 224, 3)
    np.testing.assert_allclose(got.values, want, atol=1e-5)


@pytest.mark.parametrize("method, relu", [("guided-backprop", _Guided), ("deconvolution", _Deconv)])
def test_a_units_deconvolution_traces_its_strongest_activation(narrow, photo_input, method, relu):
    model, card = narrow
    x = torch.from_numpy(photo_input).requires_grad_(True)
    _reference_forward(model, x, relu, stop_after="conv4")[0, 7].max().backward()
    got = attribute(model, card, photo_input, method, 0, layer="conv4", unit=7)
    assert got.target == "conv4 unit 7"
    np.testing.assert_allclose(got.values, gradient_image(x.grad[0].numpy()), atol=1e-5)


def test_saliency_is_the_largest_absolute_gradient_over_the_planes(narrow, photo_input):
    model, card = narrow
    x = torch.from_numpy(photo_input).requires_grad_(True)
    model(x)[0, 2].backward()
    want = x.grad[0].abs().amax(0).numpy()
    got = attribute(model, card, photo_input, "saliency", 2).values
    np.testing.assert_allclose(got, want / want.max(), atol=1e-5)


def test_integrated_gradients_add_up_to_the_score_difference(narrow, photo_input):
    import captum.attr as ca

    model, card = narrow
    x = torch.from_numpy(photo_input)
    base = black_input(card, x)
    with out_of_place_relus(model):
        values = ca.IntegratedGradients(model).attribute(x, baselines=base, target=1, n_steps=32)
    with torch.no_grad():
        gap = (model(x)[0, 1] - model(base)[0, 1]).item()
    # Completeness (Sundararajan et al.): the attributions sum to f(x) - f(baseline), up to the 32-step integral.
    assert values.sum().item() == pytest.approx(gap, rel=0.05, abs=1e-3)
    got = attribute(model, card, photo_input, "integrated-gradients", 1).values
    want = values[0].abs().sum(0).numpy()
    np.testing.assert_allclose(got, want / want.max(), atol=1e-4)


def test_occlusion_finds_the_one_region_a_hand_built_network_looks_at():
    arch = Architecture(conv=(4, 4, 4, 4, 4), fc=(4, 4), classes=2)
    model = build_network(arch)
    with torch.no_grad():
        for p in model.parameters():
            p.zero_()
        # One path of positive weights from the red plane to class 0: its score is the red plane's sum, seen
        # through conv1's one kernel tap, so only red pixels change it.
        model.features[0].weight[0, 0, 5, 5] = 1.0
        for conv in (3, 6, 8, 10):
            model.features[conv].weight[0, 0] = 1.0
        model.classifier[1].weight[0, :36] = 1.0
        model.classifier[4].weight[0, 0] = 1.0
        model.classifier[6].weight[0, 0] = 1.0
    card = _card(arch)
    x = np.zeros((1, 3, 224, 224), np.float32)
    x[0, 0, :40, :40] = 5.0
    # Whatever the class score, occlusion only changes it where the lit square is.
    got = attribute(model, card, x, "occlusion", 0).values
    assert got.max() == 1.0 and got[:48, :48].max() == 1.0
    assert got[64:, :].max() == 0.0 and got[:, 64:].max() == 0.0


@pytest.mark.parametrize("method", ["gradcam++", "layercam", "eigencam"])
def test_the_cam_family_matches_its_formula(narrow, photo_input, method):
    from pytorch_grad_cam.utils.image import scale_cam_image

    model, card = narrow
    acts = {}
    layer = model.features[feature_index(NARROW)["relu5"]]

    def keep(_m, _i, out):
        acts["a"] = out
        out.register_hook(lambda g: acts.__setitem__("g", g))

    handle = layer.register_forward_hook(keep)
    with out_of_place_relus(model):
        model(torch.from_numpy(photo_input).requires_grad_(True))[0, 4].backward()
    handle.remove()
    a, g = acts["a"][0].detach().numpy(), acts["g"][0].numpy()
    if method == "layercam":
        raw = np.maximum((np.maximum(g, 0) * a).sum(0), 0)
    elif method == "eigencam":
        flat = a.reshape(a.shape[0], -1).T
        flat = flat - flat.mean(0)
        vt = np.linalg.svd(flat, full_matrices=False)[2]
        projection = (flat @ vt[0]).reshape(a.shape[1:])
        raw = np.maximum(projection, 0)
    else:
        g2, g3 = g ** 2, g ** 3
        alpha = g2 / (2 * g2 + a.sum((1, 2))[:, None, None] * g3 + 1e-6)  # the library's epsilon
        alpha = np.where(g != 0, alpha, 0)
        weights = (np.maximum(g, 0) * alpha).sum((1, 2))
        raw = np.maximum((weights[:, None, None] * a).sum(0), 0)
    # The library scales the map to [0, 1], resizes it, and scales the resized map again.
    want = scale_cam_image(scale_cam_image(raw[None], (224, 224)))[0]
    got = attribute(model, card, photo_input, method, 4).values
    if method == "eigencam":  # the component's sign is arbitrary: compare with whichever the library took
        other = scale_cam_image(scale_cam_image(np.maximum(-projection, 0)[None], (224, 224)))[0]
        assert min(np.abs(got - want).max(), np.abs(got - other).max()) < 1e-3
    else:
        np.testing.assert_allclose(got, want, atol=1e-3)


@pytest.mark.parametrize("family", ["alexnet2012", "keras"])
def test_every_method_runs_on_the_other_families(family):
    if family == "alexnet2012":
        arch = Architecture("alexnet2012", (16, 32, 32, 32, 32), (1, 2, 1, 2, 2), (32, 32), 3, 227, True,
                            (0, 0, 0, 0), False)
        recipe = ALEXNET2012
    else:
        arch = Architecture("keras", (16, 32, 32, 32, 32), fc=(32, 32), classes=3, conv1_padding=(1, 2, 1, 2))
        recipe = TORCHVISION
    torch.manual_seed(1)
    model, card = build_network(arch), _card(arch, recipe)
    size = recipe.input_size
    x = np.random.default_rng(0).standard_normal((1, 3, size, size)).astype(np.float32)
    for method in METHODS:
        answer = attribute(model, card, x, method, 1)
        assert np.isfinite(answer.values).all() and answer.values.max() <= 1.0 + 1e-6, method
    assert all(m.inplace for m in model.modules() if isinstance(m, torch.nn.ReLU))  # restored after


def test_units_out_of_range_and_methods_without_units_are_one_sentence(narrow, photo_input):
    model, card = narrow
    with pytest.raises(UserError, match=r"conv5 has units 0..31, not 32"):
        attribute(model, card, photo_input, "deconvolution", 0, layer="conv5", unit=32)
    with pytest.raises(UserError, match="no layer 'conv9'"):
        attribute(model, card, photo_input, "deconvolution", 0, layer="conv9", unit=1)
    with pytest.raises(UserError, match="--unit applies to guided-backprop and deconvolution only"):
        attribute(model, card, photo_input, "saliency", 0, unit=1)


def test_cam_command_runs_each_method(tmp_path, capsys):
    from skimage import data

    image = tmp_path / "cat.png"
    Image.fromarray(data.chelsea()).save(image)
    for method, extra in (("layercam", []), ("deconvolution", ["--layer", "conv5", "--unit", "17"])):
        out = tmp_path / f"{method}.png"
        assert main(["cam", str(image), "--untrained", "--method", method, "--out", str(out), *extra]) == 0
        with Image.open(out) as png:
            assert png.size == (224, 224)
    err = capsys.readouterr().err
    assert "LayerCAM" in err and "Deconvolution (Zeiler and Fergus) — conv5 unit 17" in err


def test_cam_command_refuses_a_unit_for_a_class_method_before_loading(tmp_path, capsys, no_model):
    assert main(["cam", str(tmp_path / "x.png"), "--method", "saliency", "--unit", "3", "--out",
                 str(tmp_path / "o.png")]) == 2
    assert "--unit applies to --method guided-backprop and deconvolution only" in capsys.readouterr().err
