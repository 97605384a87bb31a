"""A card's AlexNet layer by layer: output shapes for its input size and parameter counts, measured on the built
network."""

from __future__ import annotations

from dataclasses import dataclass

# Readable names for torchvision's AlexNet modules, in forward order.
LAYER_NAMES = {
    "features.0": "conv1", "features.1": "relu1", "features.2": "pool1",
    "features.3": "conv2", "features.4": "relu2", "features.5": "pool2",
    "features.6": "conv3", "features.7": "relu3",
    "features.8": "conv4", "features.9": "relu4",
    "features.10": "conv5", "features.11": "relu5", "features.12": "pool5",
    "avgpool": "avgpool",
    "classifier.0": "dropout6", "classifier.1": "fc6", "classifier.2": "relu6",
    "classifier.3": "dropout7", "classifier.4": "fc7", "classifier.5": "relu7",
    "classifier.6": "fc8",
}


@dataclass(frozen=True)
class LayerRow:
    name: str
    module: str
    kind: str
    output_shape: tuple[int, ...]
    params: int


def layer_names(arch=None) -> dict[str, str]:
    """Module path → readable name for the card's network (LRN layers as normN, Keras's padding as pad1)."""
    from alexnet_gui.core.model.archs import TORCHVISION_ARCH, feature_index

    arch = arch or TORCHVISION_ARCH
    names = {f"features.{i}": name for name, i in feature_index(arch).items()}
    if arch.conv1_padding and len(set(arch.conv1_padding)) > 1:
        names = {"features.0": "pad1", **names}
    names["avgpool"] = "avgpool" if arch.avgpool else "flatten"
    names.update({path: name for path, name in LAYER_NAMES.items() if path.startswith("classifier")})
    return dict(sorted(names.items(), key=lambda kv: _order(kv[0])))


def _order(path: str) -> tuple[int, int]:
    part, _, index = path.partition(".")
    return ({"features": 0, "avgpool": 1, "classifier": 2}[part], int(index or 0))


def layer_table(arch=None) -> list[LayerRow]:
    """Build the card's network (torchvision's when None), run it on one input of its size and record each
    layer's output shape and parameters."""
    import torch

    from alexnet_gui.core.model.archs import TORCHVISION_ARCH, build_network

    arch = arch or TORCHVISION_ARCH
    model = build_network(arch).eval()
    modules = dict(model.named_modules())
    shapes: dict[str, tuple[int, ...]] = {}
    handles = []
    names = layer_names(arch)
    for path in names:
        def hook(_m, _i, out, path=path):
            shapes[path] = tuple(out.shape[1:])
        handles.append(modules[path].register_forward_hook(hook))
    try:
        with torch.inference_mode():
            model(torch.zeros(1, 3, arch.input_size, arch.input_size))
    finally:
        for h in handles:
            h.remove()
    return [
        LayerRow(name, path, type(modules[path]).__name__, shapes[path],
                 sum(p.numel() for p in modules[path].parameters()))
        for path, name in names.items()
    ]


def format_table(rows: list[LayerRow]) -> str:
    """The table as aligned text, with the total parameter count."""
    lines = [f"{'layer':<9} {'type':<18} {'output shape':<16} {'parameters':>12}"]
    for r in rows:
        shape = " x ".join(map(str, r.output_shape))
        lines.append(f"{r.name:<9} {r.kind:<18} {shape:<16} {r.params:>12,}")
    lines.append(f"{'total':<9} {'':<18} {'':<16} {sum(r.params for r in rows):>12,}")
    return "\n".join(lines)
