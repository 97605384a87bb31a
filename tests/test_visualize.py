"""Visualisation maths: filter grids hold the normalised weights, feature maps match across backends."""

import time

import numpy as np
import pytest

from alexnet_gui.core.analysis import visualize as V


def test_viridis_lut_endpoints():
    lut = V.viridis()
    assert lut.shape == (256, 3) and lut.dtype == np.uint8
    assert lut[0].tolist() == [68, 1, 84] and lut[-1].tolist() == [253, 231, 37]


def test_filter_grid_pixel_for_kernel_k_is_its_normalised_weight():
    from alexnet_gui.core.model.weights import untrained_state_dict

    weight = untrained_state_dict(0)["features.0.weight"].numpy()
    scale = 3
    grid, layout = V.filters_grid(weight, scale=scale, pad=2)
    assert (layout.cols, layout.rows, layout.count) == (8, 8, 64)
    for k in (0, 9, 63):
        x, y = layout.origin(k)
        w = weight[k]
        expected = np.rint((w - w.min()) / (w.max() - w.min()) * 255).astype(np.uint8)  # (3, 11, 11)
        cell = grid[y:y + 11 * scale, x:x + 11 * scale]
        assert np.array_equal(cell[::scale, ::scale], expected.transpose(1, 2, 0)), k
        assert np.array_equal(cell[1::scale, 2::scale], expected.transpose(1, 2, 0)), k  # nearest: sharp pixels
        assert layout.index_at(x + 5, y + 5) == k
    assert layout.index_at(0, 0) is None  # padding


def test_the_2012_conv1_is_shown_as_the_papers_two_halves_of_48_with_a_gap_between():
    rng = np.random.default_rng(0)
    weight = rng.standard_normal((96, 3, 11, 11)).astype(np.float32)
    grid, layout = V.filters_grid(weight, scale=2, pad=2)
    assert (layout.cols, layout.rows, layout.split_row) == (12, 8, 4)
    first_x, first_y = layout.origin(47)   # the first half's last kernel, row 4
    second_x, second_y = layout.origin(48)  # the second half's first, row 5
    assert second_y - first_y == 22 + 2 + layout.gap and layout.gap >= 10
    band = grid[first_y + 22:second_y, first_x:first_x + 22]
    assert band.shape[0] == 2 + layout.gap and (band == 40).all()  # nothing but the background between the halves
    assert grid.shape[0] == 2 + 8 * 24 + layout.gap
    for k in (0, 47, 48, 95):
        x, y = layout.origin(k)
        w = weight[k]
        expected = np.rint((w - w.min()) / (w.max() - w.min()) * 255).astype(np.uint8).transpose(1, 2, 0)
        assert np.array_equal(grid[y:y + 22:2, x:x + 22:2], expected), k
        assert layout.index_at(x + 3, y + 3) == k
    assert layout.index_at(first_x + 3, first_y + 22 + 2 + layout.gap // 2) is None  # the gap


def test_joint_normalisation_uses_one_range():
    w = np.stack([np.full((3, 2, 2), 1.0), np.full((3, 2, 2), 3.0)])
    w[0, 0, 0, 0] = 0.0
    joint = V.normalise_kernels(w, joint=True)
    assert joint.min() == 0.0 and joint.max() == 1.0
    assert np.allclose(joint[1], 1.0) and np.allclose(joint[0, 1], 1 / 3)
    own = V.normalise_kernels(w)
    assert np.allclose(own[0, 1], 1.0)


def test_deeper_layers_show_one_input_channel_in_grey():
    w = np.random.default_rng(0).standard_normal((192, 64, 5, 5)).astype(np.float32)
    tiles = V.filter_tiles(w, in_channel=7)
    assert tiles.shape == (192, 5, 5, 3)
    assert (tiles[..., 0] == tiles[..., 1]).all()
    c = w[3, 7]
    assert np.array_equal(tiles[3, ..., 0], np.rint((c - c.min()) / (c.max() - c.min()) * 255).astype(np.uint8))


def test_feature_grid_orders_channels_by_mean_and_shares_one_range():
    acts = np.zeros((4, 3, 3), np.float32)
    acts[2] = 5.0
    acts[0, 0, 0] = 1.0
    order = V.channel_order(acts)
    assert order.tolist() == [2, 0, 1, 3]
    grid, layout, (lo, hi) = V.feature_grid(acts, order=order)
    assert (lo, hi) == (0.0, 5.0)
    x, y = layout.origin(0)
    assert grid[y, x].tolist() == V.viridis()[255].tolist()  # the strongest channel comes first


def test_feature_grid_renders_fast_enough():
    acts = np.random.default_rng(0).random((64, 55, 55), dtype=np.float32)
    start = time.perf_counter()
    grid, _, _ = V.feature_grid(acts, scale=2)
    print(f"64x55x55 feature grid rendered in {(time.perf_counter() - start) * 1000:.1f} ms")
    assert grid.shape == (8 * 111 + 1, 8 * 111 + 1, 3)


def test_feature_maps_from_onnx_equal_torch_hooks_for_every_layer(torch_backend, onnx_backend, tmp_path):
    from alexnet_gui.core.backends.base import ACTIVATION_LAYERS
    from alexnet_gui.core.pipeline.decode import load_input
    from tests.image_fixtures import write_photos

    (photo,) = write_photos(tmp_path, 1, size=(400, 300))
    x = load_input(photo)[None]
    for name in ACTIVATION_LAYERS:
        a = onnx_backend.activations(x, [name])[name][0]
        b = torch_backend.activations(x, [name])[name][0]
        assert np.abs(a - b).max() <= 1e-4, name


def test_feature_layer_names():
    assert V.feature_layer("conv2") == "relu2"
    assert V.feature_layer("conv2", pre_relu=True) == "conv2"
    assert V.feature_layer("pool5") == "pool5"
    with pytest.raises(Exception, match="unknown layer 'fc6'"):
        V.feature_layer("fc6")


def test_overlay_blends_the_upsampled_map():
    base = np.zeros((20, 20, 3), np.uint8)
    heat = np.zeros((2, 2), np.float32)
    heat[0, 0] = 1.0
    out = V.overlay(base, heat, alpha=1.0, vmin=0.0, vmax=1.0)
    assert out.shape == (20, 20, 3)
    assert out[0, 0].tolist() == V.viridis()[255].tolist()
    assert out[19, 19].tolist() == V.viridis()[0].tolist()
