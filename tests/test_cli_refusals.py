"""One sentence and exit 2 before any work: mistyped commands, no display, options out of range, outputs that would
destroy an input, for every command that writes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from alexnet_gui.cli import main
from alexnet_gui.gui.platform_check import missing_display_reason, split_qt_arguments

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def photo(tmp_path):
    path = tmp_path / "photo.png"
    Image.new("RGB", (64, 48), (120, 30, 200)).save(path)
    return path


def one_sentence(err: str) -> str:
    assert "Traceback" not in err
    lines = [line for line in err.strip().splitlines() if not line.startswith(("usage:", " "))]
    assert len(lines) == 1, err
    return lines[0]


def test_a_mistyped_command_is_exit_2_and_opens_no_window(tmp_path, capsys):
    (tmp_path / "photos").mkdir()
    assert main(["clasify", str(tmp_path / "photos"), "--out", "x.csv"]) == 2
    assert one_sentence(capsys.readouterr().err) == (
        "error: unknown command 'clasify' (did you mean classify?), and no file or folder of that name"
    )


def test_a_mistyped_command_in_a_real_process_without_a_display_exits_2(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    proc = subprocess.run([sys.executable, "-m", "alexnet_gui", "clasify", "photos"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert "did you mean classify?" in proc.stderr


def test_no_display_is_one_sentence_not_sigabrt(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    proc = subprocess.run([sys.executable, "-m", "alexnet_gui", str(tmp_path)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: no display to open the window on (DISPLAY is not set)")
    assert "alexnet-gui classify" in proc.stderr


def test_missing_xcb_libraries_are_named_with_their_packages(monkeypatch):
    from alexnet_gui.gui import platform_check

    monkeypatch.setattr(platform_check, "_loads", lambda name: name != "libxcb-icccm.so.4")
    reason = missing_display_reason({"DISPLAY": ":0"})
    assert reason.startswith("the window cannot open: Qt's X11 plugin needs libxcb-icccm.so.4")
    assert "apt-get install libxcb-icccm4" in reason
    assert missing_display_reason({"QT_QPA_PLATFORM": "offscreen"}) is None


def test_qt_options_reach_qt_and_paths_stay_paths():
    assert split_qt_arguments(["-style", "fusion", "a.jpg", "--reverse", "-platform=xcb", "b"]) == (
        ["-style", "fusion", "--reverse", "-platform=xcb"], ["a.jpg", "b"])


@pytest.mark.parametrize("argv, message", [
    (["filters", "--scale", "0"], "argument --scale: must be at least 1, got 0"),
    (["filters", "--scale", "-2"], "argument --scale: must be at least 1, got -2"),
    (["filters", "--layer", "conv2", "--channel", "999"], "conv2 has input channels 0..63, not 999"),
    (["cam", "{photo}", "--alpha", "5"], "argument --alpha: must be from 0 to 1, got 5"),
    (["cam", "{photo}", "--class", "top9"], "argument --class: must be top1..top5 or a class index, not 'top9'"),
    (["cam", "{photo}", "--class", "-3"], "argument --class: must be top1..top5 or a class index, not '-3'"),
    (["features", "{tmp}/nope.jpg", "--untrained"], "error: {tmp}/nope.jpg: file not found"),
    (["compare", "{tmp}/nope.jpg", "--untrained"], "error: nothing to compare: {tmp}/nope.jpg: file not found"),
])
def test_options_are_checked_before_any_model_loads(tmp_path, photo, no_model, capsys, argv, message):
    argv = [a.format(photo=photo, tmp=tmp_path) for a in argv]
    out = ["--out", str(tmp_path / "o.png")] if argv[0] != "compare" else []
    assert main([*argv, *out]) == 2
    assert message.format(tmp=tmp_path) in one_sentence(capsys.readouterr().err)


@pytest.mark.parametrize("argv", [
    ["features", "{photo}", "--untrained", "--out", "{photo}"],
    ["cam", "{photo}", "--untrained", "--out", "{photo}"],
    ["filters", "--weights", "{weights}", "--out", "{weights}"],
    ["export-onnx", "--weights", "{weights}", "--out", "{weights}"],
])
def test_no_command_overwrites_its_input(tmp_path, photo, no_model, capsys, argv):
    weights = tmp_path / "w.pth"
    weights.write_bytes(b"not really weights")
    before = {p: p.read_bytes() for p in (photo, weights)}
    assert main([a.format(photo=photo, weights=weights) for a in argv]) == 2
    assert "is one of the inputs; it would be overwritten" in one_sentence(capsys.readouterr().err)
    assert {p: p.read_bytes() for p in (photo, weights)} == before


@pytest.mark.parametrize("argv", [
    ["features", "{photo}", "--untrained", "--out", "{tmp}"],
    ["filters", "--untrained", "--out", "{tmp}/missing/f.png"],
    ["export-onnx", "--untrained", "--out", "{tmp}"],
    ["sort", "{photo}", "--untrained", "--out", "{photo}"],
])
def test_outputs_that_cannot_be_written_are_refused_first(tmp_path, photo, no_model, capsys, argv):
    assert main([a.format(photo=photo, tmp=tmp_path) for a in argv]) == 2
    assert one_sentence(capsys.readouterr().err).startswith("error: ")


def test_garbage_and_path_traversal_onnx_files_are_one_sentence(tmp_path, capsys):
    import numpy as np
    from onnx import TensorProto, helper, numpy_helper

    garbage = tmp_path / "garbage.onnx"
    garbage.write_bytes(bytes(range(256)) * 20)
    tensor = numpy_helper.from_array(np.zeros((64, 3, 11, 11), np.float32), "w")
    tensor.ClearField("raw_data")
    tensor.data_location = TensorProto.EXTERNAL
    entry = tensor.external_data.add()
    entry.key, entry.value = "location", "../../../../etc/passwd"
    graph = helper.make_graph(
        [helper.make_node("Conv", ["x", "w"], ["y"], strides=[4, 4])], "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 3, 224, 224])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], initializer=[tensor])
    traversal = tmp_path / "traversal.onnx"
    traversal.write_bytes(helper.make_model(graph).SerializeToString())
    for model, detail in ((garbage, "Error parsing message"), (traversal, "points outside the directory")):
        assert main(["filters", "--weights", str(model), "--out", str(tmp_path / "f.png")]) == 2
        sentence = one_sentence(capsys.readouterr().err)
        assert sentence.startswith(f"error: cannot read {model.name} as an ONNX model (") and detail in sentence


def test_libtiff_says_nothing_on_stderr_and_the_row_says_why(tmp_path):
    import numpy as np

    image = Image.fromarray((np.random.default_rng(0).random((256, 256, 3)) * 255).astype("uint8"))
    image.save(tmp_path / "lzw.tif", compression="tiff_lzw")
    data = bytearray((tmp_path / "lzw.tif").read_bytes())
    data[len(data) // 3:len(data) // 3 + 200] = b"\0" * 200
    (tmp_path / "bad.tif").write_bytes(bytes(data))
    script = ("from alexnet_gui.core.pipeline.images import ImageError, open_rgb\n"
              "try:\n    open_rgb('bad.tif')\nexcept ImageError as exc:\n    print(exc)\n")
    proc = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert proc.stdout.strip() == "corrupt TIFF data (decoder error -2)"
    assert proc.stderr == ""  # libtiff's own "LZWDecode: Not enough data at scanline ..." is silenced


def test_an_iccp_chunk_after_the_image_data_is_a_reason_not_an_index_error(tmp_path):
    import io
    import struct
    import zlib

    from alexnet_gui.core.pipeline.images import ImageError, open_rgb

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 20, 30)).save(buf, "PNG")
    png = buf.getvalue()
    end = png.index(b"IEND") - 4
    (tmp_path / "late.png").write_bytes(png[:end] + chunk(b"iCCP", b"icc\0") + png[end:])
    with pytest.raises(ImageError, match=r"^corrupt PNG data \(index out of range\)$"):
        open_rgb(tmp_path / "late.png")


@pytest.mark.slow
def test_an_onnx_cache_that_cannot_be_written_is_one_sentence(tmp_path, photo, monkeypatch, capsys):
    (tmp_path / "a file").write_text("not a folder")
    monkeypatch.setenv("ALEXNET_GUI_CACHE", str(tmp_path / "a file" / "cache"))
    status = main(["classify", str(photo), "--out", str(tmp_path / "out.csv"), "--untrained", "--backend", "onnx"])
    assert status == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    (sentence,) = [line for line in err.splitlines() if line.startswith("error: ")]
    assert sentence.startswith(f"error: cannot write the ONNX cache in {tmp_path / 'a file' / 'cache' / 'onnx'}")
    assert sentence.endswith("set ALEXNET_GUI_CACHE to a writable folder")
