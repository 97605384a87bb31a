"""A model's five convolution kernels as numpy arrays, read from a torch model, a state_dict or an .onnx file.

Which tensors are the kernels comes from the card's architecture (their shapes, grouped convolutions included);
for an ONNX graph the app did not build, the first five 4-D weights in the graph's order.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

    from alexnet_gui.core.model.archs import Architecture

from alexnet_gui.core.errors import UserError
from alexnet_gui.core.language import gettext

CONV_NAMES = ("conv1", "conv2", "conv3", "conv4", "conv5")
_KERNEL_SIZES = (11, 5, 3, 3, 3)
# torchvision's layout, for callers that mean torchvision's network itself.
CONV_INDEX: dict[str, int] = {"conv1": 0, "conv2": 3, "conv3": 6, "conv4": 8, "conv5": 10}
CONV_SHAPES: dict[str, tuple[int, int, int, int]] = {
    "conv1": (64, 3, 11, 11), "conv2": (192, 64, 5, 5), "conv3": (384, 192, 3, 3),
    "conv4": (256, 384, 3, 3), "conv5": (256, 256, 3, 3),
}


def conv_shapes(arch: Architecture) -> dict[str, tuple[int, int, int, int]]:
    """Each convolution's kernel shape (K, C / groups, h, w) in an architecture."""
    shapes = {}
    in_channels = 3
    for name, out, groups, k in zip(CONV_NAMES, arch.conv, arch.groups, _KERNEL_SIZES):
        shapes[name] = (out, in_channels // groups, k, k)
        in_channels = out
    return shapes


def model_kernels(model, arch: Architecture | None = None) -> dict[str, np.ndarray]:
    """The five conv weights of a built network, copied to float32 numpy on the CPU."""
    from alexnet_gui.core.model.archs import TORCHVISION_ARCH, feature_index

    index = feature_index(arch or TORCHVISION_ARCH)
    return {name: model.features[index[name]].weight.detach().float().cpu().numpy().copy() for name in CONV_NAMES}


def state_dict_kernels(state: dict, arch: Architecture | None = None) -> dict[str, np.ndarray]:
    """The five conv weights of a state_dict in the builder's key names (torch tensors or arrays) as float32."""
    import numpy as np

    from alexnet_gui.core.model.archs import TORCHVISION_ARCH, canonical_weight_keys

    keys = canonical_weight_keys(arch or TORCHVISION_ARCH)[:5]
    out = {}
    for name, key in zip(CONV_NAMES, keys):
        w = state[f"{key}.weight"]
        out[name] = np.asarray(w.float().numpy() if hasattr(w, "float") else w, dtype=np.float32)
    return out


def onnx_kernels(path, arch: Architecture | None = None) -> dict[str, np.ndarray]:
    """The five conv weights of an .onnx file: by the architecture's shapes, in graph order; without one, the
    graph's first five 4-D weights."""
    import numpy as np

    sidecar = Path(path).with_name(f"{Path(path).stem}.kernels.npz")
    if sidecar.is_file():  # the desktop bundle ships its model's kernels beside it: it has no onnx package
        with np.load(sidecar) as saved:
            return {name: saved[name].astype(np.float32) for name in CONV_NAMES}
    try:
        import onnx
        from onnx import numpy_helper
    except ImportError as exc:
        raise UserError(
            gettext("reading filters from an .onnx file needs the onnx package (pip install onnx)")
        ) from exc
    try:
        # onnx refuses external data outside the model's folder (a "../../etc/passwd" location) with its own error.
        graph = onnx.load(str(path), load_external_data=True).graph
    except Exception as exc:  # noqa: BLE001 - protobuf's DecodeError, onnx's ValidationError, OSError, ...
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise UserError(
            gettext("cannot read {name} as an ONNX model ({detail})").format(name=Path(path).name, detail=detail)
        ) from None
    wanted = list(conv_shapes(arch).items()) if arch is not None else None
    out: dict[str, np.ndarray] = {}
    for init in graph.initializer:
        dims = tuple(init.dims)
        if len(dims) != 4:
            continue
        if wanted is None:
            name = CONV_NAMES[len(out)] if len(out) < 5 else None
        else:
            name = next((n for n, s in wanted if s == dims and n not in out), None)
        if name is not None:
            out[name] = numpy_helper.to_array(init).astype(np.float32)
    missing = [n for n in CONV_NAMES if n not in out]
    if missing:
        raise UserError(gettext('{path} has no AlexNet kernels for {join}').format(path=path, join=', '.join(missing)))
    return out


def conv_kernels(weights) -> dict[str, np.ndarray]:
    """The five conv weights for a `WeightsChoice` (a PyTorch or Keras file, the untrained network, an .onnx)."""
    from alexnet_gui.core.model.loading import open_state_model

    if weights.kind == "onnx":
        return onnx_kernels(weights.path)
    card, state = open_state_model(weights)
    return state_dict_kernels(state, card.architecture)
