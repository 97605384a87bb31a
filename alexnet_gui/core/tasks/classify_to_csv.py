"""Classification into a CSV, the way `alexnet-gui classify --out` writes it: plan (which files, which rows an
earlier run left), journal (the CSV's rows written beside it as they come, so a kill loses at most the batch in
flight), the rows, then commit, resume record and provenance sidecar.

`classify_to_csv` does it all with a loaded backend. The command uses the steps one by one, because it starts the
engine while the model still loads (or hands the rows to Ray) and prints between them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from alexnet_gui.core.pipeline.engine_options import EngineOptions, engine_for
from alexnet_gui.core.tasks.cancelling import Cancel, OnProgress, stop_event

if TYPE_CHECKING:
    import threading

    from alexnet_gui.core.backends.base import Backend
    from alexnet_gui.core.model.choice import WeightsChoice
    from alexnet_gui.core.outputs.results import CsvResultWriter, Result
    from alexnet_gui.core.outputs.resume import ResumePlan


@dataclass(frozen=True)
class CsvRequest:
    """Where the rows go and what the provenance sidecar says about them: the CSV, classes per row, the inputs as
    the user named them, test-time augmentation, fast decoding, whether to resume an earlier run, the weights."""

    out: str
    top_k: int
    inputs: tuple[str, ...] = ()
    tta: str = "none"
    fast_decode: bool = False
    resume: bool = False
    weights: WeightsChoice | None = None


@dataclass
class CsvPlan:
    """What a run will do, decided before any model loads: the files left to classify, the rows kept from an
    earlier run (`resume`) and every file's stamp (size and mtime before classifying: a file changed during the
    run is classified again on resume)."""

    paths: list[str]
    resume: ResumePlan
    stamps: dict = field(default_factory=dict)

    def nothing_to_do(self, out: str) -> bool:
        """Every image is already in the CSV `out` itself, unchanged (not merely in a killed run's journal)."""
        return not self.paths and self.resume.source == out and not self.resume.damaged


def plan_csv(request: CsvRequest, paths: Sequence[str]) -> CsvPlan:
    """Plan the run over the image `paths` (found from the inputs): with `resume`, what the CSV (or a killed run's
    journal) already holds for unchanged files is kept and the rest is to do."""
    from alexnet_gui.core.outputs.resume import ResumePlan, plan_resume, stamps_for

    plan = plan_resume(request.out, paths, request.top_k) if request.resume else ResumePlan(todo=list(paths))
    return CsvPlan(plan.todo, plan, {**plan.kept_stamps, **stamps_for(plan.todo)})


def open_journal(request: CsvRequest, plan: CsvPlan) -> CsvResultWriter:
    """The CSV's journal, holding the rows kept from before; open it before the model loads, so a bad output fails
    in a second, not after a model load."""
    from alexnet_gui.core.outputs.results import CsvResultWriter, csv_text, restore_cell

    writer = CsvResultWriter(request.out, request.top_k, stamps=True)
    real = {csv_text(p): p for p in plan.resume.kept_stamps}  # a cell names a non-UTF-8 file escaped
    try:
        for cells in plan.resume.kept_rows:
            path = real.get(restore_cell(cells[0]), restore_cell(cells[0]))
            writer.write_cells(cells, path, plan.resume.kept_stamps.get(path))
        writer.flush()
    except BaseException:
        writer.discard()
        raise
    return writer


def commit_kept_rows(request: CsvRequest, plan: CsvPlan, writer: CsvResultWriter) -> None:
    """End a run that classified nothing with the rows kept from before: header, rows, resume record."""
    from alexnet_gui.core.outputs.resume import write_record

    writer.commit()
    write_record(request.out, dict(plan.resume.kept_stamps))


@dataclass
class CsvOutcome:
    """What a run wrote: the rows in the CSV, the images classified and failed in this run, and the Ctrl+C or
    SIGTERM (KeyboardInterrupt) that ended it early, if any; the CSV holds every complete row either way."""

    rows: int
    done: list[str]
    failed: int
    kept_failures: int
    interruption: BaseException | None = None

    @property
    def exit_status(self) -> int:
        """0, 1 when a row (new or kept) is a failure, or the interruption's own status (130, 143)."""
        if self.interruption is not None:
            from alexnet_gui.core.errors import exit_status_for

            return exit_status_for(self.interruption)
        return 1 if self.failed or self.kept_failures else 0


def write_csv(request: CsvRequest, plan: CsvPlan, writer: CsvResultWriter, results: Iterable[Result],
              backend: Any, *, started: float, stop: threading.Event | None = None,
              on_progress: OnProgress = None) -> CsvOutcome:
    """Stream `results` into the journal, then commit the CSV with its resume record and provenance sidecar.
    `backend` is what ran them (a Backend, or the Ray classifier with the same face); `started` the run's start
    (time.time()) for the provenance; a KeyboardInterrupt sets `stop` and ends the run with the rows so far."""
    from alexnet_gui.core.outputs.provenance import finish_provenance, start_provenance
    from alexnet_gui.core.outputs.resume import write_record

    kept = plan.resume
    provenance = start_provenance(backend, weights=request.weights, top_k=request.top_k, tta=request.tta,
                                  fast_decode=request.fast_decode, inputs=list(request.inputs), started=started)
    outcome = CsvOutcome(0, [], 0, kept.kept_failures)
    try:
        for result in results:
            writer.write(result, plan.stamps.get(result.path))
            outcome.done.append(result.path)
            outcome.failed += not result.ok
            if on_progress is not None:
                on_progress(len(outcome.done), len(plan.paths))
    except KeyboardInterrupt as exc:  # Ctrl+C, or SIGTERM (see cli.py)
        # Keep every complete row: a resumed run continues from this CSV.
        outcome.interruption = exc
        if stop is not None:
            stop.set()
    except BaseException:
        writer.discard()
        raise
    writer.commit()
    write_record(request.out, {p: plan.stamps[p] for p in [*kept.kept_stamps, *outcome.done]})
    finish_provenance(
        provenance,
        request.out,
        interrupted=outcome.interruption is not None,
        counts={
            "images": len(kept.todo) + kept.skipped,
            "classified": len(outcome.done) - outcome.failed,
            "failed": outcome.failed,
            "kept_from_earlier_run": len(kept.kept_rows),
            "skipped_unchanged": kept.skipped,
            "rows": len(kept.kept_rows) + len(outcome.done),
        },
    )
    outcome.rows = writer.rows_written
    return outcome


def classify_to_csv(request: CsvRequest, backend: Backend, paths: Sequence[str], *,
                    options: EngineOptions | None = None, cancel: Cancel = None,
                    on_progress: OnProgress = None) -> CsvOutcome:
    """Classify the image `paths` with a loaded `backend` into `request.out`: plan, journal, rows, commit, resume
    record and provenance. `options` default to the request's top_k, tta and fast decoding."""
    import time

    started = time.time()
    options = options or EngineOptions(top_k=request.top_k, tta=request.tta, fast_decode=request.fast_decode)
    plan = plan_csv(request, paths)
    if plan.nothing_to_do(request.out):
        return CsvOutcome(len(plan.resume.kept_rows), [], 0, plan.resume.kept_failures)
    writer = open_journal(request, plan)
    if not plan.paths:
        commit_kept_rows(request, plan, writer)
        return CsvOutcome(len(plan.resume.kept_rows), [], 0, plan.resume.kept_failures)
    stop, asked = stop_event(cancel)

    def results() -> Iterable[Result]:
        for result in engine_for(backend, options).run(plan.paths, cancel=stop):
            yield result
            asked()

    return write_csv(request, plan, writer, results(), backend, started=started, stop=stop, on_progress=on_progress)
