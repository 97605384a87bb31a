"""`--decode gpu`: batched JPEG decode, resize and crop on the model's device (core/pipeline/gpu_decode.py).

On a machine without CUDA the very same code runs with torch on the CPU (torchvision's decode_jpeg then uses
libjpeg-turbo instead of nvJPEG): parity with the exact CPU path, input order, fallbacks for files the device
decoder should not take, EXIF orientation, and the engine's refusal of a backend that is not torch on CUDA.
"""

import io
import os

import numpy as np
import pytest
from PIL import Image

from alexnet_gui.core.backends.base import Backend
from alexnet_gui.core.errors import UserError
from alexnet_gui.core.pipeline.decode import load_input
from alexnet_gui.core.pipeline.engine import Engine
from tests.image_fixtures import photo_like, write_photos, write_tricky_folder
from tests.known_answers import TEST_CARD

torch = pytest.importorskip("torch")
pytest.importorskip("torchvision")

from alexnet_gui.core.pipeline.gpu_decode import decode_batch, prepare  # noqa: E402

# Measured here on the CPU decoder: RMS max 0.0017, mean 0.0009 (normalised units) over photo-like JPEGs of
# 640x480, 480x640, 300x700, 1024x768 and 4032x3024; the --fast-decode target is 0.02.
CPU_RMS_LIMIT = 0.004


def _rms(a, b) -> float:
    return float(np.sqrt(np.mean((np.asarray(a, np.float64) - np.asarray(b, np.float64)) ** 2)))


def _corpus(folder):
    from benchmarks.corpus import _write

    paths = [str(p) for p in write_photos(folder / "landscape", 4)]
    paths += [str(p) for p in write_photos(folder / "portrait", 2, size=(480, 640), seed=3)]
    paths += [str(p) for p in write_photos(folder / "tall", 2, size=(300, 700), seed=4)]  # Pillow's other pass order
    for i in range(3):
        path = folder / f"bench_{i}.jpg"
        _write(path, 1024, 768, 1000 + i)  # the benchmark corpus's recipe (4:2:0, quality 90)
        paths.append(str(path))
    path = folder / "phone.jpg"
    _write(path, 4032, 3024, 5000)
    paths.append(str(path))
    return paths


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return _corpus(tmp_path_factory.mktemp("gpu_decode_corpus"))


def test_device_decode_is_within_a_few_thousandths_rms_of_the_exact_input(corpus):
    assert all(prepare(p).data is not None for p in corpus)  # all decoded by decode_jpeg, none by the CPU path
    decoded = decode_batch(corpus, "cpu")
    rms = []
    for path, x in zip(corpus, decoded):
        assert isinstance(x, torch.Tensor), (path, x)
        assert x.shape == (3, 224, 224) and x.dtype == torch.float32 and x.device.type == "cpu"
        rms.append(_rms(x.numpy(), load_input(path)))
    assert 0 < max(rms) <= CPU_RMS_LIMIT, rms
    assert np.mean(rms) <= CPU_RMS_LIMIT / 2, rms


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA (nvJPEG)")
def test_nvjpeg_stays_within_the_fast_decode_target(corpus):
    decoded = decode_batch(corpus, "cuda")
    rms = [_rms(x.cpu().numpy(), load_input(path)) for path, x in zip(corpus, decoded)]
    assert all(x.device.type == "cuda" for x in decoded)
    assert max(rms) <= 0.02, rms


def test_results_follow_the_input_order_with_broken_files_and_pngs_in_their_rows(tmp_path):
    expected = write_tricky_folder(tmp_path)
    names = [n for n in sorted(expected) if n not in ("notes.txt", ".hidden.jpg")]
    photos = [str(p) for p in write_photos(tmp_path / "photos", 3)]
    paths = [photos[0], *[str(tmp_path / n) for n in names], photos[1], str(tmp_path / "missing.jpg"), photos[2]]
    decoded = decode_batch(paths, "cpu")
    assert len(decoded) == len(paths)
    for path, x in zip(paths, decoded):
        name = os.path.basename(path)
        if name == "missing.jpg":
            assert x == "file not found"
        elif expected.get(name) is not None:
            assert x == expected[name], name  # the CPU path's sentence: truncated JPEG, empty file, too large...
        else:
            assert isinstance(x, torch.Tensor), (name, x)
            # Each row holds its own image: PNGs, GIFs, CMYK go through the CPU path, JPEGs through the device's.
            assert _rms(x.numpy(), load_input(path)) <= CPU_RMS_LIMIT, name


def test_a_jpeg_the_device_decoder_refuses_takes_the_cpu_path_in_its_row(tmp_path, monkeypatch):
    import torchvision.io

    paths = [str(p) for p in write_photos(tmp_path, 3)]
    assert len({os.path.getsize(p) for p in paths}) == 3  # the stand-in below knows the refused file by its size
    refused = os.path.getsize(paths[1])
    real = torchvision.io.decode_jpeg

    def decode_jpeg(data, **kw):
        # As nvJPEG does: one bad file fails the whole batched call.
        if any(len(d) == refused for d in (data if isinstance(data, list) else [data])):
            raise RuntimeError("nvjpeg: refused")
        return real(data, **kw)

    monkeypatch.setattr(torchvision.io, "decode_jpeg", decode_jpeg)
    decoded = decode_batch(paths, "cpu")
    np.testing.assert_array_equal(decoded[1].numpy(), load_input(paths[1]))  # exactly the CPU path's input
    for i in (0, 2):
        assert 0 < _rms(decoded[i].numpy(), load_input(paths[i])) <= CPU_RMS_LIMIT  # decoded by "nvJPEG"


@pytest.mark.parametrize("kind", ["grey", "progressive", "subsampling_4:4:4"])
def test_grey_and_progressive_jpegs_take_the_device_path_too(tmp_path, kind):
    path = tmp_path / f"{kind}.jpg"
    img = photo_like(500, 375, seed=11)
    if kind == "grey":
        img.convert("L").save(path, quality=90)
    elif kind == "progressive":
        img.save(path, quality=90, progressive=True)
    else:
        img.save(path, quality=90, subsampling=0)
    assert prepare(path).data is not None
    (x,) = decode_batch([path], "cpu")
    assert 0 < _rms(x.numpy(), load_input(path)) <= CPU_RMS_LIMIT


@pytest.mark.parametrize("orientation", range(1, 9))
def test_exif_orientation_is_applied_as_the_cpu_path_does(tmp_path, orientation):
    exif = Image.Exif()
    exif[0x0112] = orientation
    path = tmp_path / f"o{orientation}.jpg"
    photo_like(400, 300, seed=orientation).save(path, quality=90, exif=exif.tobytes())
    (x,) = decode_batch([path], "cpu")
    exact = load_input(path)
    assert _rms(x.numpy(), exact) <= CPU_RMS_LIMIT
    # A wrong rotation or mirror would be far off, not a few thousandths.
    assert all(_rms(x.numpy(), np.rot90(exact, k, axes=(1, 2))) > 0.1 for k in (1, 2, 3))
    assert _rms(x.numpy(), exact[:, :, ::-1]) > 0.1


def test_a_truncated_jpeg_and_a_decompression_bomb_get_the_cpu_paths_reason(tmp_path):
    buf = io.BytesIO()
    photo_like(640, 480, seed=8).save(buf, "JPEG", quality=90)
    (tmp_path / "cut.jpg").write_bytes(buf.getvalue()[: len(buf.getvalue()) * 2 // 3])
    # A JPEG header claiming 20000 x 20000 pixels: refused from the header, nothing is decoded.
    big = bytearray(buf.getvalue())
    sof = big.index(b"\xff\xc0")
    big[sof + 5:sof + 9] = (20000).to_bytes(2, "big") * 2
    (tmp_path / "bomb.jpg").write_bytes(bytes(big))
    assert decode_batch([tmp_path / "cut.jpg", tmp_path / "bomb.jpg"], "cpu") == [
        "truncated JPEG", "image too large (20000x20000 pixels)",
    ]


class RecordingTorch(Backend):
    """A stand-in torch backend that keeps every input it is given; its logits are the input's first 1000 values."""

    name, device, provider, weights_source = "torch", "cpu", "test", "none"
    card = TEST_CARD
    capabilities = frozenset({"device-tensors"})

    def __init__(self):
        self.seen = []

    def predict(self, batch):
        self.seen.extend(np.asarray(batch))
        return batch.reshape(len(batch), -1)[:, :1000].copy()

    def predict_tensor(self, x):
        assert isinstance(x, torch.Tensor) and x.shape[1:] == (3, 224, 224) and x.dtype == torch.float32
        return self.predict(x.numpy())

    def activations(self, batch, layers):
        raise NotImplementedError


def test_engine_decode_gpu_runs_batches_in_order_with_failures_in_their_rows(tmp_path):
    expected = write_tricky_folder(tmp_path)
    photos = [str(p) for p in write_photos(tmp_path / "photos", 5)]
    paths = [photos[0], str(tmp_path / "broken.jpg"), photos[1], str(tmp_path / "good.png"), *photos[2:],
             str(tmp_path / "exif_rotated.jpg"), str(tmp_path / "truncated.jpg"), str(tmp_path / "cmyk.jpg")]
    backend = RecordingTorch()
    results = list(Engine(backend, top_k=3, batch_size=3, decode="gpu", _gpu_decode_on_any_device=True).run(paths))
    assert [r.path for r in results] == paths
    assert [r.error for r in results] == [expected.get(os.path.basename(p)) for p in paths]
    assert results[1].error == "not an image file" and results[-2].error == "truncated JPEG"
    # The model saw each good image once, in order, each one its own picture (photos differ by far more).
    good = [p for p, r in zip(paths, results) if r.ok]
    assert len(backend.seen) == len(good) == 8
    for path, seen in zip(good, backend.seen):
        assert _rms(seen, load_input(path)) <= CPU_RMS_LIMIT, path


def test_torch_backend_predict_tensor_equals_predict(corpus, torch_backend):
    inputs = decode_batch(corpus[:4], "cpu")
    logits = torch_backend.predict_tensor(torch.stack(inputs))
    assert logits.shape == (4, 1000) and logits.dtype == np.float32
    np.testing.assert_allclose(logits, torch_backend.predict(np.stack([x.numpy() for x in inputs])), atol=1e-4)
    engine = Engine(torch_backend, top_k=5, batch_size=3, decode="gpu", _gpu_decode_on_any_device=True)
    results = list(engine.run(corpus))
    assert [r.path for r in results] == corpus and all(r.ok and len(r.top) == 5 for r in results)


def test_engine_decode_gpu_waits_for_a_loading_backend(tmp_path, torch_backend):
    from concurrent.futures import Future

    paths = [str(p) for p in write_photos(tmp_path, 3)]
    future = Future()
    engine = Engine(future, top_k=1, batch_size=2, decode="gpu", _gpu_decode_on_any_device=True)
    future.set_result(torch_backend)
    assert [r.ok for r in engine.run(paths)] == [True, True, True]


def test_engine_refuses_decode_gpu_without_the_torch_backend_on_cuda(torch_backend, onnx_backend):
    with pytest.raises(UserError) as exc:
        Engine(onnx_backend, decode="gpu")
    assert str(exc.value) == "--decode gpu needs the torch backend on CUDA (here: onnx on cpu)"
    with pytest.raises(UserError, match=r"needs the torch backend on CUDA \(here: torch on cpu\)"):
        Engine(torch_backend, decode="gpu")


def test_engine_refuses_a_loading_onnx_backend_when_it_arrives(tmp_path, onnx_backend):
    from concurrent.futures import Future

    future = Future()
    engine = Engine(future, decode="gpu")
    future.set_result(onnx_backend)
    with pytest.raises(UserError, match=r"here: onnx on cpu"):
        list(engine.run([str(p) for p in write_photos(tmp_path, 1)]))


def test_decode_gpu_excludes_fast_decode_and_ten_crops(torch_backend):
    with pytest.raises(UserError, match="--fast-decode"):
        Engine(torch_backend, decode="gpu", fast_decode=True, _gpu_decode_on_any_device=True)
    with pytest.raises(UserError, match="10crop"):
        Engine(torch_backend, decode="gpu", tta="10crop", _gpu_decode_on_any_device=True)


@pytest.mark.parametrize("extra, sentence", [
    ([], "--decode gpu needs the torch backend on CUDA (here: torch on cpu)"),
    (["--fast-decode"], "--fast-decode sets the CPU decoder; choose it or --decode gpu, not both"),
    (["--tta", "10crop"], "--decode gpu makes the single centre crop only; use --decode cpu with --tta 10crop"),
])
def test_classify_decode_gpu_exits_2_with_one_sentence(tmp_path, capsys, extra, sentence):
    from alexnet_gui.cli import main

    if not extra and torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    photo = write_photos(tmp_path, 1)[0]
    out = tmp_path / "out.csv"
    code = main(["classify", str(photo), "--out", str(out), "--untrained", "--backend", "torch", "--decode", "gpu",
                 *extra])
    err = capsys.readouterr().err
    assert code == 2
    assert f"error: {sentence}" in err
    assert "Traceback" not in err
    assert os.listdir(tmp_path) == [photo.name]  # no CSV, no temporary file left behind
