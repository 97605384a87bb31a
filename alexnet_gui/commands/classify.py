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
    from alexnet_gui.core.tasks.classify_to_csv import CsvOutcome, CsvPlan, CsvRequest

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


def csv_request(args: argparse.Namespace) -> CsvRequest:
    """The CSV task's request from the options (the weights once chosen)."""
    from alexnet_gui.core.tasks.classify_to_csv import CsvRequest

    return CsvRequest(args.out, args.top_k, tuple(args.paths), args.tta, args.fast_decode, args.resume,
                      getattr(args, "weights_choice", None))


def plan_run(args: argparse.Namespace) -> CsvPlan | int:
    """Check the options and the output, find the images, plan the resume; an int is the exit status when there is
    nothing to do."""
    from alexnet_gui.core.backends.base import check_precision
    from alexnet_gui.core.pipeline.engine import iter_image_paths
    from alexnet_gui.core.tasks.classify_to_csv import plan_csv

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
    planned = plan_csv(csv_request(args), paths)
    plan = planned.resume
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
    if planned.nothing_to_do(args.out):
        if len(paths) == 1:
            print(_("nothing to do: the image is already in {out}").format(out=args.out), file=sys.stderr)
        else:
            print(
                _("nothing to do: all {n} images are already in {out}").format(n=len(paths), out=args.out),
                file=sys.stderr,
            )
        return 1 if plan.kept_failures else 0
    return planned


@dataclass
class StartedSource:
    """A result source that has started: the rows as they come, what runs them, and when the model was ready."""

    results: Iterator
    backend: object  # a Backend, or the Ray classifier with the same face (name, device, provider, card)
    ready_at: float
    engine: object | None = None  # the local engine, for the run's balance line


def start_on_ray(args: argparse.Namespace, paths: list[str], on_progress) -> StartedSource:
    """Hand the rows to Ray Data (core/scale/ray_engine.py); with --embed, this process records the vectors the
    actors send back."""
    from alexnet_gui.commands.embeddings import embedding_recorder_for

    backend = _open_ray(args)
    loaded: Future = Future()
    loaded.set_result(backend)
    recorder = embedding_recorder_for(args, loaded)
    if recorder is not None:
        recorder.index  # noqa: B018 - opened now: a layer the model lacks is one sentence before any image
    results = backend.run(paths, on_progress=on_progress, embedding_recorder=recorder)
    return StartedSource(results, backend, time.perf_counter())


def start_locally(
    args: argparse.Namespace, weights, paths: list[str], cancel: threading.Event, on_progress
) -> StartedSource:
    """Open the model on its own thread while the engine decodes the first batches on the others; the first row is
    waited for here, so a model that fails to load fails now."""
    from alexnet_gui.commands.embeddings import embedding_recorder_for
    from alexnet_gui.core.model.loading import check_choices, quick_card
    from alexnet_gui.core.pipeline.engine_options import EngineOptions, engine_for

    # The user's card, labels and recipe files are read here, before the model loads on its own thread: a refused
    # file is then one sentence, not a wait for the load to end first ("waiting for the model to finish loading").
    check_choices(card_choices(args))

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
        options = EngineOptions(top_k=args.top_k, batch_size=args.batch_size, fast_decode=args.fast_decode,
                                decode_workers=args.workers, tta=args.tta, decode=getattr(args, "decode", "cpu"))
        engine = engine_for(
            pending_backend,
            options,
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
    from alexnet_gui.core.tasks.classify_to_csv import commit_kept_rows, open_journal

    launched, launched_wall = time.perf_counter(), time.time()
    plan = plan_run(args)
    if isinstance(plan, int):
        return plan
    kept = plan.resume
    writer = open_journal(csv_request(args), plan)
    cancel = threading.Event()
    cpu_start = time.process_time()  # the run's CPU from here: model load, decoding, the model, the CSV

    def flush_batch(done: int, total: int | None) -> None:
        writer.flush()  # after every batch: a kill loses at most the batch in flight

    def end_with_kept_rows(message: str) -> int:
        commit_kept_rows(csv_request(args), plan, writer)
        print(message, file=sys.stderr)
        return 1 if kept.kept_failures else 0

    if not plan.paths:  # a killed run's journal held every row: finish what it could not
        return end_with_kept_rows(
            _("nothing left to classify: wrote the {counted} of the interrupted run to {out}").format(
                counted=counted(len(kept.kept_rows), "row"), out=args.out
            )
        )
    try:
        if getattr(args, "engine", "local") == "ray":
            source = start_on_ray(args, plan.paths, flush_batch)
        else:
            weights = choose_weights(args)  # here, not on the loading thread: Ctrl+C must stop a download
            source = start_locally(args, weights, plan.paths, cancel, flush_batch)
    except KeyboardInterrupt as exc:
        # Interrupted before the first row: the CSV still gets its header and any kept rows.
        end_with_kept_rows(
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
    plan: CsvPlan,
    writer,
    source: StartedSource,
    cancel: threading.Event,
    *,
    launched: float,
    launched_wall: float,
    cpu_start: float,
) -> int:
    """Stream the source's rows into the CSV (the core task commits it with its resume record and provenance),
    and print the summary; return the exit status."""
    # Imported here, once images decode: json and datetime (~5 ms) need not delay the first of them.
    from alexnet_gui.commands.progress_bar import progress_bar  # here: tqdm's import is not on the start-up path
    from alexnet_gui.core.tasks.classify_to_csv import write_csv

    backend, start = source.backend, source.ready_at
    with progress_bar(len(plan.paths), _("classifying")) as bar:
        outcome = write_csv(csv_request(args), plan, writer, source.results, backend, started=launched_wall,
                            stop=cancel, on_progress=lambda done, _total: bar.update(done - bar.n))
    backend.close()  # type: ignore[attr-defined]
    seconds = time.perf_counter() - start
    print_summary(args, outcome, source, seconds, launched=launched, cpu_start=cpu_start)
    if outcome.interruption is not None:
        print(
            _("interrupted: {count} of {counted} written to {out}").format(
                count=outcome.rows, counted=counted(len(plan.paths), "row"), out=args.out
            ),
            file=sys.stderr,
        )
    return outcome.exit_status


def print_summary(args: argparse.Namespace, outcome: CsvOutcome, source: StartedSource, seconds: float, *,
                  launched: float, cpu_start: float) -> None:
    """The run's summary on stderr: rows and rate, where the time went, and the untrained network's warning."""
    backend, start = source.backend, source.ready_at
    rate = outcome.rows / seconds if seconds > 0 else 0.0
    print(
        _(
            "{counted}, {failures} failed, {seconds:.1f} s, {rate:.1f} images/s — backend {name}, device {device} ({provider}) → {out}"
        ).format(
            counted=counted(outcome.rows, "image"),
            failures=outcome.failed,
            seconds=seconds,
            rate=rate,
            name=backend.name,  # type: ignore[attr-defined]
            device=backend.device,  # type: ignore[attr-defined]
            provider=backend.provider,  # type: ignore[attr-defined]
            out=args.out,
        ),
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
