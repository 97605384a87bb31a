"""Run the same images through two backends (PyTorch and ONNX Runtime) and compare their answers.

Each image is decoded once and given to every backend as a batch of one, so the latency is per image and both
backends see exactly the same input; the report per image is each top-k, the largest absolute logit difference,
whether the top-1 classes agree, and each backend's time.
"""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from alexnet_gui.core.backends.base import Backend
from alexnet_gui.core.language import gettext
from alexnet_gui.core.outputs.results import Prediction
from alexnet_gui.core.pipeline.scores import to_probabilities, top_predictions
from alexnet_gui.core.wording import counted


@dataclass(frozen=True)
class BackendAnswer:
    """One backend's answer for one image."""

    backend: str
    top: tuple[Prediction, ...]
    seconds: float


@dataclass(frozen=True)
class Comparison:
    """Two or more backends on one image; `error` is set (and the rest empty) when it could not be read."""

    path: str
    error: str | None
    answers: tuple[BackendAnswer, ...] = ()
    max_logit_diff: float = 0.0

    @property
    def top1_agree(self) -> bool:
        return len({a.top[0].index for a in self.answers}) == 1 if self.answers else False


def compare_input(backends: Sequence[Backend], x: np.ndarray, *, top_k: int = 5, path: str = "") -> Comparison:
    """Compare the backends on one normalised input (3, S, S); they must run the same card (see
    `check_same_card`)."""
    batch = np.ascontiguousarray(x[None], dtype=np.float32)
    answers = []
    logits = []
    for backend in backends:
        start = time.perf_counter()
        out = backend.predict(batch)
        seconds = time.perf_counter() - start
        logits.append(np.asarray(out, dtype=np.float64)[0])
        probs = to_probabilities(np.asarray(out), backend.card.output)
        answers.append(
            BackendAnswer(answer_name(backend), top_predictions(probs[0], top_k, backend.card.labels), seconds)
        )
    stacked = np.stack(logits)
    diff = float((stacked.max(axis=0) - stacked.min(axis=0)).max())
    return Comparison(path, None, tuple(answers), diff)


def answer_name(backend: Backend) -> str:
    """How a comparison names a backend: "torch", "onnx", or with its precision when not fp32 ("onnx int8")."""
    return backend.name if backend.precision == "fp32" else f"{backend.name} {backend.precision}"


def check_same_card(backends: Sequence[Backend]) -> None:
    """Refuse to compare backends that run different models (weights, classes or recipe): their numbers would
    differ for reasons that are not the backends'."""
    from alexnet_gui.core.errors import UserError

    cards = {(b.card.labels.names, b.card.preprocess) for b in backends}
    if len(cards) > 1:
        raise UserError("the backends run models with different labels or preprocessing; compare one model "
                        "on both")


def compare_backends(
    backends: Sequence[Backend],
    paths: Iterable[str],
    *,
    top_k: int = 5,
    fast_decode: bool = False,
    cancel: threading.Event | None = None,
) -> Iterator[Comparison]:
    """Yield one Comparison per path, in order; a file that cannot be read gives a Comparison with its reason.

    Each backend runs once on the first readable image before timing starts, so one-off start-up costs
    (CUDA context, ONNX Runtime's first run) do not count as that image's latency.
    """
    from alexnet_gui.core.pipeline.decode import decode_input

    check_same_card(backends)
    recipe = backends[0].card.preprocess
    warm = False
    for path in paths:
        if cancel is not None and cancel.is_set():
            return
        x = decode_input(path, fast_decode, recipe=recipe)
        if isinstance(x, str):
            yield Comparison(path, x)
            continue
        if not warm:
            for backend in backends:
                backend.predict(np.ascontiguousarray(x[None], dtype=np.float32))
            warm = True
        yield compare_input(backends, x, top_k=top_k, path=path)


@dataclass(frozen=True)
class CompareSummary:
    """Totals over a comparison run."""

    images: int
    failed: int
    agree: int
    max_logit_diff: float
    #: backend name → median seconds per image
    median_seconds: dict[str, float]


def summarise_comparisons(comparisons: Iterable[Comparison]) -> CompareSummary:
    """Return the totals: images compared, failures, top-1 agreements, largest logit difference, median latencies."""
    images = failed = agree = 0
    max_diff = 0.0
    times: dict[str, list[float]] = {}
    for c in comparisons:
        if c.error is not None:
            failed += 1
            continue
        images += 1
        agree += c.top1_agree
        max_diff = max(max_diff, c.max_logit_diff)
        for a in c.answers:
            times.setdefault(a.backend, []).append(a.seconds)
    return CompareSummary(images, failed, agree, max_diff, {k: statistics.median(v) for k, v in times.items()})


def format_comparison(c: Comparison, *, top_k: int = 5) -> str:
    """Return the lines printed for one image: each backend's latency and top-k, then agreement and difference."""
    if c.error is not None:
        return gettext('{path}\n  error: {error}').format(path=c.path, error=c.error)
    width = max(len(a.backend) for a in c.answers)
    lines = [c.path]
    for a in c.answers:
        tops = ", ".join(f"{p.label} {p.prob:.4f}" for p in a.top[:top_k])
        lines.append(f"  {a.backend:<{width}}  {1000 * a.seconds:8.2f} ms  {tops}")
    lines.append(
        gettext("  top-1 agree: {value}   largest |logit difference|: {max_logit_diff:.3g}").format(
            value=gettext("yes") if c.top1_agree else gettext("NO"), max_logit_diff=c.max_logit_diff
        )
    )
    return "\n".join(lines)


def format_summary(s: CompareSummary) -> str:
    """Return the one-paragraph summary of a comparison run."""
    pct = 100 * s.agree / s.images if s.images else 0.0
    latency = ", ".join(
        gettext("{name} {value:.2f} ms").format(name=name, value=1000 * sec) for name, sec in s.median_seconds.items()
    )
    return gettext(
        "{counted} compared ({failed} could not be read): top-1 agreement {agree}/{images} ({pct:.1f}%), largest |logit difference| {max_logit_diff:.3g}; median latency per image: {value}"
    ).format(
        counted=counted(s.images, "image"),
        failed=s.failed,
        agree=s.agree,
        images=s.images,
        pct=pct,
        max_logit_diff=s.max_logit_diff,
        value=latency or "-",
    )
