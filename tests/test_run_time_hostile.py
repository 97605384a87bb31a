"""Hostile inputs that only show at run time (issue 35, round 3): a user's graph that fails on a batch or returns more
classes than it declares, NaN scores, a video with a damaged frame or frames too large, a FIFO or an impossible
camera as the live source, a cache folder that is a file, an unreadable weights file, an address where no Ray cluster
listens, a blocked process that gets a second signal, drawn sizes past their bound, AVIF in folders, ONNX Runtime's
own log lines. Each is one sentence (exit 2) or a row with its reason (exit 1)."""

from __future__ import annotations

import csv
import errno
import os
import select
import signal
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from alexnet_gui.cli import main
from tests.image_fixtures import write_photos
from tests.video_fixtures import write_video

ROOT = Path(__file__).resolve().parent.parent

NAN_REASON = "the model's scores are not numbers (NaN)"


def _graph(path: Path, nodes, initialisers, declared_classes: int = 10) -> Path:
    """An ONNX image classifier (N x 3 x 224 x 224 → N x declared_classes) made of `nodes`, ending in "scores"."""
    import onnx
    from onnx import TensorProto, helper

    x = helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 3, 224, 224])
    y = helper.make_tensor_value_info("scores", TensorProto.FLOAT, ["N", declared_classes])
    model = helper.make_model(helper.make_graph(nodes, "g", [x], [y], initialisers),
                              opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.save(model, path)
    return path


def _pooled_linear(path: Path, shape: list[int], weights: np.ndarray, extra=(), extra_init=()) -> Path:
    """GlobalAveragePool → Reshape(shape) → MatMul(weights) [→ extra nodes]: 3 channel means times a 3 x C matrix."""
    from onnx import helper, numpy_helper

    last = "scores" if not extra else "s"
    nodes = [helper.make_node("GlobalAveragePool", ["input"], ["p"]),
             helper.make_node("Reshape", ["p", "shape"], ["r"]),
             helper.make_node("MatMul", ["r", "W"], [last]), *extra]
    inits = [numpy_helper.from_array(np.array(shape, np.int64), "shape"),
             numpy_helper.from_array(weights.astype(np.float32), "W"), *extra_init]
    return _graph(path, nodes, inits)


@pytest.fixture(scope="module")
def graphs(tmp_path_factory):
    """batch2: a Reshape fixed to batch 2; more: declares 10 classes and returns 10 x N; nan: NaN weights."""
    from onnx import helper, numpy_helper

    folder = tmp_path_factory.mktemp("graphs")
    weights = np.random.default_rng(0).standard_normal((3, 10))
    # The class count repeats once per image in the batch: the graph's shapes cannot know it, its card says 10.
    tile = [helper.make_node("Shape", ["input"], ["sh"]),
            helper.make_node("Slice", ["sh", "zero", "one"], ["n"]),
            helper.make_node("Concat", ["one", "n"], ["repeats"], axis=0),
            helper.make_node("Tile", ["s", "repeats"], ["scores"])]
    tile_init = [numpy_helper.from_array(np.array([1], np.int64), "one"),
                 numpy_helper.from_array(np.array([0], np.int64), "zero")]
    return {
        "batch2": _pooled_linear(folder / "batch2.onnx", [2, 3], weights),
        "more": _pooled_linear(folder / "more.onnx", [-1, 3], weights, tile, tile_init),
        "nan": _pooled_linear(folder / "nan.onnx", [-1, 3], np.full((3, 10), np.nan)),
    }


@pytest.fixture(scope="module")
def photos(tmp_path_factory):
    folder = tmp_path_factory.mktemp("photos")
    write_photos(folder, 3, size=(96, 72))
    return folder


@pytest.fixture(scope="module")
def video(tmp_path_factory):
    return write_video(tmp_path_factory.mktemp("video") / "pan.avi", frames=6, size=(160, 120))


def _error_lines(err: str) -> list[str]:
    assert "Traceback" not in err and "onnxruntime" not in err.replace("onnxruntime-gpu", ""), err
    return [line for line in err.splitlines() if line.startswith("error:")]


# --- 9: a graph that fails at run time, or returns more classes than it declares -------------------------------------
def test_a_graph_fixed_to_batch_2_is_one_sentence_before_any_row(graphs, photos, tmp_path, capsys):
    out = tmp_path / "out.csv"
    assert main(["classify", str(photos), "--weights", str(graphs["batch2"]), "--out", str(out)]) == 2
    assert _error_lines(capsys.readouterr().err) == [
        "error: the model cannot run on a batch of 3 images: its Reshape node failed (The input tensor cannot be "
        "reshaped to the requested shape. Input shape:{3,3,1,1}, requested shape:{2,3})"
    ]
    assert not out.exists() and os.listdir(tmp_path) == []


def test_a_graph_returning_more_classes_than_it_declares_is_one_sentence(graphs, photos, tmp_path, capsys):
    out = tmp_path / "out.csv"
    assert main(["classify", str(photos), "--weights", str(graphs["more"]), "--out", str(out)]) == 2
    assert _error_lines(capsys.readouterr().err) == [
        "error: the model returned scores shaped 3x30 for 3 images, but it declares 10 classes"
    ]
    assert not out.exists()


def test_a_later_batch_the_model_cannot_run_gives_its_images_the_reason(tmp_path):
    from alexnet_gui.core.backends.base import ModelRunError
    from alexnet_gui.core.pipeline.engine import Engine
    from tests.known_answers import ColourCodedBackend

    class FailsOnSecondBatch(ColourCodedBackend):
        calls = 0

        def predict(self, batch):
            self.calls += 1
            if self.calls == 2:
                raise ModelRunError("the model cannot run on a batch of 2 images: it failed (test)")
            return super().predict(batch)

    paths = []
    for i, red in enumerate((10, 20, 30, 40)):
        paths.append(str(tmp_path / f"{i}.png"))
        Image.new("RGB", (64, 64), (red, 0, 0)).save(paths[-1])
    backend = FailsOnSecondBatch({code: [code, 1, 2, 3, 4] for code in (10, 20, 30, 40)})
    results = list(Engine(backend, batch_size=2, decode_workers=1).run(paths))
    assert [r.error for r in results] == [None, None] + ["the model cannot run on a batch of 2 images: it failed (test)"] * 2
    assert [r.top[0].index for r in results[:2]] == [10, 20]


def test_live_keeps_an_existing_out_when_the_model_fails_on_the_first_frame(graphs, video, tmp_path, capsys):
    out = tmp_path / "frames.csv"
    out.write_text("earlier rows\n")
    assert main(["live", str(video), "--weights", str(graphs["batch2"]), "--out", str(out)]) == 2
    assert _error_lines(capsys.readouterr().err) == [
        "error: the model cannot run on a batch of 1 image: its Reshape node failed (The input tensor cannot be "
        "reshaped to the requested shape. Input shape:{1,3,1,1}, requested shape:{2,3})"
    ]
    assert out.read_text() == "earlier rows\n"
    assert sorted(os.listdir(tmp_path)) == ["frames.csv"]  # no journal left beside it


# --- 19: NaN scores ----------------------------------------------------------------------------------------------
def test_nan_scores_are_each_images_reason_and_exit_1(graphs, photos, tmp_path, capsys):
    out = tmp_path / "out.csv"
    assert main(["classify", str(photos), "--weights", str(graphs["nan"]), "--out", str(out)]) == 1
    with open(out, newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["error"] for r in rows] == [NAN_REASON] * 3
    assert all(r["top1_index"] == "" and r["top1_prob"] == "" for r in rows)
    assert "3 images, 3 failed" in capsys.readouterr().err


def test_nan_scores_in_live_are_the_frames_reason_and_exit_1(graphs, video, tmp_path, capsys):
    out = tmp_path / "frames.csv"
    assert main(["live", str(video), "--weights", str(graphs["nan"]), "--frames", "2", "--top-k", "2",
                 "--out", str(out)]) == 1
    assert out.read_text().splitlines() == [
        "frame,error,top1_label,top1_prob,top2_label,top2_prob",
        f"0,{NAN_REASON},,,,",
        f"1,{NAN_REASON},,,,",
    ]
    assert "2 of 2 frames have no classes (see the error column)" in capsys.readouterr().err


def test_an_infinite_logit_makes_its_row_a_nan_reason():
    from alexnet_gui.core.pipeline.scores import NAN_SCORES, ranked_or_reason, to_probabilities

    probs = to_probabilities(np.array([[np.inf, 1.0, 0.0], [3.0, 2.0, 1.0]], np.float32), "logits")
    assert ranked_or_reason(probs[0], 2) == NAN_SCORES == NAN_REASON
    assert [p.index for p in ranked_or_reason(probs[1], 2)] == [0, 1]


# --- 18 and 17: live's damaged frames and frame bounds -----------------------------------------------------------
def _damage_frame(video: Path, number: int, out: Path) -> Path:
    """A copy of an MJPG video whose frame `number` (0-based) has its JPEG header overwritten with zeros."""
    data = bytearray(video.read_bytes())
    starts = [i for i in range(len(data) - 1) if data[i] == 0xFF and data[i + 1] == 0xD8]
    start = starts[number]
    data[start + 2:start + 400] = bytes(398)
    out.write_bytes(bytes(data))
    return out


def test_a_frame_that_cannot_be_decoded_is_a_row_and_the_video_goes_on_with_exit_1(video, tmp_path, capsys):
    damaged = _damage_frame(video, 1, tmp_path / "damaged.avi")
    out = tmp_path / "frames.csv"
    assert main(["live", str(damaged), "--untrained", "--top-k", "1", "--out", str(out)]) == 1
    with open(out, newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["frame"] for r in rows] == ["0", "1", "2", "3", "4", "5"]
    assert [r["error"] for r in rows] == ["", "the frame cannot be decoded", "", "", "", ""]
    assert rows[1]["top1_label"] == "" and rows[2]["top1_label"] != ""
    err = capsys.readouterr().err
    assert "1 of 6 frames have no classes (see the error column)" in err
    assert "mjpeg @" not in err  # FFmpeg's own line repeats what the row says


def test_frames_past_classifys_aspect_bound_are_refused_before_any_frame(tmp_path, capsys):
    strip = write_video(tmp_path / "strip.avi", frames=2, size=(2400, 8))
    assert main(["live", str(strip), "--untrained", "--out", str(tmp_path / "f.csv")]) == 2
    assert _error_lines(capsys.readouterr().err) == [
        f"error: {strip}: frames of 2400x8 pixels are too elongated to classify (at most 256:1)"
    ]


def test_a_fifo_as_the_live_source_is_refused_instead_of_waiting_forever(tmp_path, capsys):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    assert main(["live", str(fifo), "--untrained", "--out", str(tmp_path / "f.csv")]) == 2
    assert _error_lines(capsys.readouterr().err) == [
        f"error: {fifo} is not a regular file (a FIFO or a device cannot be read as a video; a camera is given by "
        "its number)"
    ]


def test_a_camera_number_past_any_camera_is_one_sentence(tmp_path, capsys):
    assert main(["live", "99999999999999999999", "--untrained", "--out", str(tmp_path / "f.csv")]) == 2
    assert _error_lines(capsys.readouterr().err) == [
        "error: there is no camera 99999999999999999999 (camera numbers go from 0 to 255)"
    ]


# --- 14: the cache a file, an unreadable weights file; drawn sizes ------------------------------------------------
@pytest.mark.parametrize("cache", ["file", "/dev/null"])
def test_an_onnx_model_runs_when_the_cache_is_a_file(cache, graphs, photos, tmp_path, monkeypatch, capsys):
    if cache == "file":
        cache = tmp_path / "cache-file"
        cache.write_text("not a folder")
    monkeypatch.setenv("ALEXNET_GUI_CACHE", str(cache))
    out = tmp_path / "out.csv"
    assert main(["classify", str(photos), "--weights", str(graphs["nan"]), "--out", str(out)]) == 1
    assert len(out.read_text().splitlines()) == 4  # header and 3 rows (the NaN model's reasons)


@pytest.mark.parametrize("backend", ["torch", "onnx"])
def test_an_unreadable_weights_file_is_one_sentence(backend, photos, tmp_path, monkeypatch, capsys):
    import torch

    from alexnet_gui.core.model import weights as weights_module

    pth = tmp_path / "model.pth"
    torch.save({"w": torch.zeros(1)}, pth)
    real_open = open

    def refuse(path, *args, **kwargs):  # chmod 000 means nothing to root: the read itself is refused
        if Path(path) == pth:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(weights_module, "open", refuse, raising=False)
    assert main(["classify", str(photos), "--weights", str(pth), "--backend", backend,
                 "--out", str(tmp_path / "out.csv")]) == 2
    assert _error_lines(capsys.readouterr().err) == [f"error: cannot read {pth} (permission denied)"]


@pytest.mark.parametrize("command", [["visualize", "--unit", "0"], ["examples", "PHOTOS"]])
def test_a_drawn_size_past_its_bound_is_refused_before_any_work(command, photos, tmp_path, capsys):
    argv = [str(photos) if word == "PHOTOS" else word for word in command]
    assert main([*argv, "--untrained", "--size", "100000", "--out", str(tmp_path / "x.png")]) == 2
    assert capsys.readouterr().err.splitlines()[-1].endswith("argument --size: must be at most 1024 pixels, got 100000")


# --- 16: no Ray cluster at the address ---------------------------------------------------------------------------
def _closed_port() -> int:
    with socket.socket() as closed:  # a port that was free a moment ago, now closed: nothing listens there
        closed.bind(("127.0.0.1", 0))
        return closed.getsockname()[1]


def test_classify_on_an_address_where_no_ray_cluster_listens_is_one_sentence(photos, tmp_path, capsys):
    pytest.importorskip("ray.data", reason="Ray Data is not installed (pip install 'alexnet-gui[ray]')")
    import ray

    port = _closed_port()
    out = tmp_path / "out.csv"
    assert main(["classify", str(photos), "--untrained", "--backend", "onnx", "--engine", "ray",
                 "--address", f"127.0.0.1:{port}", "--out", str(out)]) == 2
    assert _error_lines(capsys.readouterr().err) == [f"error: no Ray cluster answers at 127.0.0.1:{port}"]
    assert not out.exists() and not ray.is_initialized()


def test_an_address_where_no_ray_cluster_listens_is_one_sentence():
    from alexnet_gui.core.errors import UserError
    from alexnet_gui.core.scale.ray_engine import check_address_answers

    port = _closed_port()
    with pytest.raises(UserError) as refused:
        check_address_answers(f"127.0.0.1:{port}")
    assert str(refused.value) == f"no Ray cluster answers at 127.0.0.1:{port}"
    with socket.socket() as listening:
        listening.bind(("127.0.0.1", 0))
        listening.listen()
        check_address_answers(f"ray://127.0.0.1:{listening.getsockname()[1]}")  # something answers: no error
    check_address_answers("auto")


# --- 15: a second signal ends a process blocked inside a C library -----------------------------------------------
@pytest.mark.parametrize("signals", [("SIGTERM", "SIGTERM"), ("SIGINT", "SIGTERM")])
def test_a_second_signal_ends_a_process_blocked_in_a_c_library(signals, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with subprocess.Popen([sys.executable, "-m", "tests.blocked_run", str(fifo)], cwd=ROOT,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as proc:
        try:
            said = _first_line(proc, timeout=30)
            if said == "unsupported\n":
                pytest.skip("this kernel's /proc wchan does not show a thread waiting for a FIFO's writer "
                            "(a sandbox reads 0), so nothing tells when the process is blocked")
            if said != "blocking\n":  # its main thread waits inside FFmpeg for a writer
                proc.kill()
                pytest.fail(f"the blocked run said {said!r} within 30 s; its stderr:\n{proc.stderr.read()}")
            for name in signals:
                number = getattr(signal, name)
                proc.send_signal(number)
                # Two signals of one kind pending at once are one: the second is sent once the first has arrived.
                while _pending(proc.pid) & (1 << (number - 1)):
                    pass
            status = proc.wait(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
        err = proc.stderr.read()
    assert status == 143, err
    assert err.strip().splitlines()[-1] == "terminated again: stopping at once"


def _first_line(proc: subprocess.Popen, timeout: float) -> str:
    """The child's first line of stdout, "" if it wrote none within `timeout` seconds or ended without one."""
    ready, _, _ = select.select([proc.stdout], [], [], timeout)
    return proc.stdout.readline() if ready else ""


def _pending(pid: int) -> int:
    """The process's pending signals (a bit mask) from /proc; 0 once the process has gone."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as f:
            return next(int(line.split()[1], 16) for line in f if line.startswith("ShdPnd:"))
    except (OSError, StopIteration):
        return 0


# --- 21: AVIF in folders, ONNX Runtime's log lines ---------------------------------------------------------------
def test_an_avif_in_a_folder_is_classified_as_when_named(tmp_path):
    from alexnet_gui.core.pipeline.engine import iter_image_paths

    Image.new("RGB", (64, 48), (200, 10, 10)).save(tmp_path / "a.avif")
    named = list(iter_image_paths([str(tmp_path / "a.avif")]))
    assert list(iter_image_paths([str(tmp_path)])) == named == [str(tmp_path / "a.avif")]


def test_onnx_runtimes_own_log_lines_do_not_reach_stderr(graphs, photos, tmp_path, capfd):
    # capfd, not capsys: ONNX Runtime's C++ logger writes to file descriptor 2 itself ("[E:onnxruntime:, sequential_
    # executor.cc:677 ExecuteKernel] Non-zero status code returned while running Reshape node", in red).
    assert main(["classify", str(photos), "--weights", str(graphs["batch2"]), "--out", str(tmp_path / "o.csv")]) == 2
    err = capfd.readouterr().err
    assert "onnxruntime" not in err and "ExecuteKernel" not in err and "\x1b[" not in err
    assert _error_lines(err) == [
        "error: the model cannot run on a batch of 3 images: its Reshape node failed (The input tensor cannot be "
        "reshaped to the requested shape. Input shape:{3,3,1,1}, requested shape:{2,3})"
    ]
