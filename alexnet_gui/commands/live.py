"""`alexnet-gui live SOURCE --out frames.csv`: classify a camera or a video file frame by frame (the app's live
view, without a window): one CSV row per frame with its top-k, and the frame rate on stderr."""

from __future__ import annotations

import argparse
import os
import sys
import time

from alexnet_gui.commands.argument_types import positive_int
from alexnet_gui.commands.model_options import add_model_arguments
from alexnet_gui.core.language import gettext as _


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `live` parser."""
    p = subparsers.add_parser(
        "live", help="classify a camera or a video file frame by frame into a CSV",
        description="Read frames from SOURCE (a camera number, 0 being the first, or a video file), classify each "
        "by the model's card and write frame, top-k labels and probabilities to CSV; with --layer, each frame's "
        "strongest channel of that layer too (from the same model run). A frame that cannot be decoded or classified "
        "is a row with its reason in the error column. Ctrl+C stops; the rows so far stay. "
        "Exit status: 0 done, 1 some frames failed, 2 error, 130 interrupted.",
    )
    p.add_argument("source", metavar="SOURCE", help="a camera number or a video file")
    p.add_argument("--out", "-o", required=True, metavar="CSV")
    p.add_argument("--frames", type=positive_int, default=None, metavar="N", help="stop after N frames")
    p.add_argument("--top-k", type=positive_int, default=5, metavar="K")
    p.add_argument("--layer", default=None, help="also report this layer's strongest channel per frame")
    add_model_arguments(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Open the source, classify frame after frame, write the rows."""
    from alexnet_gui.commands.model_options import model_input_files, open_backend
    from alexnet_gui.core.errors import UserError
    from alexnet_gui.core.outputs.output_paths import check_output_file
    from alexnet_gui.core.outputs.results import SpreadsheetCsvWriter, journal_path
    from alexnet_gui.core.pipeline.live import VideoSource

    video = [args.source] if not args.source.isdigit() else []
    check_output_file(args.out, inputs=[*video, *model_input_files(args)], sidecars=[journal_path(args.out)])
    source = VideoSource(args.source)
    backend = open_backend(args)
    if args.layer is not None and args.layer not in backend.card.layer_names():
        backend.close()
        source.close()
        raise UserError(
            _("no layer {layer!r} in this model; layers: {join}").format(
                layer=args.layer, join=", ".join(backend.card.layer_names())
            )
        )
    k = min(args.top_k, backend.card.classes)
    frames, failed, start = 0, 0, time.perf_counter()
    # The rows go to a journal beside --out, renamed into place when the run ends (or is interrupted): a run that
    # fails before its first row leaves an earlier CSV of that name as it was, not truncated to its header.
    journal = journal_path(args.out)
    try:
        with open(journal, "w", newline="", encoding="utf-8") as f:
            writer = SpreadsheetCsvWriter(f)  # labels are the model card's text
            header = ["frame", "error"] + [f"top{i}_{part}" for i in range(1, k + 1) for part in ("label", "prob")]
            writer.writerow(header + (["strongest_channel", "strongest_value"] if args.layer else []))
            try:
                while args.frames is None or frames < args.frames:
                    rgb = source.read()
                    if rgb is None:
                        break
                    row = _frame_row(backend, source.index, rgb, args.layer, k, first=frames == failed)
                    writer.writerow(row)
                    frames += 1
                    failed += bool(row[1])
            except KeyboardInterrupt:
                print(_("interrupted after {frames} frames").format(frames=frames), file=sys.stderr)
                f.close()
                os.replace(journal, args.out)
                raise
        os.replace(journal, args.out)
    finally:
        journal.unlink(missing_ok=True)
        source.close()
        backend.close()
        seconds = time.perf_counter() - start
        print(
            _("{frames} frames, {seconds:.1f} s, {value:.1f} frames/s").format(
                frames=frames, seconds=seconds, value=frames / seconds if seconds else 0
            ),
            file=sys.stderr,
        )
    if failed:
        print(_("{failed} of {frames} frames have no classes (see the error column)").format(
            failed=failed, frames=frames), file=sys.stderr)
    return 1 if failed else 0


def _frame_row(backend, index: int, rgb, layer: str | None, k: int, *, first: bool) -> list:
    """One CSV row: the frame's classes (and the layer's strongest channel), or its reason in the error column.
    A model that cannot run on the first frame is the run's error; on a later frame, that frame's reason."""
    from alexnet_gui.core.backends.base import ModelRunError
    from alexnet_gui.core.pipeline.live import classify_frame

    empty = [""] * (2 * k + (2 if layer else 0))
    if isinstance(rgb, str):
        return [index, rgb, *empty]
    try:
        frame = classify_frame(backend, rgb, index, layer=layer, top_k=k)
    except ModelRunError as exc:
        if first:
            raise
        return [index, str(exc), *empty]
    if frame.error:
        return [index, frame.error, *empty]
    row = [frame.index, ""] + [v for p in frame.top for v in (p.label, f"{p.prob:.6f}")]
    if frame.activations is not None:
        peaks = frame.activations.reshape(frame.activations.shape[0], -1).max(1)
        row += [int(peaks.argmax()), f"{float(peaks.max()):.6g}"]
    return row
