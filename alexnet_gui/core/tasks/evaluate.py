"""Accuracy on a folder of class-named sub-folders: `alexnet-gui evaluate` and the app's *Tools > Accuracy on a
folder*."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from alexnet_gui.core.pipeline.engine_options import EngineOptions, engine_for
from alexnet_gui.core.tasks.cancelling import Cancel, OnProgress, stop_event

if TYPE_CHECKING:
    from alexnet_gui.core.analysis.confusion import ConfusionMatrix
    from alexnet_gui.core.analysis.evaluate import Evaluation, LabelledImages
    from alexnet_gui.core.backends.base import Backend
    from alexnet_gui.core.model.labels import Labels

#: evaluate keeps the top five of every image (top-5 accuracy), whatever the app's table shows
EVALUATE_OPTIONS = EngineOptions(top_k=5)


@dataclass
class EvaluationReport:
    """An evaluation as far as it went: the images found, their scores, and whether it was stopped early
    (`interrupted`: Ctrl+C or SIGTERM, to be re-raised as the caller's exit status; `cancelled`: the user's cancel)."""

    found: LabelledImages
    evaluation: Evaluation
    interrupted: BaseException | None = None
    cancelled: bool = False

    @property
    def scored(self) -> int:
        """Images classified so far, those that could not be read included."""
        return self.evaluation.images + len(self.evaluation.failed)

    def confusion(self, labels: Labels) -> ConfusionMatrix:
        """The confusion matrix of the images scored."""
        from alexnet_gui.core.analysis.confusion import ConfusionMatrix

        return ConfusionMatrix.from_records(self.evaluation.records, labels)


def find_images_to_evaluate(folder: str | os.PathLike[str], labels: Labels,
                            files: str | os.PathLike[str] | None = None) -> LabelledImages:
    """The labelled images under `folder` (only those named in the list file `files` when given)."""
    from alexnet_gui.core.analysis.evaluate import find_labelled_images, restrict_to_list

    found = find_labelled_images(folder, labels)
    return restrict_to_list(found, files) if files is not None else found


def evaluate_images(backend: Backend, found: LabelledImages, *, options: EngineOptions = EVALUATE_OPTIONS,
                    cancel: Cancel = None, on_progress: OnProgress = None) -> EvaluationReport:
    """Classify `found`'s images and score them against their folders' classes. Ctrl+C (KeyboardInterrupt) ends
    the run with the scores so far, in `interrupted`."""
    from alexnet_gui.core.analysis.evaluate import Evaluation

    stop, asked = stop_event(cancel)
    report = EvaluationReport(found, Evaluation())
    total = len(found.paths)
    try:
        for result in engine_for(backend, options).run(found.paths, cancel=stop):
            report.evaluation.add(result, found.truth[result.path])
            if on_progress is not None:
                on_progress(report.scored, total)
            asked()
    except KeyboardInterrupt as exc:
        stop.set()
        report.interrupted = exc
    report.cancelled = asked() and report.scored < total
    return report


def evaluate_folder(backend: Backend, folder: str | os.PathLike[str], *, files: str | os.PathLike[str] | None = None,
                    options: EngineOptions = EVALUATE_OPTIONS, cancel: Cancel = None,
                    on_progress: OnProgress = None) -> EvaluationReport:
    """Find the labelled images under `folder` by the backend's class names, then `evaluate_images`."""
    found = find_images_to_evaluate(folder, backend.card.labels, files)
    return evaluate_images(backend, found, options=options, cancel=cancel, on_progress=on_progress)
