"""Read a Keras AlexNet (`.h5`, or Keras 3's `.keras` zip) with h5py alone, into the same torch network.

TensorFlow is 600 MB and Keras 3 on its own backends still builds the model from Python config, so the file is
read as what it is: HDF5 holding each layer's arrays, plus the model's config JSON (layer order, padding,
activations, input size). The tutorial's `AlexNet_v1` (ZeroPadding2D((1, 2), (1, 2)), Conv2D 48/11/4, ...,
Dense 2048, Softmax) and any Sequential/functional model with AlexNet's 5 convolutions and 3 dense layers load.

Two layout facts make the weights fit torch's network: Keras keeps images NHWC, so a Conv2D kernel is
(kh, kw, in, out) and Flatten orders conv5's features (h, w, c) where torch's orders them (c, h, w); the first
Dense kernel's rows are permuted accordingly. And Keras's asymmetric ZeroPadding2D becomes torch's ZeroPad2d.
"""

from __future__ import annotations

import io
import os
import zipfile
from dataclasses import dataclass

from alexnet_gui.core.language import gettext
from alexnet_gui.core.model.archs import KERNEL_SIZES, Architecture, ArchitectureError
from alexnet_gui.core.model.choice import WeightsError


@dataclass(frozen=True)
class KerasModel:
    """What a Keras file holds, converted: the architecture, a torch-layout state_dict (numpy arrays) and
    whether the model ends in a softmax (dropped here: the app applies its own)."""

    architecture: Architecture
    state: dict
    ends_in_softmax: bool


def _layers_of(config: object, path: str, depth: int = 0) -> list[dict]:
    inner = config.get("config", config) if isinstance(config, dict) else None
    layers = inner.get("layers") if isinstance(inner, dict) else None
    if not isinstance(layers, list):
        raise WeightsError(gettext("the Keras file's model config lists no layers"))
    out = []
    for layer in layers:
        if not isinstance(layer, dict) or not isinstance(layer.get("config", {}), dict):
            raise WeightsError(
                gettext("{path}: a layer in the Keras model config is not an object ({value})").format(
                    path=path, value=_short(layer)
                )
            )
        if layer.get("class_name") in ("Sequential", "Functional", "Model"):
            if depth >= _MAX_NESTING:
                raise WeightsError(
                    gettext("{path}: the Keras model nests models more than {depth} deep").format(
                        path=path, depth=_MAX_NESTING
                    )
                )
            out += _layers_of(layer, path, depth + 1)  # a nested model (AlexNet_v2's features/classifier)
        else:
            out.append(layer)
    return out


#: AlexNet_v2 nests its features and classifier one level deep; no AlexNet needs more.
_MAX_NESTING = 4
#: The most a .keras file's weights member may inflate to: 4x torchvision's 233 MB of weights.
MAX_KERAS_WEIGHTS_BYTES = 1 << 30


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _member(archive: zipfile.ZipFile, name: str, limit: int, path: str) -> bytes:
    """A zip member's bytes, refused by its declared size before inflating it, and read no further than that."""
    info = archive.getinfo(name)
    if info.file_size > limit:
        raise WeightsError(
            gettext("{path}: its {name} inflates to {size:,} bytes; an AlexNet's needs at most {limit:,}").format(
                path=path, name=name, size=info.file_size, limit=limit
            )
        )
    with archive.open(info) as member:
        return member.read(limit + 1)[:limit]


def _array(dataset, path: str, what: str):
    """A dataset's numbers, after checking its declared shape could be an AlexNet layer's (a sparse 30000 x 30000
    dataset takes 55 kB on disk and 3.6 GB once read)."""
    import math

    import h5py
    import numpy as np

    from alexnet_gui.core.model.archs import MAX_LAYER_PARAMETERS

    if not isinstance(dataset, h5py.Dataset) or dataset.dtype.kind not in "fiu":
        raise WeightsError(gettext("{path}: {what} is not an array of numbers").format(path=path, what=what))
    if dataset.ndim > 4 or math.prod(dataset.shape) > MAX_LAYER_PARAMETERS:
        raise WeightsError(
            gettext("{path}: {what} has shape {shape}; no AlexNet layer holds more than {limit:,} numbers").format(
                path=path, what=what, shape=tuple(dataset.shape), limit=MAX_LAYER_PARAMETERS
            )
        )
    return np.asarray(dataset)


def _read(path: str):
    """(config dict, {layer name: [arrays in weight order]}) of a .h5 or .keras file."""
    import h5py

    from alexnet_gui.core.small_files import MAX_CARD_BYTES, SmallFileError, loads

    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                config = loads(_member(archive, "config.json", MAX_CARD_BYTES, path))
                h5 = h5py.File(io.BytesIO(_member(archive, "model.weights.h5", MAX_KERAS_WEIGHTS_BYTES, path)), "r")
            weights: dict[str, list] = {}

            def visit(name, obj):
                # Keras 3: layers/<name>/vars/0, 1, ... (nested models add their own layers/ level)
                if isinstance(obj, h5py.Group) and name.endswith("/vars"):
                    layer = name.split("/")[-2]
                    arrays = [_array(obj[k], path, f"{layer}/vars/{k}") for k in sorted(obj, key=int)]
                    if arrays:
                        weights[layer] = arrays
            h5.visititems(visit)
            return config, weights
        with h5py.File(path, "r") as h5:
            if "model_config" not in h5.attrs:
                raise WeightsError(
                    gettext(
                        "{path} holds weights without the model's config; save the whole model with model.save('model.h5') or model.save('model.keras')"
                    ).format(path=path)
                )
            raw = h5.attrs["model_config"]
            if not isinstance(raw, (bytes, str)) or len(raw) > MAX_CARD_BYTES:
                raise WeightsError(gettext("{path}: its model_config is not a JSON text").format(path=path))
            config = loads(raw)
            group = h5["model_weights"]
            weights = {}
            for layer in group:
                names = [n.decode() if isinstance(n, bytes) else n for n in group[layer].attrs.get("weight_names", [])]
                if names:
                    weights[layer] = [_array(group[layer][n], path, f"{layer}/{n}") for n in names]
            return config, weights
    except (OSError, KeyError, ValueError, TypeError, zipfile.BadZipFile) as exc:
        if isinstance(exc, WeightsError):
            raise
        if isinstance(exc, SmallFileError):
            raise WeightsError(
                gettext("cannot read {path} as a Keras model ({exc})").format(path=path, exc=exc)
            ) from None
        raise WeightsError(
            gettext("cannot read {path} as a Keras model ({name__}: {exc})").format(
                path=path, name__=type(exc).__name__, exc=exc
            )
        ) from None


def _kernel_and_bias(weights: dict, name: object, kind: str, ndim: int, path: str):
    """A Conv2D's or Dense's (kernel, bias), checked to be arrays of the right rank that fit each other."""
    arrays = weights.get(name) if isinstance(name, str) else None
    if arrays is None:
        raise WeightsError(
            gettext("{path}: {kind} layer {name} has no weights in the file").format(path=path, kind=kind, name=name)
        )
    if len(arrays) != 2 or arrays[0].ndim != ndim or arrays[1].shape != arrays[0].shape[-1:]:
        raise WeightsError(
            gettext(
                "{path}: {kind} layer {name} must hold a {ndim}-D kernel and a bias of its outputs, not arrays of "
                "shapes {shapes}"
            ).format(path=path, kind=kind, name=name, ndim=ndim, shapes=", ".join(str(a.shape) for a in arrays))
        )
    return arrays[0], arrays[1]


def _padding(value: object, path: str) -> tuple[int, int, int, int]:
    """ZeroPadding2D's ((top, bottom), (left, right)) (or one number, or (vertical, horizontal)) as torch's
    (left, right, top, bottom)."""
    def whole(v: object) -> bool:
        return isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 64

    if whole(value):
        value = ((value, value), (value, value))
    if isinstance(value, list) and len(value) == 2 and all(whole(v) for v in value):
        value = ((value[0], value[0]), (value[1], value[1]))
    if not (isinstance(value, (list, tuple)) and len(value) == 2 and all(
            isinstance(pair, (list, tuple)) and len(pair) == 2 and all(whole(v) for v in pair) for pair in value)):
        raise WeightsError(
            gettext("{path}: ZeroPadding2D's padding must be ((top, bottom), (left, right)) of whole numbers, not "
                    "{value}").format(path=path, value=_short(value))
        )
    (top, bottom), (left, right) = value
    return left, right, top, bottom


def read_keras_model(path: str | os.PathLike[str]) -> KerasModel:
    """Convert a Keras AlexNet file; a model of another shape is one WeightsError naming what differs."""
    import numpy as np

    path = os.fspath(path)
    config, weights = _read(path)
    layers = _layers_of(config, path)
    input_size = None
    padding = (0, 0, 0, 0)
    convs: list[tuple[np.ndarray, np.ndarray, dict]] = []
    denses: list[tuple[np.ndarray, np.ndarray, dict]] = []
    softmax = False
    for layer in layers:
        kind, cfg = layer.get("class_name"), layer.get("config", {})
        name = cfg.get("name")
        if kind == "InputLayer":
            shape = cfg.get("batch_shape") or cfg.get("batch_input_shape")
            if shape and not (isinstance(shape, list) and all(
                    v is None or (isinstance(v, int) and not isinstance(v, bool) and 0 < v <= 4096) for v in shape)):
                raise WeightsError(
                    gettext("{path}: the Keras model's input shape {value} is not a list of sizes").format(
                        path=path, value=_short(shape)
                    )
                )
            if shape and len(shape) == 4:
                if shape[-1] != 3 or shape[1] != shape[2] or shape[1] is None:
                    raise WeightsError(
                        gettext(
                            "{path}: the Keras model takes {value} inputs; the app reads square RGB images in channels-last order"
                        ).format(path=path, value=shape[1:])
                    )
                input_size = int(shape[1])
        elif kind == "ZeroPadding2D" and not convs:
            padding = _padding(cfg.get("padding"), path)
        elif kind == "Conv2D":
            if cfg.get("data_format", "channels_last") != "channels_last":
                raise WeightsError(
                    gettext("{path}: conv layer {name} is channels_first; only channels_last is read").format(
                        path=path, name=name
                    )
                )
            kernel, bias = _kernel_and_bias(weights, name, kind, 4, path)
            convs.append((kernel, bias, cfg))
        elif kind == "Dense":
            kernel, bias = _kernel_and_bias(weights, name, kind, 2, path)
            denses.append((kernel, bias, cfg))
            if cfg.get("activation") == "softmax":
                softmax = True
        elif kind in ("Softmax",) or (kind == "Activation" and cfg.get("activation") == "softmax"):
            softmax = True
    if len(convs) != 5 or len(denses) != 3:
        raise WeightsError(
            gettext(
                "{path} is not an AlexNet: it has {n_convs} Conv2D and {n_denses} Dense layers (AlexNet has 5 and 3)"
            ).format(path=path, n_convs=len(convs), n_denses=len(denses))
        )
    if convs[0][2].get("padding") != "valid" or any(c[2].get("padding") != "same" for c in convs[1:]):
        raise WeightsError(
            gettext(
                "{path}: conv1 must be 'valid' after its ZeroPadding2D and conv2-conv5 'same', as in AlexNet_v1"
            ).format(path=path)
        )
    in_channels = 3
    for i, ((kernel, _, _), size) in enumerate(zip(convs, KERNEL_SIZES), start=1):
        if kernel.shape[:3] != (size, size, in_channels):
            raise WeightsError(
                gettext(
                    "{path}: conv{i}'s kernel has shape {shape}; AlexNet's is ({size}, {size}, {in_channels}, N)"
                ).format(path=path, i=i, shape=kernel.shape, size=size, in_channels=in_channels)
            )
        in_channels = kernel.shape[3]
    for i in (1, 2):
        if denses[i][0].shape[0] != denses[i - 1][0].shape[1]:
            raise WeightsError(
                gettext("{path}: the Dense layers do not chain ({value} outputs, then {value2} inputs)").format(
                    path=path, value=denses[i - 1][0].shape[1], value2=denses[i][0].shape[0]
                )
            )
    state: dict[str, np.ndarray] = {}
    from alexnet_gui.core.model.archs import canonical_weight_keys, check_geometry

    try:
        arch = Architecture(
            family="keras",
            conv=tuple(int(k.shape[3]) for k, _, _ in convs),  # type: ignore[arg-type]
            groups=(1, 1, 1, 1, 1),
            fc=(int(denses[0][0].shape[1]), int(denses[1][0].shape[1])),
            classes=int(denses[2][0].shape[1]),
            input_size=input_size or 224,
            lrn=False,
            conv1_padding=padding,
            avgpool=False,
        )
        check_geometry(arch)
    except ArchitectureError as exc:
        raise WeightsError(f"{path}: {exc}") from None
    keys = canonical_weight_keys(arch)
    for (kernel, bias, _), key in zip(convs, keys[:5]):
        state[f"{key}.weight"] = np.ascontiguousarray(kernel.transpose(3, 2, 0, 1), dtype=np.float32)
        state[f"{key}.bias"] = bias.astype(np.float32)
    channels = arch.conv[4]
    first = denses[0][0]
    if first.shape[0] != channels * 36:
        raise WeightsError(
            gettext(
                "{path}: the first Dense layer takes {value} features; conv5's {channels} channels at 6x6 give {value2}"
            ).format(path=path, value=first.shape[0], channels=channels, value2=channels * 36)
        )
    # Keras flattens (h, w, c); torch's network flattens (c, h, w).
    fc1 = first.T.reshape(-1, 6, 6, channels).transpose(0, 3, 1, 2).reshape(first.shape[1], -1)
    for (_, bias, _), key, matrix in zip(denses, keys[5:], (fc1, denses[1][0].T, denses[2][0].T)):
        state[f"{key}.weight"] = np.ascontiguousarray(matrix, dtype=np.float32)
        state[f"{key}.bias"] = bias.astype(np.float32)
    return KerasModel(arch, state, softmax)
