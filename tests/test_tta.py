"""10-crop test-time augmentation: torchvision's crops, the averaged softmax, where the crops disagree."""

import numpy as np
import pytest
from PIL import Image

from alexnet_gui.core.pipeline.engine import Engine
from alexnet_gui.core.pipeline.scores import softmax
from alexnet_gui.core.pipeline.tta import CROP_NAMES, answer_ten_crops, crop_regions, ten_crops
from tests.known_answers import LinearBackend


def corners_image(size=(400, 300)) -> Image.Image:
    """An image whose four corners, centre and halves all look different (a gradient under coloured blocks)."""
    w, h = size
    yy, xx = np.mgrid[0:h, 0:w]
    arr = np.stack([xx * 255 // w, yy * 255 // h, (xx + yy) * 255 // (w + h)], axis=-1).astype(np.uint8)
    arr[: h // 3, : w // 4] = (250, 10, 10)
    arr[: h // 3, -w // 4:] = (10, 250, 10)
    arr[-h // 3:, : w // 4] = (10, 10, 250)
    arr[-h // 3:, -w // 5:] = (240, 240, 20)
    return Image.fromarray(arr)


def reference_crops(img):
    import torch
    from torchvision import transforms as T

    resize_crop = T.Compose([T.Resize(256), T.TenCrop(224)])
    normalise = T.Compose([T.ToTensor(), T.Normalize((0.485, 0.456, 0.406), (0.229, 0.224, 0.225))])
    return torch.stack([normalise(c) for c in resize_crop(img)]).numpy()


@pytest.mark.parametrize("size", [(400, 300), (300, 451), (256, 256)])
def test_ten_crops_equal_torchvision_tencrop_and_the_centre_crop_equals_preprocess(size):
    from alexnet_gui.core.model.preprocess import preprocess

    img = corners_image(size)
    crops = ten_crops(img)
    assert crops.shape == (10, 3, 224, 224) and crops.dtype == np.float32
    assert np.abs(crops - reference_crops(img)).max() < 1e-5
    assert np.abs(crops[4] - preprocess(img)).max() < 1e-5


def test_engine_10crop_averages_the_softmax_of_the_ten_crops(tmp_path):
    img = corners_image()
    paths = [str(tmp_path / "corners.png"), str(tmp_path / "flipped.png")]
    img.save(paths[0])
    img.transpose(Image.FLIP_TOP_BOTTOM).save(paths[1])
    backend = LinearBackend(seed=3, scale=2.0)
    results = list(Engine(backend, top_k=5, batch_size=2, tta="10crop").run(paths))
    for path, result in zip(paths, results):
        crops = reference_crops(Image.open(path).convert("RGB"))
        per_crop = softmax(backend.logits_of(crops))
        # The crops really differ: they do not all agree on the top class.
        assert len(set(np.argmax(per_crop, axis=1))) > 1
        expected = per_crop.mean(axis=0)
        order = np.argsort(-expected, kind="stable")[:5]
        assert [p.index for p in result.top] == list(order)
        assert [p.prob for p in result.top] == pytest.approx(expected[order], abs=1e-6)
    # One backend call per batch of two images: twenty crops.
    assert backend.calls == 1


def test_centre_only_and_10crop_differ_on_the_same_image(tmp_path):
    corners_image().save(tmp_path / "c.png")
    backend = LinearBackend(seed=3, scale=2.0)
    centre = list(Engine(backend, top_k=3).run([str(tmp_path / "c.png")]))[0]
    ten = list(Engine(backend, top_k=3, tta="10crop").run([str(tmp_path / "c.png")]))[0]
    assert [p.prob for p in centre.top] != pytest.approx([p.prob for p in ten.top], abs=1e-3)


def test_crop_answers_show_which_crops_disagree():
    img = corners_image()
    backend = LinearBackend(seed=3, scale=2.0)
    answers = answer_ten_crops(backend, img)
    per_crop = softmax(backend.logits_of(reference_crops(img)))
    assert answers.crop_top1() == [int(i) for i in np.argmax(per_crop, axis=1)]
    best = int(np.argmax(per_crop.mean(axis=0)))
    assert answers.disagreeing() == [i for i in range(10) if int(np.argmax(per_crop[i])) != best]
    assert 0 < len(answers.disagreeing()) < 10
    assert len(CROP_NAMES) == 10


def test_crop_regions_in_original_pixels():
    boxes = crop_regions(512, 384)  # resized to 341 x 256, scale 1.5
    assert boxes[0] == (0, 0, 336, 336)
    assert boxes[1] == (176, 0, 512, 336)
    assert boxes[3] == (176, 48, 512, 384)
    assert boxes[4] == (87, 24, 423, 360)
    assert boxes[5] == boxes[1] and boxes[6] == boxes[0]  # a mirrored corner covers the opposite corner


def test_unknown_tta_mode_is_refused():
    with pytest.raises(ValueError, match="unknown test-time augmentation '5crop'"):
        Engine(LinearBackend(), tta="5crop")
