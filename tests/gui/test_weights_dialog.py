"""The first-start weights dialog: cached weights skip it; download with progress; wrong hash; offline."""

import hashlib
import os

import pytest
from PySide6.QtWidgets import QFileDialog

from tests.loopback import serve

PAYLOAD = os.urandom(200_000)
NAME = f"alexnet-owt-{hashlib.sha256(PAYLOAD).hexdigest()[:8]}.pth"


@pytest.fixture(scope="module")
def server():
    with serve(lambda path: PAYLOAD if path.endswith("/good/" + NAME) else b"tampered" + PAYLOAD) as (base, _asked):
        yield base


@pytest.fixture
def torch_home(tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    return tmp_path / "torch" / "hub" / "checkpoints"


@pytest.fixture
def dialog(qtbot):
    from alexnet_gui.gui.widgets.weights_dialog import WeightsDialog

    d = WeightsDialog()
    qtbot.addWidget(d)
    d.show()
    return d


def test_cached_weights_need_no_dialog(settings, torch_home):
    from alexnet_gui.core.model.weights import WEIGHTS_FILENAME
    from alexnet_gui.gui.main_window import initial_weights

    settings.weights_mode = "cache"
    assert initial_weights(settings) is None
    torch_home.mkdir(parents=True)
    (torch_home / WEIGHTS_FILENAME).write_bytes(b"x")
    choice = initial_weights(settings)
    assert choice.kind == "pth" and choice.path == torch_home / WEIGHTS_FILENAME


def test_download_from_a_loopback_server_with_progress(qtbot, dialog, server, torch_home, monkeypatch):
    from alexnet_gui.core.model import weights

    monkeypatch.setattr(weights, "HASH_PREFIX", NAME.split("-")[-1].split(".")[0])  # PAYLOAD as torchvision's file
    monkeypatch.setenv("ALEXNET_GUI_WEIGHTS_URL", f"{server}/good/{NAME}")
    with qtbot.waitSignal(dialog.accepted, timeout=30000):
        dialog.download_button.click()
    assert dialog.choice.kind == "pth" and dialog.choice.path == torch_home / weights.WEIGHTS_FILENAME
    assert (torch_home / weights.WEIGHTS_FILENAME).read_bytes() == PAYLOAD
    assert dialog.mode == "cache"
    assert "Downloading" in dialog.status.text() and "0.2 MB" in dialog.status.text()


def test_wrong_hash_is_refused_in_the_dialog(qtbot, dialog, server, torch_home, monkeypatch):
    monkeypatch.setenv("ALEXNET_GUI_WEIGHTS_URL", f"{server}/bad/{NAME}")
    dialog.download_button.click()
    qtbot.waitUntil(lambda: "is not the published AlexNet weights (its checksum differs)" in dialog.status.text(),
                    timeout=30000)
    assert dialog.result() == 0 and dialog.choice is None
    assert dialog.download_button.isEnabled()
    assert not torch_home.exists() or list(torch_home.iterdir()) == []


def test_offline_says_so_and_offers_the_file_chooser(qtbot, dialog, torch_home, tmp_path, monkeypatch):
    monkeypatch.setenv("ALEXNET_GUI_WEIGHTS_URL", f"http://127.0.0.1:9/{NAME}")
    dialog.download_button.click()
    qtbot.waitUntil(lambda: "offline" in dialog.status.text(), timeout=30000)
    text = dialog.status.text()
    assert text.startswith("The weights could not be downloaded: 127.0.0.1 cannot be reached (this computer seems "
                           "to be offline")
    # The app's own words: its mirror setting and its buttons, not the command line's options or errno text
    assert "the Mirror box above, or the ALEXNET_GUI_WEIGHTS_URL environment variable, now set" in text
    assert "(Choose file…)" in text
    assert "--weights" not in text and "Errno" not in text
    mine = tmp_path / "mine.pth"
    mine.write_bytes(b"w")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(mine), ""))
    with qtbot.waitSignal(dialog.accepted):
        dialog.file_button.click()
    assert dialog.choice.path == mine and dialog.mode == "file"


def test_untrained_demo_is_explicit(qtbot, dialog):
    assert "untrained" in dialog.untrained_button.text().lower()
    assert "meaningless" in dialog.untrained_button.toolTip()
    with qtbot.waitSignal(dialog.accepted):
        dialog.untrained_button.click()
    assert dialog.choice.kind == "untrained" and dialog.mode == "untrained"


def test_the_choice_is_remembered_once_it_loads_and_a_refused_one_never(qtbot, window, tmp_path, monkeypatch):
    import json

    import torch
    from PySide6.QtWidgets import QMessageBox

    from alexnet_gui.core.model.weights import resolve_weights
    from alexnet_gui.gui.main_window import initial_weights
    from tests import model_families as F

    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *args: shown.append(args[-1]))
    refused = tmp_path / "refused.onnx"
    refused.write_bytes(b"x")
    window.set_weights(resolve_weights(refused), "file")
    # Wait for the window's own slot (not just the worker's signal), so no message box outlives the patch.
    qtbot.waitUntil(lambda: bool(shown), timeout=30000)
    # Issue 32, fault 1: a refused model would have been the next start's weights (and that start loads nothing).
    assert window.settings.weights_mode == "untrained" and window.settings.weights_file == ""
    mine = tmp_path / "mine.pth"
    torch.save(F.seeded(F.TutorialAlexNet(num_classes=5, fc=64), 3).state_dict(), mine)
    (tmp_path / "class_indices.json").write_text(json.dumps({str(i): f"c{i}" for i in range(5)}))
    with qtbot.waitSignal(window.model_ready, timeout=60000):
        window.set_weights(resolve_weights(mine), "file")
    assert window.settings.weights_mode == "file" and window.settings.weights_file == str(mine)
    assert initial_weights(window.settings).path == mine


def test_a_long_status_grows_the_dialog_instead_of_covering_the_buttons(qtbot, dialog):
    sentence = "could not download http://127.0.0.1:9/alexnet-owt-7be5be79.pth ([Errno 111] Connection refused). "
    dialog._set_status("\n\n".join([sentence * 2] * 3))

    def every_line_fits():
        labels = (dialog.info, dialog.status)
        return all(label.height() >= label.heightForWidth(label.width()) for label in labels)

    qtbot.waitUntil(every_line_fits)
    height = dialog.height()
    dialog._set_status("Downloading… 1.0 MB of 244.0 MB")  # a short status afterwards does not shrink it
    assert dialog.height() == height


def test_weights_cached_after_choosing_the_untrained_network_are_found_and_used(qtbot, settings, torch_home):
    from alexnet_gui.core.model.weights import WEIGHTS_FILENAME
    from alexnet_gui.gui.main_window import initial_weights
    from alexnet_gui.gui.widgets.weights_dialog import WeightsDialog

    settings.weights_mode = "untrained"
    assert initial_weights(settings).kind == "untrained"
    torch_home.mkdir(parents=True)
    (torch_home / WEIGHTS_FILENAME).write_bytes(b"x")
    dialog = WeightsDialog()
    qtbot.addWidget(dialog)
    assert f"Found them in {torch_home / WEIGHTS_FILENAME}" in dialog.info.text()
    with qtbot.waitSignal(dialog.accepted):
        dialog.download_button.click()  # "Use the weights found": no download
    assert dialog.choice.path == torch_home / WEIGHTS_FILENAME and dialog.mode == "cache"
    choice = initial_weights(settings)  # and the next start uses them too
    assert choice.kind == "pth" and choice.path == torch_home / WEIGHTS_FILENAME
    assert settings.weights_mode == "cache"


def test_the_mirror_box_downloads_from_its_url_and_is_remembered(qtbot, server, torch_home, monkeypatch, settings):
    from alexnet_gui.core.model import weights
    from alexnet_gui.gui.widgets.weights_dialog import WeightsDialog

    monkeypatch.setattr(weights, "HASH_PREFIX", NAME.split("-")[-1].split(".")[0])
    monkeypatch.setenv("ALEXNET_GUI_WEIGHTS_URL", "http://127.0.0.1:9/unreachable.pth")  # the box wins over it
    dialog = WeightsDialog(mirror=f"{server}/good/{NAME}")
    qtbot.addWidget(dialog)
    assert dialog.mirror_edit.placeholderText() == "ALEXNET_GUI_WEIGHTS_URL: http://127.0.0.1:9/unreachable.pth"
    with qtbot.waitSignal(dialog.accepted, timeout=30000):
        dialog.download_button.click()
    assert (torch_home / weights.WEIGHTS_FILENAME).read_bytes() == PAYLOAD
    settings.weights_mirror = dialog.mirror()
    assert settings.weights_mirror == f"{server}/good/{NAME}"

    bad = WeightsDialog(mirror=f"{server}/bad/{NAME}")  # a mirror is trusted for nothing: the hash decides
    qtbot.addWidget(bad)
    (torch_home / weights.WEIGHTS_FILENAME).unlink()
    bad.download_button.click()
    qtbot.waitUntil(lambda: "its checksum differs" in bad.status.text(), timeout=30000)
    assert "the Mirror box above" in bad.status.text()
