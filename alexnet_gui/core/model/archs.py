"""AlexNet's layouts as data (`Architecture`), told apart from a state_dict's shapes, and built as torch modules.

One builder makes every family: torchvision's (64 filters in conv1, adaptive average pool), the half-width
network of the Chinese tutorial (48, no pool), the 2012 paper's (96 filters, local response normalisation,
grouped convolutions, 227 pixels) and the Keras tutorial's (asymmetric zero padding). The module it builds
always uses torchvision's key names (`features.N`, `classifier.{1,4,6}`), so torchvision's own file loads with
strict=True and any other layout is renamed onto it layer by layer. torch is imported only by `build_network`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from alexnet_gui.core.errors import UserError
from alexnet_gui.core.language import gettext

FAMILIES = ("torchvision", "half-width", "alexnet2012", "keras", "onnx-graph")
#: The paper's local response normalisation (section 3.3): size 5, alpha 1e-4, beta 0.75, k 2.
LRN = {"size": 5, "alpha": 1e-4, "beta": 0.75, "k": 2.0}
_KERNELS = (11, 5, 3, 3, 3)
#: conv1..conv5's kernel sides, for readers of other frameworks' files
KERNEL_SIZES = _KERNELS
#: The fully-connected layers whose units the insight views offer (their outputs before the ReLU; ReLU keeps the
#: order of a unit's values, so the same images top both), and their modules in the built `classifier`.
FC_LAYERS = {"fc6": 1, "fc7": 4}
#: The widest layer and the most classes an architecture may have: 4x the widest published AlexNet layer (4096), and
#: more than ImageNet-21k's 21,841 classes. Files are checked against these before their arrays are read.
MAX_WIDTH = 16384
MAX_CLASSES = 100_000
#: The most numbers one layer's weights may hold: 3.5x torchvision's fc6 (9216 x 4096, 37.7 million). Files are
#: checked against it (and `MAX_CHECKPOINT_BYTES`) before an array is read: a sparse or compressed file can
#: declare gigabytes in kilobytes.
MAX_LAYER_PARAMETERS = 1 << 27
#: The most a PyTorch checkpoint may hold once inflated: 8x torchvision's 233 MB, room for an optimizer's state.
MAX_CHECKPOINT_BYTES = 2 << 30


class ArchitectureError(UserError):
    """A state_dict that is not a network this app can build; the message names what differs."""


@dataclass(frozen=True)
class Architecture:
    """The shape of one AlexNet: widths, classes, input size, LRN and groups, as its card records them."""

    family: str = "torchvision"
    conv: tuple[int, int, int, int, int] = (64, 192, 384, 256, 256)
    groups: tuple[int, int, int, int, int] = (1, 1, 1, 1, 1)
    fc: tuple[int, int] = (4096, 4096)
    classes: int = 1000
    input_size: int = 224
    lrn: bool = False
    #: conv1's zero padding (left, right, top, bottom): torchvision 2 all round, the 2012 net none, Keras 1/2
    conv1_padding: tuple[int, int, int, int] = (2, 2, 2, 2)
    #: torchvision's AdaptiveAvgPool2d((6, 6)) before the classifier (a no-op at 224 pixels)
    avgpool: bool = True

    def __post_init__(self) -> None:
        if not isinstance(self.family, str) or self.family not in FAMILIES:
            raise ArchitectureError(
                gettext("unknown architecture family {family!r}; families are {join}").format(
                    family=self.family, join=", ".join(FAMILIES)
                )
            )
        if _whole(self.classes) and self.classes < 1:
            raise ArchitectureError(gettext("a model needs at least one class"))
        for name, value, length, low, high in (
            ("conv", self.conv, 5, 1, MAX_WIDTH), ("groups", self.groups, 5, 1, MAX_WIDTH),
            ("fc", self.fc, 2, 1, MAX_WIDTH), ("conv1_padding", self.conv1_padding, 4, 0, 64),
            ("classes", (self.classes,), 1, 1, MAX_CLASSES), ("input_size", (self.input_size,), 1, 16, 4096),
        ):
            if not (isinstance(value, tuple) and len(value) == length
                    and all(_whole(v) and low <= v <= high for v in value)):
                what = gettext("a whole number") if length == 1 else gettext("{n} whole numbers").format(n=length)
                raise ArchitectureError(
                    gettext("architecture {name} must be {what} from {low} to {high}, not {value!r}").format(
                        name=name, what=what, low=low, high=high, value=value[0] if length == 1 else value
                    )
                )
        for name, flag in (("lrn", self.lrn), ("avgpool", self.avgpool)):
            if not isinstance(flag, bool):
                raise ArchitectureError(
                    gettext("architecture {name} must be true or false, not {value!r}").format(name=name, value=flag)
                )
        in_channels = 3
        for i, (out, groups) in enumerate(zip(self.conv, self.groups), start=1):
            # torch refuses such a layer only when it is built; an ONNX graph with this card would run regardless
            if in_channels % groups or out % groups:
                raise ArchitectureError(
                    gettext(
                        "architecture groups: conv{i} has {groups} groups, which must divide its {in_channels} input "
                        "and {out} output channels"
                    ).format(i=i, groups=groups, in_channels=in_channels, out=out)
                )
            in_channels = out

    def layer_names(self) -> tuple[str, ...]:
        """Every layer whose output a view can show, in network order (`normN` only with LRN)."""
        names: list[str] = []
        for i in range(1, 6):
            names += [f"conv{i}", f"relu{i}"]
            if self.lrn and i <= 2:
                names.append(f"norm{i}")
            if i in (1, 2, 5):
                names.append(f"pool{i}")
        return tuple(names)

    def unit_layers(self) -> tuple[str, ...]:
        """Every layer whose units the insight views offer: the feature layers, then fc6 and fc7."""
        return (*self.layer_names(), *FC_LAYERS)

    def describe(self) -> str:
        """One line: "torchvision AlexNet, conv 64-192-384-256-256, FC 4096-4096-1000, 224 px"."""
        extras = []
        if self.lrn:
            extras.append("LRN")
        if any(g > 1 for g in self.groups):
            extras.append("groups " + "/".join(str(g) for g in self.groups))
        tail = f" ({', '.join(extras)})" if extras else ""
        return (f"{self.family} AlexNet, conv {'-'.join(map(str, self.conv))}, "
                f"FC {'-'.join(map(str, (*self.fc, self.classes)))}, {self.input_size} px{tail}")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the card schema's "architecture" object."""
        out = asdict(self)
        for key in ("conv", "groups", "fc", "conv1_padding"):
            out[key] = list(out[key])
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, where: str = "card") -> Architecture:
        """Read `to_dict`'s form; one UserError for an unknown field or a wrong value."""
        from alexnet_gui.core.model.json_fields import known_fields

        values = known_fields(data, cls, "architecture", where, ArchitectureError)
        try:
            for key, length in (("conv", 5), ("groups", 5), ("fc", 2), ("conv1_padding", 4)):
                if key in values:
                    if not all(_whole(v) for v in values[key]):
                        raise ValueError(key)
                    values[key] = tuple(values[key])
                    if len(values[key]) != length:
                        raise ValueError(key)
        except (TypeError, ValueError):
            raise ArchitectureError(
                gettext(
                    "{where}: architecture conv, groups, fc and conv1_padding must be lists of whole numbers (5, 5, 2 and 4 of them)"
                ).format(where=where)
            ) from None
        try:
            return cls(**values)
        except ArchitectureError as exc:
            raise ArchitectureError(f"{where}: {exc}") from None


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


TORCHVISION_ARCH = Architecture()


def _feature_size(arch: Architecture) -> int:
    """The side of conv5's pooled output for the architecture's input (6 for every published layout)."""
    left, right, top, bottom = arch.conv1_padding
    side = (arch.input_size + left + right - 11) // 4 + 1  # conv1, stride 4
    for _ in range(3):  # pool1, pool2, pool5: 3x3 stride 2; the other convolutions keep the size
        side = (side - 3) // 2 + 1
    return side


def check_geometry(arch: Architecture) -> None:
    """Refuse an input size that leaves the classifier the wrong number of features."""
    side = 6 if arch.avgpool else _feature_size(arch)
    if side < 1 or (not arch.avgpool and side != 6):
        raise ArchitectureError(
            gettext(
                "a {input_size}-pixel input gives conv5 a {max}x{max} output, but this network's classifier expects 6x6; use the input size it was trained for"
            ).format(input_size=arch.input_size, max=max(side, 0))
        )


# --- telling layouts apart --------------------------------------------------------------------------------------

_INDEXED = re.compile(r"^(?P<prefix>(?:.*\.)?)(?P<index>\d+)\.weight$")


def _index_gap(first: str, second: str) -> int | None:
    """How many modules apart two `<prefix>.<N>.weight` keys are in one Sequential, or None."""
    a, b = _INDEXED.match(first), _INDEXED.match(second)
    if a and b and a.group("prefix") == b.group("prefix"):
        return int(b.group("index")) - int(a.group("index"))
    return None


def detect_architecture(shapes: Mapping[str, Sequence[int]], *, where: str = "the file") -> tuple[Architecture,
                                                                                                  dict[str, str]]:
    """Tell a state_dict's layout from its keys and shapes; return its Architecture and the renaming of each of its
    keys onto the builder's (torchvision's) names.

    Five 4-D weights (the convolutions) and three 2-D ones (the fully connected layers) are taken in the file's
    order, which is the order the network defined them in; their shapes give widths, groups and classes.
    """
    weights: list[tuple[str, tuple[int, ...]]] = [(k, tuple(s)) for k, s in shapes.items() if k.endswith("weight")]
    convs = [(k, s) for k, s in weights if len(s) == 4]
    linears = [(k, s) for k, s in weights if len(s) == 2]
    if len(convs) != 5 or len(linears) != 3:
        raise ArchitectureError(
            gettext(
                "{where} is not an AlexNet: it has {n_convs} convolution and {n_linears} fully connected weights (AlexNet has 5 and 3)"
            ).format(where=where, n_convs=len(convs), n_linears=len(linears))
        )
    expected = {k for k, _ in convs + linears} | {k[: -len("weight")] + "bias" for k, _ in convs + linears}
    extra = [k for k in shapes if k not in expected]
    if extra:
        raise ArchitectureError(
            gettext("{where} has layers AlexNet does not ({value}); it is another network").format(
                where=where, value=extra[0]
            )
        )
    missing = [k for k in expected if k not in shapes]
    if missing:
        raise ArchitectureError(
            gettext("{where} has no {value}: every AlexNet layer has a bias").format(where=where, value=missing[0])
        )
    widths, groups = [], []
    in_channels = 3
    for i, ((key, shape), kernel) in enumerate(zip(convs, _KERNELS), start=1):
        out, per_group, kh, kw = shape
        if (kh, kw) != (kernel, kernel):
            raise ArchitectureError(
                gettext("{where}: conv{i} ({key}) has {kh}x{kw} kernels; AlexNet's are {kernel}x{kernel}").format(
                    where=where, i=i, key=key, kh=kh, kw=kw, kernel=kernel
                )
            )
        if per_group < 1 or in_channels % per_group:
            raise ArchitectureError(
                gettext(
                    "{where}: conv{i} ({key}) takes {per_group} channels, which does not divide the {in_channels} it is given"
                ).format(where=where, i=i, key=key, per_group=per_group, in_channels=in_channels)
            )
        widths.append(out)
        groups.append(in_channels // per_group)
        in_channels = out
    if groups[0] != 1:
        raise ArchitectureError(gettext("{where}: conv1 must take the image's 3 channels").format(where=where))
    (_, fc1), (_, fc2), (_, fc3) = linears
    if fc1[1] != widths[4] * 36:
        raise ArchitectureError(
            gettext(
                "{where}: the first fully connected layer takes {value} features; conv5's {value2} channels at 6x6 give {value3}"
            ).format(where=where, value=fc1[1], value2=widths[4], value3=widths[4] * 36)
        )
    if fc2[1] != fc1[0] or fc3[1] != fc2[0]:
        raise ArchitectureError(
            gettext(
                "{where}: the fully connected layers do not chain ({value} -> {value2}, {value3} -> {value4})"
            ).format(where=where, value=fc1[0], value2=fc2[1], value3=fc2[0], value4=fc3[1])
        )
    gap = _index_gap(convs[0][0], convs[1][0])
    lrn = gap == 4 if gap is not None else widths[0] == 96
    if widths[0] == 96 or lrn:
        family, size, pad, avgpool = "alexnet2012", 227, (0, 0, 0, 0), False
    elif widths[0] == 48:
        family, size, pad, avgpool = "half-width", 224, (2, 2, 2, 2), False
    else:
        family, size, pad, avgpool = "torchvision", 224, (2, 2, 2, 2), True
    arch = Architecture(family, tuple(widths), tuple(groups), (fc1[0], fc2[0]), fc3[0], size, lrn,  # type: ignore[arg-type]
                        pad, avgpool)
    canonical = canonical_weight_keys(arch)
    renames: dict[str, str] = {}
    for (key, _), target in zip([*convs, *linears], canonical):
        renames[key] = target + ".weight"
        renames[key[: -len("weight")] + "bias"] = target + ".bias"
    return arch, renames


def canonical_weight_keys(arch: Architecture) -> list[str]:
    """The builder's module names of the 5 convolutions and 3 linear layers, in order."""
    names = []
    for i, kind in enumerate(_feature_plan(arch)):
        if kind.startswith("conv"):
            names.append(f"features.{i}")
    return names + ["classifier.1", "classifier.4", "classifier.6"]


def _feature_plan(arch: Architecture) -> list[str]:
    """The `features` Sequential's modules by layer name ("pad" for Keras's asymmetric zero padding)."""
    left, right, top, bottom = arch.conv1_padding
    plan = ["pad"] if len({left, right, top, bottom}) > 1 else []
    return plan + list(arch.layer_names())


def feature_index(arch: Architecture) -> dict[str, int]:
    """Each layer name's position in the built network's `features`."""
    return {name: i for i, name in enumerate(_feature_plan(arch)) if name != "pad"}


def layer_channels(arch: Architecture, layer: str) -> int:
    """How many channels (units) a layer has: convN and the ReLU, LRN and pool after it share convN's; fc6 and fc7
    have the card's widths."""
    if layer in FC_LAYERS:
        return arch.fc[list(FC_LAYERS).index(layer)]
    if layer not in feature_index(arch):
        raise ArchitectureError(
            gettext("no layer {layer!r}; layers: {join}").format(layer=layer, join=", ".join(arch.unit_layers()))
        )
    return arch.conv[int(layer[-1]) - 1]


def receptive_field(arch: Architecture, layer: str, y: int, x: int, *,
                    clip: bool = True) -> tuple[int, int, int, int]:
    """The input pixels (top, left, bottom, right; bottom and right exclusive, clipped to the input unless
    `clip` is False) that unit (y, x) of `layer`'s map sees: each convolution and pool widens the box by its kernel
    and multiplies it by its stride, walking back to the input (the kernels, strides and paddings `build_network`
    builds). A unit of fc6 or fc7 (its only position is (0, 0)) sees the whole input."""
    if layer in FC_LAYERS:
        return 0, 0, arch.input_size, arch.input_size
    plan = _feature_plan(arch)
    index = feature_index(arch)
    if layer not in index:
        raise ArchitectureError(gettext('no layer {layer!r}; layers: {join}').format(layer=layer, join=', '.join(arch.unit_layers())))
    left_pad, _, top_pad, _ = arch.conv1_padding
    top = bottom = y
    lo_x = hi_x = x
    for name in reversed(plan[: index[layer] + 1]):
        if name == "pad":  # Keras's asymmetric padding, before conv1 (which then pads nothing)
            top, bottom, lo_x, hi_x = top - top_pad, bottom - top_pad, lo_x - left_pad, hi_x - left_pad
            continue
        if name.startswith("conv"):
            number = int(name[-1]) - 1
            kernel, stride = _KERNELS[number], 4 if number == 0 else 1
            pad = _KERNELS[number] // 2 if number else (top_pad if "pad" not in plan else 0)
            pad_x = pad if number else (left_pad if "pad" not in plan else 0)
        elif name.startswith("pool"):
            kernel, stride, pad, pad_x = 3, 2, 0, 0
        else:  # relu, norm: the same position
            continue
        top, bottom = top * stride - pad, bottom * stride - pad + kernel - 1
        lo_x, hi_x = lo_x * stride - pad_x, hi_x * stride - pad_x + kernel - 1
    if not clip:
        return top, lo_x, bottom + 1, hi_x + 1
    size = arch.input_size
    return max(0, top), max(0, lo_x), min(size, bottom + 1), min(size, hi_x + 1)


def build_network(arch: Architecture):
    """A torch module for the architecture (eval mode, random weights), with torchvision's key names."""
    import torch
    from torch import nn

    check_geometry(arch)
    left, right, top, bottom = arch.conv1_padding
    symmetric = len({left, right, top, bottom}) == 1
    layers: list[nn.Module] = []
    in_channels = 3
    conv = 0
    for name in _feature_plan(arch):
        if name == "pad":
            layers.append(nn.ZeroPad2d((left, right, top, bottom)))
        elif name.startswith("conv"):
            kernel = _KERNELS[conv]
            padding = (left if symmetric else 0) if conv == 0 else kernel // 2
            layers.append(nn.Conv2d(in_channels, arch.conv[conv], kernel, stride=4 if conv == 0 else 1,
                                    padding=padding, groups=arch.groups[conv]))
            in_channels = arch.conv[conv]
            conv += 1
        elif name.startswith("relu"):
            layers.append(nn.ReLU(inplace=True))
        elif name.startswith("norm"):
            layers.append(nn.LocalResponseNorm(int(LRN["size"]), LRN["alpha"], LRN["beta"], LRN["k"]))
        else:
            layers.append(nn.MaxPool2d(kernel_size=3, stride=2))

    class CardAlexNet(nn.Module):
        """AlexNet as the card describes it."""

        def __init__(self) -> None:
            super().__init__()
            self.features = nn.Sequential(*layers)
            self.avgpool = nn.AdaptiveAvgPool2d((6, 6)) if arch.avgpool else nn.Identity()
            f1, f2 = arch.fc
            self.classifier = nn.Sequential(
                nn.Dropout(p=0.5), nn.Linear(arch.conv[4] * 36, f1), nn.ReLU(inplace=True),
                nn.Dropout(p=0.5), nn.Linear(f1, f2), nn.ReLU(inplace=True), nn.Linear(f2, arch.classes),
            )

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.classifier(torch.flatten(self.avgpool(self.features(x)), 1))

    return CardAlexNet().eval()
