"""The ONNX files the app writes: the logits-only copy of an export, and atomic saving with external data.

Shared by the ONNX backend and the fp16 converter (neither imports the other for these).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

from alexnet_gui.core.backends import onnx_cache


def logits_only_model(path: Path) -> Path:
    """Return a copy of the export with the logits as its only output, cached beside it (made once, with `onnx`).

    With the 13 activations also graph outputs, ONNX Runtime can neither fuse each Conv with its ReLU nor reuse
    those buffers: the lean graph classifies faster and needs about 280 MB less memory at batch 32. Its weights
    sit in a separate data file (ONNX external data), which ONNX Runtime maps instead of parsing out of a 244 MB
    protobuf: the session opens in about 0.25 s instead of 0.7 s. Falls back to `path` when it cannot be written.
    """
    lean = path.with_name(f"{path.stem}.lean.onnx")
    try:
        if saved_copy_is_current(lean, path):
            return lean
        import onnx

        model = onnx.load(str(path))
        keep = [o for o in model.graph.output if o.name == "logits"]
        if not keep or len(model.graph.output) == 1:
            return path
        del model.graph.output[:]
        model.graph.output.extend(keep)
        save_with_external_data(model, lean)
        # The single-file copy that versions before 0.1.1 cached here: 244 MB nobody reads any more.
        path.with_name(f"{path.stem}.logits.onnx").unlink(missing_ok=True)
        return lean
    except (OSError, ImportError):
        return path


def outputs_model(path: Path, names: Sequence[str]) -> Path:
    """Return a copy of the export whose outputs are the logits and `names` only (`NAME.with-fc7.onnx`), cached
    beside it: recording a late layer while classifying then costs what classifying costs, where the full export
    (every layer an output, no Conv+ReLU fusion) ran 10-15 % slower (benchmarks/embeddings_bench.py). Falls back
    to `path` when it cannot be written or lacks one of the outputs."""
    copy = path.with_name(f"{path.stem}.with-{'-'.join(names)}.onnx")
    try:
        if saved_copy_is_current(copy, path):
            return copy
        import onnx

        model = onnx.load(str(path))
        wanted = ["logits", *names]
        by_name = {o.name: o for o in model.graph.output}
        if any(name not in by_name for name in wanted):
            return path
        keep = [by_name[name] for name in wanted]
        del model.graph.output[:]
        model.graph.output.extend(keep)
        save_with_external_data(model, copy)
        return copy
    except (OSError, ImportError):
        return path


def external_data_path(model_path: Path) -> Path:
    return model_path.with_name(model_path.name + ".data")


def saved_copy_is_current(copy: Path, source: Path) -> bool:
    """Whether `copy`, written by `save_with_external_data`, exists with its data file, both matching their
    integrity records, and is not older than `source`. A damaged part is deleted (and the user told): it is made
    again, never used. Raises OSError when `source` cannot be read."""
    if not (copy.is_file() and copy.stat().st_mtime_ns >= source.stat().st_mtime_ns):
        return False
    return onnx_cache.usable(copy) and onnx_cache.usable(external_data_path(copy))


def save_with_external_data(model, out: Path) -> None:
    """Save an onnx ModelProto as `out` plus its weights in `out`.data, atomically.

    The graph names its data file, so both are written under temporary names and the graph renamed last: a reader
    that finds the .onnx always finds its data complete.
    """
    import onnx

    data = external_data_path(out)
    tmp_dir = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        onnx.save(model, str(tmp_dir / out.name), save_as_external_data=True, all_tensors_to_one_file=True,
                  location=data.name, size_threshold=1024)
        os.replace(tmp_dir / data.name, data)
        onnx_cache.record_file(data)
        os.replace(tmp_dir / out.name, out)
        onnx_cache.record_file(out)
    finally:
        shutil.rmtree(tmp_dir, ignore_errors=True)


def model_bytes(path: Path) -> bytes:
    """The whole model as one serialised protobuf (external data inlined), for shipping to another machine."""
    import onnx

    return onnx.load(str(path)).SerializeToString()
