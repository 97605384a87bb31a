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
import json
import os
import zipfile
from dataclasses import dataclass

from alexnet_gui.core.language import gettext
from alexnet_gui.core.model.archs import Architecture, ArchitectureError
from alexnet_gui.core.model.weights import WeightsError


@dataclass(frozen=True)
class KerasModel:
    """What a Keras file holds, converted: the architecture, a torch-layout state_dict (numpy arrays) and
    whether the model ends in a softmax (dropped here: the app applies its own)."""

    architecture: Architecture
    state: dict
    ends_in_softmax: bool


def _layers_of(config: dict) -> list[dict]:
    inner = config.get("config", config)
    layers = inner.get("layers") if isinstance(inner, dict) else None
    if not isinstance(layers, list):
        raise WeightsError(gettext("the Keras file's model config lists no layers"))
    out = []
    for layer in layers:
        if layer.get("class_name") in ("Sequential", "Functional", "Model"):
            out += _layers_of(layer)  # a nested model (AlexNet_v2's features/classifier)
        else:
            out.append(layer)
    return out


def _read(path: str):
    """(config dict, {layer name: [arrays in weight order]}) of a .h5 or .keras file."""
    import h5py
    import numpy as np

    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                config = json.loads(archive.read("config.json"))
                h5 = h5py.File(io.BytesIO(archive.read("model.weights.h5")), "r")
            weights: dict[str, list] = {}

            def visit(name, obj):
                # Keras 3: layers/<name>/vars/0, 1, ... (nested models add their own layers/ level)
                if isinstance(obj, h5py.Group) and name.endswith("/vars"):
                    layer = name.split("/")[-2]
                    arrays = [np.asarray(obj[k]) for k in sorted(obj, key=int)]
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
            config = json.loads(raw.decode() if isinstance(raw, bytes) else raw)
            group = h5["model_weights"]
            weights = {}
            for layer in group:
                names = [n.decode() if isinstance(n, bytes) else n for n in group[layer].attrs.get("weight_names", [])]
                if names:
                    weights[layer] = [np.asarray(group[layer][n]) for n in names]
            return config, weights
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        if isinstance(exc, WeightsError):
            raise
        raise WeightsError(
            gettext("cannot read {path} as a Keras model ({name__}: {exc})").format(
                path=path, name__=type(exc).__name__, exc=exc
            )
        ) from None


def read_keras_model(path: str | os.PathLike[str]) -> KerasModel:
    """Convert a Keras AlexNet file; a model of another shape is one WeightsError naming what differs."""
    import numpy as np

    path = os.fspath(path)
    config, weights = _read(path)
    layers = _layers_of(config)
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
            if shape and len(shape) == 4:
                if shape[-1] != 3 or shape[1] != shape[2]:
                    raise WeightsError(
                        gettext(
                            "{path}: the Keras model takes {value} inputs; the app reads square RGB images in channels-last order"
                        ).format(path=path, value=shape[1:])
                    )
                input_size = int(shape[1])
        elif kind == "ZeroPadding2D" and not convs:
            (top, bottom), (left, right) = cfg["padding"]
            padding = (left, right, top, bottom)
        elif kind == "Conv2D":
            if cfg.get("data_format", "channels_last") != "channels_last":
                raise WeightsError(
                    gettext("{path}: conv layer {name} is channels_first; only channels_last is read").format(
                        path=path, name=name
                    )
                )
            kernel, bias = weights[name]
            convs.append((kernel, bias, cfg))
        elif kind == "Dense":
            kernel, bias = weights[name]
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
    state: dict[str, np.ndarray] = {}
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
    from alexnet_gui.core.model.archs import canonical_weight_keys, check_geometry

    try:
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
