"""The picture commands write PNGs of the expected size, and bad options are exit 2 with a sentence."""

import pytest
from PIL import Image

from alexnet_gui.cli import main
from tests.image_fixtures import write_photos


@pytest.fixture(scope="module")
def photo(tmp_path_factory):
    return str(write_photos(tmp_path_factory.mktemp("p"), 1, size=(320, 240))[0])


def size_of(path):
    with Image.open(path) as im:
        return im.size


def test_filters_png(tmp_path):
    assert main(["filters", "--layer", "conv1", "--scale", "4", "--out", str(tmp_path / "f.png"), "--untrained"]) == 0
    assert size_of(tmp_path / "f.png") == (2 + 8 * (44 + 2), 2 + 8 * (44 + 2))


def test_features_png_with_colour_bar(tmp_path, photo, onnx_backend):
    out = tmp_path / "m.png"
    assert main(["features", photo, "--layer", "conv2", "--scale", "1", "--out", str(out), "--untrained"]) == 0
    grid = 1 + 14 * 28  # 192 channels → 14 x 14 cells of 27 + 1 padding
    assert size_of(out) == (grid + 110, grid)


def test_cam_png_and_bad_class(tmp_path, photo, capsys):
    assert main(["cam", photo, "--class", "top2", "--out", str(tmp_path / "c.png"), "--untrained"]) == 0
    assert size_of(tmp_path / "c.png") == (224, 224)
    assert main(["cam", photo, "--class", "cat", "--out", str(tmp_path / "c.png"), "--untrained"]) == 2
    assert "argument --class: must be top1..top5 or a class index, not 'cat'" in capsys.readouterr().err


def test_unknown_layer_is_exit_2(tmp_path, photo, capsys):
    assert main(["features", photo, "--layer", "fc7", "--out", str(tmp_path / "m.png"), "--untrained"]) == 2
    assert "unknown layer 'fc7'" in capsys.readouterr().err
