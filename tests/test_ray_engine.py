"""`classify --engine ray`: Ray Data on a local two-CPU Ray instance gives the local engine's CSV, row for row."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from alexnet_gui.cli import main
from alexnet_gui.core.errors import UserError
from alexnet_gui.core.model.loading import untrained_card
from alexnet_gui.core.scale.ray_engine import CRASH_ONCE_ENV, INSTALL_HINT
from tests.image_fixtures import write_photos, write_tricky_folder

# Ray Data warns about its own deprecated settings when its DataContext is touched; not ours to fix.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:ray.*")


@pytest.fixture(scope="module")
def crash_marker(tmp_path_factory):
    """Where a test puts the file that makes one classifier actor die on its next batch."""
    return tmp_path_factory.mktemp("ray-crash") / "crash-once"


@pytest.fixture(scope="module")
def ray_cluster(crash_marker):
    """A local Ray instance with two CPUs, loopback only, for the whole module."""
    ray = pytest.importorskip("ray", reason="ray is not installed (pip install 'alexnet-gui[ray]')")
    pytest.importorskip("ray.data", reason="Ray Data is not installed (pip install 'alexnet-gui[ray]')")
    ray.init(
        num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level="WARNING",
        object_store_memory=600 * 1024**2, runtime_env={"env_vars": {CRASH_ONCE_ENV: str(crash_marker)}},
    )
    yield ray
    ray.shutdown()


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """Good and bad files side by side: photos, odd modes, truncated, empty, not-an-image, a decompression bomb."""
    root = tmp_path_factory.mktemp("ray-images")
    expected = write_tricky_folder(root / "tricky")
    write_photos(root / "photos", 9, size=(320, 240), seed=3)
    assert sum(1 for e in expected.values() if e) == 5
    return root


@pytest.fixture(scope="module")
def local_csv(folder, tmp_path_factory):
    """The local engine's CSV for the folder: the reference every Ray run must equal."""
    out = tmp_path_factory.mktemp("local") / "local.csv"
    assert main(["classify", str(folder), "--out", str(out), *OPTIONS]) == 1  # 1: some files failed
    return out.read_text(encoding="utf-8")


OPTIONS = ["--untrained", "--device", "cpu", "--top-k", "3", "--batch-size", "4"]


@pytest.mark.slow
def test_ray_csv_equals_the_local_engines_csv(ray_cluster, folder, local_csv, tmp_path, capsys):
    out = tmp_path / "ray.csv"
    status = main(["classify", str(folder), "--out", str(out), *OPTIONS, "--engine", "ray", "--workers", "1"])
    assert status == 1
    text = out.read_text(encoding="utf-8")
    assert text == local_csv
    assert len(text.splitlines()) == 1 + 15 + 9  # header, 15 tricky files (notes.txt and .hidden skipped), 9 photos
    assert "not an image file" in text and "truncated JPEG" in text and "image too large (40000x40000 pixels)" in text
    assert "Ray Data on a local Ray instance: 1 ONNX Runtime actor(s)" in capsys.readouterr().err
    assert not list(tmp_path.glob(".ray.csv.*.part"))  # written atomically: no temporary file left behind


@pytest.mark.slow
def test_fp16_on_a_cluster_without_gpus_runs_fp32_says_so_and_matches_the_local_csv(ray_cluster, folder, local_csv,
                                                                                     tmp_path, capsys):
    from alexnet_gui.core.outputs.provenance import read_provenance

    out = tmp_path / "ray16.csv"
    options = [o for o in OPTIONS if o not in ("--device", "cpu")]  # auto: the actors get no GPU here
    status = main(["classify", str(folder), "--out", str(out), *options, "--engine", "ray", "--workers", "1",
                   "--precision", "fp16"])
    assert status == 1
    assert out.read_text(encoding="utf-8") == local_csv
    err = capsys.readouterr().err
    assert ("precision: fp32 on the actors' CPUs, not fp16 (fp16 needs CUDA; the Ray cluster gives the actors no "
            "GPU)") in err
    assert read_provenance(out)["precision"] == "fp32"


@pytest.mark.slow
def test_int8_on_the_actors_is_the_local_int8_run_row_for_row_and_says_its_calibration(ray_cluster, folder, tmp_path,
                                                                                       capsys):
    from alexnet_gui.core.outputs.provenance import read_provenance

    local, ray_out = tmp_path / "local8.csv", tmp_path / "ray8.csv"
    assert main(["classify", str(folder), "--out", str(local), *OPTIONS, "--precision", "int8"]) == 1
    capsys.readouterr()
    assert main(["classify", str(folder), "--out", str(ray_out), *OPTIONS, "--precision", "int8", "--engine", "ray",
                 "--workers", "1"]) == 1
    # The actors run the very copy the local engine ran (quantised once, on the driver, and cached).
    assert ray_out.read_text(encoding="utf-8") == local.read_text(encoding="utf-8")
    err = capsys.readouterr().err
    assert "1 ONNX Runtime actor(s), 0 GPU each, int8" in err
    assert "precision: int8 on the actors' CPUs, calibrated on the built-in set (24 views" in err
    provenance = read_provenance(ray_out)
    assert provenance["precision"] == "int8" and provenance["int8_calibration"].startswith("the built-in set")


def test_the_actors_fp16_model_is_converted_on_the_driver_and_keeps_float32_io(untrained_weights, onnx_backend,
                                                                              tmp_path):
    from alexnet_gui.core.backends.onnx_backend import OnnxBackend
    from alexnet_gui.core.model.weights import WeightsChoice
    from alexnet_gui.core.scale.ray_engine import actor_model

    model = actor_model(untrained_weights, "fp16")
    assert model.name.endswith(".fp16.onnx") and model.with_name(model.name + ".data").is_file()
    # An actor opens it as a plain .onnx file; ONNX Runtime's CPU provider runs fp16 too, so parity shows here.
    actor = OnnxBackend(WeightsChoice(kind="onnx", path=model, source="ray actor"), "cpu")
    x = np.random.default_rng(0).standard_normal((2, 3, 224, 224), dtype=np.float32)
    logits = actor.predict(x)
    assert logits.dtype == np.float32 and logits.shape == (2, 1000)
    assert np.abs(logits - onnx_backend.predict(x)).max() <= 1e-4  # tests/test_precision.py's ONNX fp16 tolerance
    assert actor_model(untrained_weights, "fp32").name.endswith(".onnx") and ".fp16" not in actor_model(
        untrained_weights, "fp32").name
    (tmp_path / "user.onnx").write_bytes(model.read_bytes())
    with pytest.raises(UserError, match="fp16 works with the app's own exports only"):
        actor_model(WeightsChoice(kind="onnx", path=tmp_path / "user.onnx", source="file user.onnx"), "fp16")


@pytest.mark.slow
def test_a_worker_that_dies_is_restarted_by_ray_and_no_row_is_lost(ray_cluster, folder, crash_marker,
                                                                  untrained_weights, onnx_backend):
    from alexnet_gui.core.backends import load_backend, prepack_pays_off
    from alexnet_gui.core.pipeline.engine import Engine, iter_image_paths
    from alexnet_gui.core.scale.ray_engine import run_on_ray

    paths = list(iter_image_paths([folder]))
    crash_marker.write_bytes(b"")
    progress = []
    results = list(run_on_ray(
        paths, untrained_weights, card=untrained_card(), device="cpu", top_k=3, batch_size=4, workers=1,
        on_progress=lambda done, total: progress.append((done, total)),
    ))
    assert not crash_marker.exists()  # an actor took the marker and died with os._exit(1)
    local = load_backend("onnx", untrained_weights, "cpu", prepack=prepack_pays_off(len(paths)))  # as classify does
    expected = list(Engine(local, top_k=3, batch_size=4).run(paths))
    local.close()
    assert [r.path for r in results] == paths
    assert [(r.path, r.error, r.top) for r in results] == [(r.path, r.error, r.top) for r in expected]
    assert {r.origin for r in results if r.ok} == {"untrained-seed0 · onnx on Ray actors · tta none"}
    assert progress[-1] == (len(paths), len(paths))
    assert [d for d, _ in progress] == list(range(1, len(paths) + 1))


@pytest.mark.slow
def test_ray_and_the_local_engine_give_the_same_probabilities_to_the_last_bit_and_the_same_csv_bytes(
        ray_cluster, untrained_weights, tmp_path):
    from alexnet_gui.core.backends import load_backend, prepack_pays_off
    from alexnet_gui.core.pipeline.engine import Engine
    from alexnet_gui.core.scale.ray_engine import RayClassifier

    paths = [str(p) for p in write_photos(tmp_path / "few", 5, size=(200, 150), seed=21)]
    # A short run skips ONNX Runtime's weight prepacking locally, whose logits differ in the last bits from the
    # prepacked ones; the actors prepacked always, and a probability's 6th decimal could turn (0.067335/0.067336).
    local = load_backend("onnx", untrained_weights, "cpu", prepack=prepack_pays_off(len(paths)))
    expected = [r.top for r in Engine(local, top_k=5).run(paths)]
    local.close()
    on_ray = RayClassifier(untrained_weights, device="cpu", workers=1, top_k=5, batch_size=2)
    assert [r.top for r in on_ray.run(paths)] == expected  # every float64 probability, not its 6 decimals
    local_csv, ray_csv = tmp_path / "local.csv", tmp_path / "ray.csv"
    assert main(["classify", *paths, "--out", str(local_csv), "--untrained", "--device", "cpu"]) == 0
    assert main(["classify", *paths, "--out", str(ray_csv), "--untrained", "--device", "cpu", "--engine", "ray",
                 "--workers", "1"]) == 0
    assert ray_csv.read_bytes() == local_csv.read_bytes()


@pytest.mark.slow
def test_a_file_named_in_no_encoding_gets_its_row_on_ray_as_locally(ray_cluster, tmp_path):
    import os

    images = tmp_path / "images"
    photos = write_photos(images, 2, size=(64, 48))
    os.rename(photos[0], images / os.fsdecode(b"\xff\xfe.jpg"))
    local_csv, ray_csv = tmp_path / "local.csv", tmp_path / "ray.csv"
    assert main(["classify", str(images), "--out", str(local_csv), *OPTIONS]) == 0
    assert main(["classify", str(images), "--out", str(ray_csv), *OPTIONS, "--engine", "ray", "--workers", "1"]) == 0
    assert ray_csv.read_bytes() == local_csv.read_bytes()
    assert f"{images}/\\xff\\xfe.jpg," in ray_csv.read_text(encoding="utf-8")


@pytest.mark.slow
def test_resume_with_ray_after_new_files_arrive_matches_one_local_run(ray_cluster, folder, tmp_path, capsys,
                                                                     monkeypatch):
    import shutil

    put = ray_cluster.put
    big_puts = []

    def counting_put(value, *args, **kwargs):
        if isinstance(value, bytes) and len(value) > 100 * 1024**2:
            big_puts.append(len(value))
        return put(value, *args, **kwargs)

    monkeypatch.setattr(ray_cluster, "put", counting_put)
    work = tmp_path / "in"
    shutil.copytree(folder / "photos", work)
    out = tmp_path / "ray.csv"
    assert main(["classify", str(work), "--out", str(out), *OPTIONS, "--engine", "ray"]) == 0
    write_photos(work / "later", 3, size=(200, 150), seed=11)
    assert main(["classify", str(work), "--out", str(out), *OPTIONS, "--engine", "ray", "--resume"]) == 0
    assert "resuming: 9 of 12 images already done" in capsys.readouterr().err
    # The model goes into the object store once per Ray job, not once per run: two runs' copies filled CI's store.
    assert len(big_puts) <= 1
    reference = tmp_path / "local.csv"
    assert main(["classify", str(work), "--out", str(reference), *OPTIONS]) == 0
    # Resume appends the new files after the kept rows, as the local engine's resume does: same rows, by path.
    assert sorted(out.read_text(encoding="utf-8").splitlines()) == sorted(
        reference.read_text(encoding="utf-8").splitlines())


def test_engine_ray_without_ray_installed_exits_2_with_the_install_command(tmp_path, monkeypatch, capsys):
    write_photos(tmp_path, 1, size=(64, 48))
    for name in ("ray", "ray.data"):
        monkeypatch.setitem(sys.modules, name, None)  # what `import ray` sees when the extra is missing
    out = tmp_path / "out.csv"
    assert main(["classify", str(tmp_path), "--out", str(out), *OPTIONS, "--engine", "ray"]) == 2
    assert capsys.readouterr().err.strip() == f"error: {INSTALL_HINT}"
    assert not out.exists()


def test_engine_ray_refuses_the_torch_backend_in_one_sentence(tmp_path, capsys):
    pytest.importorskip("ray", reason="ray is not installed (pip install 'alexnet-gui[ray]')")
    write_photos(tmp_path, 1, size=(64, 48))
    out = tmp_path / "out.csv"
    status = main(["classify", str(tmp_path), "--out", str(out), *OPTIONS, "--engine", "ray", "--backend", "torch"])
    assert status == 2
    assert "error: --engine ray runs the onnx backend only" in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize(("option", "message"), [
    (["--precision", "fp16", "--device", "cpu"],
     "error: --precision fp16 needs CUDA; choose --device auto or cuda on a machine with an NVIDIA GPU, or "
     "--precision fp32 on the CPU"),
    (["--decode", "gpu"],
     "error: --engine ray decodes on the workers' CPUs; leave out --decode gpu or use --engine local"),
])
def test_engine_ray_refuses_cpu_fp16_and_gpu_decoding_in_one_sentence_before_starting_ray(tmp_path, capsys, option,
                                                                                          message):
    write_photos(tmp_path, 1, size=(64, 48))
    out = tmp_path / "out.csv"
    status = main(["classify", str(tmp_path), "--out", str(out), *OPTIONS, "--engine", "ray", *option])
    assert status == 2
    assert capsys.readouterr().err.strip() == message
    assert not out.exists()


def test_a_node_without_the_drivers_files_gets_a_single_file_copy_once(onnx_backend, tmp_path, monkeypatch):
    ray = pytest.importorskip("ray", reason="ray is not installed (pip install 'alexnet-gui[ray]')")
    import onnxruntime as ort

    from alexnet_gui.core.backends.onnx_files import logits_only_model, model_bytes
    from alexnet_gui.core.scale.ray_engine import _Classifier

    lean = logits_only_model(onnx_backend.model_path)
    blob = model_bytes(lean)
    monkeypatch.setattr(ray, "get", lambda ref: blob)  # what the object store hands a remote node
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    elsewhere = str(tmp_path / "driver-only" / lean.name)  # the driver's path does not exist on this node
    local = _Classifier._local_model(["ref"], elsewhere, lean.stat().st_size, len(blob))
    assert local.parent == tmp_path / "alexnet-gui-ray" and local.stat().st_size == len(blob)
    x = np.random.default_rng(0).standard_normal((2, 3, 224, 224), dtype=np.float32)
    got = ort.InferenceSession(str(local), providers=["CPUExecutionProvider"]).run(None, {"input": x})[0]
    np.testing.assert_array_equal(got, onnx_backend.predict(x))
    mtime = local.stat().st_mtime_ns
    assert _Classifier._local_model(["ref"], elsewhere, lean.stat().st_size, len(blob)) == local
    assert local.stat().st_mtime_ns == mtime  # the next actor on this node reuses the copy
    # On a node that shares the driver's files, the lean model (weights beside it) is used where it is.
    assert _Classifier._local_model(["ref"], str(lean), lean.stat().st_size, len(blob)) == lean


@pytest.mark.slow
def test_classify_embed_on_ray_records_the_local_runs_vectors_and_similar_computes_none(ray_cluster, tmp_path,
                                                                                       capsys):
    import shutil
    import sqlite3

    from alexnet_gui.core.embeddings.index import open_index

    photos = write_photos(tmp_path / "photos", 4, size=(200, 150), seed=5)
    shutil.copyfile(photos[0], tmp_path / "photos" / "copy.jpg")  # the same bytes: one key, one row
    bad = tmp_path / "bad.jpg"
    bad.write_text("not an image")  # a row with its reason, and no vector
    indexes = {}
    for engine in ("local", "ray"):
        indexes[engine] = tmp_path / f"index-{engine}"
        argv = ["classify", str(tmp_path / "photos"), str(bad), "--out", str(tmp_path / f"{engine}.csv"), *OPTIONS,
                "--engine", engine, "--embed", "--index", str(indexes[engine])]
        assert main([*argv, "--workers", "1"] if engine == "ray" else argv) == 1  # 1: bad.jpg failed
    assert (tmp_path / "ray.csv").read_bytes() == (tmp_path / "local.csv").read_bytes()
    capsys.readouterr()

    def keys(folder):
        with sqlite3.connect(folder / "fc7" / "keys.sqlite") as db:
            return sorted(db.execute("SELECT hash, row, label FROM keys"))

    assert len(keys(indexes["ray"])) == 4 and keys(indexes["ray"]) == keys(indexes["local"])  # hashes, rows, labels
    card = untrained_card()
    stores = {engine: open_index(card.card_id, "fc7", folder=folder) for engine, folder in indexes.items()}
    local, on_ray = (stores[engine].vectors(range(4)) for engine in ("local", "ray"))
    for store in stores.values():
        store.close()
    assert on_ray.shape == (4, 4096) and on_ray.any() and (on_ray >= 0).all()  # fc7 after its ReLU
    np.testing.assert_allclose(on_ray, local, rtol=2**-10, atol=1e-7)  # float16's rounding at most

    # The vectors Ray recorded answer `similar` alone: no model run.
    assert main(["similar", str(photos[1]), str(tmp_path / "photos"), "--untrained", "--device", "cpu",
                 "--index", str(indexes["ray"])]) == 0
    assert "5 images: 5 from the embedding index, 0 computed (fc7)" in capsys.readouterr().err
