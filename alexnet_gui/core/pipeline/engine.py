"""The batch engine: paths → decoded tensors (thread pool, ahead of the model) → batches → backend → results.

One engine serves the command line and the desktop app. Results come back in input order, one per path;
a file that cannot be read becomes a Result with its reason and never stops the run.

numpy is imported inside the functions that use it, and the decode threads never need it (a crop waits as Pillow's
raw bytes): the command line starts decoding while the model loads, and the threads then decode during numpy's
~60 ms import on the loading thread instead of waiting for it.
"""

from __future__ import annotations

import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from alexnet_gui.core.backends.base import Backend, ModelRunError
from alexnet_gui.core.model.preprocess import Recipe
from alexnet_gui.core.outputs.results import Prediction, Result
from alexnet_gui.core.pipeline.decode import decode_crop
from alexnet_gui.core.pipeline.scores import ranked_or_reason, to_probabilities

if TYPE_CHECKING:
    import numpy as np

ProgressCallback = Callable[[int, "int | None"], None]

#: images per model call when none is asked for, by the device that runs the model
DEFAULT_BATCH_SIZE = {"cpu": 32, "cuda": 128}
#: on the CPU with fast decoding (one crop per image): fewer, larger calls use ~2 % less CPU, and without
#: full-resolution photos in flight the memory allows ONNX Runtime's larger buffers (~80 MB more)
FAST_DECODE_CPU_BATCH_SIZE = 64


def iter_image_paths(paths: Iterable[str | os.PathLike[str]]) -> Iterator[str]:
    """Yield image files: each file argument as given, each folder walked recursively in sorted order.

    Inside folders, hidden entries and files whose extension is not an image's are skipped; a folder reached
    twice through symlinks is walked once, so symlink loops end; the same file reached twice (a repeated argument,
    a symlinked folder, a hard link) is yielded once. A sub-folder that cannot be read is yielded itself, so it
    becomes a row with its reason instead of vanishing. Any depth: the walk keeps its own stack.
    """
    from alexnet_gui.core.pipeline.images import IMAGE_EXTENSIONS

    seen_dirs: set[tuple[int, int]] = set()
    seen_files: set[object] = set()
    for arg in paths:
        path = os.fspath(arg)
        if os.path.isdir(path):
            yield from _walk_folder(path, IMAGE_EXTENSIONS, seen_dirs, seen_files)
        else:
            # A file named explicitly always gets a row, even a missing or non-image one, so the user learns why.
            try:
                st = os.stat(path)
                key: object = (st.st_dev, st.st_ino)
            except (OSError, ValueError):
                key = path
            if key not in seen_files:
                seen_files.add(key)
                yield path


def _walk_folder(
    top: str, extensions: frozenset[str], seen: set[tuple[int, int]], seen_files: set[object]
) -> Iterator[str]:
    # Depth first in sorted order, as a recursive walk goes, but with a stack of its own: a tree 1,000 folders
    # deep must not end in RecursionError. Each stack entry is a folder's remaining (is_folder, path) entries.
    stack: list[Iterator[tuple[bool, str]]] = [iter([(True, top)])]
    while stack:
        item = next(stack[-1], None)
        if item is None:
            stack.pop()
            continue
        is_folder, path = item
        if not is_folder:
            yield path
            continue
        try:
            st = os.stat(path)
        except OSError:
            continue  # vanished, or a dangling link: nothing to classify there
        key = (st.st_dev, st.st_ino)
        if key in seen:
            continue
        seen.add(key)
        try:
            with os.scandir(path) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError:
            yield path  # its row says why the folder could not be read
            continue
        stack.append(_folder_entries(path, entries, st.st_dev, extensions, seen_files))


def _folder_entries(
    folder: str, entries: list[os.DirEntry], device: int, extensions: frozenset[str], seen_files: set[object]
) -> Iterator[tuple[bool, str]]:
    for entry in entries:
        if entry.name.startswith("."):
            continue
        full = os.path.join(folder, entry.name)
        try:
            is_dir = entry.is_dir()
        except OSError:
            continue
        if is_dir:
            yield True, full
        elif os.path.splitext(entry.name)[1].lower() in extensions:
            try:
                # A plain entry's inode comes with the listing; only a symlink needs a stat of its target.
                if entry.is_symlink():
                    target = os.stat(full)
                    file_key: object = (target.st_dev, target.st_ino)
                else:
                    file_key = (device, entry.inode())
            except OSError:
                file_key = full  # a dangling link: its row says the file is not there
            if file_key not in seen_files:
                seen_files.add(file_key)
                yield False, full


def _stack_inputs(decoded: list[bytes] | list[np.ndarray], buffer: list, recipe: Recipe) -> np.ndarray:
    """Stack decoded images into the model's float32 batch. Crops wait as raw uint8 pixels and are normalised here,
    a batch at a time, into `buffer[0]`: an array reused from batch to batch (allocated, or grown, here). Ten-crop
    inputs come already normalised."""
    import numpy as np

    if not isinstance(decoded[0], bytes):
        return np.stack(decoded)
    from alexnet_gui.core.model.preprocess import crop_from_bytes, normalise_batch

    decoded = [crop_from_bytes(pixels) for pixels in decoded]
    shape = (len(decoded), 3, *decoded[0].shape[:2])
    if not buffer or buffer[0].shape[0] < shape[0] or buffer[0].shape[1:] != shape[1:]:
        buffer[:] = [np.empty(shape, np.float32)]
    return normalise_batch(decoded, out=buffer[0], recipe=recipe)


def default_decode_workers() -> int:
    """Decode threads: one per available core (Pillow releases the GIL while decoding and resizing)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count() or 1
    return max(1, min(cores, 8))


class Engine:
    """Classify many files with one backend, decoding ahead of the model on a small thread pool.

    `backend` may be a Future of one still loading: decoding starts at once and the first batch waits for the
    model, so the seconds a model takes to open are not spent idle (the command line loads it on a thread).
    Images are decoded by `recipe`, which must be the backend's card's (the caller knows it early when the card
    is known without the weights, `loading.quick_card`); None takes the card's once the backend is there.
    """

    def __init__(
        self,
        backend: Backend | Future[Backend],
        *,
        top_k: int = 5,
        batch_size: int | None = None,
        fast_decode: bool = False,
        decode_workers: int | None = None,
        tta: str = "none",
        decode: str = "cpu",
        recipe: Recipe | None = None,
        unit_recorder=None,
        embedding_recorder=None,
        _gpu_decode_on_any_device: bool = False,
    ) -> None:
        from alexnet_gui.core.errors import UserError

        if top_k < 1:
            raise ValueError("top_k must be at least 1")
        if batch_size is not None and batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        if decode not in ("cpu", "gpu"):
            raise UserError(f"unknown decode {decode!r}; choose cpu or gpu")
        self._backend = backend
        self._recipe = recipe
        #: an `analysis.unit_examples.UnitRecorder`: each single-crop batch is run once for its scores and the
        #: recorder's layers together, and the recorder keeps every unit's top images (the app's Unit tab)
        self.unit_recorder = unit_recorder
        #: an `embeddings.tasks.EmbeddingRecorder`: its layer comes from the same model run as the scores, and each
        #: image's vector goes to its index with the image's top-k (issue 34)
        self.embedding_recorder = embedding_recorder
        self.top_k = top_k
        self._batch_size = batch_size
        self.fast_decode = fast_decode
        self.decode_workers = decode_workers or default_decode_workers()

        # "10crop": each image becomes ten crops and its softmax is their average (see core/pipeline/tta.py).
        if tta not in (None, "none"):
            from alexnet_gui.core.pipeline.tta import check_tta_mode

            tta = check_tta_mode(tta)
        self.tta = tta or "none"
        #: seconds of the last run spent in the model, and waiting for decodes the model needed (the pipeline's
        #: balance: on a GPU the wait is what decoding costs; on a CPU both share the cores)
        self.model_seconds = 0.0
        self.decode_wait_seconds = 0.0
        #: CPU seconds the decode threads used in the last run
        self.decode_cpu_seconds = 0.0
        self._stats_lock = threading.Lock()
        # "gpu": the pool only reads files and headers; each batch is decoded on the model's device with nvJPEG
        # and goes to the backend as a device tensor (core/pipeline/gpu_decode.py). The torch backend on CUDA only; tests
        # pass _gpu_decode_on_any_device=True to run the same path with torch on the CPU (libjpeg-turbo).
        self.decode = decode
        self._gpu_decode_on_any_device = _gpu_decode_on_any_device
        self._check_decode_options()
        if decode == "gpu" and not isinstance(backend, Future):
            self._decode_device()  # a backend still loading is checked at its first batch

    def _check_decode_options(self) -> None:
        from alexnet_gui.core.errors import UserError

        problem = None
        if self.decode == "gpu" and self.tta != "none":
            problem = "--decode gpu makes the single centre crop only; use --decode cpu with --tta 10crop"
        elif self.decode == "gpu" and self.fast_decode:
            problem = "--fast-decode sets the CPU decoder; choose it or --decode gpu, not both"
        if problem:
            raise UserError(problem)

    def _decode_device(self):
        """The torch device `--decode gpu` decodes on: the torch backend's, which must be on CUDA."""
        from alexnet_gui.core.errors import UserError
        from alexnet_gui.core.model.preprocess import TORCHVISION

        backend = self.backend
        if "device-tensors" not in backend.capabilities or (
                backend.device != "cuda" and not self._gpu_decode_on_any_device):
            raise UserError(f"--decode gpu needs the torch backend on CUDA (here: {backend.name} on {backend.device})")
        if backend.card.preprocess.to_dict() | {"name": ""} != TORCHVISION.to_dict() | {"name": ""}:
            raise UserError(f"--decode gpu makes torchvision's recipe only; this model's is "
                            f"{backend.card.preprocess.describe()}: use --decode cpu")
        import torch

        return torch.device(backend.device)

    @property
    def batch_size(self) -> int:
        """Images per model call: as given, else 128 on CUDA (a GPU needs large batches to be busy), and on the CPU
        64 with fast decoding and 32 without; 32 while the model is still loading. `run` cuts its first batch at 32
        when none was given."""
        if self._batch_size is not None:
            return self._batch_size
        backend = self._backend
        if isinstance(backend, Future):
            if not backend.done() or backend.exception() is not None:
                return DEFAULT_BATCH_SIZE["cpu"]
            backend = backend.result()
        if backend.device == "cpu" and self.fast_decode and self.tta == "none":
            return FAST_DECODE_CPU_BATCH_SIZE
        return DEFAULT_BATCH_SIZE.get(backend.device, DEFAULT_BATCH_SIZE["cpu"])

    @property
    def backend(self) -> Backend:
        """The backend; waits for it (and raises its loading error) when it was given as a Future."""
        if isinstance(self._backend, Future):
            self._backend = self._backend.result()
        return self._backend

    @property
    def recipe(self) -> Recipe:
        """The recipe images are decoded by: the one given, else the backend's card's (waiting for the backend)."""
        if self._recipe is None:
            self._recipe = self.backend.card.preprocess
        return self._recipe

    def origin(self) -> str:
        """What produces this run's rows: card, backend, device, precision and TTA, in one line."""
        backend = self.backend
        return (f"{backend.card.card_id} · {backend.name} on {backend.device} {backend.precision} · "
                f"tta {self.tta}")

    def classify_inputs(self, batch: np.ndarray,
                        paths: Sequence[str] | None = None) -> list[tuple[Prediction, ...] | str]:
        """Run the backend on a stacked (N, 3, S, S) batch, or (N, 10, 3, S, S) ten crops per image whose
        probabilities are averaged, and return each image's top-k, named by the card's labels, or the reason it has
        none (`scores.NAN_SCORES`). With a unit recorder, the single-crop batch of `paths` also goes to it."""
        backend = self.backend
        recorders = [r for r in (self.unit_recorder, self.embedding_recorder) if r is not None]
        if recorders and paths is not None and batch.ndim == 4:
            layers = list(dict.fromkeys(name for r in recorders for name in r.layers))
            scores, activations = backend.predict_with_activations(batch, layers)
            if self.unit_recorder is not None:
                self.unit_recorder.record(paths, activations)
            probs = to_probabilities(scores, backend.card.output)
            tops = [ranked_or_reason(row, self.top_k, backend.card.labels) for row in probs]
            if self.embedding_recorder is not None:
                self.embedding_recorder.record(paths, activations, tops)
            return tops
        elif batch.ndim == 5:
            from alexnet_gui.core.pipeline.tta import average_crop_probs

            probs = average_crop_probs(backend.predict_probabilities(batch.reshape(-1, *batch.shape[2:])))
        else:
            probs = backend.predict_probabilities(batch)
        return [ranked_or_reason(row, self.top_k, backend.card.labels) for row in probs]

    def classify_tensors(self, inputs: list) -> list[tuple[Prediction, ...] | str]:
        """Run the torch backend on (3, S, S) tensors already on its device (--decode gpu); return each top-k."""
        import torch

        # Declared by the backends with "device-tensors" in their capabilities (the torch backend); the engine
        # asks for it only with decode="gpu", which `_decode_device` allows with such a backend alone.
        backend = self.backend
        scores = backend.predict_tensor(torch.stack(inputs))  # type: ignore[attr-defined]
        probs = to_probabilities(scores, backend.card.output)
        return [ranked_or_reason(row, self.top_k, backend.card.labels) for row in probs]

    def _decode_counted(self, path: str) -> object:
        cpu = time.thread_time()
        x: object
        if self.decode == "gpu":
            from alexnet_gui.core.pipeline.gpu_decode import prepare

            # Only the file's bytes and header (and the CPU path for files the device will not decode).
            x = prepare(path)
        else:
            x = decode_crop(path, self.fast_decode, self.tta, self.recipe)
        with self._stats_lock:
            self.decode_cpu_seconds += time.thread_time() - cpu
        return x

    def _decode_on_device(self, prepared: list) -> list:
        """[(path, gpu_decode.Prepared)] → [(path, device tensor or reason)], decoded as one batch on the device."""
        from alexnet_gui.core.pipeline.gpu_decode import decode_prepared

        device = self._decode_device()
        inputs = decode_prepared([x for _, x in prepared], device)
        if device.type == "cuda":
            import torch

            torch.cuda.synchronize(device)  # so the decode wait and model seconds each count their own GPU time
        return [(path, x) for (path, _), x in zip(prepared, inputs)]

    def run(
        self,
        paths: Iterable[str],
        *,
        cancel: threading.Event | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> Iterator[Result]:
        """Yield one Result per path, in input order, until done or `cancel` is set.

        Cancel is checked before each batch, so it takes effect within one batch; results already
        yielded stay valid.
        """
        total = len(paths) if isinstance(paths, Sequence) else None
        if self.tta == "10crop":
            from alexnet_gui.core.pipeline.tta import check_ten_crop_recipe

            check_ten_crop_recipe(self.recipe)
        self.model_seconds = self.decode_wait_seconds = self.decode_cpu_seconds = 0.0
        path_iter = iter(paths)
        done = 0
        # Keep two batches of decodes in flight: one being stacked for the model, one decoding meanwhile. While the
        # model is still loading (on one core) the other cores may decode up to four batches, so they do not idle
        # (not with ten crops per image: those are 6 MB each).
        with ThreadPoolExecutor(self.decode_workers, thread_name_prefix="decode") as pool:
            pending: deque[tuple[str, Future[object]]] = deque()
            # The model's input array, reused by every batch of this run: the model is done with it when it returns.
            input_buffer: list[np.ndarray] = []

            def refill() -> None:
                loading = isinstance(self._backend, Future) and not self._backend.done()
                ahead = (4 if loading and self.tta == "none" else 2) * self.batch_size
                while len(pending) < ahead:
                    path = next(path_iter, None)
                    if path is None:
                        return
                    pending.append((path, pool.submit(self._decode_counted, path)))

            try:
                refill()
                while pending:
                    if cancel is not None and cancel.is_set():
                        return
                    size = self.batch_size
                    if done == 0 and self._batch_size is None:
                        # The first rows come after at most 32 images, however large the later batches: the app
                        # shows results sooner (the command line's first batch is cut there while its model loads).
                        size = min(size, DEFAULT_BATCH_SIZE["cpu"])
                    chunk = [pending.popleft() for _ in range(min(size, len(pending)))]
                    refill()
                    self.backend  # noqa: B018 - a model still loading is waited for here, not counted below
                    waited = time.perf_counter()
                    decoded = [(path, fut.result()) for path, fut in chunk]
                    on_device = self.decode == "gpu"
                    if on_device:
                        # Decoding on the device is the rest of the decode wait; the device tensors go straight in.
                        decoded = self._decode_on_device(decoded)
                    good: list[Any] = [x for _, x in decoded if not isinstance(x, str)]
                    batch = good if on_device or not good else _stack_inputs(good, input_buffer, self.recipe)
                    started = time.perf_counter()
                    self.decode_wait_seconds += started - waited
                    try:
                        tops = iter(
                            (self.classify_tensors(batch) if on_device else  # type: ignore[arg-type]
                             self.classify_inputs(batch,  # type: ignore[arg-type]
                                                  [p for p, x in decoded if not isinstance(x, str)]))
                            if good else []
                        )
                    except ModelRunError as exc:
                        if done == 0:
                            raise  # the model cannot run at all: one sentence, before any row
                        # Rows already written stay; this batch's images say why they have no classes.
                        tops = iter([str(exc)] * len(good))
                    self.model_seconds += time.perf_counter() - started
                    origin = self.origin()
                    for path, x in decoded:
                        top = x if isinstance(x, str) else next(tops)
                        if isinstance(top, str):
                            yield Result(path, top)
                        else:
                            yield Result(path, None, top, origin)
                    done += len(decoded)
                    if on_progress is not None:
                        on_progress(done, total)
            finally:
                for _, fut in pending:
                    fut.cancel()
