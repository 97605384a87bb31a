"""Tools > Live view on a generated video (there is no camera here): frames, top-5 and feature maps update, Pause,
Step, Snapshot into the table, the end of the file, a source that cannot be opened."""

from __future__ import annotations

import numpy as np

from tests.video_fixtures import write_video


def test_the_live_view_plays_a_video_with_its_feature_maps(window, qtbot, tmp_path, monkeypatch):
    from alexnet_gui.core.pipeline.live import VideoSource, classify_frame

    monkeypatch.setenv("ALEXNET_GUI_CACHE", str(tmp_path / "cache"))
    video = write_video(tmp_path / "pan.avi", frames=12, size=(320, 240))
    dialog = window.tools_menu.live_view(str(video))
    dialog.layer.setCurrentIndex(dialog.layer.findData("relu2"))
    dialog.start_button.click()
    qtbot.waitUntil(lambda: dialog.frames_shown >= 3, timeout=60000)
    dialog.pause_button.click()
    qtbot.waitUntil(lambda: not dialog.running or dialog.last is not None, timeout=60000)
    shown = dialog.last.index
    # Paused: at most the frame already asked for arrives; Step then shows exactly one more.
    qtbot.waitUntil(lambda: dialog.last.index >= shown, timeout=60000)
    before = dialog.last.index
    dialog.step_button.click()
    qtbot.waitUntil(lambda: dialog.last.index == before + 1, timeout=60000)
    frame = dialog.last
    # The frame's answer is the core's for the same pixels.
    source = VideoSource(str(video))
    for _ in range(frame.index + 1):
        rgb = source.read()
    source.close()
    assert np.array_equal(rgb, frame.rgb)
    # On a backend of its own: the worker's may be answering the dialog meanwhile, and the torch backend's hooks
    # are per model (a second caller on another thread would capture the other's activations).
    from alexnet_gui.core.backends import load_backend

    backend = load_backend(window.handle.worker.backend.name, window.weights, "cpu")
    try:
        want = classify_frame(backend, rgb, layer="relu2")
    finally:
        backend.close()
    assert [p.index for p in want.top] == [p.index for p in frame.top]
    assert np.abs(want.activations - frame.activations).max() < 1e-5
    assert dialog.maps.array() is not None and frame.activations.shape[0] == 192

    rows = window.model.rowCount()
    path = dialog.snapshot()
    qtbot.waitUntil(lambda: window.model.rowCount() == rows + 1, timeout=60000)
    assert path.endswith(f"pan-frame{frame.index:06d}-" + path.rsplit("-", 1)[1])

    dialog.pause_button.click()  # resume to the end of the file
    qtbot.waitUntil(lambda: dialog.status.text().startswith("end of the video"), timeout=60000)
    assert dialog.last.index == 11
    dialog.close()


def test_a_source_that_cannot_be_opened_is_one_sentence(window, qtbot, tmp_path):
    dialog = window.tools_menu.live_view(str(tmp_path / "missing.avi"))
    dialog.start_button.click()
    qtbot.waitUntil(lambda: "cannot open video" in dialog.status.text(), timeout=60000)
    assert not dialog.running
    # Nothing to pause or snapshot: the buttons say so (issue 32 fault 6: they stayed enabled).
    assert not dialog.pause_button.isEnabled() and not dialog.snapshot_button.isEnabled()
    assert not dialog.step_button.isEnabled()
    dialog.close()
