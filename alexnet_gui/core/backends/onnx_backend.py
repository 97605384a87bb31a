"""ONNX Runtime backend. Imports onnxruntime and numpy only: torch is needed just once, to export a missing model."""

from __future__ import annotations

import logging
import os
import re
import time
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import numpy as np
import onnxruntime as ort

from alexnet_gui.core.backends import onnx_cache
from alexnet_gui.core.backends.base import (
    Backend,
    BackendError,
    ModelRunError,
    check_precision,
    checked_scores,
    precision_on,
)
from alexnet_gui.core.backends.onnx_files import logits_only_model, outputs_model
from alexnet_gui.core.cache_paths import cache_path
from alexnet_gui.core.language import N_, gettext
from alexnet_gui.core.model.card import ModelCard, read_card, sidecar_path, write_sidecar
from alexnet_gui.core.model.loading import NO_CHOICES, CardChoices, apply_choices, quick_base_card
from alexnet_gui.core.model.weights import WeightsChoice, bundled_model_info, memoised_sha256
from alexnet_gui.core.wording import counted

log = logging.getLogger("alexnet_gui")

# ONNX Runtime's loggers print their own coloured lines on stderr (a graph's shape conflicts while a session opens,
# a failing node while it runs); the user gets our one sentence instead. 4: fatal errors only.
_QUIET = 4
ort.set_default_logger_severity(_QUIET)

CACHE_ENV = "ALEXNET_GUI_CACHE"
_CUDA = "CUDAExecutionProvider"
_CPU = "CPUExecutionProvider"
# A one-node ONNX model (y = Relu(x)), serialised here so that probing CUDA needs no `onnx` package.
PROBE_MODEL = (
    b'\x08\x08:7\n\x0c\n\x01x\x12\x01y"\x04Relu\x12\x05probeZ\x0f\n\x01x\x12\n\n\x08\x08\x01\x12\x04\n'
    b'\x02\x08\x01b\x0f\n\x01y\x12\n\n\x08\x08\x01\x12\x04\n\x02\x08\x01B\x04\n\x00\x10\x11'
)


def onnx_cache_dir() -> Path:
    """The folder holding exported models: $ALEXNET_GUI_CACHE/onnx, else the user cache folder."""
    return cache_path("onnx")


def _weights_key(path: Path) -> str:
    """First 16 hex of the file's SHA-256 (hashed once per file: see `weights.memoised_sha256`)."""
    return memoised_sha256(path)[:16]


def cached_model_path(weights: WeightsChoice) -> Path:
    """Where the export of these weights lives in the cache."""
    if weights.kind == "untrained":
        key = "untrained-seed0"
    else:
        assert weights.path is not None  # only the untrained network has no file
        key = _weights_key(weights.path)
    return onnx_cache_dir() / f"alexnet-{key}.onnx"


def exported_base_card(weights: WeightsChoice, path: Path) -> ModelCard | None:
    """The base card of a cached export (its sidecar, written at export), or one known without the weights."""
    quick = quick_base_card(weights)
    if quick is not None:
        return quick
    sidecar = sidecar_path(path)
    if sidecar.is_file():
        try:
            from dataclasses import replace

            return replace(read_card(sidecar), source=weights.source)
        except Exception:  # noqa: BLE001 - a damaged sidecar is made again with the export
            return None
    return None


def ensure_exported(weights: WeightsChoice) -> Path:
    """Return the ONNX model for these weights, exporting it on first use (the only time torch is imported).
    An export's base card lies beside it (`NAME.onnx.card.json`)."""
    if weights.kind == "onnx":
        assert weights.path is not None
        return weights.path
    path = cached_model_path(weights)
    if not onnx_cache.usable(path) or exported_base_card(weights, path) is None:
        from alexnet_gui.core.backends.onnx_export import export_onnx

        log.info("preparing the ONNX model for %s (once per weights file; it is cached in %s)",
                 weights.source, path.parent)
        started = time.perf_counter()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            report = export_onnx(weights, path, verify=True)
            write_sidecar(report.base_card, path)
            onnx_cache.record_file(path)
        except OSError as exc:
            raise BackendError(
                gettext("cannot write the ONNX cache in {folder} ({reason}); set {variable} to a writable folder")
                .format(folder=path.parent, reason=exc.strerror or exc, variable=CACHE_ENV)
            ) from None
        log.info("prepared the ONNX model in %.1f s", time.perf_counter() - started)
        onnx_cache.evict(path.parent, keep=path.name.split(".")[0].removeprefix("alexnet-"))
    return path


#: Why --device cuda is refused by the lean int8 bundle (its quantised operators run on the CPU).
BUNDLED_INT8_CPU_ONLY = N_("this desktop bundle carries the int8 model only, which runs on the CPU; use --device "
                            "cpu or auto, or the default bundle for CUDA")


def bundled_model_path() -> Path:
    """Where a desktop bundle's model would be (see packaging/build.py); absent outside a bundle."""
    from alexnet_gui.resource_files import BUNDLED_MODEL, resource_path

    return resource_path(BUNDLED_MODEL)


def _nvidia_driver_present() -> bool:
    """Whether the NVIDIA driver's CUDA library loads (a millisecond); without it no CUDA provider can work."""
    import ctypes
    import sys

    if sys.platform == "darwin":
        return False
    try:
        ctypes.CDLL("nvcuda.dll" if sys.platform == "win32" else "libcuda.so.1")
    except OSError:
        return False
    return True


@cache
def cuda_status() -> tuple[bool, str]:
    """Whether ONNX Runtime can really run on CUDA here (onnxruntime-gpu silently falls back otherwise), and why."""
    if _CUDA not in ort.get_available_providers():
        return False, gettext("this onnxruntime build has no CUDA provider (install onnxruntime-gpu)")
    if not _nvidia_driver_present():
        # Loading the CUDA provider only to see it fail costs ~0.1 s of every run on a machine without a GPU.
        return False, gettext("no NVIDIA driver found (libcuda could not be loaded)")
    # Probing loads the CUDA provider library; its C++ logger would print the failure we report ourselves.
    ort.set_default_logger_severity(4)
    try:
        session = ort.InferenceSession(PROBE_MODEL, providers=[_CUDA, _CPU])
    except Exception as exc:  # noqa: BLE001
        return False, gettext("the CUDA provider failed to start ({reason})").format(reason=str(exc).splitlines()[0])
    finally:
        ort.set_default_logger_severity(_QUIET)
    if _CUDA not in session.get_providers():
        return False, gettext("the CUDA provider did not load (no GPU, or CUDA/cuDNN libraries missing)")
    return True, "CUDAExecutionProvider"


def _run_failure(exc: Exception, n: int) -> ModelRunError:
    """ONNX Runtime's run error as one sentence: the operator that failed and its own reason, without the C++ source
    location ("[ONNXRuntimeError] : 1 : FAIL : Non-zero status code returned while running Reshape node. ... /src/
    reshape_helper.h:91 ... was false. The input tensor cannot be reshaped ...")."""
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    node = re.search(r"while running (\w+) node", text)
    reason = text.split("Status Message:", 1)[-1].strip()
    reason = re.sub(r"^\S+:\d+ .*? was false\.\s*", "", reason)
    reason = re.sub(r"^\[ONNXRuntimeError\] : \d+ : \w+ : ", "", reason)
    what = gettext("its {op} node failed").format(op=node.group(1)) if node else gettext("it failed")
    return ModelRunError(
        gettext("the model cannot run on a batch of {counted}: {what} ({reason})").format(
            counted=counted(n, "image"), what=what, reason=reason)
    )


def _threads() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


class OnnxBackend(Backend):
    """Runs an ONNX model (an export of any card, or a user's image classifier) with ONNX Runtime on CUDA or the
    CPU."""

    name = "onnx"

    def __init__(self, weights: WeightsChoice, device: str = "auto", precision: str = "fp32",
                 prepack: bool = True, choices: CardChoices = NO_CHOICES, card: ModelCard | None = None,
                 calibrate: str | None = None) -> None:
        """`prepack` False skips ONNX Runtime's weight prepacking: the model opens in 0.03 s instead of 0.3 s and
        runs about 3.5 % slower on the CPU, the better choice for short runs (see `backends.prepack_pays_off`); an int8
        model is always prepacked.
        `card` given (Ray's actors get the driver's) is used as it is; otherwise the card is found as
        `model.loading` and `model.onnx_cards` describe, with the user's `choices` applied. `precision` "int8" runs
        a quantised copy on the CPU, calibrated on `calibrate` (a folder) or the built-in set."""
        check_precision(precision, device)
        # The lean desktop bundle carries only an int8 model: it runs as int8 whatever was asked (and says so).
        bundle = bundled_model_info() if weights.kind == "onnx" and weights.path == bundled_model_path() else {}
        bundled_int8 = bundle.get("precision") == "int8"
        if bundled_int8:
            if device == "cuda":
                raise BackendError(gettext(BUNDLED_INT8_CPU_ONLY))
            precision = "int8"
        want_cuda = device in ("auto", "cuda") and precision != "int8"  # int8 runs on the CPU
        usable, reason = cuda_status() if want_cuda else (False, "CPU requested")
        if device == "cuda" and not usable:
            raise BackendError(f"CUDA is not usable with ONNX Runtime: {reason}")
        path = ensure_exported(weights)
        self._providers = [_CUDA, _CPU] if usable else [_CPU]
        # Our own exports carry every activation as an output: classify with a logits-only copy, and load the
        # full graph only when activations are asked for. A user's .onnx file is used as it is.
        lean = path if weights.kind == "onnx" else logits_only_model(path)
        if weights.kind == "onnx" and path == bundled_model_path():
            # A desktop bundle carries its logits-only copy ready-made (it cannot make one: no `onnx` package).
            bundled_lean = path.with_name(f"{path.stem}.logits.onnx")
            lean = bundled_lean if bundled_lean.is_file() else path
        self.precision = precision_on(precision, "cuda" if usable else "cpu")
        if self.precision == "fp16":
            from alexnet_gui.core.backends.onnx_fp16 import OWN_EXPORTS_ONLY, fp16_model

            if weights.kind == "onnx":
                raise BackendError(OWN_EXPORTS_ONLY)

            lean = fp16_model(lean)  # float32 inputs and outputs: predict() and the I/O binding stay as they are
        if bundled_int8:
            self.calibration = str(bundle.get("calibration", ""))
            # a bundle built before the scheme was recorded carries 8-bit weights (see onnx_int8.QUANTISATION)
            self.quantisation = str(bundle.get("quantisation", "qoperator-s8-u8-scores-float-kn"))
        elif self.precision == "int8":
            from alexnet_gui.core.backends.onnx_int8 import OWN_EXPORTS_ONLY as INT8_OWN_EXPORTS_ONLY
            from alexnet_gui.core.backends.onnx_int8 import QUANTISATION, int8_model

            if weights.kind == "onnx":
                raise BackendError(INT8_OWN_EXPORTS_ONLY)
            base = card or exported_base_card(weights, path)
            assert base is not None  # ensure_exported made it
            recipe = (card or apply_choices(base, choices, weights.path)).preprocess
            lean, self.calibration = int8_model(lean, recipe, calibrate)
            self.quantisation = QUANTISATION
        # ONNX Runtime's int8 kernels (QLinearConv, the integer GEMMs) need their prepacked weights far more than the
        # float ones: unpacked they ran 2.4-2.6 instead of 1.2 ms an image at batch 32-64 and 35 instead of 3 ms for
        # one image (2 Zen 4 cores), while packing takes about 0.1 s. Short runs lose at most that; the rest gain.
        if weights.kind == "onnx" and path != bundled_model_path():
            from alexnet_gui.core.backends.onnx_graph_check import check_graph_tensors

            check_graph_tensors(path)  # before ONNX Runtime folds the graph's constants
        self.session = self._open_session(lean, path, prepack or self.precision == "int8")
        self._prepacked = prepack or self.precision == "int8"
        if weights.kind != "onnx":
            onnx_cache.mark_used([path, lean])
        self.input_name = self.session.get_inputs()[0].name
        if card is not None:
            self.card, self.logits_name = card, self._scores_output(card)
        elif weights.kind == "onnx":
            self.card, self.logits_name = self._describe_user_graph(weights, path, choices)
        else:
            base = exported_base_card(weights, path)
            assert base is not None  # ensure_exported made it
            self.card, self.logits_name = apply_choices(base, choices, weights.path), "logits"
        self._batch_dim = self.session.get_inputs()[0].shape[0]
        self._activation_session = self.session if lean == path else None
        self._outputs = (
            {o.name for o in self.session.get_outputs()} if lean == path else {self.logits_name,
                                                                              *self.card.unit_layers()}
        )
        layers = set(self.card.layer_names())
        self.capabilities = frozenset({"activations"}) if layers and layers <= self._outputs else frozenset()
        active = self.session.get_providers()[0]
        if device == "cuda" and active != _CUDA:
            raise BackendError("CUDA is not usable with ONNX Runtime: the session fell back to the CPU")
        self.device = "cuda" if active == _CUDA else "cpu"
        self.provider = active
        self.model_path = path
        self._weights = weights
        self.weights_source = weights.source
        #: sessions on copies of the export with the logits and a few late layers as outputs (`_recording_session`)
        self._recording_sessions: dict[tuple[str, ...], ort.InferenceSession] = {}

    def _scores_output(self, card: ModelCard) -> str:
        names = [o.name for o in self.session.get_outputs()]
        return "logits" if "logits" in names else names[0]

    def _describe_user_graph(self, weights: WeightsChoice, path: Path,
                             choices: CardChoices) -> tuple[ModelCard, str]:
        from alexnet_gui.core.model.onnx_cards import OnnxModelError, card_for_onnx

        inputs = [(i.name, i.shape) for i in self.session.get_inputs()]
        outputs = [(o.name, o.shape) for o in self.session.get_outputs()]
        metadata = dict(self.session.get_modelmeta().custom_metadata_map)

        def run(x: np.ndarray) -> np.ndarray:
            scores_name = next((n for n, s in outputs if len(s) == 2), outputs[0][0])
            return self.session.run([scores_name], {inputs[0][0]: x})[0]

        try:
            return card_for_onnx(path, inputs, outputs, metadata, memoised_sha256(path), run, choices,
                                 weights.source)
        except OnnxModelError as exc:
            raise BackendError(str(exc)) from None

    def _open_session(self, path: Path, shown: Path, prepack: bool = True) -> ort.InferenceSession:
        options = ort.SessionOptions()
        if not prepack:
            options.add_session_config_entry("session.disable_prepacking", "1")
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.intra_op_num_threads = _threads()
        # The engine decodes on the same cores meanwhile: ORT's default busy-waiting between operators would
        # burn the CPU time those decode threads need (measured: ~10 % more CPU per image on 2 cores).
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.log_severity_level = _QUIET
        try:
            return ort.InferenceSession(str(path), options, providers=self._providers)
        except Exception as exc:  # noqa: BLE001 - ORT raises its own exception types for bad files
            raise BackendError(f"cannot load ONNX model {shown.name} ({str(exc).splitlines()[0]})") from None

    def predict(self, batch: np.ndarray) -> np.ndarray:
        limit = self.card.batch_limit
        if limit is not None and len(batch) != limit:
            return self._predict_in_chunks(batch, limit)
        if len(batch) == 1 and not self._prepacked and self.device == "cpu":
            # Unpacked, ONNX Runtime runs a lone row through its GEMV kernel, whose sums differ in the last bits
            # (1e-8) from the same row's in any larger batch: enough to turn a probability's 6th decimal between a
            # local run and Ray's, which batch the same images differently. Beside a copy of itself it gets the
            # scores every batch gives it, for about 45 ms more (27 against 72 ms for one image on 2 cores).
            return self._predict_exact(np.concatenate([batch, batch]))[:1]
        return self._predict_exact(batch)

    def _predict_in_chunks(self, batch: np.ndarray, limit: int) -> np.ndarray:
        """A graph with a fixed batch size runs `limit` images a call; the last call is padded when the size is
        fixed (a graph with a dynamic batch and a card's limit takes the remainder as it is)."""
        fixed = isinstance(self._batch_dim, int)
        out = []
        for start in range(0, len(batch), limit):
            chunk = batch[start:start + limit]
            n = len(chunk)
            if fixed and n < limit:
                chunk = np.concatenate([chunk, np.zeros((limit - n, *chunk.shape[1:]), chunk.dtype)])
            out.append(self._predict_exact(chunk)[:n])
        return np.concatenate(out) if out else np.zeros((0, self.card.classes), np.float32)

    def _predict_exact(self, batch: np.ndarray) -> np.ndarray:
        x = np.ascontiguousarray(batch, dtype=np.float32)
        if self.device == "cuda":
            # I/O binding: the input is copied to the GPU once and only the logits come back.
            binding = self.session.io_binding()
            binding.bind_cpu_input(self.input_name, x)
            binding.bind_output(self.logits_name)
            self._run(lambda: self.session.run_with_iobinding(binding), len(x))
            return checked_scores(binding.copy_outputs_to_cpu()[0], len(x), self.card.classes)
        return checked_scores(self._run(lambda: self.session.run([self.logits_name], {self.input_name: x}), len(x))[0],
                              len(x), self.card.classes)

    @staticmethod
    def _run(call, n: int):
        """`call()`, with a failure of the graph itself (a user's graph that only runs at some batch sizes) as one
        sentence."""
        try:
            return call()
        except Exception as exc:  # noqa: BLE001 - ORT raises its own exception types (Fail, InvalidArgument, ...)
            raise _run_failure(exc, n) from None

    def activations(self, batch: np.ndarray, layers: Sequence[str]) -> dict[str, np.ndarray]:
        session = self._activation_session_for(layers)
        x = np.ascontiguousarray(batch, dtype=np.float32)
        values = self._run(lambda: session.run(list(layers), {self.input_name: x}), len(x))
        return dict(zip(layers, values))

    def _activation_session_for(self, layers: Sequence[str]):
        """The session with the intermediate outputs (opened once), after checking the layers exist."""
        known = self.card.unit_layers()
        unknown = [n for n in layers if n not in known]
        if unknown:
            if not known:
                raise BackendError(f"this ONNX model's layers are its own: it has no {unknown[0]} the app can "
                                   "show; export a PyTorch model with `alexnet-gui export-onnx` to see feature maps")
            raise BackendError(f"unknown layer {unknown[0]!r}; choose from {', '.join(known)}")
        if self._activation_session is None:
            # Opening the full export also reads its real outputs: until then they were taken on trust from the
            # card, and an export cached by a version before fc6 and fc7 were outputs lacks them.
            self._activation_session = self._open_export_for_activations()
        missing = [n for n in layers if n not in self._outputs]
        if missing:
            raise BackendError(
                f"this ONNX model has no intermediate outputs ({missing[0]}); "
                "export it with `alexnet-gui export-onnx` to see feature maps"
            )
        return self._activation_session

    def _open_export_for_activations(self) -> ort.InferenceSession:
        """A session on the full export (every layer an output), made again when damaged or made by a version
        whose export lacked some of the card's layers."""
        if self._weights.kind != "onnx" and not onnx_cache.usable(self.model_path):
            self.model_path = ensure_exported(self._weights)  # it was damaged since the load: made again
        # Views ask for one image at a time: opening fast matters, prepacking would not pay back.
        session = self._open_session(self.model_path, self.model_path, prepack=False)
        outputs = {o.name for o in session.get_outputs()}
        if self._weights.kind != "onnx" and not set(self.card.unit_layers()) <= outputs:
            onnx_cache.remove_file(self.model_path)
            self.model_path = ensure_exported(self._weights)
            session = self._open_session(self.model_path, self.model_path, prepack=False)
            outputs = {o.name for o in session.get_outputs()}
        self._outputs = outputs | {self.logits_name}
        return session

    def predict_with_activations(self, batch: np.ndarray,
                                 layers: Sequence[str]) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        if self.precision != "fp32" or self.logits_name not in self._outputs:
            return super().predict_with_activations(batch, layers)
        session = self._recording_session(layers) or self._activation_session_for(layers)
        x = np.ascontiguousarray(batch, dtype=np.float32)
        logits, *values = self._run(lambda: session.run([self.logits_name, *layers], {self.input_name: x}), len(x))
        return checked_scores(logits, len(x), self.card.classes), dict(zip(layers, values))

    def _recording_session(self, layers: Sequence[str]) -> ort.InferenceSession | None:
        """A session, opened once per layer set and prepacked like the classifying one, on a copy of our export whose
        outputs are the logits and `layers` (`onnx_files.outputs_model`): for the late layers the embedding index
        records while classifying (pool5, fc6, fc7). None for other layers, or a user's graph."""
        key = tuple(layers)
        if (self._weights.kind == "onnx" or not key or not set(key) <= {"pool5", "fc6", "fc7"}
                or not set(key) <= set(self.card.unit_layers())):
            return None
        if key not in self._recording_sessions:
            copy = outputs_model(self.model_path, key)
            if copy == self.model_path:
                return None
            self._recording_sessions[key] = self._open_session(copy, copy, self._prepacked)
            onnx_cache.mark_used([copy])
        return self._recording_sessions[key]

    def close(self) -> None:
        self.session = None
        self._activation_session = None
        self._recording_sessions = {}
