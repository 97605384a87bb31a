"""Classify on a Ray cluster with Ray Data: the same decode, the same model and the same Results as `engine.Engine`.

The path list becomes a Ray Dataset; decoding runs as `map_batches` tasks anywhere in the cluster, the ONNX model
runs in an actor pool (each actor loads it once, on a GPU when one is requested), and the rows stream back to the
driver, which puts them back into input order. Workers never import torch: the driver exports the model once and
ships the file through Ray's object store, so the cluster needs the images on shared storage but not the cache.

`ray` is an optional extra and is imported only here.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from alexnet_gui.core.errors import UserError
from alexnet_gui.core.language import N_, gettext
from alexnet_gui.core.model.weights import WeightsChoice
from alexnet_gui.core.outputs.results import Prediction, Result

INSTALL_HINT = "install the ray extra: pip install 'alexnet-gui[ray]'"
#: the actors' fp16 and int8 copies have no float32 layer to record (a local run reads it from the full export)
EMBED_FP32_ONLY = N_("--embed with --engine ray records with --precision fp32 only")
# Tests only: a worker that finds this file deletes it and dies, once, to prove Ray retries without losing rows.
CRASH_ONCE_ENV = "ALEXNET_GUI_RAY_CRASH_ONCE"


class RayUnavailable(UserError):
    """`--engine ray` was asked for but Ray (with Ray Data) is not installed."""


def import_ray() -> Any:
    """Import ray and ray.data, or raise RayUnavailable with the install command."""
    try:
        import ray
        import ray.data  # noqa: F401 - Ray Data needs pyarrow/pandas: check the whole extra, not just ray
    except ImportError:
        raise RayUnavailable(INSTALL_HINT) from None
    return ray


def _decode_batch(batch: dict[str, np.ndarray], *, fast_decode: bool, tta: str, recipe: dict) -> dict[str, np.ndarray]:
    """Ray Data task: decode a batch of paths by the card's recipe into fixed-size float32 inputs plus an error
    column ("" when fine)."""
    from concurrent.futures import ThreadPoolExecutor

    from alexnet_gui.core.model.preprocess import Recipe
    from alexnet_gui.core.pipeline.decode import decode_input
    from alexnet_gui.core.pipeline.engine import default_decode_workers

    steps = Recipe.from_dict(recipe)
    size = steps.input_size
    shape = (10, 3, size, size) if tta == "10crop" else (3, size, size)
    paths = [os.fsdecode(p) for p in batch["path"]]
    inputs = np.zeros((len(paths), *shape), np.float32)
    errors = []
    # Threads, as the local engine does: Pillow releases the GIL while decoding, so a task uses its node's cores.
    with ThreadPoolExecutor(min(default_decode_workers(), len(paths) or 1)) as pool:
        decoded = list(pool.map(lambda path: decode_input(path, fast_decode, tta, steps), paths))
    for i, x in enumerate(decoded):
        if isinstance(x, np.ndarray):
            inputs[i] = x
            errors.append("")
        else:
            errors.append(x)
    return {"idx": batch["idx"], "path": batch["path"], "input": inputs, "error": np.array(errors, dtype=object)}


def _crash_once_if_asked() -> None:
    marker = os.environ.get(CRASH_ONCE_ENV)
    if marker:
        try:
            os.unlink(marker)
        except FileNotFoundError:
            return
        os._exit(1)  # a hard worker death, as an out-of-memory kill or a lost node would be


class _LayerCapture:
    """What an actor's engine records into in place of an index: each batch's vectors at `layer`, from the same
    model run as its scores (`Engine.classify_inputs`), for the driver to write."""

    def __init__(self, layer: str) -> None:
        self.layers = (layer,)
        self.vectors: np.ndarray | None = None

    def record(self, paths: Sequence[str], activations: dict[str, np.ndarray], tops: Sequence) -> None:
        from alexnet_gui.core.embeddings.tasks import embedding_vectors

        # float16, as the index stores them (float32 to float16 rounds the same here as in EmbeddingIndex.add):
        # half the bytes to send back
        self.vectors = embedding_vectors(activations[self.layers[0]]).astype("<f2")


class _Classifier:
    """Ray Data actor: loads the ONNX model once, then turns decoded batches into top-k index/probability arrays
    (and, with `layer`, each image's vector at that layer as float16 bytes)."""

    def __init__(self, model_ref: Any, model_name: str, model_size: int, blob_size: int, device: str, top_k: int,
                 tta: str, card: dict, prepack: bool = True, layer: str | None = None) -> None:
        from alexnet_gui.core.backends.onnx_backend import OnnxBackend
        from alexnet_gui.core.model.card import ModelCard
        from alexnet_gui.core.pipeline.engine_options import EngineOptions, engine_for

        path = self._local_model(model_ref, model_name, model_size, blob_size)
        weights = WeightsChoice(kind="onnx", path=path, source=f"file {model_name}")
        model_card = ModelCard.from_dict(card)
        # Prepacked and unpacked weights run different GEMM kernels whose float32 logits differ in the last bits
        # (up to 1.1e-8 on the untrained network), enough to turn a probability's 6th decimal (0.067335 against
        # 0.067336): the actors pack exactly when the local engine would for the same run, so the CSVs are the same
        # bytes. The batch size and the thread count change no bit (measured).
        # With a layer, the model is the export's copy whose outputs are the logits and that layer, the graph a
        # local --embed run classifies and records with: the engine gets both from the same run.
        self.capture = _LayerCapture(layer) if layer is not None else None
        self.engine = engine_for(OnnxBackend(weights, device, card=model_card, prepack=prepack),
                                 EngineOptions(top_k=top_k, tta=tta), recipe=model_card.preprocess,
                                 embedding_recorder=self.capture)
        self.top_k = min(top_k, model_card.classes)

    @staticmethod
    def _local_model(model_ref: Any, model_name: str, model_size: int, blob_size: int) -> Path:
        """The model file on this node: the driver's path when this node shares it (its external weights beside it),
        else a single-file copy of the object store's buffer (`blob_size` bytes)."""
        shared = Path(model_name)
        if shared.is_file() and shared.stat().st_size == model_size:
            return shared
        import ray

        data = ray.get(model_ref[0])
        folder = Path(tempfile.gettempdir()) / "alexnet-gui-ray"
        folder.mkdir(exist_ok=True)
        local = folder / f"{shared.stem}-{blob_size}.onnx"
        if not (local.is_file() and local.stat().st_size == blob_size):
            tmp = local.with_name(f"{local.name}.{os.getpid()}.tmp")
            tmp.write_bytes(data)
            os.replace(tmp, local)
        return local

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        _crash_once_if_asked()
        n = len(batch["idx"])
        index = np.full((n, self.top_k), -1, np.int64)
        prob = np.zeros((n, self.top_k), np.float64)
        errors = np.asarray(batch["error"], dtype=object)
        good = np.flatnonzero(np.asarray([e == "" for e in errors], bool))
        vectors = np.full(n, b"", dtype=object)
        if good.size:
            paths = None
            if self.capture is not None:
                self.capture.vectors = None
                paths = [os.fsdecode(batch["path"][row]) for row in good]
            for row, top in zip(good, self.engine.classify_inputs(batch["input"][good], paths), strict=True):
                if isinstance(top, str):  # no classes for this image (NaN scores): its reason, as the local engine
                    errors[row] = top
                    continue
                index[row] = [p.index for p in top]
                prob[row] = [p.prob for p in top]
            if self.capture is not None and self.capture.vectors is not None:
                for row, vector in zip(good, self.capture.vectors, strict=True):
                    vectors[row] = vector.tobytes()
        out = {"idx": batch["idx"], "path": batch["path"], "error": errors, "top_index": index, "top_prob": prob}
        if self.capture is not None:
            out["embedding"] = vectors  # bytes, empty for an image without a vector: any layer's width fits
        return out


def _results(batch: dict[str, np.ndarray], labels: Any, origin: str = "") -> Iterator[tuple[int, Result]]:
    for idx, path, error, index, prob in zip(
        batch["idx"], batch["path"], batch["error"], batch["top_index"], batch["top_prob"], strict=True
    ):
        if error:
            yield int(idx), Result(os.fsdecode(path), str(error))
        else:
            top = tuple(Prediction(int(i), labels.name(int(i)), float(p)) for i, p in zip(index, prob, strict=True))
            yield int(idx), Result(os.fsdecode(path), None, top, origin)


#: seconds a cluster's address may take to accept a connection before it is said not to answer: ray.init itself
#: retries an address where nothing listens for minutes, and does not stop on SIGTERM meanwhile
PROBE_TIMEOUT_S = 5.0


def check_address_answers(address: str | None, timeout: float = PROBE_TIMEOUT_S) -> None:
    """Raise UserError unless something accepts a TCP connection at `address` ("host:port" or "ray://host:port");
    "auto", "local" and None (found or started by Ray itself) are not probed."""
    import socket

    if not address or address in ("auto", "local"):
        return
    where = address.removeprefix("ray://")
    host, sep, port = where.rpartition(":")
    if not sep or not port.isdigit():
        return  # not host:port: Ray says what it makes of it
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=timeout).close()
    except (OSError, ValueError, OverflowError):
        raise UserError(gettext("no Ray cluster answers at {address}").format(address=address)) from None


def connect(address: str | None = None) -> Any:
    """Connect to the cluster at `address` ("auto", "ray://host:10001", ...), or start a local Ray; return ray."""
    ray = import_ray()
    if not ray.is_initialized():
        check_address_answers(address)
        try:
            ray.init(address=address, include_dashboard=False, log_to_driver=False, logging_level="WARNING")
        except ConnectionError as exc:
            raise UserError(
                gettext("cannot connect to the Ray cluster at {address} ({exc})").format(address=address, exc=exc)
            ) from None
        except ValueError as exc:  # e.g. ray:// without Ray Client's grpcio
            raise UserError(
                gettext("cannot use the Ray cluster at {address} ({value})").format(
                    address=address, value=str(exc).splitlines()[0]
                )
            ) from None
    return ray


def default_workers(ray: Any, gpus_per_worker: float) -> int:
    """One actor per GPU share when GPUs are used; else a quarter of the cluster's CPUs (decoding needs the rest)."""
    resources = ray.cluster_resources()
    if gpus_per_worker > 0:
        return max(1, int(resources.get("GPU", 0) / gpus_per_worker))
    return max(1, int(resources.get("CPU", 1)) // 4)


# (Ray job, model file, size, mtime) -> (object-store reference, buffer size); at most one entry.
_shipped: dict[tuple[str, str, int, int], tuple[Any, int]] = {}


def _ship_model(ray: Any, model: Path) -> tuple[Any, int]:
    """Put `model`, its weights inlined, in the object store once per Ray job and model file; return (ref, bytes).

    A node that does not share this file system needs the whole model. Putting it on every run would leave a
    ~230 MB copy per run for Ray to free or spill: a driver that classifies again (a resumed run, a script) would
    fill the store and then the disk.
    """
    stat = model.stat()
    key = (ray.get_runtime_context().get_job_id(), str(model), stat.st_size, stat.st_mtime_ns)
    if key not in _shipped:
        _shipped.clear()  # another job or another model: the old reference is of no use any more
        from alexnet_gui.core.backends.onnx_files import model_bytes

        blob = model_bytes(model)
        _shipped[key] = (ray.put(blob), len(blob))
    return _shipped[key]


def actor_model(weights: WeightsChoice, precision: str, recipe: Any = None, calibrate: str | None = None,
                layer: str | None = None) -> Path:
    """The .onnx file the classifier actors run: the driver's export (our own exports as their faster logits-only
    copy, or with `layer` the copy whose outputs are the logits and that layer), its fp16 copy when `precision` is
    "fp16" (CUDA actors; float32 inputs and outputs either way), or its int8 copy calibrated on `calibrate` (or the
    built-in set) by `recipe` when "int8" (CPU actors). Made once, here, the same cached copy the local engine
    uses: the actors need no onnx package and never calibrate."""
    from alexnet_gui.core.backends.onnx_backend import ensure_exported
    from alexnet_gui.core.backends.onnx_files import logits_only_model, outputs_model

    _check_own_export(weights, precision)
    model = ensure_exported(weights)
    if weights.kind != "onnx":
        model = outputs_model(model, (layer,)) if layer is not None else logits_only_model(model)
    if precision == "fp16":
        from alexnet_gui.core.backends.onnx_fp16 import fp16_model

        model = fp16_model(model)
    elif precision == "int8":
        from alexnet_gui.core.backends.onnx_int8 import int8_model

        model = int8_model(model, recipe, calibrate)[0]
    return model


def describe_card(weights: WeightsChoice, choices: Any = None) -> Any:
    """The card the actors run, found once on the driver (a CPU session opened without prepacking: ~0.1 s)."""
    from alexnet_gui.core.backends.onnx_backend import OnnxBackend
    from alexnet_gui.core.model.loading import NO_CHOICES

    backend = OnnxBackend(weights, "cpu", prepack=False, choices=choices or NO_CHOICES)
    try:
        return backend.card
    finally:
        backend.close()


def _check_own_export(weights: WeightsChoice, precision: str) -> None:
    """fp16 and int8 copies are made of the app's own exports only (as the local ONNX backend refuses)."""
    if precision == "fp16" and weights.kind == "onnx":
        from alexnet_gui.core.backends.onnx_fp16 import OWN_EXPORTS_ONLY

        raise UserError(OWN_EXPORTS_ONLY)
    if precision == "int8" and weights.kind == "onnx":
        from alexnet_gui.core.backends.onnx_int8 import OWN_EXPORTS_ONLY as INT8_OWN_EXPORTS_ONLY

        raise UserError(INT8_OWN_EXPORTS_ONLY)


def _placement(ray: Any, device: str, gpus_per_worker: float | None) -> tuple[float, str]:
    """(GPUs per actor, the device the actors run on: "cuda", "cpu" or "auto"); None asks for one GPU per actor
    when the cluster has GPUs and `device` is not "cpu"."""
    if gpus_per_worker is None:
        gpus_per_worker = 1.0 if device != "cpu" and ray.cluster_resources().get("GPU", 0) > 0 else 0.0
    actor_device = "cuda" if gpus_per_worker > 0 and device != "cpu" else ("cpu" if device == "cpu" else "auto")
    return gpus_per_worker, actor_device


def run_on_ray(
    paths: Sequence[str],
    weights: WeightsChoice,
    *,
    card: Any,
    backend: str = "onnx",
    device: str = "auto",
    precision: str = "fp32",
    top_k: int = 5,
    batch_size: int | None = None,
    fast_decode: bool = False,
    tta: str = "none",
    address: str | None = None,
    workers: int | None = None,
    gpus_per_worker: float | None = None,
    calibrate: str | None = None,
    on_progress: Callable[[int, int | None], None] | None = None,
    embedding_recorder: Any = None,
) -> Iterator[Result]:
    """Yield one Result per path, in input order, computed by Ray Data on the cluster at `address`.

    With `embedding_recorder` (an `EmbeddingRecorder`, fp32 only) the actors also return each image's vector at its
    layer from the same model run, and this driver, the index's only writer, records them in input order.

    `gpus_per_worker` None asks for one GPU per actor when the cluster has GPUs and `device` is not "cpu".
    `precision` "fp16" runs the actors' model in half precision when they have GPUs, fp32 otherwise (refused with
    `device` "cpu"); "int8" runs the quantised copy (calibrated on `calibrate`, or the built-in set) on CPU actors.
    """
    from alexnet_gui.core.backends import prepack_pays_off
    from alexnet_gui.core.backends.base import check_precision, precision_on
    from alexnet_gui.core.pipeline.tta import check_tta_mode

    if backend != "onnx":
        raise UserError(gettext("--engine ray runs the onnx backend only (its workers never import torch)"))
    if top_k < 1:
        raise ValueError("top_k must be at least 1")
    tta = check_tta_mode(tta)
    if tta == "10crop":
        from alexnet_gui.core.pipeline.tta import check_ten_crop_recipe

        check_ten_crop_recipe(card.preprocess)
    check_precision(precision, device)
    layer = embedding_recorder.layers[0] if embedding_recorder is not None else None
    if layer is not None and precision != "fp32":
        raise UserError(gettext(EMBED_FP32_ONLY))
    ray = connect(address)
    if precision == "int8":  # ONNX Runtime's int8 kernels are the CPU's
        gpus_per_worker, device = 0.0, "cpu"
    gpus_per_worker, actor_device = _placement(ray, device, gpus_per_worker)
    # Export once, here: the actors only ever see an .onnx file.
    model = actor_model(weights, precision_on(precision, "cuda" if actor_device == "cuda" else "cpu"),
                        card.preprocess, calibrate, layer)
    workers = workers or default_workers(ray, gpus_per_worker)
    if batch_size is None:
        from alexnet_gui.core.pipeline.engine import DEFAULT_BATCH_SIZE

        batch_size = DEFAULT_BATCH_SIZE["cuda" if actor_device == "cuda" else "cpu"]
    total = len(paths)
    if total == 0:
        return
    model_ref, blob_size = _ship_model(ray, model)
    import ray.data

    # The caller shows its own progress; Ray Data's bars and plan printout would interleave with it.
    context = ray.data.DataContext.get_current()
    context.enable_progress_bars = False
    context.print_on_execution_start = False
    # Paths travel as bytes: Arrow's strings must be UTF-8, and a file name need not be (b'\xff\xfe.jpg').
    ds = ray.data.from_items([{"idx": i, "path": os.fsencode(p)} for i, p in enumerate(paths)])
    ds = ds.map_batches(
        _decode_batch, fn_kwargs={"fast_decode": fast_decode, "tta": tta, "recipe": card.preprocess.to_dict()},
        batch_size=batch_size,
        batch_format="numpy",
    )
    ds = ds.map_batches(
        _Classifier,
        # The reference travels inside a list so that Ray hands the actor the reference, not 230 MB it may not need.
        fn_constructor_kwargs={"model_ref": [model_ref], "model_name": str(model), "model_size": model.stat().st_size,
                               "blob_size": blob_size, "device": actor_device, "top_k": top_k, "tta": tta,
                               "card": card.to_dict(), "prepack": prepack_pays_off(total), "layer": layer},
        compute=ray.data.ActorPoolStrategy(size=workers),
        # Ray Data's own defaults restart a dead actor and retry its batch (max_restarts/max_task_retries -1).
        batch_size=batch_size, batch_format="numpy", num_gpus=gpus_per_worker or None,
    )
    # Ray Data streams blocks as they finish; hold early ones back so the caller sees input order (and the index
    # gets its rows in the order a local run gives them).
    waiting: dict[int, tuple[Result, bytes]] = {}
    expected = 0
    for batch in ds.iter_batches(batch_size=None, batch_format="numpy"):
        vectors = batch["embedding"] if layer is not None else np.full(len(batch["idx"]), b"", dtype=object)
        results = _results(batch, card.labels, f"{card.card_id} · onnx on Ray actors · tta {tta}")
        for (idx, result), vector in zip(results, vectors, strict=True):
            waiting[idx] = (result, vector)
        released: list[tuple[Any, Any]] = []
        while expected + len(released) in waiting:
            released.append(waiting.pop(expected + len(released)))
        if layer is not None:
            _record(embedding_recorder, layer, released)
        for result, _vector in released:
            yield result
            expected += 1
            if on_progress is not None:
                on_progress(expected, total)
    if expected != total:
        raise RuntimeError(f"Ray returned {expected} of {total} results")


def _record(recorder: Any, layer: str, released: list[tuple[Result, bytes]]) -> None:
    """Hand the vectors of the rows that have classes to the recorder: it hashes the files here and appends."""
    kept = [(result, vector) for result, vector in released if result.ok and len(vector)]
    if kept:
        vectors = np.stack([np.frombuffer(vector, "<f2") for _result, vector in kept])
        recorder.record([result.path for result, _v in kept], {layer: vectors}, [result.top for result, _v in kept])


class RayClassifier:
    """The Ray path behind the Backend-like face the CLI's summary and provenance read (name, device, provider)."""

    name = "onnx"

    def __init__(
        self,
        weights: WeightsChoice,
        *,
        backend: str = "onnx",
        device: str = "auto",
        precision: str = "fp32",
        address: str | None = None,
        workers: int | None = None,
        gpus_per_worker: float | None = None,
        calibrate: str | None = None,
        **engine_options: Any,
    ) -> None:
        from alexnet_gui.core.backends.base import check_precision, precision_on

        if backend != "onnx":
            raise UserError(gettext("--engine ray runs the onnx backend only (its workers never import torch)"))
        check_precision(precision, device)
        ray = connect(address)
        if precision == "int8":  # CPU actors; no GPU is asked for
            gpus_per_worker = 0.0
        gpus_per_worker, actor_device = _placement(ray, device, gpus_per_worker)
        if device == "cuda" and gpus_per_worker <= 0:
            raise UserError(gettext("--device cuda with --engine ray needs GPUs in the cluster (or --gpus-per-worker)"))
        self.weights = weights
        self.weights_source = weights.source
        self.workers = workers or default_workers(ray, gpus_per_worker)
        self.gpus_per_worker = gpus_per_worker
        self.device = "cuda" if actor_device == "cuda" else "cpu"
        #: what the actors run: fp16 only on GPUs (the summary, the note on stderr and the provenance read it)
        self.precision = precision_on(precision, self.device)
        _check_own_export(weights, self.precision)  # now, not after Ray has started the dataset
        self.card = describe_card(weights, engine_options.pop("choices", None))
        #: what the int8 copy was calibrated on ("" for fp32 and fp16): the summary and the provenance say it
        self.calibration = ""
        #: how the actors' int8 copy is quantised ("" for fp32 and fp16)
        self.quantisation = ""
        self.calibrate = calibrate
        if self.precision == "int8":
            from alexnet_gui.core.backends.onnx_int8 import QUANTISATION, calibration_images

            self.calibration = calibration_images(calibrate)[1]
            self.quantisation = QUANTISATION
        self.requested_device = device
        self.address = address
        where = address or "a local Ray instance"
        self.provider = (
            f"Ray Data on {where}: {self.workers} ONNX Runtime actor(s), {gpus_per_worker:g} GPU each"
            + (f", {self.precision}" if self.precision != "fp32" else "")
        )
        self.engine_options = engine_options
        # The command line draws its own progress bar; Ray Data's "execution finished" lines would break it.
        import logging

        logging.getLogger("ray.data").setLevel(logging.ERROR)

    def run(self, paths: Sequence[str], *, on_progress: Callable[[int, int | None], None] | None = None,
            embedding_recorder: Any = None) -> Iterator[Result]:
        """Yield one Result per path in input order (see `run_on_ray`), recording vectors with
        `embedding_recorder`."""
        if embedding_recorder is not None and self.precision != "fp32":
            raise UserError(gettext(EMBED_FP32_ONLY))  # now, not once the caller reads the first row
        return run_on_ray(
            paths, self.weights, card=self.card, device=self.requested_device, precision=self.precision,
            address=self.address, calibrate=self.calibrate,
            workers=self.workers, gpus_per_worker=self.gpus_per_worker, on_progress=on_progress,
            embedding_recorder=embedding_recorder, **self.engine_options,
        )

    def close(self) -> None:
        """Nothing to free on the driver: the actors end with their dataset."""
