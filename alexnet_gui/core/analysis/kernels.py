"""AlexNet's convolution kernels as numpy arrays, read from a torch model, a .pth state_dict or an .onnx file."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

from alexnet_gui.core.errors import UserError

# Index of each convolution inside torchvision's `AlexNet.features`, and its kernel shape (K, C, h, w).
CONV_INDEX: dict[str, int] = {"conv1": 0, "conv2": 3, "conv3": 6, "conv4": 8, "conv5": 10}
CONV_SHAPES: dict[str, tuple[int, int, int, int]] = {
    "conv1": (64, 3, 11, 11), "conv2": (192, 64, 5, 5), "conv3": (384, 192, 3, 3),
    "conv4": (256, 384, 3, 3), "conv5": (256, 256, 3, 3),
}


def model_kernels(model) -> dict[str, np.ndarray]:
    """The five conv weights of a torchvision AlexNet module, copied to float32 numpy on the CPU."""
    return {name: model.features[i].weight.detach().float().cpu().numpy().copy() for name, i in CONV_INDEX.items()}


def state_dict_kernels(state: dict) -> dict[str, np.ndarray]:
    """The five conv weights of an AlexNet state_dict (torch tensors or arrays) as float32 numpy."""
    import numpy as np

    out = {}
    for name, i in CONV_INDEX.items():
        w = state[f"features.{i}.weight"]
        out[name] = np.asarray(w.float().numpy() if hasattr(w, "float") else w, dtype=np.float32)
    return out


def onnx_kernels(path) -> dict[str, np.ndarray]:
    """The five conv weights of an AlexNet .onnx file, found by their shapes (each conv's shape is unique)."""
    import numpy as np

    sidecar = Path(path).with_name(f"{Path(path).stem}.kernels.npz")
    if sidecar.is_file():  # the desktop bundle ships its model's kernels beside it: it has no onnx package
        with np.load(sidecar) as saved:
            return {name: saved[name].astype(np.float32) for name in CONV_INDEX}
    try:
        import onnx
        from onnx import numpy_helper
    except ImportError as exc:
        raise UserError("reading filters from an .onnx file needs the onnx package (pip install onnx)") from exc

    by_shape = {shape: name for name, shape in CONV_SHAPES.items()}
    out: dict[str, np.ndarray] = {}
    try:
        # onnx refuses external data outside the model's folder (a "../../etc/passwd" location) with its own error.
        graph = onnx.load(str(path), load_external_data=True).graph
    except Exception as exc:  # noqa: BLE001 - protobuf's DecodeError, onnx's ValidationError, OSError, ...
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise UserError(f"cannot read {Path(path).name} as an ONNX model ({detail})") from None
    for init in graph.initializer:
        name = by_shape.get(tuple(init.dims))
        if name is not None and name not in out:
            out[name] = numpy_helper.to_array(init).astype(np.float32)
    missing = [n for n in CONV_INDEX if n not in out]
    if missing:
        raise UserError(f"{path} has no AlexNet kernels for {', '.join(missing)}")
    return out


def conv_kernels(weights) -> dict[str, np.ndarray]:
    """The five conv weights for a `WeightsChoice` (.pth file, untrained seeded network, or .onnx file)."""
    from alexnet_gui.core.model.weights import load_state_dict, untrained_state_dict

    if weights.kind == "onnx":
        return onnx_kernels(weights.path)
    state = untrained_state_dict(0) if weights.kind == "untrained" else load_state_dict(weights.path)
    return state_dict_kernels(state)
