"""Screenshots of every view and dialog, for the README. Run under a real X server, e.g.

    xvfb-run -s "-screen 0 1600x1000x24" .venv/bin/python docs/screenshots/make_screenshots.py
    xvfb-run -s "-screen 0 1600x1000x24" .venv/bin/python docs/screenshots/make_screenshots.py --only themes

The second takes only the themes and the Chinese interface (it needs a CJK font: Debian's fonts-wqy-microhei).

Uses the seeded untrained network (real weights are not needed to see the views work) and scikit-image's
sample photos; settings and caches go to a temporary folder.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

HOME = Path(tempfile.mkdtemp(prefix="alexnet-gui-shots-"))
os.environ["ALEXNET_GUI_CACHE"] = str(HOME / "cache")
os.environ["XDG_CONFIG_HOME"] = str(HOME / "config")
OUT = Path(__file__).resolve().parent


def wait_for(app, condition, timeout=180.0) -> None:
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            raise TimeoutError("the view did not fill in time")
        app.processEvents()
        time.sleep(0.02)


def settle(app, seconds=0.5) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.02)


def open_classified_window(app, settings, photos: Path):
    """A main window with its views, at the screenshots' size, once it has classified every photo."""
    from alexnet_gui.gui.main_window import MainWindow
    from alexnet_gui.gui.widgets.insight_views import install_views

    window = MainWindow(settings)
    install_views(window)
    window.resize(1400, 860)
    window.move(0, 0)
    window.show()
    window.start()
    wait_for(app, lambda: window.model_info is not None)
    window.add_paths([str(photos)])
    count = len(list(photos.iterdir()))
    wait_for(app, lambda: window.model.rowCount() == count and not window.is_busy())
    return window


def main() -> int:
    only_themes = sys.argv[1:] == ["--only", "themes"]
    import skimage
    from PySide6.QtCore import QSettings, Qt
    from PySide6.QtWidgets import QApplication

    from alexnet_gui.gui.settings import Settings

    photos = HOME / "photos"
    photos.mkdir()
    data = Path(skimage.__file__).parent / "data"
    for name in ("chelsea.png", "coffee.png", "astronaut.png", "rocket.jpg", "motorcycle_left.png"):
        if (data / name).exists():
            shutil.copy(data / name, photos / name)
    (photos / "notes.jpg").write_text("not a photo")  # a row with its reason, in red

    app = QApplication(sys.argv[:1])
    from alexnet_gui.gui.translation import install_translations

    install_translations(app, "en")
    settings = Settings(QSettings(str(HOME / "settings.ini"), QSettings.Format.IniFormat))
    settings.weights_mode = "untrained"
    settings.backend = "torch"
    window = open_classified_window(app, settings, photos)
    views = window.views
    window.table.sortByColumn(3, Qt.SortOrder.DescendingOrder)
    window.table.selectRow(0)
    wait_for(app, lambda: window.selected_path() is not None)

    def shoot(name: str, widget=None) -> None:
        settle(app)
        if widget is not None:  # a dialog: its own pixels (no window manager draws frames here)
            widget.grab().save(str(OUT / name), "PNG")
        else:
            geo = window.frameGeometry()
            shot = app.primaryScreen().grabWindow(0, geo.x(), geo.y(), geo.width(), geo.height())
            shot.save(str(OUT / name), "PNG")
        print("wrote", OUT / name)

    if only_themes:
        shoot_themes_and_languages(app, window, photos, shoot, settings)
        window.close()
        shutil.rmtree(HOME, ignore_errors=True)
        return 0
    shoot("main_window.png")
    model_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Model")
    window.fast_decode_action.setChecked(True)
    geometry = window.menuBar().actionGeometry(next(a for a in window.menuBar().actions() if a.text() == "&Model"))
    model_menu.popup(window.menuBar().mapToGlobal(geometry.bottomLeft()))
    settle(app)
    geo = window.frameGeometry()
    app.primaryScreen().grabWindow(0, geo.x(), geo.y(), min(geo.width(), 760), 360).save(str(OUT / "model_menu.png"))
    print("wrote", OUT / "model_menu.png")
    model_menu.hide()
    window.table.set_drop_highlight(True)
    shoot("drop_highlight.png")
    window.table.set_drop_highlight(False)

    tools = window.tools_menu
    tools.compare_selection([str(p) for p in sorted(photos.iterdir())][:3])
    wait_for(app, lambda: tools.dialogs and type(tools.dialogs[-1]).__name__ == "CompareDialog")
    shoot("compare_dialog.png", tools.dialogs[-1])
    tools.dialogs[-1].close()
    sort_dialog = tools.sort_rows(str(HOME / "sorted"))
    sort_dialog.threshold_check.setChecked(True)
    shoot("sort_dialog.png", sort_dialog)
    sort_dialog.reject()

    from alexnet_gui.gui.widgets.weights_dialog import WeightsDialog

    os.environ["ALEXNET_GUI_WEIGHTS_URL"] = "http://127.0.0.1:9/alexnet-owt-7be5be79.pth"  # offline, on purpose
    os.environ["TORCH_HOME"] = str(HOME / "torch")
    dialog = WeightsDialog(window)
    dialog.show()
    dialog.download_button.click()
    wait_for(app, lambda: "cannot be reached" in dialog.status.text())
    shoot("weights_dialog_offline.png", dialog)
    dialog.reject()

    filters = views["filters"]
    window.tabs.setCurrentWidget(filters)
    wait_for(app, lambda: filters.canvas.array() is not None)
    settle(app)
    layout = filters._layout
    x, y = layout.origin(5)
    filters._on_click(x + 2, y + 2)
    shoot("view_filters.png")

    features = views["features"]
    window.tabs.setCurrentWidget(features)
    wait_for(app, lambda: features._data is not None)
    features.sort.setChecked(True)
    settle(app)
    features._on_click(3, 3)
    shoot("view_feature_maps.png")

    cam = views["cam"]
    window.tabs.setCurrentWidget(cam)
    wait_for(app, lambda: cam._data is not None)
    cam.opacity.setValue(55)
    shoot("view_grad_cam.png")
    cam.set_method("layercam")
    wait_for(app, lambda: cam._data is not None and cam._data[1].method == "layercam")
    shoot("view_layercam.png")

    window.tabs.setCurrentWidget(features)
    wait_for(app, lambda: features._data is not None)
    features.layer.setCurrentText("conv5")
    wait_for(app, lambda: features._data is not None and features._data[1] == "relu5")  # conv5 after its ReLU
    settle(app)
    x, y = features._layout.origin(0)
    features._on_click(x + 1, y + 1)
    features.deconvolve.click()
    wait_for(app, lambda: cam._data is not None and cam._data[1].method == "deconvolution")
    shoot("view_deconvolution.png")

    window.tabs.setCurrentWidget(features)
    features.top_images.click()
    unit_view = views["unit"]
    wait_for(app, lambda: unit_view._data is not None and unit_view._data[0] == "unit-examples")
    unit_view.show_unit(features._data[1], features.channel, "vis")
    wait_for(app, lambda: unit_view._data[0] == "unit-vis", timeout=300)
    shoot("view_unit.png")
    # An fc6 neuron: its top images (each the whole crop) come from what classifying recorded, at once.
    unit_view.show_unit("fc6", 7, "examples")
    wait_for(app, lambda: unit_view._data[0] == "unit-examples" and unit_view._data[1][0] == "fc6")
    unit_view.show_unit("fc6", 7, "vis")
    wait_for(app, lambda: unit_view._data[0] == "unit-vis" and unit_view._data[1][0] == "fc6", timeout=300)
    shoot("view_unit_fc6.png")

    arch = views["architecture"]
    window.tabs.setCurrentWidget(arch)
    wait_for(app, lambda: arch.table.model() is not None and arch.table.model().rowCount() > 0)
    shoot("view_architecture.png")

    # Two users' own models: the half-width tutorial network with its flowers, and the 2012 network's filters.
    import json

    import torch

    from alexnet_gui.core.model.archs import Architecture, build_network

    models = HOME / "models"
    (models / "flowers").mkdir(parents=True)
    torch.manual_seed(0)
    half = Architecture("half-width", (48, 128, 192, 192, 128), fc=(2048, 2048), classes=5, avgpool=False)
    torch.save(build_network(half).state_dict(), models / "flowers" / "AlexNet.pth")
    flowers = ["daisy", "dandelion", "roses", "sunflowers", "tulips"]
    (models / "flowers" / "class_indices.json").write_text(json.dumps({str(i): n for i, n in enumerate(flowers)}))
    window.open_model(str(models / "flowers" / "AlexNet.pth"))
    wait_for(app, lambda: (window.model_info or {}).get("card") is not None
             and window.model_info["card"].classes == 5 and not window.is_busy())
    window.model_panel.show()
    window.tabs.setCurrentIndex(0)
    window.table.selectRow(0)
    shoot("model_card.png")
    window.model_panel.hide()

    paper = Architecture("alexnet2012", (96, 256, 384, 384, 256), (1, 2, 1, 2, 2), (64, 64), 10, 227, True,
                         (0, 0, 0, 0), False)
    torch.save(build_network(paper).state_dict(), models / "alexnet2012.pth")
    window.open_model(str(models / "alexnet2012.pth"))
    wait_for(app, lambda: (window.model_info or {}).get("card") is not None
             and window.model_info["card"].architecture.lrn and not window.is_busy())
    window.tabs.setCurrentWidget(filters)
    filters.invalidate()
    wait_for(app, lambda: filters.canvas.array() is not None and filters._weights is not None
             and filters._weights["conv1"].shape[0] == 96)
    shoot("view_filters_2012.png")

    # The live view on a generated video (there is no camera here).
    sys.path.insert(0, str(OUT.parent.parent))
    from tests.video_fixtures import write_video

    video = write_video(HOME / "pan.avi", frames=90)
    live = tools.live_view(str(video))
    live.layer.setCurrentIndex(max(0, live.layer.findData("relu2")))
    live.move(0, 0)
    live.start_button.click()
    wait_for(app, lambda: live.frames_shown >= 30)
    live.pause_button.click()
    settle(app, 1.0)
    shoot("live_view.png", live)
    live.close()

    # Training on the digits (scikit-learn's 1,797 real handwritten digits) from the seeded full-size network.
    sys.path.insert(0, str(OUT.parent.parent))
    from alexnet_gui.core.model.weights import resolve_weights
    from tests.training_data import write_digits

    window.weights = resolve_weights(untrained=True)
    digits = write_digits(HOME / "digits")
    dialog = tools.train_on_folders(str(digits))
    dialog.move(0, 0)
    settle(app)
    shoot("train_classes.png", dialog)
    dialog.start_button.click()
    wait_for(app, lambda: dialog.finished_model is not None and dialog.worker is None, timeout=600)
    dialog.tabs.setCurrentWidget(dialog.curves)
    shoot("train_curves.png", dialog)
    dialog.tabs.setCurrentWidget(dialog.confusion)
    matrix = dialog.finished_model.matrix
    true, predicted, _ = matrix.most_confused(1)[0]
    dialog.confusion.show_cell(true, predicted)
    shoot("train_confusion.png", dialog)
    dialog.close()
    shoot_themes_and_languages(app, window, photos, shoot, settings)

    window.close()
    shutil.rmtree(HOME, ignore_errors=True)
    return 0


def shoot_themes_and_languages(app, window, photos: Path, shoot, settings) -> None:
    """The main window in the dark and high-contrast themes (feature maps: their colour scale on the theme), then
    a second window in Chinese with View > Language open."""
    from PySide6.QtCore import QPoint

    from alexnet_gui.gui.theme import apply_theme
    from alexnet_gui.gui.translation import install_translations

    window.tabs.setCurrentWidget(window.views["features"])
    wait_for(app, lambda: window.views["features"].canvas.array() is not None)
    for theme in ("dark", "high-contrast"):
        apply_theme(app, theme)
        shoot(f"main_window_{theme.replace('-', '_')}.png")
    apply_theme(app, "system")
    window.tabs.setCurrentIndex(0)

    install_translations(app, "zh_CN")
    window.hide()
    chinese = open_classified_window(app, settings, photos)
    chinese.table.selectRow(1)
    wait_for(app, lambda: chinese.selected_path() is not None)
    settle(app, 1.0)
    geo = chinese.frameGeometry()
    app.primaryScreen().grabWindow(0, geo.x(), geo.y(), geo.width(), geo.height()).save(
        str(OUT / "main_window_zh_CN.png"), "PNG")
    print("wrote", OUT / "main_window_zh_CN.png")
    view = next(a for a in chinese.menuBar().actions() if a.text() == "视图(&V)")
    menu = view.menu()
    menu.popup(chinese.menuBar().mapToGlobal(chinese.menuBar().actionGeometry(view).bottomLeft()))
    settle(app)
    language = next(a for a in menu.actions() if a.text() == "语言(&L)")
    menu.setActiveAction(language)
    language.menu().popup(menu.mapToGlobal(menu.actionGeometry(language).topRight() + QPoint(2, 0)))
    settle(app)
    app.primaryScreen().grabWindow(0, geo.x(), geo.y(), 760, 300).save(str(OUT / "view_menu_zh_CN.png"), "PNG")
    print("wrote", OUT / "view_menu_zh_CN.png")
    language.menu().hide()
    menu.hide()
    chinese.close()
    install_translations(app, "en")
    window.show()


if __name__ == "__main__":
    sys.exit(main())
