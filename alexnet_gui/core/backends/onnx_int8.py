"""An int8 copy of a cached ONNX export, for `--precision int8` on the CPU (ONNX Runtime's static quantisation).

On two cores the fp32 model runs at the cores' FMA peak; int8 arithmetic is the one lever left. The copy is made
once per export and calibration set with `onnxruntime.quantization.quantize_static`: QOperator format (QLinearConv,
QLinearMatMul: ONNX Runtime's fused int8 kernels), weights int8 per output channel, activations uint8, the ranges of
every tensor measured on the calibration images by MinMax; the scores layer stays float (`scores_layer`); the weights
use 7 of their 8 bits (`QUANTISATION` says why). Images are
fed by the card's own recipe, so a model with other preprocessing is calibrated on what it really sees. The copy
keeps float32 input and outputs.

The calibration set is the built-in one (24 views of scikit-image's public-domain sample photos, shipped in
resources/calibration) or the user's folder (`--calibrate FOLDER`, up to CALIBRATION_LIMIT images, sorted). It is
cached beside the export as `<stem>.int8-<key>.onnx`, `key` naming the scheme, the recipe and the calibration
images (their paths, sizes and modification times), with an integrity record like every cached file.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from alexnet_gui.core.backends.base import BackendError
from alexnet_gui.core.model.preprocess import Recipe

#: Why int8 is refused for a user's own .onnx file: the copy is written beside its source, never into a user's
#: folder; an int8 model the user brings (the zoo's bvlcalexnet-12-int8.onnx) already runs as itself.
OWN_EXPORTS_ONLY = ("--precision int8 works with the app's own exports only; an .onnx file runs as it is "
                    "(an int8 file such as bvlcalexnet-12-int8.onnx already is one): use --precision fp32 with it")
#: how the copy is made, part of its cache key and recorded in the provenance: QOperator, per-channel weights in
#: [-64, 64] ("s7", onnxruntime's reduce_range), uint8 activations, the scores layer in float, the int8 fully connected
#: weights stored K x N.
#:
#: Why 7-bit weights on every CPU: without AVX-512 VNNI (AVX2 only: most desktops before ~2020, many cloud VMs), ONNX
#: Runtime's u8 x s8 kernels multiply with VPMADDUBSW, which adds each pair of adjacent u8 x s8 products into int16 with
#: saturation. 255 x 127 x 2 = 64770 overflows 32767: on such a CPU the full-range copy gave 94.4 % top-1 agreement on
#: the trained digits model (100 % with VNNI) and conv1 activations correlated 0.974 with fp32. With |w| <= 64 a pair
#: is at most 255 x 128 = 32640, so no sum can saturate and every x86 CPU computes the same integers. One scheme for
#: all, not 7 bits only where VNNI is missing: the cached copy and the desktop bundle move between machines, and the
#: answers must not depend on where the copy was made. Measured on a Zen 4 with VNNI, model alone at batch 32, the
#: same speed (641 against 615 images/s for 8 bits, interleaved) and the same agreement; on AVX2 a probe gave 204
#: against 237 images/s for the saturating copy (accuracy first).
QUANTISATION = "qoperator-s7-u8-scores-float-kn"
#: the largest |weight| the scheme allows: 255 * (2 * WEIGHT_LIMIT) <= 32767
WEIGHT_LIMIT = 64
#: the most images a calibration takes (MinMax ranges settle well before: 24 built-in views give the figures in the
#: README; more only lengthens the one-off quantisation)
CALIBRATION_LIMIT = 64


def calibration_images(folder: str | os.PathLike[str] | None) -> tuple[list[str], str]:
    """The calibration images and their description: the built-in set, or up to CALIBRATION_LIMIT images of a
    folder (walked like classify's); a folder with no readable image is one sentence."""
    from alexnet_gui.core.pipeline.engine import iter_image_paths

    if folder is None:
        from alexnet_gui.resource_files import CALIBRATION_FOLDER, resource_path

        root = resource_path(CALIBRATION_FOLDER)
        paths = sorted(str(p) for p in root.glob("*.jpg"))
        return paths, f"the built-in set ({len(paths)} views of scikit-image's sample photos)"
    if not os.path.isdir(folder):
        raise BackendError(f"--calibrate {folder}: not a folder")
    paths = list(iter_image_paths([folder]))[:CALIBRATION_LIMIT]
    if not paths:
        raise BackendError(f"--calibrate {folder}: no image files in it")
    return paths, f"{len(paths)} images of {folder}"


def _key(paths: list[str], recipe: Recipe) -> str:
    digest = hashlib.sha256(json.dumps(recipe.to_dict(), sort_keys=True).encode())
    digest.update(QUANTISATION.encode())  # a copy made another way is not reused
    for path in paths:
        st = os.stat(path)
        digest.update(f"{os.path.abspath(path)}|{st.st_size}|{st.st_mtime_ns}".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()[:12]


def scores_layer(path: Path) -> list[str]:
    """The node that computes the scores (the last fully connected layer), which stays float: it holds under 1 % of
    the arithmetic, and in int8 its rounding reordered near-tied classes (a 10-class model's ranks 4 and 5)."""
    import onnx

    graph = onnx.load(str(path), load_external_data=False).graph
    scores = {o.name for o in graph.output[:1]}
    return [n.name for n in graph.node if scores & set(n.output) and n.op_type in ("Gemm", "MatMul")]


def store_gemm_weights_kn(model) -> int:
    """Store each QGemm's int8 weights as K x N (transB 0) instead of the quantiser's N x K; return how many.

    ONNX Runtime packs a QGemm's weights for its integer kernels when the session opens, and packing N x K
    weights costs a transpose on the way: fc6 took 0.117 s to pack as N x K and 0.036 s as K x N, out of a
    0.3 s start-up that the whole-process figures pay on every run. The products are the same (a test compares the
    logits bit for bit)."""
    import numpy as np
    from onnx import numpy_helper

    graph = model.graph
    weights = {t.name: t for t in graph.initializer}
    users: dict[str, int] = {}
    for node in graph.node:
        for name in node.input:
            users[name] = users.get(name, 0) + 1
    done = 0
    for node in graph.node:
        trans_b = next((a for a in node.attribute if a.name == "transB"), None)
        if node.op_type != "QGemm" or trans_b is None or trans_b.i != 1:
            continue
        b = weights.get(node.input[3])
        if b is None or users[b.name] != 1:
            continue
        b.CopyFrom(numpy_helper.from_array(np.ascontiguousarray(numpy_helper.to_array(b).T), b.name))
        trans_b.i = 0
        done += 1
    return done


def int8_model(path: str | os.PathLike[str], recipe: Recipe, calibrate: str | None = None) -> tuple[Path, str]:
    """Return (the int8 copy of the fp32 model at `path`, what it was calibrated on), quantising it on first use."""
    import numpy as np

    from alexnet_gui.core.pipeline.decode import decode_input

    path = Path(path)
    paths, described = calibration_images(calibrate)
    out = path.with_name(f"{path.stem}.int8-{_key(paths, recipe)}.onnx")
    from alexnet_gui.core.backends.onnx_files import saved_copy_is_current

    if saved_copy_is_current(out, path):
        return out, described
    try:
        from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_static
    except ImportError:
        raise BackendError("--precision int8 needs onnxruntime's quantisation tools (and the onnx package), "
                           "which the desktop bundle leaves out; use --precision fp32") from None
    inputs = [x for x in (decode_input(p, False, recipe=recipe) for p in paths) if not isinstance(x, str)]
    if not inputs:
        raise BackendError(f"none of the calibration images could be read ({described})")

    class Images(CalibrationDataReader):
        def __init__(self) -> None:
            self._next = iter(inputs)

        def get_next(self):
            x = next(self._next, None)
            return None if x is None else {"input": np.ascontiguousarray(x[None], dtype=np.float32)}

    import logging

    tmp = out.with_name(f".{out.name}.{os.getpid()}.part")
    quiet = logging.getLogger().level
    logging.getLogger().setLevel(logging.ERROR)  # its advice to pre-process first is for graphs we do not make
    try:
        quantize_static(str(path), str(tmp), Images(), quant_format=QuantFormat.QOperator, per_channel=True,
                        activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8, reduce_range=True,
                        nodes_to_exclude=scores_layer(path))
        import onnx

        from alexnet_gui.core.backends.onnx_files import save_with_external_data

        # Weights as external data, as the fp32 copy keeps them: ONNX Runtime maps them instead of parsing 61 MB of
        # protobuf, and the session opens in half the time (0.05 s instead of 0.10 s).
        quantised = onnx.load(str(tmp))
        store_gemm_weights_kn(quantised)
        save_with_external_data(quantised, out)
    except OSError as exc:
        raise BackendError(f"cannot write the int8 model in {out.parent} ({exc.strerror or exc})") from None
    finally:
        logging.getLogger().setLevel(quiet)
        tmp.unlink(missing_ok=True)
    return out, described
