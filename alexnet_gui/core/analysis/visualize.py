"""Pictures of the network's insides, as numpy arrays: filter grids, feature-map grids, colour maps, overlays.

Everything is vectorised numpy (no per-pixel Python loops); callers turn the arrays into PNGs or QImages.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib.resources import files

import numpy as np

from alexnet_gui.core.language import gettext


@cache
def viridis() -> np.ndarray:
    """The viridis colour map as a (256, 3) uint8 lookup table."""
    text = files("alexnet_gui.core").joinpath("data/viridis.txt").read_text(encoding="utf-8")
    rows = np.loadtxt(text.splitlines(), comments="#", dtype=np.float64)
    return np.clip(np.rint(rows * 255), 0, 255).astype(np.uint8)


def apply_colormap(values: np.ndarray, vmin: float, vmax: float) -> np.ndarray:
    """Map an array of values onto viridis: (...) float → (..., 3) uint8."""
    span = vmax - vmin if vmax > vmin else 1.0
    idx = np.clip((values - vmin) / span * 255.0, 0, 255).astype(np.uint8)
    return viridis()[idx]


def normalise_kernels(weights: np.ndarray, *, joint: bool = False) -> np.ndarray:
    """Min-max normalise kernels (K, ...) to [0, 1], each on its own or all with one range."""
    w = weights.astype(np.float32)
    axes = tuple(range(1, w.ndim))
    lo = w.min() if joint else w.min(axis=axes, keepdims=True)
    hi = w.max() if joint else w.max(axis=axes, keepdims=True)
    return (w - lo) / np.maximum(hi - lo, 1e-12)


@dataclass(frozen=True)
class GridLayout:
    """Where tile i sits in a grid image: cells of `cell` pixels (after scaling) with `pad` between them."""

    count: int
    cols: int
    rows: int
    cell_h: int
    cell_w: int
    pad: int
    #: rows from `split_row` on sit `gap` pixels lower (the 2012 network's two halves of conv1)
    split_row: int = 0
    gap: int = 0

    def origin(self, i: int) -> tuple[int, int]:
        """Top-left (x, y) of tile i."""
        r, c = divmod(i, self.cols)
        gap = self.gap if self.split_row and r >= self.split_row else 0
        return self.pad + c * (self.cell_w + self.pad), self.pad + r * (self.cell_h + self.pad) + gap

    def index_at(self, x: float, y: float) -> int | None:
        """Which tile covers pixel (x, y), or None for padding, the gap and empty cells."""
        if self.split_row:
            band = self.pad + self.split_row * (self.cell_h + self.pad)
            if band <= y < band + self.gap:
                return None
            if y >= band + self.gap:
                y -= self.gap
        c, cx = divmod(int(x) - self.pad, self.cell_w + self.pad)
        r, cy = divmod(int(y) - self.pad, self.cell_h + self.pad)
        if x < self.pad or y < self.pad or cx >= self.cell_w or cy >= self.cell_h or c >= self.cols:
            return None
        i = r * self.cols + c
        return i if 0 <= i < self.count else None


def tile(tiles: np.ndarray, *, cols: int | None = None, scale: int = 1, pad: int = 1,
         pad_value: int = 40, split_row: int = 0, gap: int = 0) -> tuple[np.ndarray, GridLayout]:
    """Arrange (N, H, W, 3) uint8 tiles in a grid, each upscaled by nearest neighbour; return image and layout.
    With `split_row`, a band of `gap` pixels separates the rows before it from those after."""
    n, h, w = tiles.shape[:3]
    cols = cols or int(np.ceil(np.sqrt(n)))
    rows = int(np.ceil(n / cols))
    if scale > 1:
        tiles = tiles.repeat(scale, axis=1).repeat(scale, axis=2)
    ch, cw = h * scale, w * scale
    full = np.full((rows * cols, ch, cw, 3), pad_value, np.uint8)
    full[:n] = tiles
    # (rows, cols, ch, cw, 3) → padded cells → one image, all in array operations.
    cells = np.full((rows, cols, ch + pad, cw + pad, 3), pad_value, np.uint8)
    cells[:, :, :ch, :cw] = full.reshape(rows, cols, ch, cw, 3)
    image = cells.transpose(0, 2, 1, 3, 4).reshape(rows * (ch + pad), cols * (cw + pad), 3)
    image = np.pad(image, ((pad, 0), (pad, 0), (0, 0)), constant_values=pad_value)
    if split_row and gap and split_row < rows:
        at = pad + split_row * (ch + pad)
        band = np.full((gap, image.shape[1], 3), pad_value, np.uint8)
        image = np.concatenate([image[:at], band, image[at:]])
        return image, GridLayout(n, cols, rows, ch, cw, pad, split_row, gap)
    return image, GridLayout(n, cols, rows, ch, cw, pad)


def filter_tiles(weight: np.ndarray, *, joint: bool = False, in_channel: int | None = None) -> np.ndarray:
    """Kernels as uint8 tiles: RGB for a 3-channel layer (conv1), else greyscale for one input channel."""
    if weight.shape[1] == 3 and in_channel is None:
        rgb = normalise_kernels(weight, joint=joint).transpose(0, 2, 3, 1)
        return np.rint(rgb * 255).astype(np.uint8)
    channel = weight[:, in_channel or 0]
    grey = np.rint(normalise_kernels(channel, joint=joint) * 255).astype(np.uint8)
    return np.repeat(grey[..., None], 3, axis=3)


def filters_grid(weight: np.ndarray, *, joint: bool = False, in_channel: int | None = None,
                 scale: int = 4, pad: int = 2) -> tuple[np.ndarray, GridLayout]:
    """A grid of a conv layer's kernels (K, C, h, w), nearest-neighbour scaled so pixels stay sharp. The 2012
    network's 96 conv1 kernels are laid out as the paper's figure 3: its two halves of 48 (one per GPU), each
    four rows of 12, apart."""
    tiles = filter_tiles(weight, joint=joint, in_channel=in_channel)
    if weight.shape[0] == 96 and weight.shape[1] == 3:
        return tile(tiles, cols=12, scale=scale, pad=pad, split_row=4, gap=max(10, 5 * pad))
    return tile(tiles, scale=scale, pad=pad)


def describe_kernels(layer: str, weight: np.ndarray, groups: int = 1, in_channel: int | None = None) -> str:
    """The status line for a kernel grid, honest about grouped convolutions: with groups, input channel c is the
    c-th channel of each group's share, not of the whole previous layer."""
    k, c, h, w = weight.shape
    text = gettext('{layer}: {k} kernels of {c}x{h}x{w}').format(layer=layer, k=k, c=c, h=h, w=w)
    if c == 3 and in_channel is None:
        text += gettext(", RGB")
        if k == 96:
            text += gettext("; the paper's two halves of 48, one per GPU (its figure 3): above and below the gap")
        return text
    if groups > 1:
        per = k // groups
        shares = "; ".join(
            gettext("kernels {first}-{last} read its channels {first_channel}-{last_channel}").format(
                first=g * per, last=(g + 1) * per - 1, first_channel=g * c, last_channel=(g + 1) * c - 1
            )
            for g in range(groups)
        )
        return text + gettext(
            ", input channel {in_channel} of each group's {c} ({groups} groups over the previous layer's {channels}: {shares})"
        ).format(in_channel=in_channel, c=c, groups=groups, channels=c * groups, shares=shares)
    return text + gettext(', input channel {in_channel}').format(in_channel=in_channel)


def feature_layer(name: str, *, pre_relu: bool = False, layers=None) -> str:
    """The activation to show for a layer name: `convN` means after its ReLU unless `pre_relu`. `layers` are the
    model's own (`card.layer_names()`; torchvision's when None)."""
    from alexnet_gui.core.backends.base import ACTIVATION_LAYERS, BackendError

    known = tuple(layers) if layers is not None else ACTIVATION_LAYERS
    if name.startswith("conv") and not pre_relu:
        name = "relu" + name[4:]
    if name not in known:
        if not known:
            raise BackendError("this model's layers are its own (an ONNX graph the app did not build): it has no "
                               f"{name} to show")
        raise BackendError(f"unknown layer {name!r}; choose from {', '.join(known)}")
    return name


def channel_order(activations: np.ndarray, *, by_mean: bool = True) -> np.ndarray:
    """Channel indices of a (C, H, W) activation, strongest mean first (or natural order)."""
    if not by_mean:
        return np.arange(activations.shape[0])
    return np.argsort(-activations.reshape(activations.shape[0], -1).mean(axis=1), kind="stable")


def feature_grid(activations: np.ndarray, *, order: np.ndarray | None = None, scale: int = 1,
                 pad: int = 1) -> tuple[np.ndarray, GridLayout, tuple[float, float]]:
    """Colour a (C, H, W) activation with viridis on one shared range; return grid, layout and (vmin, vmax)."""
    acts = activations if order is None else activations[order]
    vmin, vmax = float(acts.min()), float(acts.max())
    image, layout = tile(apply_colormap(acts, vmin, vmax), scale=scale, pad=pad)
    return image, layout, (vmin, vmax)


def colour_bar(height: int, width: int = 16) -> np.ndarray:
    """A vertical viridis bar, maximum at the top: (height, width, 3) uint8."""
    ramp = np.linspace(1.0, 0.0, height)[:, None].repeat(width, axis=1)
    return apply_colormap(ramp, 0.0, 1.0)


def resize_map(values: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Bilinearly resize a 2-D float map to (width, height)."""
    from PIL import Image

    return np.asarray(Image.fromarray(values.astype(np.float32), mode="F").resize(size, Image.Resampling.BILINEAR))


def overlay(base: np.ndarray, heat: np.ndarray, *, alpha: float = 0.5,
            vmin: float | None = None, vmax: float | None = None) -> np.ndarray:
    """Blend a heat map (any size, upsampled bilinearly) in viridis over an (H, W, 3) uint8 image."""
    h, w = base.shape[:2]
    big = resize_map(heat, (w, h)) if heat.shape != (h, w) else heat.astype(np.float32)
    lo = float(big.min()) if vmin is None else vmin
    hi = float(big.max()) if vmax is None else vmax
    coloured = apply_colormap(big, lo, hi).astype(np.float32)
    return np.rint(base.astype(np.float32) * (1 - alpha) + coloured * alpha).astype(np.uint8)


def with_colour_bar(grid: np.ndarray, vmin: float, vmax: float) -> np.ndarray:
    """Put a labelled viridis colour bar to the right of a grid image."""
    from PIL import Image, ImageDraw

    h = grid.shape[0]
    bar_h = max(h - 40, 20)
    canvas = Image.new("RGB", (grid.shape[1] + 110, h), (255, 255, 255))
    canvas.paste(Image.fromarray(grid), (0, 0))
    x = grid.shape[1] + 12
    canvas.paste(Image.fromarray(colour_bar(bar_h, 18)), (x, 20))
    draw = ImageDraw.Draw(canvas)
    draw.text((x + 24, 14), f"{vmax:.3g}", fill=(0, 0, 0))
    draw.text((x + 24, 20 + bar_h - 8), f"{vmin:.3g}", fill=(0, 0, 0))
    return np.asarray(canvas)


def save_png(image: np.ndarray, path) -> None:
    """Write an (H, W, 3) uint8 array as PNG."""
    from PIL import Image

    from alexnet_gui.core.errors import UserError, describe_os_error

    try:
        Image.fromarray(image).save(path, "PNG")
    except OSError as exc:
        raise UserError(f"cannot write {path}: {describe_os_error(exc)}") from None
