"""The live view's core (issue 19): frames from a generated video, one backend run for scores and maps on both
backends, the same answers as for a still image."""

from __future__ import annotations

import numpy as np
import pytest

from alexnet_gui.core.errors import UserError
from alexnet_gui.core.pipeline.live import VideoSource, classify_frame
from tests.video_fixtures import write_video


@pytest.fixture(scope="module")
def video(tmp_path_factory):
    return write_video(tmp_path_factory.mktemp("video") / "pan.avi", frames=8, size=(320, 240))


def test_a_video_gives_its_frames_in_order_then_ends(video):
    source = VideoSource(str(video))
    frames = []
    while (rgb := source.read()) is not None:
        frames.append(rgb)
    source.close()
    assert len(frames) == 8 and frames[0].shape == (240, 320, 3) and source.index == 7
    assert not np.array_equal(frames[0], frames[-1])  # it pans


def test_a_source_that_cannot_be_opened_is_one_sentence(tmp_path):
    with pytest.raises(UserError, match=r"cannot open video .*missing.avi \(no such device, or a file OpenCV"):
        VideoSource(str(tmp_path / "missing.avi"))


@pytest.mark.parametrize("backend_fixture", ["torch_backend", "onnx_backend"])
def test_one_run_gives_what_predict_and_activations_give(request, video, backend_fixture):
    from PIL import Image

    from alexnet_gui.core.model.preprocess import preprocess

    backend = request.getfixturevalue(backend_fixture)
    source = VideoSource(str(video))
    rgb = source.read()
    source.close()
    x = preprocess(Image.fromarray(rgb), backend.card.preprocess)[None]
    scores, maps = backend.predict_with_activations(x, ["relu2", "pool5"])
    np.testing.assert_allclose(scores, backend.predict(x), atol=1e-5)
    separate = backend.activations(x, ["relu2", "pool5"])
    for name in ("relu2", "pool5"):
        np.testing.assert_allclose(maps[name], separate[name], atol=1e-5)
    frame = classify_frame(backend, rgb, 0, layer="relu2")
    assert frame.activations.shape == separate["relu2"][0].shape
    probs = np.exp(scores[0] - scores[0].max())
    probs /= probs.sum()
    assert [p.index for p in frame.top] == list(np.argsort(-probs, kind="stable")[:5])


def test_live_command_writes_a_row_per_frame(video, tmp_path, capsys):
    import csv

    from alexnet_gui.cli import main

    out = tmp_path / "frames.csv"
    assert main(["live", str(video), "--untrained", "--layer", "relu5", "--top-k", "3", "--out", str(out)]) == 0
    with open(out) as f:
        rows = list(csv.DictReader(f))
    assert [int(r["frame"]) for r in rows] == list(range(8))
    assert set(rows[0]) == {"frame", "error", "top1_label", "top1_prob", "top2_label", "top2_prob", "top3_label",
                            "top3_prob", "strongest_channel", "strongest_value"}
    assert {r["error"] for r in rows} == {""}
    assert 0 <= int(rows[0]["strongest_channel"]) < 256
    assert "8 frames" in capsys.readouterr().err
    assert main(["live", str(video), "--untrained", "--frames", "2", "--out", str(tmp_path / "two.csv")]) == 0
    assert len((tmp_path / "two.csv").read_text().splitlines()) == 3
    assert main(["live", str(tmp_path / "missing.avi"), "--untrained", "--out", str(tmp_path / "x.csv")]) == 2
    assert "cannot open video" in capsys.readouterr().err
