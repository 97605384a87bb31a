"""A half-precision (fp16) copy of a cached ONNX export, for `--precision fp16` on ONNX Runtime's CUDA provider.

`fp16_model(path)` converts the fp32 model at `path` once, with ONNX Runtime's own converter
(`onnxruntime.transformers.float16.convert_float_to_float16`, which needs the `onnx` package), and caches the copy
beside it as `<stem>.fp16.onnx` plus its weights in `<stem>.fp16.onnx.data`: ONNX external data, like the
logits-only model it is made from (`logits_only_model`), so that ONNX Runtime maps the 122 MB of fp16 weights
instead of parsing them out of a protobuf. The source may itself keep its weights as external data: `onnx.load`
reads them from beside it.

The copy keeps float32 input and outputs (`keep_io_types=True`): a Cast to fp16 follows the input and a Cast back
to fp32 precedes each output, so callers feed and receive exactly what they do with the fp32 model. Every float
initializer becomes fp16 (int64 shapes stay int64).
"""

from __future__ import annotations

import os
from pathlib import Path

from alexnet_gui.core.backends.base import BackendError

#: Why fp16 is refused for a user's own .onnx file: the half copy is written beside its source, never into a
#: user's folder.
OWN_EXPORTS_ONLY = "--precision fp16 works with the app's own exports only; use --precision fp32 with an .onnx file"


def _sort_topologically(graph) -> None:
    """Reorder `graph.node` so each node follows the nodes producing its inputs, as the ONNX spec requires.

    The converter appends the input's Cast after the nodes that read it: ONNX Runtime sorts graphs itself and
    would run it, but `onnx.checker` (and other tools) refuse it.
    """
    ready = {""} | {i.name for i in graph.input} | {t.name for t in graph.initializer}
    pending, ordered = list(range(len(graph.node))), []
    while pending:
        runnable = [i for i in pending if all(name in ready for name in graph.node[i].input)]
        if not runnable:
            raise BackendError("the fp16 conversion produced a graph with a cycle or a missing input")
        for i in runnable:
            ready.update(graph.node[i].output)
        ordered += runnable
        pending = [i for i in pending if i not in set(runnable)]
    nodes = [type(graph.node[i])() for i in ordered]
    for copy, i in zip(nodes, ordered):
        copy.CopyFrom(graph.node[i])
    del graph.node[:]
    graph.node.extend(nodes)


def fp16_model_path(path: Path) -> Path:
    """Where the fp16 copy of the ONNX model at `path` is cached: `<stem>.fp16.onnx` beside it."""
    return path.with_name(f"{path.stem}.fp16.onnx")


def fp16_model(path: str | os.PathLike[str]) -> Path:
    """Return the fp16 copy of the fp32 ONNX model at `path`, converting and caching it on first use.

    A copy older than its source is made again. Written atomically: the data file and the graph are written
    under temporary names and the graph is renamed last, so a reader that finds the `.onnx` finds its data complete.
    Raises BackendError (one sentence) when the `onnx` package is missing (the desktop bundle has none) or the
    copy cannot be written.
    """
    path = Path(path)
    from alexnet_gui.core.backends.onnx_files import save_with_external_data, saved_copy_is_current

    out = fp16_model_path(path)
    try:
        if saved_copy_is_current(out, path):
            return out
    except OSError as exc:
        raise BackendError(f"cannot read ONNX model {path.name} ({exc.strerror or exc})") from None
    try:
        import onnx
        from onnxruntime.transformers.float16 import convert_float_to_float16
    except ImportError:
        raise BackendError(
            "--precision fp16 with ONNX Runtime needs the onnx package to convert the model "
            "(the desktop bundle has none); use --precision fp32, or the pip install"
        ) from None
    try:
        model = onnx.load(str(path))  # with its external data, if it has any
        model = convert_float_to_float16(model, keep_io_types=True)
        _sort_topologically(model.graph)
        save_with_external_data(model, out)
    except OSError as exc:
        raise BackendError(f"cannot write the fp16 copy of {path.name} in {out.parent} ({exc.strerror or exc})") from None
    return out
