"""Screenshots of every view and dialog, for the README and docs/. Run under a real X server, e.g.

    xvfb-run -s "-screen 0 1600x1000x24" .venv/bin/python docs/screenshots/make_screenshots.py
    xvfb-run -s "-screen 0 1600x1000x24" .venv/bin/python docs/screenshots/make_screenshots.py --only themes

`--only PART` takes one part: main (the window, its dialogs and views, training), themes, labelling (review mode,
label errors), embeddings (Similar tab, near-duplicates, Map) or zh_CN (the Chinese interface: it needs a CJK font,
Debian's fonts-wqy-microhei or fonts-droid-fallback). Without it every part is taken, the Chinese last.

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
sys.path.insert(0, str(OUT.parent.parent))  # tests/ : the generated video, digits and near-duplicate photos
PARTS = ("main", "themes", "labelling", "embeddings", "zh_CN")


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


def shoot(app, window, name: str, widget=None, size=None) -> None:
    """Save the window (or `widget`'s own pixels: no window manager draws frames here) as OUT/name; `size`
    crops the window's top-left corner."""
    settle(app)
    if widget is not None:
        widget.grab().save(str(OUT / name), "PNG")
    else:
        geo = window.frameGeometry()
        width, height = size or (geo.width(), geo.height())
        app.primaryScreen().grabWindow(0, geo.x(), geo.y(), width, height).save(str(OUT / name), "PNG")
    print("wrote", OUT / name)


def all_classified(window, count: int) -> bool:
    return window.model.rowCount() == count and not window.is_busy()


def open_classified_window(app, settings, folders: list[Path]):
    """A main window with its views and labelling menus (as `gui.app.main` builds it), at the screenshots' size,
    once it has classified every image of `folders`."""
    from alexnet_gui.gui.main_window import MainWindow
    from alexnet_gui.gui.views import install_views
    from alexnet_gui.gui.widgets.labelling_menu import install_labelling

    window = MainWindow(settings)
    install_views(window)
    install_labelling(window)
    window.resize(1400, 860)
    window.move(0, 0)
    window.show()
    window.start()
    wait_for(app, lambda: window.model_info is not None)
    if folders:
        window.add_paths([str(f) for f in folders])
        count = sum(len(list(f.iterdir())) for f in folders)
        wait_for(app, lambda: all_classified(window, count))
    return window


def copy_photos(folder: Path, names) -> Path:
    import skimage

    folder.mkdir(parents=True)
    data = Path(skimage.__file__).parent / "data"
    for name in names:
        if (data / name).exists():
            shutil.copy(data / name, folder / name)
    return folder


def main() -> int:
    parts = [sys.argv[2]] if sys.argv[1:2] == ["--only"] and len(sys.argv) == 3 else list(PARTS)
    if not set(parts) <= set(PARTS):
        print("usage: make_screenshots.py [--only " + "|".join(PARTS) + "]", file=sys.stderr)
        return 2
    from PySide6.QtCore import QSettings, Qt
    from PySide6.QtWidgets import QApplication

    from alexnet_gui.gui.settings import Settings
    from alexnet_gui.gui.translation import install_translations

    photos = copy_photos(HOME / "photos", ("chelsea.png", "coffee.png", "astronaut.png", "rocket.jpg",
                                           "motorcycle_left.png"))
    (photos / "notes.jpg").write_text("not a photo")  # a row with its reason, in red
    app = QApplication(sys.argv[:1])
    install_translations(app, "en")
    settings = Settings(QSettings(str(HOME / "settings.ini"), QSettings.Format.IniFormat))
    settings.weights_mode = "untrained"
    settings.backend = "torch"
    if "main" in parts or "themes" in parts:
        window = open_classified_window(app, settings, [photos])
        window.table.sortByColumn(3, Qt.SortOrder.DescendingOrder)
        window.table.selectRow(0)
        wait_for(app, lambda: window.selected_path() is not None)
        if "main" in parts:
            for step in (shoot_window_and_dialogs, shoot_first_views, shoot_deeper_views, shoot_user_models,
                         shoot_live_view, shoot_training):
                step(app, window, photos)
        if "themes" in parts:
            shoot_themes(app, window)
        window.close()
    if "labelling" in parts:
        shoot_labelling(app, settings)
    if "embeddings" in parts:
        shoot_embeddings(app, settings)
    if "zh_CN" in parts:
        shoot_chinese(app, settings, photos)
    shutil.rmtree(HOME, ignore_errors=True)
    return 0


def shoot_window_and_dialogs(app, window, photos: Path) -> None:
    """The window, its Model menu, the drop highlight, Compare, Sort and the offline weights dialog."""
    shoot(app, window, "main_window.png")
    model_action = next(a for a in window.menuBar().actions() if a.text() == "&Model")
    window.fast_decode_action.setChecked(True)
    geometry = window.menuBar().actionGeometry(model_action)
    model_action.menu().popup(window.menuBar().mapToGlobal(geometry.bottomLeft()))
    shoot(app, window, "model_menu.png", size=(min(window.frameGeometry().width(), 760), 360))
    model_action.menu().hide()
    window.table.set_drop_highlight(True)
    shoot(app, window, "drop_highlight.png")
    window.table.set_drop_highlight(False)

    tools = window.tools_menu
    tools.compare_selection([str(p) for p in sorted(photos.iterdir())][:3])
    wait_for(app, lambda: tools.dialogs and type(tools.dialogs[-1]).__name__ == "CompareDialog")
    shoot(app, window, "compare_dialog.png", tools.dialogs[-1])
    tools.dialogs[-1].close()
    sort_dialog = tools.sort_rows(str(HOME / "sorted"))
    sort_dialog.threshold_check.setChecked(True)
    shoot(app, window, "sort_dialog.png", sort_dialog)
    sort_dialog.reject()

    from alexnet_gui.gui.widgets.weights_dialog import WeightsDialog

    os.environ["ALEXNET_GUI_WEIGHTS_URL"] = "http://127.0.0.1:9/alexnet-owt-7be5be79.pth"  # offline, on purpose
    os.environ["TORCH_HOME"] = str(HOME / "torch")
    dialog = WeightsDialog(window)
    dialog.show()
    dialog.download_button.click()
    wait_for(app, lambda: "cannot be reached" in dialog.status.text())
    shoot(app, window, "weights_dialog_offline.png", dialog)
    dialog.reject()


def shoot_first_views(app, window, _photos) -> None:
    """Filters (one selected), feature maps sorted, Grad-CAM and LayerCAM."""
    views = window.views
    filters = views["filters"]
    window.tabs.setCurrentWidget(filters)
    wait_for(app, lambda: filters.canvas.array() is not None)
    settle(app)
    x, y = filters._layout.origin(5)
    filters._on_click(x + 2, y + 2)
    shoot(app, window, "view_filters.png")

    features = views["features"]
    window.tabs.setCurrentWidget(features)
    wait_for(app, lambda: features._data is not None)
    features.sort.setChecked(True)
    settle(app)
    features._on_click(3, 3)
    shoot(app, window, "view_feature_maps.png")

    cam = views["cam"]
    window.tabs.setCurrentWidget(cam)
    wait_for(app, lambda: cam._data is not None)
    cam.opacity.setValue(55)
    shoot(app, window, "view_grad_cam.png")
    cam.set_method("layercam")
    wait_for(app, lambda: cam._data is not None and cam._data[1].method == "layercam")
    shoot(app, window, "view_layercam.png")


def shoot_deeper_views(app, window, _photos) -> None:
    """A conv5 unit deconvolved, its top images and visualisation, an fc6 neuron's, the architecture."""
    from alexnet_gui.gui.views.unit import UnitExamples, UnitVisualisation

    views = window.views
    features, cam, unit_view = views["features"], views["cam"], views["unit"]
    window.tabs.setCurrentWidget(features)
    wait_for(app, lambda: features._data is not None)
    features.layer.setCurrentText("conv5")
    wait_for(app, lambda: features._data is not None and features._data[1] == "relu5")  # conv5 after its ReLU
    settle(app)
    x, y = features._layout.origin(0)
    features._on_click(x + 1, y + 1)
    features.deconvolve.click()
    wait_for(app, lambda: cam._data is not None and cam._data[1].method == "deconvolution")
    shoot(app, window, "view_deconvolution.png")

    def shown(kind, layer):
        return lambda: isinstance(unit_view._data, kind) and unit_view._data.layer == layer

    window.tabs.setCurrentWidget(features)
    features.top_images.click()
    wait_for(app, shown(UnitExamples, features._data[1]))
    unit_view.show_unit(features._data[1], features.channel, "vis")
    wait_for(app, shown(UnitVisualisation, features._data[1]), timeout=300)
    shoot(app, window, "view_unit.png")
    # An fc6 neuron: its top images (each the whole crop) come from what classifying recorded, at once.
    unit_view.show_unit("fc6", 7, "examples")
    wait_for(app, shown(UnitExamples, "fc6"))
    unit_view.show_unit("fc6", 7, "vis")
    wait_for(app, shown(UnitVisualisation, "fc6"), timeout=300)
    shoot(app, window, "view_unit_fc6.png")

    arch = views["architecture"]
    window.tabs.setCurrentWidget(arch)
    wait_for(app, lambda: arch.table.model() is not None and arch.table.model().rowCount() > 0)
    shoot(app, window, "view_architecture.png")


def shoot_user_models(app, window, _photos) -> None:
    """Two users' own models: the half-width tutorial network with its flowers, and the 2012 network's filters."""
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
    wait_for(app, lambda: window.model_info is not None and window.model_info.card.classes == 5
             and not window.is_busy())
    window.model_panel.show()
    window.tabs.setCurrentIndex(0)
    window.table.selectRow(0)
    shoot(app, window, "model_card.png")
    window.model_panel.hide()

    paper = Architecture("alexnet2012", (96, 256, 384, 384, 256), (1, 2, 1, 2, 2), (64, 64), 10, 227, True,
                         (0, 0, 0, 0), False)
    torch.save(build_network(paper).state_dict(), models / "alexnet2012.pth")
    window.open_model(str(models / "alexnet2012.pth"))
    wait_for(app, lambda: window.model_info is not None and window.model_info.card.architecture.lrn
             and not window.is_busy())
    filters = window.views["filters"]
    window.tabs.setCurrentWidget(filters)
    filters.invalidate()
    wait_for(app, lambda: filters.canvas.array() is not None and filters._weights is not None
             and filters._weights["conv1"].shape[0] == 96)
    shoot(app, window, "view_filters_2012.png")


def shoot_live_view(app, window, _photos) -> None:
    """The live view on a generated video (there is no camera here)."""
    from tests.video_fixtures import write_video

    video = write_video(HOME / "pan.avi", frames=90)
    live = window.tools_menu.live_view(str(video))
    live.layer.setCurrentIndex(max(0, live.layer.findData("relu2")))
    live.move(0, 0)
    live.start_button.click()
    wait_for(app, lambda: live.frames_shown >= 30)
    live.pause_button.click()
    settle(app, 1.0)
    shoot(app, window, "live_view.png", live)
    live.close()


def shoot_training(app, window, _photos) -> None:
    """Training on the digits (scikit-learn's 1,797 real handwritten digits) from the seeded full-size network."""
    from alexnet_gui.core.model.weights import resolve_weights
    from tests.training_data import write_digits

    window.load_model(resolve_weights(untrained=True))
    wait_for(app, lambda: window.model_info is not None and window.model_info.untrained and not window.is_busy())
    digits = write_digits(HOME / "digits")
    dialog = window.tools_menu.train_on_folders(str(digits))
    dialog.move(0, 0)
    settle(app)
    shoot(app, window, "train_classes.png", dialog)
    dialog.start_button.click()
    wait_for(app, lambda: dialog.finished_model is not None and dialog.worker is None, timeout=600)
    dialog.tabs.setCurrentWidget(dialog.curves)
    shoot(app, window, "train_curves.png", dialog)
    dialog.tabs.setCurrentWidget(dialog.confusion)
    true, predicted, _ = dialog.finished_model.matrix.most_confused(1)[0]
    dialog.confusion.show_cell(true, predicted)
    shoot(app, window, "train_confusion.png", dialog)
    dialog.close()


def shoot_themes(app, window) -> None:
    """The main window in the dark and high-contrast themes (feature maps: their colour scale on the theme)."""
    from alexnet_gui.gui.theme import apply_theme

    window.tabs.setCurrentWidget(window.views["features"])
    wait_for(app, lambda: window.views["features"].canvas.array() is not None)
    for theme in ("dark", "high-contrast"):
        apply_theme(app, theme)
        shoot(app, window, f"main_window_{theme.replace('-', '_')}.png")
    apply_theme(app, "system")
    window.tabs.setCurrentIndex(0)


def open_project_window(app, settings, file: Path, folders: list[Path], folder_labels: bool = False):
    """A window with the labelling project `file` of `folders` open, once its images are classified."""
    from alexnet_gui.core.labelling.project import open_project

    with open_project(file) as project:
        project.add_paths(folders, folder_labels=folder_labels)
    window = open_classified_window(app, settings, [])
    window.labelling.labelling.open(str(file))
    count = sum(1 for f in folders for p in f.rglob("*") if p.is_file())
    wait_for(app, lambda: window.labelling.labelling.table_filled() and all_classified(window, count)
             and all(r.result is not None for r in window.model.rows()), timeout=300)
    return window


def shoot_labelling(app, settings) -> None:
    """Review mode (two images labelled, the class search completing "tabby"), then label errors on 60 digits."""
    from PySide6.QtTest import QTest

    from tests.training_data import write_digits

    photos = copy_photos(HOME / "to_label", ("chelsea.png", "coffee.png", "astronaut.png", "rocket.jpg",
                                             "motorcycle_left.png", "ihc.png", "hubble_deep_field.jpg",
                                             "logo.png", "page.png", "camera.png", "moon.png", "horse.png",
                                             "coins.png", "text.png", "brick.png"))
    window = open_project_window(app, settings, HOME / "photos.sqlite", [photos])
    labelling = window.labelling
    review = labelling.show_review()
    wait_for(app, lambda: review.current() is not None and len(review.current().choices) == 9)
    review.choose(1)
    review.choose(1)
    review.search.setFocus()
    QTest.keyClicks(review.search, "tabby")
    shoot(app, window, "review_mode.png")
    review.search.clear()
    window.close()

    digits = write_digits(HOME / "digits_60", per_class=6)
    window = open_project_window(app, settings, HOME / "digits.sqlite", [digits], folder_labels=True)
    found = []
    job = window.labelling.find_label_errors()
    job.done.connect(found.append)
    wait_for(app, lambda: found and window.labelling.review.issue_mode, timeout=300)
    shoot(app, window, "label_errors.png")
    window.close()


def shoot_embeddings(app, settings) -> None:
    """The Similar tab on chelsea.png, Find near-duplicates at 0.012 and the Map with a hovered point."""
    from PySide6.QtCore import QPointF
    from PySide6.QtGui import QCursor

    from tests.gui.embedding_photos import write_near_duplicates

    folder = HOME / "copies"
    write_near_duplicates(folder)
    copy_photos(HOME / "others", ("rocket.jpg", "motorcycle_left.png", "ihc.png", "horse.png", "camera.png"))
    window = open_classified_window(app, settings, [folder, HOME / "others"])
    window.centralWidget().setSizes([600, 800])  # every tab's title shown
    chelsea = str(folder / "chelsea.png")
    window.table.selectRow(window.model.position_of(chelsea))
    similar = window.views["similar"]
    window.tabs.setCurrentWidget(similar)
    wait_for(app, lambda: similar.query_path() == chelsea and similar.neighbours())
    shoot(app, window, "similar_tab.png")

    dialog = window.embedding_actions.duplicates.show()
    dialog.resize(900, 620)
    dialog.move(0, 0)
    dialog.find_groups(0.012)
    wait_for(app, lambda: len(dialog.kept()) >= 3)
    shoot(app, window, "duplicates_dialog.png", dialog)
    dialog.close()

    view = window.views["map"]
    window.tabs.setCurrentWidget(view)
    wait_for(app, lambda: len(view.points()) == window.model.rowCount())
    settle(app)
    x, y = next((x, y) for path, x, y in view.points() if path == chelsea)
    QCursor.setPos(view.plot.mapToGlobal(view.plot.mapFromScene(view.box.mapViewToScene(QPointF(x, y)))))
    view.show_hover(chelsea)  # by the pointer, on chelsea.png's point
    shoot(app, window, "map_view.png")
    window.close()


def shoot_chinese(app, settings, photos: Path) -> None:
    """A window in Chinese, then its View > Language menu open."""
    from PySide6.QtCore import QPoint

    from alexnet_gui.gui.translation import install_translations

    install_translations(app, "zh_CN")
    chinese = open_classified_window(app, settings, [photos])
    chinese.table.selectRow(1)
    wait_for(app, lambda: chinese.selected_path() is not None)
    settle(app, 1.0)
    shoot(app, chinese, "main_window_zh_CN.png")
    view = next(a for a in chinese.menuBar().actions() if a.text() == "视图(&V)")
    menu = view.menu()
    menu.popup(chinese.menuBar().mapToGlobal(chinese.menuBar().actionGeometry(view).bottomLeft()))
    settle(app)
    language = next(a for a in menu.actions() if a.text() == "语言(&L)")
    menu.setActiveAction(language)
    language.menu().popup(menu.mapToGlobal(menu.actionGeometry(language).topRight() + QPoint(2, 0)))
    shoot(app, chinese, "view_menu_zh_CN.png", size=(760, 300))
    language.menu().hide()
    menu.hide()
    chinese.close()
    install_translations(app, "en")


if __name__ == "__main__":
    sys.exit(main())
