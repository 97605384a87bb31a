"""Before ONNX Runtime opens a user's graph: no tensor its shapes make may be larger than an AlexNet's largest.

ONNX Runtime folds constants when it opens a graph: a 369-byte file whose ConstantOfShape asks for a 1000^3
tensor allocates 3.7 GB before anything can be refused. ONNX's own shape inference (with data propagation, so
shapes computed from constants are known) tells every tensor's size without allocating any. It runs on a copy of
the graph without its weights' bytes, cut out of the protobuf's wire format by length: the initializers keep
their names and dimensions, so a 244 MB model is not parsed twice, and inference sees the same shapes.
"""

from __future__ import annotations

import math
import mmap
from pathlib import Path

from alexnet_gui.core.backends.base import BackendError
from alexnet_gui.core.language import gettext
from alexnet_gui.core.model.archs import MAX_LAYER_PARAMETERS

_MODEL_GRAPH = 7
_GRAPH_INITIALIZER = 5
#: TensorProto's data fields (float, int32, string, int64, raw, double, uint64): cut; dims, type and name stay.
_TENSOR_DATA = {4, 5, 6, 7, 9, 10, 11}


def _varint(data: memoryview, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, pos
        shift += 7
        if shift > 63:
            raise ValueError("varint too long")


def _fields(data: memoryview):
    """(field number, wire type, start, end) of each field of one protobuf message."""
    pos = 0
    while pos < len(data):
        start = pos
        key, pos = _varint(data, pos)
        wire = key & 7
        if wire == 0:
            _, pos = _varint(data, pos)
        elif wire == 1:
            pos += 8
        elif wire == 5:
            pos += 4
        elif wire == 2:
            length, pos = _varint(data, pos)
            pos += length
        else:
            raise ValueError("unsupported wire type")
        if pos > len(data):
            raise ValueError("truncated")
        yield key >> 3, wire, start, pos


def _payload(data: memoryview, start: int) -> memoryview:
    """The bytes of the length-delimited field at `start`."""
    _, pos = _varint(data, start)
    length, pos = _varint(data, pos)
    return data[pos:pos + length]


def _delimited(field: int, body: bytes) -> bytes:
    key, length, out = (field << 3) | 2, len(body), bytearray()
    for value in (key, length):
        while value > 0x7F:
            out.append((value & 0x7F) | 0x80)
            value >>= 7
        out.append(value)
    return bytes(out) + body


def _without(data: memoryview, field: int, edit) -> bytes:
    """The message with each `field` (length-delimited) replaced by `edit(payload)`."""
    parts = []
    for number, wire, start, end in _fields(data):
        if number == field and wire == 2:
            parts.append(_delimited(field, edit(_payload(data, start))))
        else:
            parts.append(bytes(data[start:end]))
    return b"".join(parts)


def _tensor_without_data(tensor: memoryview) -> bytes:
    return b"".join(bytes(tensor[s:e]) for n, _, s, e in _fields(tensor) if n not in _TENSOR_DATA)


def _graph_without_weights(graph: memoryview) -> bytes:
    return _without(graph, _GRAPH_INITIALIZER, _tensor_without_data)


def check_graph_tensors(path: Path) -> None:
    """Refuse (BackendError) a graph some tensor of which, by ONNX's shape inference, holds more numbers than
    `MAX_LAYER_PARAMETERS`. A graph this cannot read is left to ONNX Runtime, which says what is wrong with it."""
    try:
        import onnx
        from onnx import shape_inference
    except ImportError:  # a desktop bundle without the onnx package runs its own model only
        return
    try:
        with open(path, "rb") as f:
            # mapped, not read: a 244 MB model's weights are skipped by length, never copied
            data = memoryview(mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ))
        slim = onnx.ModelProto.FromString(_without(data, _MODEL_GRAPH, _graph_without_weights))
        inferred = shape_inference.infer_shapes(slim, data_prop=True)
    except Exception:  # noqa: BLE001 - a damaged or unusual file: ONNX Runtime's own refusal names it
        return
    graph = inferred.graph
    shaped = [(t.name, list(t.dims)) for t in graph.initializer]
    shaped += [(s.values.name or s.indices.name, list(s.dims)) for s in graph.sparse_initializer]
    for info in [*graph.value_info, *graph.output, *graph.input]:
        dims = info.type.tensor_type.shape.dim
        if info.type.HasField("tensor_type") and all(d.HasField("dim_value") for d in dims):
            shaped.append((info.name, [d.dim_value for d in dims]))
    for name, dims in shaped:
        if math.prod(dims) > MAX_LAYER_PARAMETERS:
            raise BackendError(
                gettext(
                    "{file} makes a tensor {name} of shape {shape} ({count:,} numbers); no AlexNet needs more than "
                    "{limit:,} in one tensor, so it was not opened"
                ).format(file=path.name, name=name, shape=tuple(dims), count=math.prod(dims),
                         limit=MAX_LAYER_PARAMETERS)
            )
