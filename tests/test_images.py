"""Opening images: every mode becomes RGB, orientation and alpha handled, each bad file one sentence."""

import io
import os
import threading

import numpy as np
import pytest
from PIL import Image

from alexnet_gui.core.pipeline.images import ImageError, open_rgb
from tests.image_fixtures import bomb_png, photo_like, write_tricky_folder


@pytest.fixture(scope="module")
def tricky(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tricky")
    return folder, write_tricky_folder(folder)


def test_every_tricky_file_opens_as_rgb_or_fails_with_its_sentence(tricky):
    folder, expected = tricky
    for name, error in expected.items():
        if name == "notes.txt":
            continue
        if error is None:
            im = open_rgb(folder / name)
            assert im.mode == "RGB", name
            assert im.size[0] > 0 and im.size[1] > 0
        else:
            with pytest.raises(ImageError) as exc:
                open_rgb(folder / name)
            assert str(exc.value) == error, name


def test_exif_orientation_is_applied(tricky):
    folder, _ = tricky
    with Image.open(folder / "exif_rotated.jpg") as raw:
        assert raw.size == (320, 240)
    assert open_rgb(folder / "exif_rotated.jpg").size == (240, 320)


def test_alpha_is_composited_on_white(tmp_path):
    rgba = np.zeros((10, 10, 4), np.uint8)
    rgba[..., 0] = 200
    rgba[:, :5, 3] = 0      # left half fully transparent
    rgba[:, 5:, 3] = 255    # right half opaque red-ish
    Image.fromarray(rgba).save(tmp_path / "a.png")
    arr = np.asarray(open_rgb(tmp_path / "a.png"))
    assert (arr[:, :5] == 255).all()
    assert (arr[:, 5:] == [200, 0, 0]).all()


def test_sixteen_bit_is_scaled_not_clipped(tmp_path):
    ramp = (np.arange(256, dtype=np.uint16) * 257).reshape(16, 16)
    Image.fromarray(ramp).save(tmp_path / "g16.png")
    arr = np.asarray(open_rgb(tmp_path / "g16.png"))
    assert arr[..., 0].ravel().tolist() == list(range(256))


def test_cmyk_becomes_rgb_close_to_the_original(tmp_path):
    base = photo_like(64, 48, seed=3)
    base.convert("CMYK").save(tmp_path / "c.jpg", quality=95)
    diff = np.abs(np.asarray(open_rgb(tmp_path / "c.jpg"), np.int16) - np.asarray(base, np.int16))
    assert diff.mean() < 6


def test_animated_gif_gives_its_first_frame(tmp_path):
    frames = [Image.new("RGB", (8, 8), c) for c in ((255, 0, 0), (0, 0, 255))]
    frames[0].save(tmp_path / "a.gif", save_all=True, append_images=frames[1:])
    assert open_rgb(tmp_path / "a.gif").getpixel((0, 0)) == (255, 0, 0)


def test_bomb_is_refused_from_the_header_before_decoding(tmp_path):
    (tmp_path / "b.png").write_bytes(bomb_png(30000, 20000))
    with pytest.raises(ImageError, match=r"^image too large \(30000x20000 pixels\)$"):
        open_rgb(tmp_path / "b.png")
    assert Image.MAX_IMAGE_PIXELS == 89_478_485  # Pillow's global is left alone


@pytest.mark.parametrize(
    "setup, message",
    [
        (lambda p: None, "file not found"),
        (lambda p: p.mkdir(), "is a folder, not an image file"),
        (lambda p: p.write_bytes(b""), "empty file"),
        (lambda p: p.write_bytes(b"GIF89a" + b"\0" * 3), None),
    ],
)
def test_path_problems_are_one_sentence(tmp_path, setup, message):
    path = tmp_path / "x.gif"
    setup(path)
    with pytest.raises(ImageError) as exc:
        open_rgb(path)
    text = str(exc.value)
    assert "\n" not in text
    if message:
        assert text == message


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their permissions")
def test_unreadable_file_is_permission_denied(tmp_path):
    path = tmp_path / "p.jpg"
    photo_like(32, 32).save(path)
    path.chmod(0)
    with pytest.raises(ImageError, match="^permission denied$"):
        open_rgb(path)


def test_truncated_png_names_its_format(tmp_path):
    photo_like(200, 150, seed=4).save(tmp_path / "t.png")
    data = (tmp_path / "t.png").read_bytes()
    (tmp_path / "t.png").write_bytes(data[: len(data) // 2])
    with pytest.raises(ImageError, match=r"^truncated PNG"):
        open_rgb(tmp_path / "t.png")


def test_draft_decodes_large_jpegs_at_a_reduced_scale_but_never_below_256(tmp_path):
    photo_like(2048, 1536, seed=5).save(tmp_path / "big.jpg", quality=90)
    assert open_rgb(tmp_path / "big.jpg").size == (2048, 1536)
    # 1536 / 4 = 384 >= 256 but 1536 / 8 = 192 < 256: scale 1/4 is the smallest allowed.
    assert open_rgb(tmp_path / "big.jpg", draft=True).size == (512, 384)


def test_a_jpeg_decodes_in_one_call_not_a_call_per_64_kb(tmp_path, monkeypatch):
    # Each call takes the GIL back, which while the model's imports hold it costs a switch interval.
    rng = np.random.default_rng(3)
    Image.fromarray(rng.integers(0, 256, (768, 1024, 3), dtype=np.uint8)).save(tmp_path / "noisy.jpg", quality=95)
    assert (tmp_path / "noisy.jpg").stat().st_size > 10 * 65536
    calls = []
    get_decoder = Image._getdecoder

    class CountingDecoder:
        def __init__(self, decoder):
            self._decoder = decoder

        def __getattr__(self, name):
            return getattr(self._decoder, name)

        def decode(self, data):
            calls.append(len(data))
            return self._decoder.decode(data)

    monkeypatch.setattr(Image, "_getdecoder", lambda *args: CountingDecoder(get_decoder(*args)))
    for draft in (False, True):
        with Image.open(tmp_path / "noisy.jpg") as reference:
            if draft:
                reference.draft("RGB", (256, 256))
            expected = np.asarray(reference.convert("RGB"))
        calls.clear()
        assert np.array_equal(np.asarray(open_rgb(tmp_path / "noisy.jpg", draft=draft)), expected)
        assert len(calls) == 1


@pytest.mark.parametrize(
    "make_path, message",
    [
        (lambda t: (t / "f.jpg").write_bytes(b"x") and t / "f.jpg" / "x.jpg", "file not found"),
        (lambda t: t / ("a" * 300 + ".jpg"), "file name too long"),
        (lambda t: str(t) + "/a\0b.jpg", "invalid file name"),
    ],
)
def test_odd_paths_are_one_sentence(tmp_path, make_path, message):
    with pytest.raises(ImageError, match=f"^{message}$"):
        open_rgb(make_path(tmp_path))


def test_png_cut_inside_its_header_is_truncated(tmp_path):
    photo_like(64, 48).save(tmp_path / "h.png")
    (tmp_path / "h.png").write_bytes((tmp_path / "h.png").read_bytes()[:20])
    with pytest.raises(ImageError, match="^truncated PNG$"):
        open_rgb(tmp_path / "h.png")


def test_damaged_tiff_header_warnings_do_not_escape(tmp_path):
    data = bytearray((lambda b: (photo_like(96, 64).save(b, "TIFF"), b.getvalue())[1])(io.BytesIO()))
    data[-40:] = b"\xff" * 40  # IFD entries now point past the end of the file
    (tmp_path / "d.tif").write_bytes(bytes(data))
    # Warnings are errors in this suite: a "Tag data larger than file" escaping would fail here. The image reads,
    # all but the pixels the damaged bytes overlapped (0.2 % of the values).
    image = np.asarray(open_rgb(tmp_path / "d.tif"))
    original = np.asarray(photo_like(96, 64).convert("RGB"))
    assert image.shape == original.shape and (image == original).mean() > 0.99


def test_concurrent_opens_of_a_large_header_never_leak_the_bomb_warning(tmp_path):
    # 100 megapixels: above Pillow's warning limit, below its error limit and MAX_PIXELS; zero data, so it fails fast.
    (tmp_path / "m.png").write_bytes(bomb_png(10000, 10000))
    outcomes = []

    def work():
        for _ in range(40):
            try:
                open_rgb(tmp_path / "m.png")
            except ImageError as exc:
                outcomes.append(str(exc))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes == ["truncated PNG"] * 160
