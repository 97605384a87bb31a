"""`alexnet-gui classify PATH ... --out results.csv`: label images and folders into a CSV."""

from __future__ import annotations

import argparse
import itertools
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, wait
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from alexnet_gui.commands.argument_types import number_between, positive_int, top_k_count
from alexnet_gui.commands.model_options import (
    UNTRAINED_WARNING,
    add_model_arguments,
    card_choices,
    choose_weights,
    describe_card,
    model_input_files,
    open_backend,
)
from alexnet_gui.core.errors import UserError, exit_status_for
from alexnet_gui.core.language import gettext as _
from alexnet_gui.core.outputs.output_paths import check_output_file
from alexnet_gui.core.wording import counted, escape_controls

if TYPE_CHECKING:
    from alexnet_gui.core.backends.base import Backend
    from alexnet_gui.core.outputs.resume import ResumePlan

T = TypeVar("T")

#: seconds between forced GIL hand-overs while the model loads (Python's default is 0.005)
LOADING_SWITCH_INTERVAL = 0.0005


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `classify` parser."""
    p = subparsers.add_parser(
        "classify",
        help="classify images and folders into a CSV",
        description="Classify image files and folders (recursively) with AlexNet and write one CSV row per file. "
        "Exit status: 0 all classified, 1 some files failed (their rows say why), 2 usage or setup error.",
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="image files and/or folders")
    p.add_argument("--out", "-o", required=True, metavar="CSV", help="the CSV file to write (atomically)")
    p.add_argument("--top-k", type=top_k_count, default=5, metavar="K", help="classes per image (default: 5)")
    p.add_argument("--batch-size", type=positive_int, default=None, metavar="N",
        help="images per model call (default: 128 on CUDA; on the CPU 32, or 64 with --fast-decode)")
    p.add_argument(
        "--fast-decode", action="store_true",
        help="decode JPEGs at reduced scale (Pillow draft mode): much faster, within 0.02 RMS of the exact input",
    )
    p.add_argument(
        "--decode", choices=("cpu", "gpu"), default="cpu",
        help="where JPEGs are decoded: cpu (Pillow on the decode threads; default) or gpu (nvJPEG, batched, with "
        "the resize and crop on CUDA; torch backend on CUDA only). gpu is approximate like --fast-decode: 0.002 RMS "
        "from the exact input at most on photo-like JPEGs (measured with the same code on the CPU decoder)",
    )
    p.add_argument(
        "--workers", type=positive_int, default=None, metavar="N",
        help="decode threads (default: one per core); with --engine ray, classifier actors "
        "(default: one per GPU, else a quarter of the cluster's CPUs)",
    )
    p.add_argument(
        "--tta", choices=("none", "10crop"), default="none",
        help="test-time augmentation: 10crop averages the softmax of the four corner and centre crops and their "
        "mirror images (the AlexNet paper's; ten times the work)",
    )
    p.add_argument(
        "--resume", action="store_true",
        help="continue an earlier run into the same --out: files already there with unchanged size and "
        "modification time are skipped, the rest appended",
    )
    add_model_arguments(p)
    from alexnet_gui.commands.embeddings import add_embed_argument

    add_embed_argument(p)
    scale = p.add_argument_group("scale out")
    scale.add_argument(
        "--engine", choices=("local", "ray"), default="local",
        help="local: this machine; ray: Ray Data on a Ray cluster, same CSV (needs the ray extra; default: local)",
    )
    scale.add_argument(
        "--address", metavar="ADDR", default=None,
        help="with --engine ray: the cluster, 'auto' (this machine's running cluster) or ray://host:10001 "
        "(default: start a local Ray instance)",
    )
    scale.add_argument(
        "--gpus-per-worker", type=number_between(0, 64), default=None, metavar="F",
        help="with --engine ray: GPUs per classifier actor, e.g. 0.5 (default: 1 when the cluster has GPUs, else 0)",
    )
    p.set_defaults(func=run)


def _open_ray(args: argparse.Namespace):
    """Resolve the weights here and hand the run to Ray Data (core/scale/ray_engine.py)."""
    from alexnet_gui.core.scale.ray_engine import RayClassifier

    calibrate = getattr(args, "calibrate", None)
    if calibrate is not None and args.precision != "int8":
        raise UserError(_("--calibrate applies to --precision int8 only"))
    weights = choose_weights(args)
    args.weights_choice = weights
    classifier = RayClassifier(
        weights, backend=args.backend, device=args.device, precision=args.precision, address=args.address,
        workers=args.workers, gpus_per_worker=args.gpus_per_worker, top_k=args.top_k, batch_size=args.batch_size,
        fast_decode=args.fast_decode, tta=args.tta, choices=card_choices(args), calibrate=calibrate,
    )
    if classifier.precision != args.precision:  # fp16 asked for, and the actors have no GPU
        print(
            _(
                "precision: {precision} on the actors' CPUs, not {precision2} ({precision2} needs CUDA; the Ray cluster gives the actors no GPU)"
            ).format(precision=classifier.precision, precision2=args.precision),
            file=sys.stderr,
        )
    print(
        _("engine: {provider}; weights: {weights_source}").format(
            provider=classifier.provider, weights_source=escape_controls(classifier.weights_source)
        ),
        file=sys.stderr,
    )
    if classifier.precision == "int8":
        print(
            _("precision: int8 on the actors' CPUs, calibrated on {calibration}").format(
                calibration=classifier.calibration
            ),
            file=sys.stderr,
        )
    print(describe_card(classifier.card), file=sys.stderr)
    return classifier


def _in_background(load: Callable[[], T]) -> Future[T]:
    """Run `load` on a daemon thread and return the Future of its result.

    A daemon thread, so that Ctrl+C while a model loads exits at once instead of waiting for the load.
    """
    future: Future[T] = Future()

    def work() -> None:
        try:
            future.set_result(load())
        except BaseException as exc:  # noqa: BLE001 - handed to the waiting thread, which reports it
            future.set_exception(exc)

    threading.Thread(target=work, name="load-model", daemon=True).start()
    return future


def _let_loading_finish(pending: Future) -> None:
    """Wait for a model still loading before leaving: a thread inside ONNX Runtime or torch when the interpreter
    shuts down aborts the process ("terminate called without an active exception") instead of exiting cleanly.
    A second Ctrl+C while waiting leaves at once."""
    if pending.done():
        return
    print(_("waiting for the model to finish loading before exiting (Ctrl+C again to leave now)"), file=sys.stderr)
    try:
        wait([pending])
    except KeyboardInterrupt:
        sys.stderr.flush()
        os._exit(130)


def describe_balance(engine, cpu_seconds: float, fast_decode: bool) -> str:
    """One line on where the run's time went: decoding's share of the CPU, and how long the model waited for it."""
    share = engine.decode_cpu_seconds / cpu_seconds if cpu_seconds > 0 else 0.0
    line = (
        f"decoding used {engine.decode_cpu_seconds:.1f} of {cpu_seconds:.1f} CPU seconds ({share:.0%}); "
        f"the model ran {engine.model_seconds:.1f} s and waited {engine.decode_wait_seconds:.1f} s for images"
    )
    if not fast_decode and share > 0.5:
        line += " (--fast-decode decodes JPEGs several times faster)"
    return line


@dataclass
class RunPlan:
    """What a classify run will do, decided before any model loads: the files left to classify, the rows kept
    from an earlier run (`--resume`) and every file's stamp."""

    paths: list[str]
    resume: ResumePlan
    stamps: dict


def plan_run(args: argparse.Namespace) -> RunPlan | int:
    """Check the options and the output, find the images, plan the resume; an int is the exit status when there is
    nothing to do."""
    from alexnet_gui.core.backends.base import check_precision
    from alexnet_gui.core.outputs.resume import ResumePlan, plan_resume, stamps_for
    from alexnet_gui.core.pipeline.engine import iter_image_paths

    on_ray = getattr(args, "engine", "local") == "ray"
    if not on_ray and (getattr(args, "address", None) or getattr(args, "gpus_per_worker", None) is not None):
        raise UserError(_("--address and --gpus-per-worker need --engine ray"))
    if on_ray and getattr(args, "decode", "cpu") != "cpu":
        raise UserError(_("--engine ray decodes on the workers' CPUs; leave out --decode gpu or use --engine local"))
    check_precision(getattr(args, "precision", "fp32"), args.device)  # before any weights download
    from alexnet_gui.commands.embeddings import check_embed_options

    check_embed_options(args)
    if on_ray:
        from alexnet_gui.core.scale.ray_engine import import_ray

        import_ray()  # without the extra: exit 2 with the install command, before any work
    paths = list(iter_image_paths(args.paths))
    if not paths:
        raise UserError(_("no image files found in {join}").format(join=", ".join(args.paths)))
    from alexnet_gui.core.outputs.results import csv_companions

    check_output_file(args.out, inputs=[*paths, *model_input_files(args)], sidecars=csv_companions(args.out))
    plan = plan_resume(args.out, paths, args.top_k) if args.resume else ResumePlan(todo=paths)
    source = args.out if plan.source in ("", args.out) else f"the interrupted run's journal ({plan.source})"
    if plan.damaged:
        print(
            _("{counted} in {source} will be classified again").format(
                counted=counted(plan.damaged, "damaged row"), source=source
            ),
            file=sys.stderr,
        )
    if plan.skipped:
        print(
            _("resuming: {skipped} of {counted} already done in {source}").format(
                skipped=plan.skipped, counted=counted(len(paths), "image"), source=source
            ),
            file=sys.stderr,
        )
    if not plan.todo and plan.source == args.out and not plan.damaged:
        if len(paths) == 1:
            print(_("nothing to do: the image is already in {out}").format(out=args.out), file=sys.stderr)
        else:
            print(
                _("nothing to do: all {n} images are already in {out}").format(n=len(paths), out=args.out),
                file=sys.stderr,
            )
        return 1 if plan.kept_failures else 0
    # Size and mtime before classifying: a file changed during the run is classified again on resume.
    return RunPlan(plan.todo, plan, {**plan.kept_stamps, **stamps_for(plan.todo)})


def open_writer(args: argparse.Namespace, plan: RunPlan):
    """The CSV's journal, holding the rows kept from before; opened before the model loads, so a bad --out fails
    in a second, not after a model load."""
    from alexnet_gui.core.outputs.results import CsvResultWriter, csv_text, restore_cell

    writer = CsvResultWriter(args.out, args.top_k, stamps=True)
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


@dataclass
class StartedSource:
    """A result source that has started: the rows as they come, what runs them, and when the model was ready."""

    results: Iterator
    backend: object  # a Backend, or the Ray classifier with the same face (name, device, provider, card)
    ready_at: float
    engine: object | None = None  # the local engine, for the run's balance line


def start_on_ray(args: argparse.Namespace, paths: list[str], on_progress) -> StartedSource:
    """Hand the rows to Ray Data (core/scale/ray_engine.py)."""
    backend = _open_ray(args)
    return StartedSource(backend.run(paths, on_progress=on_progress), backend, time.perf_counter())


def start_locally(
    args: argparse.Namespace, weights, paths: list[str], cancel: threading.Event, on_progress
) -> StartedSource:
    """Open the model on its own thread while the engine decodes the first batches on the others; the first row is
    waited for here, so a model that fails to load fails now."""
    from alexnet_gui.commands.embeddings import embedding_recorder_for
    from alexnet_gui.core.model.loading import quick_card
    from alexnet_gui.core.pipeline.engine import Engine

    ready_at: list[float] = []
    switch_interval = sys.getswitchinterval()

    def load() -> Backend:
        try:
            backend = open_backend(args, weights, images=len(paths))
        finally:
            sys.setswitchinterval(switch_interval)
        ready_at.append(time.perf_counter())
        return backend

    # The model's imports (numpy, onnxruntime) hold the GIL for ~0.1 s: a decode thread back from Pillow gets
    # it within 0.5 ms instead of Python's 5 ms, so the other core keeps decoding meanwhile.
    sys.setswitchinterval(LOADING_SWITCH_INTERVAL)
    pending_backend = _in_background(load)
    running = None
    try:
        # Known without the weights (torchvision's file, a card sidecar): decoding starts with the card's recipe
        # at once; otherwise the engine waits for the loaded model's card.
        early = quick_card(weights, card_choices(args))
        engine = Engine(
            pending_backend,
            top_k=args.top_k,
            batch_size=args.batch_size,
            fast_decode=args.fast_decode,
            decode_workers=args.workers,
            tta=args.tta,
            decode=getattr(args, "decode", "cpu"),
            recipe=early.preprocess if early is not None else None,
            embedding_recorder=embedding_recorder_for(args, pending_backend),
        )
        running = engine.run(paths, cancel=cancel, on_progress=on_progress)
        first = next(running, None)
        backend = pending_backend.result()
    except BaseException:
        if running is not None:
            running.close()  # stops the decoding threads
        _let_loading_finish(pending_backend)
        raise
    return StartedSource(itertools.chain([] if first is None else [first], running), backend, ready_at[0], engine)


def run(args: argparse.Namespace) -> int:
    """Classify, stream rows to the CSV, print a summary; return 0, 1 (some files failed) or 130 (interrupted)."""
    from alexnet_gui.core.outputs.resume import write_record

    launched, launched_wall = time.perf_counter(), time.time()
    planned = plan_run(args)
    if isinstance(planned, int):
        return planned
    plan, kept = planned, planned.resume
    writer = open_writer(args, plan)
    cancel = threading.Event()
    cpu_start = time.process_time()  # the run's CPU from here: model load, decoding, the model, the CSV

    def flush_batch(done: int, total: int | None) -> None:
        writer.flush()  # after every batch: a kill loses at most the batch in flight

    def commit_kept_rows(message: str) -> None:
        """End with the rows kept from before (none, or a killed run's): header, rows, resume record."""
        writer.commit()
        write_record(args.out, dict(kept.kept_stamps))
        print(message, file=sys.stderr)

    if not plan.paths:  # a killed run's journal held every row: finish what it could not
        commit_kept_rows(
            _("nothing left to classify: wrote the {counted} of the interrupted run to {out}").format(
                counted=counted(len(kept.kept_rows), "row"), out=args.out
            )
        )
        return 1 if kept.kept_failures else 0
    try:
        if getattr(args, "engine", "local") == "ray":
            source = start_on_ray(args, plan.paths, flush_batch)
        else:
            weights = choose_weights(args)  # here, not on the loading thread: Ctrl+C must stop a download
            source = start_locally(args, weights, plan.paths, cancel, flush_batch)
    except KeyboardInterrupt as exc:
        # Interrupted before the first row: the CSV still gets its header and any kept rows.
        commit_kept_rows(
            _("interrupted before the first image was classified: {out} has {counted}").format(
                out=args.out, counted=counted(len(kept.kept_rows), "row")
            )
        )
        return exit_status_for(exc)
    except BaseException:
        writer.discard()
        raise
    return write_rows(
        args, plan, writer, source, cancel, launched=launched, launched_wall=launched_wall, cpu_start=cpu_start
    )


def write_rows(
    args: argparse.Namespace,
    plan: RunPlan,
    writer,
    source: StartedSource,
    cancel: threading.Event,
    *,
    launched: float,
    launched_wall: float,
    cpu_start: float,
) -> int:
    """Stream the source's rows into the CSV, then commit it with its resume record and provenance, and print the
    summary; return the exit status."""
    # Imported here, once images decode: json and datetime (~5 ms) need not delay the first of them.
    from alexnet_gui.commands.progress_bar import progress_bar  # here: tqdm's import is not on the start-up path
    from alexnet_gui.core.outputs.provenance import finish_provenance, start_provenance
    from alexnet_gui.core.outputs.resume import write_record

    kept, backend, start = plan.resume, source.backend, source.ready_at
    provenance = start_provenance(
        backend,
        weights=getattr(args, "weights_choice", None),
        top_k=args.top_k,
        tta=args.tta,  # type: ignore[arg-type]
        fast_decode=args.fast_decode,
        inputs=list(args.paths),
        started=launched_wall,
    )
    failures = 0
    done: list[str] = []
    bar = progress_bar(len(plan.paths), _("classifying"))
    interruption: BaseException | None = None
    try:
        for result in source.results:
            writer.write(result, plan.stamps.get(result.path))
            done.append(result.path)
            failures += not result.ok
            bar.update(1)
    except KeyboardInterrupt as exc:  # Ctrl+C, or SIGTERM (see cli.py)
        # Keep every complete row: `classify --resume` can continue from this CSV.
        interruption = exc
        cancel.set()
    except BaseException:
        bar.close()
        writer.discard()
        raise
    bar.close()
    writer.commit()
    write_record(args.out, {p: plan.stamps[p] for p in [*kept.kept_stamps, *done]})
    finish_provenance(
        provenance,
        args.out,
        interrupted=interruption is not None,
        counts={
            "images": len(kept.todo) + kept.skipped,
            "classified": len(done) - failures,
            "failed": failures,
            "kept_from_earlier_run": len(kept.kept_rows),
            "skipped_unchanged": kept.skipped,
            "rows": len(kept.kept_rows) + len(done),
        },
    )
    backend.close()  # type: ignore[attr-defined]
    seconds = time.perf_counter() - start
    count = writer.rows_written
    rate = count / seconds if seconds > 0 else 0.0
    print(
        _(
            "{counted}, {failures} failed, {seconds:.1f} s, {rate:.1f} images/s — backend {name}, device {device} ({provider}) → {out}"
        ).format(
            counted=counted(count, "image"),
            failures=failures,
            seconds=seconds,
            rate=rate,
            name=backend.name,
            device=backend.device,
            provider=backend.provider,
            out=args.out,
        ),  # type: ignore[attr-defined]
        file=sys.stderr,
    )
    print(
        _("{value:.1f} s in all, of which {value2:.1f} s before the model was ready").format(
            value=time.perf_counter() - launched, value2=start - launched
        ),
        file=sys.stderr,
    )
    if source.engine is not None and seconds > 0:
        print(describe_balance(source.engine, time.process_time() - cpu_start, args.fast_decode), file=sys.stderr)
    if args.untrained:
        print(_(UNTRAINED_WARNING), file=sys.stderr)
    if interruption is not None:
        print(
            _("interrupted: {count} of {counted} written to {out}").format(
                count=count, counted=counted(len(plan.paths), "row"), out=args.out
            ),
            file=sys.stderr,
        )
        return exit_status_for(interruption)
    return 1 if failures or kept.kept_failures else 0
