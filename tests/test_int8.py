"""--precision int8: a quantised copy of the card's model on the CPU, calibrated, cached, and close to fp32."""

from __future__ import annotations

import json
import platform
import re
import shutil
import subprocess
import sys

import numpy as np
import pytest

from alexnet_gui.cli import main
from alexnet_gui.core.backends import load_backend
from alexnet_gui.core.backends.base import BackendError
from alexnet_gui.core.pipeline.engine import Engine
from tests import model_families as F

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def photos(tmp_path_factory):
    return F.photos(tmp_path_factory.mktemp("int8-photos"), count=4)


def test_int8_runs_a_calibrated_copy_that_agrees_with_fp32(untrained_weights, onnx_backend, photos):
    int8 = load_backend("onnx", untrained_weights, "auto", "int8")
    try:
        assert int8.precision == "int8" and int8.device == "cpu"
        assert int8.calibration == "the built-in set (24 views of scikit-image's sample photos)"
        fp32 = list(Engine(onnx_backend, top_k=5).run([str(p) for p in photos]))
        got = list(Engine(int8, top_k=5).run([str(p) for p in photos]))
        # The seeded network's probabilities are all near 0.001: what int8 must keep is their order at the top.
        overlap = np.mean([len({p.index for p in a.top} & {p.index for p in b.top}) for a, b in zip(fp32, got)])
        assert overlap >= 3
        assert max(abs(a.top[0].prob - b.top[0].prob) for a, b in zip(fp32, got)) < 1e-4
    finally:
        int8.close()
    from alexnet_gui.core.backends.onnx_backend import onnx_cache_dir

    (copy,) = onnx_cache_dir().glob("alexnet-untrained-seed0.lean.int8-*.onnx")
    made = copy.stat().st_mtime_ns
    # The cached copy: no second quantisation. Asked for a quick open, int8 still prepacks its weights (unpacked,
    # its kernels run at half speed, a single image at a tenth).
    again = load_backend("onnx", untrained_weights, "cpu", "int8", prepack=False)
    with pytest.raises(RuntimeError):  # no "session.disable_prepacking" entry: ONNX Runtime's default, prepacked
        again.session.get_session_options().get_session_config_entry("session.disable_prepacking")
    again.close()
    assert copy.stat().st_mtime_ns == made and len(list(onnx_cache_dir().glob("*.int8-*.onnx"))) >= 1


def test_int8_stores_its_fully_connected_weights_k_by_n_with_the_quantisers_logits(untrained_weights, tmp_path):
    import onnx
    import onnxruntime as ort
    from onnx import numpy_helper

    int8 = load_backend("onnx", untrained_weights, "cpu", "int8")
    int8.close()
    from alexnet_gui.core.backends.onnx_backend import onnx_cache_dir

    (copy,) = onnx_cache_dir().glob("alexnet-untrained-seed0.lean.int8-*.onnx")
    model = onnx.load(str(copy))
    weights = {t.name: t for t in model.graph.initializer}
    gemms = [n for n in model.graph.node if n.op_type == "QGemm"]
    # fc6 and fc7 (the scores layer stays a float Gemm), both K x N: ONNX Runtime packs those without a transpose.
    assert [(next(a.i for a in n.attribute if a.name == "transB"), list(weights[n.input[3]].dims)) for n in gemms] \
        == [(0, [9216, 4096]), (0, [4096, 4096])]
    # Put back as the quantiser wrote them (N x K, transB 1): the same logits, bit for bit.
    for node in gemms:
        b = weights[node.input[3]]
        b.CopyFrom(numpy_helper.from_array(np.ascontiguousarray(numpy_helper.to_array(b).T), b.name))
        next(a for a in node.attribute if a.name == "transB").i = 1
    onnx.save(model, str(tmp_path / "nk.onnx"), save_as_external_data=True, location="nk.onnx.data")
    x = np.random.default_rng(3).standard_normal((4, 3, 224, 224), dtype=np.float32)
    kn, nk = (ort.InferenceSession(str(p), providers=["CPUExecutionProvider"]).run(["logits"], {"input": x})[0]
              for p in (copy, tmp_path / "nk.onnx"))
    np.testing.assert_array_equal(kn, nk)


def _int8_weights(model) -> list[tuple[str, np.ndarray]]:
    """Each integer layer's weights as (output, reduction) rows, in the order its kernel reduces them."""
    from onnx import numpy_helper

    inits = {t.name: t for t in model.graph.initializer}
    layers = []
    for node in model.graph.node:
        if node.op_type == "QLinearConv":  # (O, C, kh, kw): each output sums over C x kh x kw
            w = numpy_helper.to_array(inits[node.input[3]])
            layers.append((node.name, w.reshape(w.shape[0], -1)))
        elif node.op_type == "QGemm":  # stored K x N (transB 0): each output sums down a column
            layers.append((node.name, numpy_helper.to_array(inits[node.input[3]]).T))
    return layers


def test_int8_weights_leave_no_u8s8_pair_that_can_saturate_on_a_cpu_without_vnni(untrained_weights):
    """On AVX2 without VNNI, ONNX Runtime's u8 x s8 kernels add each pair of adjacent products into int16 with
    saturation (VPMADDUBSW). With u8 activations up to 255 no pair can saturate when 255 * (|w_i| + |w_j|) <= 32767
    for every adjacent pair along a reduction: what the 7-bit weights guarantee, checked here on any CPU."""
    import onnx

    from alexnet_gui.core.backends.onnx_backend import onnx_cache_dir
    from alexnet_gui.core.backends.onnx_int8 import QUANTISATION, WEIGHT_LIMIT

    load_backend("onnx", untrained_weights, "cpu", "int8").close()
    (copy,) = onnx_cache_dir().glob("alexnet-untrained-seed0.lean.int8-*.onnx")
    layers = _int8_weights(onnx.load(str(copy)))
    assert len(layers) == 7  # conv1-5, fc6, fc7: the scores layer stays float
    for name, w in layers:
        w = np.abs(w.astype(np.int32))
        if w.shape[1] % 2:
            w = np.pad(w, ((0, 0), (0, 1)))
        pairs = w[:, 0::2] + w[:, 1::2]
        assert 255 * int(pairs.max()) <= 32767, (name, int(pairs.max()))
        assert int(w.max()) <= WEIGHT_LIMIT
    assert QUANTISATION.startswith("qoperator-s7-")  # the cache key and the provenance name the scheme


def _qemu_version() -> tuple[int, int]:
    """qemu-x86_64's (major, minor) version, (0, 0) when it does not say one."""
    said = subprocess.run(["qemu-x86_64", "--version"], capture_output=True, text=True, timeout=30).stdout
    found = re.search(r"version (\d+)\.(\d+)", said)
    return (int(found[1]), int(found[2])) if found else (0, 0)


# Both copies' logits in one process per CPU: qemu's start-up and ONNX Runtime's import are paid once.
EMULATED_RUN = ("import sys, numpy as np, onnxruntime as ort\n"
                "o = ort.SessionOptions(); o.intra_op_num_threads = 1\n"
                "x = np.load(sys.argv[1])\n"
                "np.savez(sys.argv[2], *[ort.InferenceSession(m, o, providers=['CPUExecutionProvider'])"
                ".run(['logits'], {'input': x})[0] for m in sys.argv[3:]])\n")


@pytest.mark.skipif(shutil.which("qemu-x86_64") is None or platform.machine() != "x86_64",
                    reason="needs qemu-user (apt-get install qemu-user) to emulate a CPU without VNNI")
def test_int8_gives_the_same_logits_on_an_emulated_avx2_cpu_without_vnni(untrained_weights, photos, tmp_path):
    """The int8 copy run under qemu as a Haswell (AVX2, no AVX-512, no VNNI: ONNX Runtime then picks its saturating
    u8s8 kernels) against this CPU's own kernels: the same logits. With 8-bit weights the emulated CPU moved the
    logits by 7 % of their range and changed a quarter of the top-1 classes on real photos: that copy, run alongside,
    shows the emulation reaches the saturating kernels at all."""
    from alexnet_gui.core.backends.onnx_backend import onnx_cache_dir
    from alexnet_gui.core.pipeline.decode import load_input
    from tests.int8_copies import full_range_copy

    # Before 7.2, qemu's Haswell has no AVX, AVX2 or FMA: ONNX Runtime runs SSE kernels that never saturate.
    if _qemu_version() < (7, 2):
        pytest.skip(f"qemu-x86_64 {'.'.join(map(str, _qemu_version()))} is older than 7.2: its Haswell lacks AVX2")
    int8 = load_backend("onnx", untrained_weights, "cpu", "int8")
    recipe = int8.card.preprocess
    int8.close()
    (copy,) = onnx_cache_dir().glob("alexnet-untrained-seed0.lean.int8-*.onnx")
    (lean,) = onnx_cache_dir().glob("alexnet-untrained-seed0.lean.onnx")
    eight = full_range_copy(lean, recipe, tmp_path / "eight.onnx")
    np.save(tmp_path / "x.npy", np.stack([load_input(p, recipe=recipe) for p in photos]))
    runs = {"native": [sys.executable], "haswell": ["qemu-x86_64", "-cpu", "Haswell", sys.executable]}
    for name, prefix in runs.items():
        subprocess.run([*prefix, "-c", EMULATED_RUN, str(tmp_path / "x.npy"), str(tmp_path / f"{name}.npz"),
                        str(copy), str(eight)], check=True, capture_output=True, timeout=240)
    (native, native_eight), (haswell, haswell_eight) = (
        (f["arr_0"], f["arr_1"]) for f in (np.load(tmp_path / f"{name}.npz") for name in runs))
    tolerance = 1e-4 * float(np.abs(native).max())
    if np.abs(haswell_eight - native_eight).max() <= 1e-4 * float(np.abs(native_eight).max()):
        pytest.skip("qemu does not emulate AVX2's saturating kernels here: the 8-bit copy's logits did not move")
    np.testing.assert_allclose(haswell, native, rtol=0, atol=tolerance)
    assert (haswell.argmax(1) == native.argmax(1)).all()


def test_int8_of_a_users_model_uses_its_recipe_and_its_own_calibration_folder(tmp_path, photos, capsys):
    import torch

    model = F.seeded(F.TutorialAlexNet(num_classes=5, fc=64), 20)
    torch.save(model.state_dict(), tmp_path / "AlexNet.pth")
    out = tmp_path / "out.csv"
    folder = photos[0].parent
    assert main(["classify", *map(str, photos), "--weights", str(tmp_path / "AlexNet.pth"), "--precision", "int8",
                 "--calibrate", str(folder), "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert f"precision: int8 on the CPU, calibrated on 4 images of {folder}" in err
    provenance = json.loads((tmp_path / "out.csv.provenance.json").read_text())
    assert provenance["precision"] == "int8" and provenance["int8_calibration"] == f"4 images of {folder}"
    rows = [line.split(",") for line in out.read_text().splitlines()[1:]]
    assert len(rows) == len(photos) and all(r[1] == "" and r[3].startswith("class ") for r in rows)


@pytest.mark.parametrize("argv, message", [
    (["--precision", "int8", "--device", "cuda"], "--precision int8 runs on the CPU; choose --device cpu or auto"),
    (["--precision", "int8", "--backend", "torch"], "--precision int8 runs on the onnx backend"),
    (["--calibrate", "."], "--calibrate applies to --precision int8 only"),
])
def test_int8_refusals_are_one_sentence(tmp_path, photos, capsys, argv, message):
    assert main(["classify", str(photos[0]), "--untrained", "--out", str(tmp_path / "o.csv"), *argv]) == 2
    assert message in capsys.readouterr().err


def test_an_onnx_file_is_not_quantised_behind_the_users_back(tmp_path, untrained_weights, onnx_backend):
    import shutil

    shutil.copy(onnx_backend.model_path, tmp_path / "mine.onnx")
    from alexnet_gui.core.model.weights import resolve_weights

    with pytest.raises(BackendError, match="--precision int8 works with the app's own exports only"):
        load_backend("onnx", resolve_weights(tmp_path / "mine.onnx"), "cpu", "int8")


def test_compare_shows_what_int8_costs_against_fp32(photos, capsys):
    assert main(["compare", *map(str, photos), "--untrained", "--precision", "int8", "--quiet"]) in (0, 1)
    out = capsys.readouterr().out
    assert f"{len(photos)} images compared (0 could not be read): top-1 agreement " in out
    assert "median latency per image: onnx " in out and ", onnx int8 " in out
    assert main(["compare", str(photos[0]), "--untrained", "--precision", "int8"]) in (0, 1)
    assert "\n  onnx int8 " in capsys.readouterr().out


def test_the_lean_int8_bundle_carries_a_quarter_of_the_model_and_runs_as_itself(
        tmp_path, monkeypatch, untrained_weights, onnx_backend, photos, capsys):
    """packaging/build.py --int8 writes the bundle's model folder: the int8 graph (activations included) and its
    logits-only copy reading one weights file; the bundle then runs int8 whatever was asked, and says so."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "packaging"))
    import build

    from alexnet_gui import resource_files
    from alexnet_gui.core.model.weights import resolve_weights

    int8_folder, fp32_folder = tmp_path / "int8" / "model", tmp_path / "fp32" / "model"
    info = build.export_model(build.parse_args(["--untrained", "--int8"]), int8_folder)
    build.export_model(build.parse_args(["--untrained"]), fp32_folder)
    assert info["precision"] == "int8"
    assert info["calibration"] == "the built-in set (24 views of scikit-image's sample photos)"
    assert sorted(p.name for p in int8_folder.iterdir()) == [
        "alexnet.json", "alexnet.kernels.npz", "alexnet.logits.onnx", "alexnet.onnx", "alexnet.weights"]
    # 83 MB against 254 MB: the int8 weights, the float scores layer, the graphs, and the conv kernels the filters
    # view reads.
    assert build.folder_size(int8_folder) < 0.35 * build.folder_size(fp32_folder)
    reference = load_backend("onnx", untrained_weights, "cpu", "int8")  # the pip install's --precision int8
    monkeypatch.setattr(resource_files, "resource_path", lambda name: tmp_path.joinpath("int8", *name.split("/")))
    choice = resolve_weights(download=False)
    assert choice.source == ("bundled int8 ONNX model (calibrated on the built-in set (24 views of scikit-image's "
                             "sample photos)), exported from the untrained seeded random network — predictions are "
                             "meaningless")
    bundled = load_backend("onnx", choice, "auto", "fp32")
    try:
        assert (bundled.precision, bundled.device, bundled.calibration) == ("int8", "cpu", info["calibration"])
        # The card travelled in the graph's metadata (its id adds the bundled file's hash).
        assert (bundled.card.name, bundled.card.preprocess) == (onnx_backend.card.name, onnx_backend.card.preprocess)
        x = np.random.default_rng(0).standard_normal((4, 3, 224, 224), dtype=np.float32)
        np.testing.assert_array_equal(bundled.predict(x), reference.predict(x))
        # The logits-only graph lost the activations' DequantizeLinear nodes; the views read the full graph.
        assert [o.name for o in bundled.session.get_outputs()] == ["logits"]
        assert {n.op_type for n in __import__("onnx").load(str(int8_folder / "alexnet.logits.onnx"),
                                                           load_external_data=False).graph.node} \
            >= {"QLinearConv", "QGemm"}
        from alexnet_gui.core.pipeline.decode import load_input

        photo = load_input(photos[0])[None]  # an image in the calibrated range (noise is far outside it)
        got, want = (b.activations(photo, ["relu1"])["relu1"].ravel() for b in (bundled, onnx_backend))
        assert np.corrcoef(got, want)[0, 1] > 0.99
    finally:
        bundled.close()
        reference.close()
    with pytest.raises(BackendError, match="carries the int8 model only, which runs on the CPU"):
        load_backend("onnx", choice, "cuda", "fp32")
    # The command line says which precision ran, and the provenance records it with the calibration.
    out = tmp_path / "out.csv"
    assert main(["classify", str(photos[0]), "--backend", "onnx", "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "precision: int8, not fp32: this desktop bundle carries the int8 model only" in err
    provenance = json.loads(out.with_name(out.name + ".provenance.json").read_text())
    assert provenance["precision"] == "int8"
    assert provenance["int8_calibration"] == info["calibration"]
    assert provenance["int8_scheme"] == info["quantisation"] == "qoperator-s7-u8-scores-float-kn"
