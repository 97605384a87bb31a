"""The same images through two backends or two precisions, side by side: `alexnet-gui compare` and the app's
*Tools > Compare backends*."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from alexnet_gui.core.tasks.cancelling import Cancel, OnProgress, stop_event

if TYPE_CHECKING:
    from alexnet_gui.core.analysis.compare import CompareSummary, Comparison
    from alexnet_gui.core.backends.base import Backend


def backends_to_compare(precision: str) -> tuple[tuple[str, str], ...]:
    """The (backend, precision) pair a comparison opens: with int8, ONNX Runtime's fp32 model against its int8
    copy (what int8 costs); otherwise PyTorch against ONNX Runtime at `precision`."""
    if precision == "int8":
        return ("onnx", "fp32"), ("onnx", "int8")
    return ("torch", precision), ("onnx", precision)


@dataclass
class ComparisonReport:
    """Every image's comparison, in input order, and their summary."""

    comparisons: list[Comparison] = field(default_factory=list)

    @property
    def summary(self) -> CompareSummary:
        from alexnet_gui.core.analysis.compare import summarise_comparisons

        return summarise_comparisons(self.comparisons)


def compare_paths(backends: Sequence[Backend], paths: Sequence[str], *, top_k: int = 5, fast_decode: bool = False,
                  cancel: Cancel = None, on_progress: OnProgress = None,
                  on_comparison: Callable[[Comparison], None] | None = None) -> ComparisonReport:
    """Run each image through every backend; `on_comparison` sees each comparison as it comes (a command prints
    it at once)."""
    from alexnet_gui.core.analysis.compare import compare_backends

    stop, asked = stop_event(cancel)
    report = ComparisonReport()
    for comparison in compare_backends(backends, paths, top_k=top_k, fast_decode=fast_decode, cancel=stop):
        report.comparisons.append(comparison)
        if on_comparison is not None:
            on_comparison(comparison)
        if on_progress is not None:
            on_progress(len(report.comparisons), len(paths))
        asked()
    return report
