"""The network views in the window: filters, feature maps (torch and ONNX agree), Grad-CAM, layer table, Save image.

Every number a view shows is checked against the core computed directly; the views get their data from the
window's worker thread, so the tests wait on signals, never on time.
"""

import os

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import Qt

from tests.image_fixtures import write_photos


@pytest.fixture
def views(window):
    from alexnet_gui.gui.views import install_views

    window.views = None
    found = install_views(window)
    window.show()
    return found


def _show(window, qtbot, view, until):
    window.tabs.setCurrentWidget(view)
    qtbot.waitUntil(until, timeout=120000)


def _classify_one(window, qtbot, tmp_path):
    (photo,) = write_photos(tmp_path, 1, size=(400, 300), seed=3)
    window.add_paths([str(photo)])
    qtbot.waitUntil(lambda: window.model.rowCount() == 1 and not window.is_busy(), timeout=60000)
    qtbot.waitUntil(lambda: window.selected_path() == str(photo), timeout=10000)
    return str(photo)


def test_filters_view_grid_hover_click_and_channels(window, views, qtbot, untrained_weights):
    from alexnet_gui.core.analysis.kernels import conv_kernels
    from alexnet_gui.core.analysis.visualize import filter_tiles, filters_grid

    view = views["filters"]
    _show(window, qtbot, view, lambda: view.canvas.array() is not None)
    kernels = conv_kernels(untrained_weights)
    expected, layout = filters_grid(kernels["conv1"], scale=4)
    assert np.array_equal(view.canvas.array(), expected)

    # Hover: filter index and its weight range; click: that kernel, large and sharp.
    x, y = layout.origin(9)
    qtbot.mouseMove(view.canvas, view.canvas.widget_point(x + 5, y + 5))
    w9 = kernels["conv1"][9]
    qtbot.waitUntil(lambda: view.canvas.toolTip() == f"filter 9: weights {w9.min():+.4f} … {w9.max():+.4f}")
    qtbot.mouseClick(view.canvas, Qt.MouseButton.LeftButton, pos=view.canvas.widget_point(x + 5, y + 5))
    large = view.large.array()
    tile = filter_tiles(kernels["conv1"][9:10])[0]
    scale = large.shape[0] // 11
    assert scale >= 8 and np.array_equal(large[::scale, ::scale], tile)

    # Joint range, then a deeper layer's kernels for one input channel, in grey.
    view.joint.setChecked(True)
    assert np.array_equal(view.canvas.array(), filters_grid(kernels["conv1"], joint=True, scale=4)[0])
    view.layer.setCurrentText("conv2")
    view.channel.setValue(17)
    shown = view.canvas.array()
    assert view.channel.isEnabled() and view.channel.maximum() == 63
    assert (shown[..., 0] == shown[..., 2]).all()
    scale = max(1, 44 // 5)
    assert np.array_equal(shown, filters_grid(kernels["conv2"], joint=True, in_channel=17, scale=scale)[0])


def test_feature_maps_equal_the_backend_and_onnx_equals_torch(window, views, qtbot, tmp_path, torch_backend):
    from alexnet_gui.core.analysis.visualize import feature_grid, feature_layer, overlay
    from alexnet_gui.core.pipeline.decode import load_input

    path = _classify_one(window, qtbot, tmp_path)
    view = views["features"]
    _show(window, qtbot, view, lambda: view._data is not None and view._data[0] == path)
    x = load_input(path)[None]
    acts = torch_backend.activations(x, ["relu1"])["relu1"][0]
    _, layer, shown, crop = view._data
    assert layer == "relu1" and np.abs(shown - acts).max() <= 1e-5
    assert np.array_equal(view.canvas.array(), feature_grid(acts, scale=2)[0])

    # Sorted by mean: the strongest channel first; clicking it shows it over the input crop.
    view.sort.setChecked(True)
    strongest = int(np.argmax(acts.reshape(64, -1).mean(1)))
    qtbot.mouseClick(view.canvas, Qt.MouseButton.LeftButton, pos=view.canvas.widget_point(3, 3))
    assert np.array_equal(view.large.array(), overlay(crop, acts[strongest], alpha=0.6))

    # Save image writes the grid with its colour bar, at the grid's own resolution.
    from alexnet_gui.core.analysis.visualize import with_colour_bar

    lo, hi = float(acts.min()), float(acts.max())
    assert view.canvas.save_image(str(tmp_path / "maps.png"))
    saved = np.asarray(Image.open(tmp_path / "maps.png").convert("RGB"))
    assert np.array_equal(saved, with_colour_bar(view.canvas.array(), lo, hi))

    # The same view on the ONNX backend shows the same numbers for every layer, before and after ReLU.
    torch_maps = {}
    for pre in (False, True):
        for name in [view.layer.itemText(i) for i in range(view.layer.count())]:
            torch_maps[feature_layer(name, pre_relu=pre)] = (name, pre)
    with qtbot.waitSignal(window.model_ready, timeout=180000):
        window.backend_combo.setCurrentIndex(window.backend_combo.findData("onnx"))
    assert window.model_info.backend == "onnx"
    for layer, (name, pre) in torch_maps.items():
        view._data = None
        view.pre_relu.setChecked(pre)
        view.layer.setCurrentText(name)
        view.refresh()
        qtbot.waitUntil(lambda layer=layer: view._data is not None and view._data[1] == layer, timeout=60000)
        expected = torch_backend.activations(x, [layer])[layer][0]
        assert np.abs(view._data[2] - expected).max() <= 1e-4, layer


def test_grad_cam_view_matches_the_core_and_blends_with_opacity(window, views, qtbot, tmp_path, torch_backend):
    from alexnet_gui.core.analysis.gradcam import alexnet_cam_layer, grad_cam
    from alexnet_gui.core.analysis.visualize import overlay
    from alexnet_gui.core.model.preprocess import denormalise
    from alexnet_gui.core.pipeline.decode import load_input

    path = _classify_one(window, qtbot, tmp_path)
    view = views["cam"]
    _show(window, qtbot, view, lambda: view._data is not None and view._data[0] == path)
    top = window.model.row(0).result.top
    assert [view.target.itemData(i) for i in range(view.target.count())] == [p.index for p in top[:5]]
    x = load_input(path)[None]
    model = torch_backend.model
    expected = grad_cam(model, alexnet_cam_layer(model), x, top[0].index)
    answer = view._data[1]
    assert answer.target == f"class {top[0].index} ({top[0].label})" and np.abs(answer.values - expected).max() <= 1e-5

    view.opacity.setValue(100)
    assert np.array_equal(view.canvas.array(), overlay(denormalise(x[0]), expected, alpha=1.0, vmin=0.0, vmax=1.0))
    view.opacity.setValue(0)
    assert np.abs(view.canvas.array().astype(int) - denormalise(x[0])).max() <= 1

    # Another of the top-5 classes.
    view.target.setCurrentIndex(2)
    view.target.activated.emit(2)
    qtbot.waitUntil(lambda: view._data[1].target.startswith(f"class {top[2].index} "), timeout=60000)
    assert np.abs(view._data[1].values - grad_cam(model, alexnet_cam_layer(model), x, top[2].index)).max() <= 1e-5

    # Another method, from the library, for the same class.
    view.set_method("layercam")
    qtbot.waitUntil(lambda: view._data[1].method == "layercam", timeout=60000)
    from alexnet_gui.core.analysis.attribution import attribute

    card = torch_backend.card
    assert np.abs(view._data[1].values - attribute(model, card, x, "layercam", top[2].index).values).max() <= 1e-5
    assert view.status.text().startswith("LayerCAM: positive gradients times activations")


def test_a_feature_map_channel_is_deconvolved_in_the_attribution_view(window, views, qtbot, tmp_path, torch_backend):
    from alexnet_gui.core.analysis.attribution import attribute
    from alexnet_gui.core.pipeline.decode import load_input

    path = _classify_one(window, qtbot, tmp_path)
    features = views["features"]
    _show(window, qtbot, features, lambda: features._data is not None and features._data[0] == path)
    assert not features.deconvolve.isEnabled()
    x0, y0 = features._layout.origin(3)
    features._on_click(x0 + 1, y0 + 1)
    channel = features.channel
    features.deconvolve.click()
    cam = views["cam"]
    assert window.tabs.currentWidget() is cam
    qtbot.waitUntil(lambda: cam._data is not None and cam._data[1].method == "deconvolution", timeout=60000)
    answer = cam._data[1]
    assert answer.target == f"{features._data[1]} unit {channel}" and answer.kind == "image"
    want = attribute(torch_backend.model, torch_backend.card, load_input(path)[None], "deconvolution", 0,
                     layer=features._data[1], unit=channel)
    assert np.abs(answer.values - want.values).max() <= 1e-5


def test_architecture_view_lists_every_layer_and_the_total(window, views, qtbot):
    from alexnet_gui.core.analysis.architecture import layer_table

    view = views["architecture"]
    _show(window, qtbot, view, lambda: view.table.model() is not None and view.table.model().rowCount() > 0)
    model = view.table.model()
    rows = layer_table()
    assert model.rowCount() == len(rows) + 1
    cells = [[model.index(r, c).data() for c in range(4)] for r in range(model.rowCount())]
    assert cells[0] == ["conv1", "Conv2d", "64 x 55 x 55", "23,296"]
    assert cells[-1][0] == "total" and cells[-1][3] == "61,100,840"
    right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
    assert all(model.index(r, 3).data(Qt.ItemDataRole.TextAlignmentRole) == right for r in range(model.rowCount()))
    assert view.table.contextMenuPolicy() == Qt.ContextMenuPolicy.CustomContextMenu


def test_save_image_writes_the_picture_at_its_own_resolution(qtbot, tmp_path, monkeypatch):
    from PySide6.QtCore import QPoint
    from PySide6.QtWidgets import QFileDialog

    from alexnet_gui.gui.widgets.image_canvas import ImageCanvas

    canvas = ImageCanvas()
    qtbot.addWidget(canvas)
    assert not canvas.save_image(str(tmp_path / "empty.png"))
    picture = np.random.default_rng(1).integers(0, 256, (37, 53, 3), dtype=np.uint8)
    canvas.set_array(picture)
    canvas.resize(400, 300)
    assert canvas.contextMenuPolicy() == Qt.ContextMenuPolicy.CustomContextMenu
    assert canvas.save_image(str(tmp_path / "view.png"))
    assert np.array_equal(np.asarray(Image.open(tmp_path / "view.png").convert("RGB")), picture)

    # Right-click > Save image…, the menu answered with Return and the file dialog answered: ".png" is added.
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    chosen = []

    def choose_first_entry():
        menu = QApplication.activePopupWidget()
        chosen.append([a.text() for a in menu.actions()])
        menu.setActiveAction(menu.actions()[0])
        qtbot.keyClick(menu, Qt.Key.Key_Return)

    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a, **_k: (str(tmp_path / "picked"), ""))
    canvas.show()
    QTimer.singleShot(0, choose_first_entry)
    canvas.customContextMenuRequested.emit(QPoint(10, 10))
    assert chosen == [["Save image…"]]
    assert np.array_equal(np.asarray(Image.open(tmp_path / "picked.png").convert("RGB")), picture)


def test_grad_cam_view_says_what_it_is_doing_and_never_shows_a_map_under_another_image(window, views, qtbot,
                                                                                          tmp_path, torch_backend):
    path = _classify_one(window, qtbot, tmp_path / "a")
    view = views["cam"]
    window.tabs.setCurrentWidget(view)
    # Asked, not answered yet (the answer comes through the event loop): the canvas says so.
    assert view.canvas.array() is None and view.canvas._message == "Computing Grad-CAM…"
    qtbot.waitUntil(lambda: view._data is not None and view._data[0] == path, timeout=120000)
    assert view.canvas.array() is not None
    os.rename(path, path + ".gone")  # the map cannot be computed again: its error replaces the old map
    view.refresh(keep_target=True)
    qtbot.waitUntil(lambda: view.status.text() == "file not found", timeout=60000)
    assert view._data is None and view.canvas.array() is None
    os.rename(path + ".gone", path)
    missing = str(tmp_path / "missing.jpg")
    window.add_paths([missing])
    qtbot.waitUntil(lambda: window.model.rowCount() == 2 and not window.is_busy(), timeout=60000)
    window.table.selectRow(1)
    qtbot.waitUntil(lambda: window.selected_path() == missing)
    assert view._data is None and view.canvas.array() is None
    assert view.canvas._message == "Select a classified image" and view.target.count() == 0


def test_feature_maps_view_clears_for_an_image_that_cannot_be_read(window, views, qtbot, tmp_path):
    path = _classify_one(window, qtbot, tmp_path / "a")
    view = views["features"]
    window.tabs.setCurrentWidget(view)
    assert view.canvas.array() is None and view.canvas._message == "Computing feature maps…"
    qtbot.waitUntil(lambda: view._data is not None and view._data[0] == path, timeout=120000)
    missing = str(tmp_path / "missing.jpg")
    window.add_paths([missing])
    qtbot.waitUntil(lambda: window.model.rowCount() == 2 and not window.is_busy(), timeout=60000)
    window.table.selectRow(1)
    # core.tasks.feature_maps' sentence names the file (the Where-it-looks view's says only "file not found")
    qtbot.waitUntil(lambda: view.status.text() == f"{missing}: file not found", timeout=60000)
    assert view._data is None and view.canvas.array() is None


def test_grad_cam_on_onnx_borrows_the_torch_model_of_the_current_weights(qtbot, settings, tmp_path, monkeypatch,
                                                                         torch_backend):
    from alexnet_gui.core.backends import torch_backend as torch_backend_module
    from alexnet_gui.core.model.weights import WeightsChoice
    from alexnet_gui.gui.main_window import MainWindow
    from alexnet_gui.gui.views import install_views

    borrowed = []

    def recording_build_model(weights, choices=None):
        borrowed.append(weights)
        return torch_backend.card, torch_backend.model

    monkeypatch.setattr(torch_backend_module, "build_model", recording_build_model)
    settings.backend = "onnx"
    window = MainWindow(settings)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.model_ready, timeout=120000):
        window.start()
    views = install_views(window)
    window.show()
    path = _classify_one(window, qtbot, tmp_path)
    view = views["cam"]
    _show(window, qtbot, view, lambda: view._data is not None and view._data[0] == path)
    assert [w.kind for w in borrowed] == ["untrained"]
    view._data = None
    view.refresh(keep_target=True)  # the same weights: the borrowed model is reused
    qtbot.waitUntil(lambda: view._data is not None, timeout=60000)
    assert len(borrowed) == 1
    other = WeightsChoice("pth", tmp_path / "other.pth", "file other.pth")
    window.controller.weights = other  # as a load of other weights leaves it
    view._data = None
    view.refresh(keep_target=True)
    qtbot.waitUntil(lambda: view._data is not None, timeout=60000)
    assert borrowed[-1] is other  # not the previous weights' model
    window.close()


def test_the_unit_tab_shows_a_clicked_channels_top_images_and_its_visualisation(window, views, qtbot, tmp_path,
                                                                                monkeypatch):
    from tests.image_fixtures import write_photos

    monkeypatch.setenv("ALEXNET_GUI_CACHE", str(tmp_path / "cache"))
    photos = write_photos(tmp_path / "p", 5, size=(120, 90))
    window.add_paths([str(p) for p in photos])
    qtbot.waitUntil(lambda: window.model.rowCount() == 5 and not window.is_busy(), timeout=60000)
    # Classifying kept every unit's top images: the Unit tab answers without a pass over the table.
    from alexnet_gui.core.analysis import unit_examples

    assert len(list((tmp_path / "cache" / "examples").glob("recorded-*.npz"))) == 1
    monkeypatch.setattr(unit_examples, "index_folder", lambda *a, **k: pytest.fail("the table was run again"))
    window.table.selectRow(0)
    features = views["features"]
    _show(window, qtbot, features, lambda: features._data is not None)
    x0, y0 = features._layout.origin(2)
    features._on_click(x0 + 1, y0 + 1)
    features.top_images.click()
    unit = views["unit"]
    assert window.tabs.currentWidget() is unit
    qtbot.waitUntil(lambda: type(unit._data).__name__ == "UnitExamples", timeout=60000)
    layer, channel, grid, found, total = unit._data
    assert (layer, channel, total) == (features._data[1], features.channel, 5) and len(found) == 5
    assert unit.examples_canvas.array() is grid
    values = [e.value for e in found]
    assert values == sorted(values, reverse=True)
    assert [unit.layer.itemText(i) for i in range(unit.layer.count())][-2:] == ["fc6", "fc7"]
    unit.layer.setCurrentText("fc6")
    assert unit.unit.maximum() == 4095
    unit.layer.setCurrentText("conv1")
    assert unit.unit.maximum() == 63

    unit.steps = 12  # a short optimisation: the mathematics is tested in tests/test_feature_vis.py
    unit.show_unit("conv5", 17, "vis")
    qtbot.waitUntil(lambda: type(unit._data).__name__ == "UnitVisualisation", timeout=120000)
    layer, channel, image, activation = unit._data
    assert (layer, channel) == ("conv5", 17) and image.shape == (224, 224, 3) and activation is not None
    assert unit.status.text().startswith("conv5 unit 17: the image that maximises it (activation ")
    unit.show_unit("conv5", 17, "vis")  # the second time from the cache
    qtbot.waitUntil(lambda: unit._data.activation is None, timeout=60000)
    assert np.array_equal(unit._data.image, image)
