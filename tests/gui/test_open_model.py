"""Model > Open model…: any AlexNet with its own labels and recipe, shown in the model panel, remembered, and a
file that cannot be read leaves the running model in place."""

from __future__ import annotations

import json

import pytest
import torch
from PySide6.QtWidgets import QMessageBox

from tests import model_families as F
from tests.image_fixtures import write_photos

FLOWERS = ["daisy", "dandelion", "roses", "sunflowers", "tulips"]


@pytest.fixture
def tutorial_model(tmp_path):
    folder = tmp_path / "flowers"
    folder.mkdir()
    torch.save(F.seeded(F.TutorialAlexNet(num_classes=5, fc=64), 3).state_dict(), folder / "AlexNet.pth")
    (folder / "class_indices.json").write_text(json.dumps({str(i): n for i, n in enumerate(FLOWERS)}))
    return folder / "AlexNet.pth"


def test_opening_a_tutorial_model_classifies_with_its_own_labels(window, qtbot, tmp_path, tutorial_model):
    with qtbot.waitSignal(window.model_ready, timeout=60000) as loaded:
        assert window.open_model(str(tutorial_model))
    card = loaded.args[0].card
    assert card.labels.names == tuple(FLOWERS) and card.preprocess.name == "tutorial"
    text = window.model_panel.text.toPlainText()
    assert "classes: 5 (file " in text and "preprocessing: tutorial: resize to 224x224" in text
    assert "class names: daisy, dandelion, roses, sunflowers, tulips" in text
    assert "model AlexNet@" in window.model_label.text() and "(5 classes)" in window.model_label.text()
    assert window.settings.recent_models[0] == str(tutorial_model)
    (photo,) = write_photos(tmp_path, 1, size=(300, 200), seed=5)
    window.add_paths([str(photo)])
    qtbot.waitUntil(lambda: window.model.rowCount() == 1 and not window.is_busy(), timeout=60000)
    result = window.model.rows()[0].result
    assert result.top[0].label in FLOWERS and len(result.top) == 5
    assert result.origin.startswith(f"{card.card_id} · torch on cpu fp32 · tta none")


def test_a_file_that_is_not_a_model_leaves_the_running_one(window, qtbot, tmp_path, monkeypatch):
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, title, text: warnings.append((title, text)))
    (tmp_path / "notes.txt").write_text("hello")
    before = window.model_info
    assert not window.open_model(str(tmp_path / "notes.txt"))
    assert warnings == [("Model not opened", "notes.txt is not a model file this app reads: give a PyTorch file "
                         "(.pth, .pt, .pkl, .pth.tar), an ONNX model (.onnx) or a Keras model (.h5, .keras)")]
    assert window.model_info is before


def test_an_export_after_a_model_switch_says_which_model_made_which_rows(window, qtbot, tmp_path, tutorial_model):
    (first, second, third) = write_photos(tmp_path, 3, size=(300, 200), seed=6)
    window.add_paths([str(first), str(second)])
    qtbot.waitUntil(lambda: window.model.rowCount() == 2 and not window.is_busy(), timeout=60000)
    with qtbot.waitSignal(window.model_ready, timeout=60000):
        window.open_model(str(tutorial_model))  # the selected row is shown again by the new model; the other not
    window.add_paths([str(third)])
    qtbot.waitUntil(lambda: window.model.rowCount() == 3 and not window.is_busy(), timeout=60000)
    out = window.export_csv(str(tmp_path / "out.csv"))
    provenance = json.loads((tmp_path / "out.csv.provenance.json").read_text())
    origins = provenance["model"]["rows_by_origin"]
    assert out and len(origins) == 2 and sorted(origins.values()) == [1, 2]
    assert any(o.startswith("untrained-seed0 · ") for o in origins) and "mixed" in provenance["model"]


def test_classify_all_again_runs_every_row_through_the_model_now_loaded(window, qtbot, tmp_path, tutorial_model):
    paths = write_photos(tmp_path, 2, size=(300, 200), seed=7)
    window.add_paths([str(p) for p in paths])
    qtbot.waitUntil(lambda: window.model.rowCount() == 2 and not window.is_busy(), timeout=60000)
    with qtbot.waitSignal(window.model_ready, timeout=60000) as loaded:
        window.open_model(str(tutorial_model))
    qtbot.waitUntil(lambda: not window.is_busy(), timeout=60000)
    assert "came from another model or setting; Model > Classify all again" in window.statusBar().currentMessage()
    card = loaded.args[0].card
    window.classify_all_again()
    qtbot.waitUntil(lambda: not window.is_busy() and all(
        r.result is not None and r.result.origin.startswith(card.card_id) for r in window.model.rows()),
        timeout=60000)
    assert all(r.result.top[0].label in FLOWERS for r in window.model.rows())


def test_the_panel_overrides_labels_and_recipe_and_a_bad_labels_file_keeps_the_model(
        window, qtbot, tmp_path, tutorial_model, monkeypatch):
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, title, text: warnings.append((title, text)))
    with qtbot.waitSignal(window.model_ready, timeout=60000):
        window.open_model(str(tutorial_model))
    panel = window.model_panel
    with qtbot.waitSignal(window.model_ready, timeout=60000) as loaded:
        panel.preprocess.setCurrentIndex(panel.preprocess.findData("torchvision"))
    card = loaded.args[0].card
    assert card.preprocess.name == "torchvision" and "chosen: preprocessing: --preprocess torchvision" in \
        panel.text.toPlainText()
    (tmp_path / "mine.txt").write_text("a\nb\nc\nd\ne\n")
    with qtbot.waitSignal(window.model_ready, timeout=60000) as loaded:
        panel.set_labels_file(str(tmp_path / "mine.txt"))
    assert loaded.args[0].card.labels.names == ("a", "b", "c", "d", "e")
    (tmp_path / "two.txt").write_text("a\nb\n")
    panel.set_labels_file(str(tmp_path / "two.txt"))
    qtbot.waitUntil(lambda: bool(warnings), timeout=60000)
    assert warnings[0][0] == "Model not loaded" and "name 2 classes, but the model has 5" in warnings[0][1]
    assert window.model_info.card.labels.names == ("a", "b", "c", "d", "e")  # the model that ran stays


def test_int8_in_the_model_menu_runs_the_quantised_copy_and_excludes_fp16(qtbot, settings):
    from alexnet_gui.gui.main_window import MainWindow

    settings.backend = "onnx"
    window = MainWindow(settings)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.model_ready, timeout=120000):
        window.start()
    options = window.handle.worker.backend.session.get_session_options()
    assert options.get_session_config_entry("session.disable_prepacking") == "1"  # fp32 opens sooner unpacked
    window.fp16_action.setChecked(True)
    with qtbot.waitSignal(window.model_ready, timeout=120000) as loaded:
        window.int8_action.trigger()
    assert loaded.args[0].precision == "int8" and loaded.args[0].calibration.startswith("the built-in set")
    with pytest.raises(RuntimeError):  # int8 keeps ONNX Runtime's prepacked weights: unpacked it runs ~10x slower
        window.handle.worker.backend.session.get_session_options().get_session_config_entry(
            "session.disable_prepacking")
    assert not window.fp16_action.isChecked() and window.settings.precision == "int8"
    assert " · int8 · " in window.model_label.text()
    window.close()
