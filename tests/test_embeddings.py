"""Embeddings (issue 34): the index, search, near-duplicates, the map, recording while classifying, and the
similar / duplicates / map commands, checked against torchvision's AlexNet with the same seeded weights."""

from __future__ import annotations

import csv
import os
import shutil
import threading
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from alexnet_gui.cli import main

PHOTOS = ("astronaut", "chelsea", "coffee")


def one_sentence(err: str) -> str:
    lines = [line for line in err.strip().splitlines()
             if line.startswith("error:") or "Traceback" in line]
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


def read_csv(path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


@pytest.fixture(scope="module")
def photos(tmp_path_factory) -> Path:
    """Three scikit-image photos, each with a re-encoded JPEG, a resized and a cropped copy (12 images)."""
    from skimage import data

    root = tmp_path_factory.mktemp("photos")
    for name in PHOTOS:
        image = Image.fromarray(getattr(data, name)())
        w, h = image.size
        image.save(root / f"{name}.png")
        image.save(root / f"{name}_q60.jpg", quality=60)
        image.resize((w * 2 // 3, h * 2 // 3), Image.BICUBIC).save(root / f"{name}_small.png")
        image.crop((w // 20, h // 20, w - w // 20, h - h // 20)).save(root / f"{name}_crop.png")
    return root


@pytest.fixture(scope="module")
def reference_fc7():
    """fc7 after its ReLU by torchvision's own AlexNet with the seeded state_dict the app's --untrained uses, on the
    inputs the app's recipe makes: path → float64 vector."""
    import torch
    import torchvision

    from alexnet_gui.core.model.preprocess import TORCHVISION
    from alexnet_gui.core.model.weights import untrained_state_dict
    from alexnet_gui.core.pipeline.decode import load_image_input

    model = torchvision.models.alexnet()
    model.load_state_dict(untrained_state_dict(0))
    model.eval()

    def fc7(path) -> np.ndarray:
        x = torch.from_numpy(load_image_input(path, recipe=TORCHVISION)[None])
        with torch.inference_mode():
            h = torch.flatten(model.avgpool(model.features(x)), 1)
            h = model.classifier[:6](h)  # dropout, fc6, ReLU, dropout, fc7, ReLU
        return h[0].double().numpy()

    return fc7


def torch_cosine_distance(a: np.ndarray, b: np.ndarray) -> float:
    import torch

    return float(1 - torch.nn.functional.cosine_similarity(torch.from_numpy(a)[None], torch.from_numpy(b)[None])[0])


# -- the commands, against the reference ------------------------------------------------------------------------


def test_similar_finds_the_copies_with_torchvisions_cosine_distances(photos, reference_fc7, tmp_path, capsys):
    query = tmp_path / "query.png"
    shutil.copyfile(photos / "chelsea.png", query)  # outside the folder; its identical copy inside is listed
    out = tmp_path / "sim.csv"
    assert main(["similar", str(query), str(photos), "-k", "4", "--out", str(out), "--untrained",
                 "--index", str(tmp_path / "index")]) == 0
    rows = read_csv(out)
    assert rows[0] == ["rank", "path", "distance"]
    assert [r[0] for r in rows[1:]] == ["1", "2", "3", "4"]
    names = [Path(r[1]).name for r in rows[1:]]
    assert names[0] == "chelsea.png" and rows[1][2] == "0.000000"  # the query's byte-identical copy
    assert sorted(names[1:]) == ["chelsea_crop.png", "chelsea_q60.jpg", "chelsea_small.png"]
    q = reference_fc7(query)
    for _rank, path, cell in rows[1:]:
        assert cell == f"{float(cell):.6f}"
        assert float(cell) == pytest.approx(torch_cosine_distance(q, reference_fc7(path)), abs=5e-4)
    # the query and the 12 searched images; the query's copy chelsea.png shares its model run
    assert "13 images: 0 from the embedding index, 13 computed (fc7)" in capsys.readouterr().err

    # A second question reads every vector from the index: no model is opened.
    assert main(["similar", str(query), str(photos), "-k", "2", "--untrained", "--metric", "euclidean",
                 "--index", str(tmp_path / "index")]) == 0
    captured = capsys.readouterr()
    assert "13 images: 13 from the embedding index, 0 computed (fc7)" in captured.err
    assert "backend:" not in captured.err
    table = captured.out.splitlines()
    assert table[0].split() == ["rank", "distance", "path"] and len(table) == 3
    first = table[1].split()
    assert first[0] == "1" and float(first[1]) == pytest.approx(
        float(np.linalg.norm(q - reference_fc7(first[2]))), rel=2e-3)


def test_similar_leaves_out_the_query_however_spelled_and_lists_its_copies(photos, tmp_path, monkeypatch, capsys):
    """Issue 34: the query is not its own neighbour; a user looking for copies of an image must see them."""
    folder = tmp_path / "folder"
    folder.mkdir()
    for name in ("chelsea.png", "chelsea_q60.jpg", "coffee.png"):
        shutil.copyfile(photos / name, folder / name)
    shutil.copyfile(photos / "chelsea.png", folder / "twin.png")
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "sim.csv"
    # The query relative, the folder (so its images) absolute: the same file.
    assert main(["similar", os.path.join("folder", "chelsea.png"), str(folder), "-k", "6", "--out", str(out),
                 "--untrained", "--index", str(tmp_path / "index")]) == 0
    rows = read_csv(out)[1:]
    assert [Path(r[1]).name for r in rows][0] == "twin.png" and rows[0][2] == "0.000000"
    assert sorted(Path(r[1]).name for r in rows) == ["chelsea_q60.jpg", "coffee.png", "twin.png"]
    # the query once (not again under its other spelling) and the 3 others; twin.png shares its model run
    assert "4 images: 0 from the embedding index, 4 computed (fc7)" in capsys.readouterr().err


def test_duplicates_groups_the_copies_and_not_the_distinct_photos(photos, tmp_path):
    out = tmp_path / "dups.csv"
    assert main(["duplicates", str(photos), "--threshold", "0.01", "--out", str(out), "--untrained",
                 "--index", str(tmp_path / "index")]) == 0
    rows = read_csv(out)
    assert rows[0] == ["group", "path", "distance"]
    expected = []
    for number, name in enumerate(sorted(PHOTOS), 1):
        members = sorted(str(photos / f"{name}{suffix}") for suffix in (".png", "_crop.png", "_q60.jpg", "_small.png"))
        expected += [[str(number), path] for path in members]
    assert [r[:2] for r in rows[1:]] == expected
    firsts = {r[0]: r for r in reversed(rows[1:])}
    assert all(first[2] == "0.000000" for first in firsts.values())
    assert all(0 <= float(r[2]) <= 0.01 for r in rows[1:])


def test_map_labels_are_classifys_top1_recorded_by_classify_embed(photos, tmp_path, capsys):
    index = str(tmp_path / "index")
    assert main(["classify", str(photos), "--out", str(tmp_path / "c.csv"), "--untrained", "--embed",
                 "--index", index, "--top-k", "1"]) == 0
    top1 = {r[0]: r[3] for r in read_csv(tmp_path / "c.csv")[1:]}
    capsys.readouterr()
    out, png = tmp_path / "map.csv", tmp_path / "map.png"
    assert main(["map", str(photos), "--out", str(out), "--png", str(png), "--untrained", "--index", index]) == 0
    assert "12 images: 12 from the embedding index, 0 computed (fc7)" in capsys.readouterr().err
    rows = read_csv(out)
    assert rows[0] == ["path", "x", "y", "label"]
    assert {r[0]: r[3] for r in rows[1:]} == top1
    assert all(cell == f"{float(cell):.6f}" for r in rows[1:] for cell in r[1:3])
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert main(["map", str(photos), "--out", str(out), "--label", "folder", "--untrained", "--index", index]) == 0
    assert {r[3] for r in read_csv(out)[1:]} == {photos.name}


# -- bad input: one sentence, exit 2, nothing written -------------------------------------------------------------


def test_refusals_are_one_sentence_and_write_nothing(photos, tmp_path, capsys, no_model):
    empty = tmp_path / "empty"
    empty.mkdir()
    not_image = tmp_path / "notes.jpg"
    not_image.write_text("not an image")
    out = tmp_path / "out.csv"
    cases = [
        (["similar", str(not_image), str(photos)], f"error: {not_image}: "),
        (["similar", str(photos / "chelsea.png"), str(empty)], f"error: no image files found in {empty}"),
        (["duplicates", str(empty), "--out", str(out)], f"error: no image files found in {empty}"),
        (["similar", str(photos / "chelsea.png"), str(photos), "--layer", "conv3"],
         "error: --layer 'conv3' cannot be indexed; choose pool5, fc6 or fc7"),
        (["duplicates", str(photos), "--threshold", "2.5", "--out", str(out)],
         "error: the threshold must be a cosine distance from 0 to 2, got 2.5"),
        (["duplicates", str(photos), "--threshold", "-0.1", "--out", str(out)],
         "error: the threshold must be a cosine distance from 0 to 2, got -0.1"),
        (["map", str(photos), "--out", str(photos / "chelsea.png")],
         f"error: --out {photos / 'chelsea.png'} is one of the inputs; it would be overwritten — choose another name"),
        (["classify", str(photos), "--out", str(out), "--embed", "conv3"],
         "error: --layer 'conv3' cannot be indexed; choose pool5, fc6 or fc7"),
        (["classify", str(photos), "--out", str(out), "--embed", "--tta", "10crop"],
         "error: --embed records the single centre crop; leave out --tta 10crop"),
        (["classify", str(photos), "--out", str(out), "--embed", "--engine", "ray", "--precision", "int8"],
         "error: --embed with --engine ray records with --precision fp32 only"),
    ]
    for argv, sentence in cases:
        assert main([*argv, "--untrained"]) == 2, argv
        assert one_sentence(capsys.readouterr().err).startswith(sentence), argv
    assert not out.exists()
    assert sorted(os.listdir(tmp_path)) == ["empty", "notes.jpg"]


def test_an_index_written_by_another_card_is_refused(photos, tmp_path, capsys):
    from alexnet_gui.core.embeddings.index import open_index

    open_index("someone-else@0123abcd", "fc7", folder=tmp_path / "index").close()
    out = tmp_path / "dups.csv"
    assert main(["duplicates", str(photos), "--out", str(out), "--untrained", "--index", str(tmp_path / "index")]) == 2
    assert one_sentence(capsys.readouterr().err) == (
        f"error: the embedding index in {tmp_path / 'index' / 'fc7'} was written by model card someone-else@0123abcd, "
        "not untrained-seed0; give another --index folder")
    assert not out.exists()


def test_a_layer_the_model_does_not_have_and_a_missing_map_method_are_one_sentence(monkeypatch):
    import importlib.util

    from alexnet_gui.core.embeddings.layout import check_method
    from alexnet_gui.core.embeddings.tasks import check_layer
    from alexnet_gui.core.errors import UserError

    class GraphCard:  # a user's ONNX graph: no named layers
        card_id = "graph@00000000"

        def unit_layers(self):
            return ()

    with pytest.raises(UserError, match="^the model graph@00000000 has no layer fc7 "):
        check_layer("fc7", GraphCard())
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "umap" else real(name, *a))
    with pytest.raises(UserError) as refused:
        check_method("umap")
    assert str(refused.value) == ("--method umap needs umap-learn, which is not installed: pip install "
                                  "'alexnet-gui[map]', or use --method pca")


# -- recording while classifying: one pass -----------------------------------------------------------------------


def test_recording_runs_the_model_once_per_batch_and_decodes_each_image_once(onnx_backend, photos, tmp_path,
                                                                            monkeypatch):
    import onnxruntime as ort

    from alexnet_gui.core.embeddings.index import open_index
    from alexnet_gui.core.embeddings.tasks import EmbeddingRecorder, embed
    from alexnet_gui.core.pipeline import engine as engine_module

    paths = sorted(str(p) for p in photos.iterdir())
    decodes, runs = [], []
    real_decode, real_run = engine_module.decode_crop, ort.InferenceSession.run
    monkeypatch.setattr(engine_module, "decode_crop", lambda path, *a: decodes.append(path) or real_decode(path, *a))
    monkeypatch.setattr(ort.InferenceSession, "run",
                        lambda self, names, feed, *a: runs.append(tuple(names)) or real_run(self, names, feed, *a))
    index = open_index(onnx_backend.card.card_id, "fc7", folder=tmp_path / "index")
    recorder = EmbeddingRecorder(index)
    engine = engine_module.Engine(onnx_backend, batch_size=5, embedding_recorder=recorder)
    results = list(engine.run(paths))
    assert all(r.ok for r in results) and len(results) == 12
    assert sorted(decodes) == paths  # each image decoded once
    assert runs == [("logits", "fc7")] * 3  # one model run per batch of 5, 5, 2: scores and fc7 together
    assert recorder.recorded == 12 and len(index) == 12

    def no_model():
        raise AssertionError("the index lacked a vector")

    done = embed(paths, index, no_model)
    assert done.computed == 0 and done.paths == paths and done.vectors.shape == (12, 4096)


def test_recorded_vectors_are_torchvisions_fc7_after_relu(onnx_backend, torch_backend, photos, reference_fc7,
                                                          tmp_path):
    from alexnet_gui.core.embeddings.index import open_index
    from alexnet_gui.core.embeddings.tasks import embed

    paths = [str(photos / "coffee.png"), str(photos / "astronaut_q60.jpg")]
    for backend in (onnx_backend, torch_backend):
        index = open_index(backend.card.card_id, "fc7", folder=tmp_path / backend.name)
        done = embed(paths, index, lambda b=backend: b)
        assert done.computed == 2
        for path, vector in zip(done.paths, done.vectors):
            ref = reference_fc7(path)
            assert vector.min() >= 0
            np.testing.assert_allclose(vector, ref, atol=2e-3 * float(np.abs(ref).max()), rtol=2e-3)


def test_an_index_that_cannot_be_written_stops_recording_not_classifying(onnx_backend, photos, tmp_path,
                                                                          monkeypatch, caplog):
    from alexnet_gui.core.embeddings.index import EmbeddingIndex, open_index
    from alexnet_gui.core.embeddings.tasks import EmbeddingRecorder
    from alexnet_gui.core.pipeline.engine import Engine

    def full_disk(self, *args):
        raise OSError(28, "No space left on device")

    index = open_index(onnx_backend.card.card_id, "fc7", folder=tmp_path)
    monkeypatch.setattr(EmbeddingIndex, "add", full_disk)
    recorder = EmbeddingRecorder(index)
    paths = sorted(str(p) for p in photos.iterdir())[:4]
    results = list(Engine(onnx_backend, batch_size=2, embedding_recorder=recorder).run(paths))
    assert [r.path for r in results if r.ok] == paths
    assert recorder.failed == "the disk is full" and recorder.recorded == 0
    assert [r.getMessage() for r in caplog.records if "embedding index" in r.getMessage()] == [
        f"cannot write the embedding index in {tmp_path / 'fc7'} (the disk is full); classifying goes on "
        "without recording"]


# -- the index on disk ---------------------------------------------------------------------------------------------


def _damage_rows(folder: Path) -> None:
    path = folder / "vectors.f16"
    data = bytearray(path.read_bytes())
    data[256 + 100] ^= 0xFF
    path.write_bytes(bytes(data))


def _damage_header(folder: Path) -> None:
    path = folder / "vectors.f16"
    data = bytearray(path.read_bytes())
    data[20] ^= 0x01  # the row count
    path.write_bytes(bytes(data))


def _truncate(folder: Path) -> None:
    path = folder / "vectors.f16"
    os.truncate(path, path.stat().st_size - 3000)


def _damage_keys(folder: Path) -> None:
    for name in ("keys.sqlite-wal", "keys.sqlite-shm"):
        (folder / name).unlink(missing_ok=True)
    (folder / "keys.sqlite").write_bytes(b"garbage" * 100)


@pytest.mark.parametrize("damage, reason", [
    (_truncate, "is cut short"), (_damage_rows, "fails its checksum"),
    (_damage_header, "its header fails its checksum"), (_damage_keys, "file is not a database"),
])
def test_a_damaged_index_is_detected_and_made_again(onnx_backend, photos, tmp_path, damage, reason):
    from alexnet_gui.core.embeddings.index import open_index
    from alexnet_gui.core.embeddings.tasks import embed

    paths = [str(photos / "chelsea.png"), str(photos / "coffee.png")]
    index = open_index(onnx_backend.card.card_id, "fc7", folder=tmp_path)
    before = embed(paths, index, lambda: onnx_backend).vectors
    index.close()
    damage(tmp_path / "fc7")
    again = open_index(onnx_backend.card.card_id, "fc7", folder=tmp_path)
    assert again.rebuilt is not None and reason in again.rebuilt
    assert len(again) == 0
    redone = embed(paths, again, lambda: onnx_backend)
    assert redone.computed == 2
    np.testing.assert_array_equal(redone.vectors, before)
    again.close()
    assert open_index(onnx_backend.card.card_id, "fc7", folder=tmp_path).rebuilt is None


def test_a_changed_file_is_recomputed_and_an_unchanged_one_not_hashed_again(onnx_backend, tmp_path, monkeypatch):
    from alexnet_gui.core.embeddings import index as index_module
    from alexnet_gui.core.embeddings.tasks import embed
    from tests.image_fixtures import photo_like

    a, b = tmp_path / "a.png", tmp_path / "b.png"
    photo_like(120, 90, seed=1).save(a)
    photo_like(120, 90, seed=2).save(b)
    index = index_module.open_index(onnx_backend.card.card_id, "fc7", folder=tmp_path / "index")
    first = embed([str(a), str(b)], index, lambda: onnx_backend)
    hashed = []
    real = index_module.file_sha256
    monkeypatch.setattr(index_module, "file_sha256", lambda p: hashed.append(p) or real(p))
    photo_like(120, 90, seed=3).save(b)
    second = embed([str(a), str(b)], index, lambda: onnx_backend)
    assert hashed == [str(b)]  # a's size, times and inode are unchanged: its hash comes from the memo
    assert second.computed == 1 and len(index) == 3
    np.testing.assert_array_equal(second.vectors[0], first.vectors[0])
    assert not np.array_equal(second.vectors[1], first.vectors[1])


def test_concurrent_writers_add_each_content_once(tmp_path):
    from alexnet_gui.core.embeddings.index import open_index

    rng = np.random.default_rng(0)
    hashes = [f"{i:064x}" for i in range(40)]
    vectors = rng.random((40, 16), dtype=np.float32)
    stores = [open_index("card@00000000", "fc7", folder=tmp_path) for _ in range(4)]
    threads = [threading.Thread(target=s.add, args=(hashes, vectors)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(stores[0]) == 40
    rows = stores[0].rows(hashes)
    np.testing.assert_array_equal(stores[0].vectors([rows[h] for h in hashes]), vectors.astype(np.float16))


# -- search, groups and the map on known vectors -----------------------------------------------------------------


def test_nearest_by_cosine_and_euclidean_leaves_out_the_excluded():
    from alexnet_gui.core.embeddings.search import NearestIndex

    vectors = np.array([[1, 0], [0, 1], [1, 1], [2, 0.1], [0, 0]], np.float32)
    cosine = NearestIndex(vectors).query(np.array([1, 0]), 10, exclude=np.array([True, False, False, False, False]))
    assert [i for i, _ in cosine] == [3, 2, 1, 4]
    assert cosine[1][1] == pytest.approx(1 - 1 / np.sqrt(2)) and cosine[3][1] == 1.0  # a zero vector: distance 1
    euclid = NearestIndex(vectors, "euclidean").query(np.array([1, 0]), 2)
    assert euclid == [(0, 0.0), (2, 1.0)]



def brute_force(vectors, query, k, metric, exclude=None):
    """Every distance in float64 at once, nearest first, ties by row: what NearestIndex must answer exactly."""
    x, q = np.asarray(vectors, np.float64), np.asarray(query, np.float64)
    if metric == "cosine":
        norms = np.linalg.norm(x, axis=1) * np.linalg.norm(q)
        d = np.clip(1.0 - np.divide(x @ q, norms, out=np.zeros(len(x)), where=norms > 0), 0.0, 2.0)
    else:
        d = np.linalg.norm(x - q, axis=1)
    if exclude is not None:
        d[exclude] = np.inf
    order = np.lexsort((np.arange(len(d)), d))[:min(k, int(np.isfinite(d).sum()))]
    return order.tolist(), d[order]


@pytest.mark.parametrize("half", [False, True])
@pytest.mark.parametrize("metric", ["cosine", "euclidean"])
def test_nearest_equals_a_float64_brute_force_through_the_float16_or_float32_scores(half, metric):
    from alexnet_gui.core.embeddings.search import NearestIndex

    rng = np.random.default_rng(7)
    vectors = np.maximum(rng.standard_normal((600, 4096), dtype=np.float32), 0) * rng.uniform(0.1, 30, (600, 1))
    vectors[5] = 0  # a zero row
    vectors[7] = vectors[3]  # an exact tie: the lower row first
    vectors[9] = vectors[3] * 2  # the same direction: a cosine tie
    vectors[11] = vectors[3] + rng.uniform(0, 1e-3, 4096).astype(np.float32)  # below float16's resolution
    index = NearestIndex(vectors, metric, half=half)
    queries = [vectors[3], vectors[100] * 0.7 + vectors[200] * 0.3, rng.standard_normal(4096), np.zeros(4096)]
    exclude = np.zeros(600, bool)
    exclude[[1, 2, 200]] = True
    for q in queries:
        for k in (1, 6, 50):
            for ex in (None, exclude):
                rows, d = brute_force(vectors, q, k, metric, ex)
                found = index.query(q, k, exclude=ex)
                assert [i for i, _ in found] == rows
                np.testing.assert_allclose([x for _, x in found], d, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("half", [False, True])
def test_nearest_orders_near_ties_float32_cannot_tell_apart(half):
    """Rows a few 1e-9 apart in cosine (float64 input): float16 and float32 scores see one value; the exact re-score
    orders them as float64 does, not by row."""
    from alexnet_gui.core.embeddings.search import NearestIndex

    rng = np.random.default_rng(3)
    base = rng.uniform(0.5, 1.0, 4096)
    vectors = np.tile(base, (40, 1))
    steps = rng.permutation(40)
    vectors[:, 0] += steps * 1e-6  # each step moves the cosine with `base` by ~1e-9
    vectors = np.vstack([vectors, rng.uniform(0, 1, (30, 4096))])
    rows, d = brute_force(vectors, base, 10, "cosine")
    assert rows == np.argsort(steps)[:10].tolist()  # the reference itself is not row order
    found = NearestIndex(vectors, half=half).query(base, 10)
    assert [i for i, _ in found] == rows
    np.testing.assert_allclose([x for _, x in found], d, rtol=0, atol=1e-15)

def test_duplicate_groups_are_transitive_across_blocks(monkeypatch):
    from alexnet_gui.core.embeddings import duplicates

    monkeypatch.setattr(duplicates, "BLOCK_ROWS", 3)
    angles = np.array([0.0, 0.1, 0.2, 1.0, 1.5, 1.55, 3.0])  # 0-0.1-0.2 a chain, 1.5-1.55 a pair
    vectors = np.column_stack([np.cos(angles), np.sin(angles)]).astype(np.float32)
    threshold = float(1 - np.cos(0.11))
    assert duplicates.close_groups(vectors, threshold) == [[0, 1, 2], [4, 5]]
    paths = ["c", "b", "a", "x", "e", "d", "y"]
    rows = duplicates.duplicate_rows(paths, vectors, threshold)
    assert [(g, p) for g, p, _ in rows] == [(1, "a"), (1, "b"), (1, "c"), (2, "d"), (2, "e")]
    assert rows[2][2] == pytest.approx(1 - np.cos(0.2)) and rows[0][2] == 0.0
    # threshold 0: identical vectors (byte-identical files) still pair, despite float32's rounding
    same = np.random.default_rng(0).random((2, 4096), dtype=np.float32)[[0, 0, 1]]
    assert duplicates.close_groups(same, 0.0) == [[0, 1]]


def reference_groups(vectors, threshold):
    """Every pair compared at once (an n x n matrix) and scipy's connected components: what close_groups'
    blocked union-find must equal."""
    from scipy.sparse.csgraph import connected_components

    from alexnet_gui.core.embeddings.duplicates import FLOAT32_SLACK
    from alexnet_gui.core.embeddings.search import unit_rows

    x = unit_rows(vectors)
    close = (x @ x.T).astype(np.float64) >= 1.0 - threshold - FLOAT32_SLACK
    _, component = connected_components(close, directed=False)
    groups = {}
    for row, c in enumerate(component.tolist()):
        groups.setdefault(c, []).append(row)
    return [g for g in groups.values() if len(g) > 1]


@pytest.mark.parametrize("block", [1, 4, 7, 1024])
def test_duplicate_groups_equal_every_pair_compared(monkeypatch, block):
    """The groups are the same whichever pairs the blocked search skips (pairs already in one group) or stops
    before (everything already one group): one big group, chains that join late, a mostly-one-group folder."""
    from alexnet_gui.core.embeddings import duplicates

    monkeypatch.setattr(duplicates, "BLOCK_ROWS", block)
    rng = np.random.default_rng(34)
    # Clusters far apart (random directions in 64-d) of members close to their centre, in shuffled order, so
    # groups meet in later blocks; a chain of angles whose ends are only joined through the middle.
    centres = rng.standard_normal((5, 64))
    members = centres[rng.integers(0, 5, 40)] + 0.01 * rng.standard_normal((40, 64))
    angles = np.array([0.0, 0.3, 0.1, 0.2, 0.4])  # neighbours 0.1 apart, the ends 0.4
    chain = np.zeros((5, 64))
    chain[:, 0], chain[:, 1] = np.cos(angles), np.sin(angles)
    singles = rng.standard_normal((6, 64))
    mixed = np.concatenate([members, chain, singles])[rng.permutation(51)].astype(np.float32)
    one = (centres[0] + 0.01 * rng.standard_normal((30, 64))).astype(np.float32)
    mostly = one.copy()
    mostly[[3, 17]] = singles[:2]
    threshold = float(1 - np.cos(0.15))
    for vectors in (mixed, one, mostly):
        expected = sorted(reference_groups(vectors, threshold))
        assert duplicates.close_groups(vectors, threshold) == expected
    assert sorted(map(len, duplicates.close_groups(mixed, threshold)))[-1] > 5  # the clusters did form
    assert duplicates.close_groups(one, threshold) == [list(range(30))]
    assert duplicates.close_groups(mostly, threshold) == [[i for i in range(30) if i not in (3, 17)]]


@pytest.mark.parametrize("rows, spectrum", [(200, np.linspace(5, 0.1, 30)), (1500, np.geomspace(10, 0.1, 30))])
def test_pca_map_is_the_first_two_principal_components(rows, spectrum):
    from alexnet_gui.core.embeddings import layout

    rng = np.random.default_rng(1)
    x = rng.standard_normal((rows, 30)) * spectrum
    xy = layout.pca_2d(x.astype(np.float32))  # 200: exact; 1500: randomised
    centred = x - x.mean(0)
    _u, _s, vt = np.linalg.svd(centred, full_matrices=False)
    for c in range(2):
        np.testing.assert_allclose(np.abs(xy[:, c]), np.abs(centred @ vt[c]), rtol=1e-3, atol=1e-3)


@pytest.mark.skipif(os.name == "nt", reason="a file name that is not UTF-8 is a POSIX matter")
def test_a_file_name_that_is_not_utf8_is_written_with_its_bytes_escaped(photos, tmp_path, capsys):
    folder = tmp_path / "folder"
    folder.mkdir()
    shutil.copyfile(photos / "chelsea_q60.jpg", os.fsdecode(bytes(folder) + b"/bad\xff.jpg"))
    out = tmp_path / "sim.csv"
    common = ["--untrained", "--index", str(tmp_path / "index")]
    assert main(["similar", str(photos / "chelsea.png"), str(folder), "--out", str(out), *common]) == 0
    assert [r[:2] for r in read_csv(out)[1:]] == [["1", f"{folder}/bad\\xff.jpg"]]
    capsys.readouterr()
    assert main(["similar", str(photos / "chelsea.png"), str(folder), *common]) == 0
    assert capsys.readouterr().out.splitlines()[1].endswith(f"  {folder}/bad\\xff.jpg")
