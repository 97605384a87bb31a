"""The batch engine: the folder walk, results in order, bad files as rows, cancel, parity with torchvision."""

import os
import threading

import numpy as np
import pytest

from alexnet_gui.core.backends.base import Backend
from alexnet_gui.core.model.preprocess import TORCHVISION
from alexnet_gui.core.pipeline.engine import Engine, iter_image_paths
from alexnet_gui.core.pipeline.scores import softmax
from tests.image_fixtures import write_photos, write_tricky_folder
from tests.known_answers import TEST_CARD


class PixelLogits(Backend):
    """A test backend whose logits are the input's first 1000 values: every image gets its own answer."""

    name, device, provider, weights_source = "pixels", "cpu", "numpy", "none"
    card = TEST_CARD

    def __init__(self):
        self.batch_sizes = []
        self.addresses = []

    def predict(self, batch):
        self.batch_sizes.append(len(batch))
        self.addresses.append(batch.__array_interface__["data"][0])
        return batch.reshape(len(batch), -1)[:, :1000].copy()

    def activations(self, batch, layers):
        raise NotImplementedError


def test_walk_is_recursive_sorted_and_skips_hidden_and_non_images(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / ".git").mkdir()
    for name in ["b/z.JPG", "b/a.png", "c.jpeg", "a.txt", ".hidden.jpg", ".git/x.jpg", "d.webp"]:
        (tmp_path / name).write_bytes(b"x")
    found = [os.path.relpath(p, tmp_path) for p in iter_image_paths([tmp_path])]
    assert found == ["b/a.png", "b/z.JPG", "c.jpeg", "d.webp"]


def test_walk_keeps_the_path_as_given(tmp_path, monkeypatch):
    (tmp_path / "f").mkdir()
    (tmp_path / "f" / "a.jpg").write_bytes(b"x")
    assert list(iter_image_paths([str(tmp_path / "f")])) == [str(tmp_path / "f" / "a.jpg")]
    monkeypatch.chdir(tmp_path)
    assert list(iter_image_paths(["f"])) == [os.path.join("f", "a.jpg")]


def test_explicit_files_always_get_a_row_even_when_not_images(tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    assert list(iter_image_paths([tmp_path / "notes.txt", tmp_path / "missing.jpg"])) == [
        str(tmp_path / "notes.txt"), str(tmp_path / "missing.jpg"),
    ]


def test_symlink_loops_end(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.png").write_bytes(b"x")
    (tmp_path / "a" / "loop").symlink_to(tmp_path)
    (tmp_path / "a" / "self").symlink_to(tmp_path / "a")
    assert [os.path.relpath(p, tmp_path) for p in iter_image_paths([tmp_path])] == ["a/x.png"]


def test_tricky_folder_gives_one_row_per_image_in_order_with_reasons(tmp_path):
    expected = write_tricky_folder(tmp_path)
    backend = PixelLogits()
    paths = list(iter_image_paths([tmp_path]))
    results = list(Engine(backend, batch_size=4).run(paths))
    assert [r.path for r in results] == paths
    by_name = {os.path.relpath(r.path, tmp_path): r for r in results}
    for name, error in expected.items():
        if name not in by_name:  # hidden and non-image files are not walked
            continue
        assert by_name[name].error == error, name
        assert (len(by_name[name].top) == 5) == (error is None), name
    assert all(n <= 4 for n in backend.batch_sizes)


def test_results_match_each_image_through_the_stacked_batch(tmp_path):
    from alexnet_gui.core.pipeline.decode import load_input

    paths = [str(p) for p in write_photos(tmp_path, 7, size=(320, 240))]
    results = list(Engine(PixelLogits(), batch_size=3, top_k=3).run(paths))
    for path, result in zip(paths, results):
        probs = softmax(load_input(path)[None].reshape(1, -1)[:, :1000])[0]
        assert [p.index for p in result.top] == list(np.argsort(-probs, kind="stable")[:3])
        assert [p.prob for p in result.top] == pytest.approx(sorted(probs, reverse=True)[:3], abs=1e-12)


def test_every_batch_of_a_run_is_normalised_into_one_reused_array(tmp_path):
    paths = [str(p) for p in write_photos(tmp_path, 7, size=(64, 48))]
    backend = PixelLogits()
    list(Engine(backend, batch_size=3).run(paths))
    assert backend.batch_sizes == [3, 3, 1] and len(set(backend.addresses)) == 1


def test_progress_reports_done_and_total(tmp_path):
    paths = [str(p) for p in write_photos(tmp_path, 5, size=(64, 48))]
    seen = []
    list(Engine(PixelLogits(), batch_size=2).run(paths, on_progress=lambda d, t: seen.append((d, t))))
    assert seen == [(2, 5), (4, 5), (5, 5)]


def test_cancel_stops_within_one_batch_and_keeps_what_was_done(tmp_path):
    paths = [str(p) for p in write_photos(tmp_path, 10, size=(64, 48))]
    cancel = threading.Event()
    results = []
    for result in Engine(PixelLogits(), batch_size=3).run(paths, cancel=cancel):
        results.append(result)
        cancel.set()
    assert [r.path for r in results] == paths[:3]
    assert all(r.ok for r in results)


def test_decoding_runs_while_the_backend_is_still_loading(tmp_path, monkeypatch):
    from concurrent.futures import Future

    from alexnet_gui.core.pipeline import engine as engine_module

    paths = [str(p) for p in write_photos(tmp_path, 6, size=(64, 48))]
    decoded, all_decoded = [], threading.Event()
    real_decode = engine_module.decode_crop

    def counting_decode(*args):
        x = real_decode(*args)
        decoded.append(args[0])
        if len(decoded) == 6:
            all_decoded.set()
        return x

    monkeypatch.setattr(engine_module, "decode_crop", counting_decode)
    loading: Future = Future()
    # The recipe is known before the model (torchvision's card is built in), so decoding need not wait for it.
    results = Engine(loading, batch_size=2, recipe=TORCHVISION).run(paths)
    first: list = []
    waiter = threading.Thread(target=lambda: first.append(next(results)))
    waiter.start()
    # While the model is not there yet, decoding runs up to four batches ahead (two once it is): all three batches
    # here. No result can come out before the model is there.
    assert all_decoded.wait(timeout=30)
    assert not first
    loading.set_result(PixelLogits())
    waiter.join(timeout=30)
    rest = list(results)
    assert [r.path for r in first + rest] == paths and all(r.ok for r in first + rest)


def test_a_backend_that_fails_to_load_raises_its_error_at_the_first_batch(tmp_path):
    from concurrent.futures import Future

    from alexnet_gui.core.backends.base import BackendError

    paths = [str(p) for p in write_photos(tmp_path, 3, size=(64, 48))]
    loading: Future = Future()
    loading.set_exception(BackendError("cannot load ONNX model x.onnx (Protobuf parsing failed.)"))
    with pytest.raises(BackendError, match="cannot load ONNX model x.onnx"):
        next(Engine(loading, batch_size=2).run(paths))


def test_torch_engine_matches_the_torchvision_reference_recipe(tmp_path, torch_backend, untrained_weights):
    """The user's recipe: Image.open().convert("RGB"), weights.transforms(), model(x[None]), softmax, top-5."""
    import torch
    import torchvision
    from PIL import Image
    from torchvision.models import AlexNet_Weights

    from alexnet_gui.core.model.weights import untrained_state_dict

    paths = [str(p) for p in write_photos(tmp_path, 4, size=(500, 375))]
    model = torchvision.models.alexnet()
    model.load_state_dict(untrained_state_dict(0))
    model.eval()
    transform = AlexNet_Weights.IMAGENET1K_V1.transforms()
    results = list(Engine(torch_backend, batch_size=3).run(paths))
    for path, result in zip(paths, results):
        with torch.no_grad():
            probs = model(transform(Image.open(path).convert("RGB"))[None]).softmax(1)[0]
        ref = probs.topk(5)
        assert [p.index for p in result.top] == ref.indices.tolist()
        assert [p.prob for p in result.top] == pytest.approx(ref.values.tolist(), abs=1e-5)


def test_a_run_accounts_for_decoding_cpu_and_the_models_time(tmp_path):
    from types import SimpleNamespace

    from alexnet_gui.commands.classify import describe_balance

    paths = [str(p) for p in write_photos(tmp_path, 6, size=(640, 480))]
    engine = Engine(PixelLogits(), batch_size=4)
    assert len(list(engine.run(paths))) == 6
    assert engine.decode_cpu_seconds > 0 and engine.model_seconds > 0 and engine.decode_wait_seconds >= 0
    first = engine.decode_cpu_seconds
    list(engine.run(paths[:1]))  # each run counts afresh
    assert engine.decode_cpu_seconds < first
    busy = SimpleNamespace(decode_cpu_seconds=3.0, model_seconds=1.5, decode_wait_seconds=0.5)
    assert describe_balance(busy, 4.0, fast_decode=False) == (
        "decoding used 3.0 of 4.0 CPU seconds (75%); the model ran 1.5 s and waited 0.5 s for images "
        "(--fast-decode decodes JPEGs several times faster)")
    assert describe_balance(busy, 4.0, fast_decode=True).endswith("waited 0.5 s for images")


def test_without_a_batch_size_the_first_batch_is_32_then_the_gpu_gets_128_and_the_cpu_32_or_64_fast(tmp_path):
    from concurrent.futures import Future

    paths = [str(p) for p in write_photos(tmp_path, 130, size=(32, 24))]

    class OnCuda(PixelLogits):
        device = "cuda"

    # The first batch is cut at 32 images, so that the first rows come soon; later batches take the default.
    gpu, cpu = OnCuda(), PixelLogits()
    assert len(list(Engine(gpu).run(paths))) == 130 and gpu.batch_sizes == [32, 98]
    assert len(list(Engine(cpu).run(paths))) == 130 and cpu.batch_sizes == [32, 32, 32, 32, 2]
    fast, fast_gpu, ten_crops = PixelLogits(), OnCuda(), PixelLogits()
    assert len(list(Engine(fast, fast_decode=True).run(paths))) == 130 and fast.batch_sizes == [32, 64, 34]
    list(Engine(fast_gpu, fast_decode=True).run(paths))
    assert fast_gpu.batch_sizes == [32, 98]
    # Ten crops make each image ten inputs: its batches stay at 32 images.
    list(Engine(ten_crops, fast_decode=True, tta="10crop").run(paths[:40]))
    assert ten_crops.batch_sizes == [320, 80]
    asked = PixelLogits()
    list(Engine(asked, batch_size=50).run(paths))
    assert asked.batch_sizes == [50, 50, 30]
    # A model still loading: the first batch is cut at the CPU's size, later ones at its device's.
    loading: Future = Future()
    engine = Engine(loading)
    assert engine.batch_size == 32
    later = OnCuda()
    loading.set_result(later)
    assert engine.batch_size == 128
