"""Preprocessing equals torchvision's AlexNet_Weights.IMAGENET1K_V1.transforms() on real photographs."""

import numpy as np
import pytest
from PIL import Image
from torchvision.models import AlexNet_Weights

from alexnet_gui.core.model import preprocess as pp
from alexnet_gui.core.pipeline import decode
from alexnet_gui.core.pipeline.images import open_rgb
from tests.image_fixtures import photo_like

REFERENCE = AlexNet_Weights.IMAGENET1K_V1.transforms()


def skimage_photos():
    from skimage import data

    return {name: Image.fromarray(getattr(data, name)()) for name in ("astronaut", "chelsea", "coffee", "rocket")}


def test_constants_are_torchvisions():
    assert [pp.RESIZE_SIZE] == REFERENCE.resize_size
    assert [pp.CROP_SIZE] == REFERENCE.crop_size
    assert list(pp.MEAN) == REFERENCE.mean
    assert list(pp.STD) == REFERENCE.std


@pytest.mark.parametrize("size", [None, (300, 1000), (1000, 300), (257, 256), (50, 40), (1, 500), (4032, 3024)])
def test_equal_to_the_reference_on_real_photographs(size):
    for name, photo in skimage_photos().items():
        img = photo if size is None else photo.resize(size, Image.BICUBIC)
        ours = pp.preprocess(img)
        ref = REFERENCE(img).numpy()
        assert ours.shape == (3, 224, 224) and ours.dtype == np.float32
        assert np.abs(ours - ref).max() <= 1e-5, (name, size)


def test_equal_to_the_reference_through_a_jpeg_file(tmp_path):
    for name, photo in skimage_photos().items():
        photo.save(tmp_path / f"{name}.jpg", quality=92)
        with Image.open(tmp_path / f"{name}.jpg") as raw:
            ref = REFERENCE(raw.convert("RGB")).numpy()
        assert np.abs(decode.load_input(tmp_path / f"{name}.jpg") - ref).max() <= 1e-5


def _fast_rms(path):
    exact = decode.load_input(path)
    fast = decode.load_input(path, fast_decode=True)
    return float(np.sqrt(np.mean((fast - exact) ** 2)))


def test_fast_decode_stays_within_0_02_rms_on_the_benchmark_corpus(tmp_path):
    # The benchmark's corpus: photo-like JPEGs at 1024x768 and at a phone's 4032x3024.
    for i, size in enumerate([(1024, 768), (1024, 768), (4032, 3024)]):
        photo_like(*size, seed=i).save(tmp_path / f"{i}.jpg", quality=90)
        assert 0 < _fast_rms(tmp_path / f"{i}.jpg") <= 0.02, size


def test_fast_decode_on_detailed_photographs_is_close_but_not_exact(tmp_path):
    # Fine detail aliases differently through the DCT-domain downscale: measured up to 0.08 on these.
    for name, photo in skimage_photos().items():
        photo.resize((2048, 2048 * photo.height // photo.width), Image.BICUBIC).save(tmp_path / f"{name}.jpg", quality=90)
        assert 0 < _fast_rms(tmp_path / f"{name}.jpg") <= 0.1, name


def test_crop_box_is_the_centre_square_scaled_to_the_original():
    assert pp.crop_box(256, 256) == (16, 16, 240, 240)
    assert pp.crop_box(512, 512) == (32, 32, 480, 480)
    # 640x480 → 341x256, crop at (58, 16) (round(58.5) is 58); back in the original x scales by 640/341, y by 1.875.
    assert pp.crop_box(640, 480) == (round(58 * 640 / 341), 30, round(282 * 640 / 341), 450)


def test_denormalise_gives_back_the_cropped_pixels():
    img = photo_like(400, 300, seed=2)
    resized = img.resize(pp.resized_size(400, 300), Image.BILINEAR)
    left = int(round((resized.width - 224) / 2.0))
    top = int(round((resized.height - 224) / 2.0))
    crop = np.asarray(resized.crop((left, top, left + 224, top + 224)), np.int16)
    assert np.abs(pp.denormalise(pp.preprocess(img)).astype(np.int16) - crop).max() <= 1


def test_open_rgb_then_preprocess_matches_load_input(tmp_path):
    photo_like(333, 222, seed=9).save(tmp_path / "p.png")
    assert np.array_equal(pp.preprocess(open_rgb(tmp_path / "p.png")), decode.load_input(tmp_path / "p.png"))


def test_a_crop_of_an_opened_image_is_preprocessed_as_its_own_geometry(tmp_path):
    photo_like(640, 480, seed=3).save(tmp_path / "c.png")
    crop = open_rgb(tmp_path / "c.png").crop((0, 0, 300, 300))
    fresh = Image.frombytes("RGB", crop.size, crop.tobytes())
    assert np.abs(pp.preprocess(crop) - REFERENCE(fresh).numpy()).max() <= 1e-5


@pytest.mark.parametrize("size", [None, (300, 1000), (1000, 300), (257, 256), (4032, 3024)])
def test_crop_only_resampling_moves_a_few_values_by_one_grey_level_at_most(size):
    one_level = 1 / 255 / min(pp.STD)
    for name, photo in skimage_photos().items():
        img = photo if size is None else photo.resize(size, Image.BICUBIC)
        exact, crop_only = pp.preprocess(img), pp.normalise(pp.crop_rgb_crop_only(img))
        diff = np.abs(exact - crop_only)
        assert diff.max() <= one_level + 1e-6, (name, size)
        # Pillow reads the source box in single precision: the filter centres shift by ~1e-5 pixel.
        assert np.mean(diff > 0) < 0.01, (name, size)


def test_a_batch_normalised_at_once_equals_each_image_normalised_alone():
    rng = np.random.default_rng(4)
    crops = rng.integers(0, 256, (5, 224, 224, 3), dtype=np.uint8)
    batch = pp.normalise_batch(crops)
    assert batch.shape == (5, 3, 224, 224) and batch.dtype == np.float32
    assert np.array_equal(batch, np.stack([pp.normalise(c) for c in crops]))
    # Into a larger reused buffer, from a list of crops: the same values, in the buffer's first images.
    buffer = np.full((8, 3, 224, 224), np.nan, np.float32)
    into = pp.normalise_batch(list(crops), out=buffer)
    assert into.shape == (5, 3, 224, 224) and np.shares_memory(into, buffer)
    assert np.array_equal(into, batch) and np.isnan(buffer[5:]).all()


def test_load_crop_is_the_uint8_picture_of_load_input(tmp_path):
    photo = skimage_photos()["chelsea"]
    photo.save(tmp_path / "c.jpg", quality=90)
    for fast in (False, True):
        crop = decode.load_crop(tmp_path / "c.jpg", fast_decode=fast)
        assert crop.shape == (224, 224, 3) and crop.dtype == np.uint8
        assert np.array_equal(pp.normalise(crop), decode.load_input(tmp_path / "c.jpg", fast_decode=fast))
        assert np.array_equal(pp.denormalise(decode.load_input(tmp_path / "c.jpg", fast_decode=fast)), crop)
