"""Image → network input, following a model card's recipe (`Recipe`): resize, crop, scale, mean, std, order.

Written with Pillow and numpy so that the ONNX path never imports torch. The torchvision recipe is exactly
`AlexNet_Weights.IMAGENET1K_V1.transforms()`; tests keep it equal to torchvision's (max abs difference <= 1e-5)
and every other preset equal to its source's own code, re-implemented in the tests.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from PIL import Image

if TYPE_CHECKING:
    import numpy as np

RESIZE_POLICIES = ("short-side", "squash")
INTERPOLATIONS = {"bilinear": Image.Resampling.BILINEAR, "bicubic": Image.Resampling.BICUBIC}
CHANNEL_ORDERS = ("RGB", "BGR")
#: The scales a recipe may divide pixels by: 1 (Caffe's 0..255), 255 (0..1), 127.5 and the like sit well inside.
MIN_SCALE, MAX_SCALE = 1e-3, 65535.0
#: The smallest std a recipe may divide by. Real recipes' stds are 0.2 (in 0..1 units) to 60 (in 0..255); even one
#: grey level at the largest scale (1/65535) is 15 times this bound. Below it a network fed units is fed millions, and
#: a float32 denormal such as 1e-45 makes every pixel infinite and every score NaN.
MIN_STD = 1e-6


@dataclass(frozen=True)
class Recipe:
    """How one model wants its images: the preprocessing half of a model card.

    `resize` "short-side" scales the short side to `size` (torchvision's Resize(int)); "squash" scales the image
    to `size` x `size` whatever its shape (Resize((s, s)), Caffe's and Keras tutorials' habit). Then the centre
    `crop` x `crop` is cut (crop == size with "squash" means no crop). Pixels 0..255 are divided by `scale`, then
    `mean` subtracted and divided by `std`, both given in R, G, B order in the scaled units; `channels` "BGR"
    feeds the planes reversed (Caffe).
    """

    name: str
    resize: str = "short-side"
    size: int = 256
    crop: int = 224
    interpolation: str = "bilinear"
    scale: float = 255.0
    mean: tuple[float, float, float] = (0.485, 0.456, 0.406)
    std: tuple[float, float, float] = (0.229, 0.224, 0.225)
    channels: str = "RGB"

    def __post_init__(self) -> None:
        from alexnet_gui.core.errors import UserError

        if not isinstance(self.name, str):
            raise UserError(f"preprocessing: name must be text, not {self.name!r}")
        for field, value in (("resize", self.resize), ("interpolation", self.interpolation),
                             ("channels", self.channels)):
            if not isinstance(value, str):
                raise UserError(f"preprocessing {self.name!r}: {field} must be text, not {value!r}")
        if self.resize not in RESIZE_POLICIES:
            raise UserError(f"preprocessing {self.name!r}: resize must be one of {', '.join(RESIZE_POLICIES)}, "
                            f"not {self.resize!r}")
        if self.interpolation not in INTERPOLATIONS:
            raise UserError(f"preprocessing {self.name!r}: interpolation must be one of "
                            f"{', '.join(INTERPOLATIONS)}, not {self.interpolation!r}")
        if self.channels not in CHANNEL_ORDERS:
            raise UserError(f"preprocessing {self.name!r}: channels must be RGB or BGR, not {self.channels!r}")
        if not (_whole(self.size) and _whole(self.crop) and 16 <= self.crop <= self.size <= 4096):
            raise UserError(f"preprocessing {self.name!r}: crop and size must be whole numbers with "
                            f"16 <= crop <= size <= 4096 (crop {self.crop!r}, size {self.size!r})")
        for field, values in (("mean", self.mean), ("std", self.std)):
            if len(values) != 3 or not all(_number(v) and math.isfinite(v) for v in values):
                raise UserError(f"preprocessing {self.name!r}: {field} must be three numbers (R, G, B)")
        if not all(v > 0 for v in self.std) or not (_number(self.scale) and self.scale > 0):
            raise UserError(f"preprocessing {self.name!r}: std and scale must be positive")
        if min(self.std) < MIN_STD:
            raise UserError(f"preprocessing {self.name!r}: std must be at least {MIN_STD:g} (the scaled pixels are "
                            f"divided by it), not {min(self.std):g}")
        # Pixels are divided by the scale: past these bounds (1e309 reads as infinity) every image becomes the same
        # input, all zeros or all overflow, and every image would score the same.
        if not MIN_SCALE <= self.scale <= MAX_SCALE:
            raise UserError(f"preprocessing {self.name!r}: scale must be from {MIN_SCALE:g} to {MAX_SCALE:g} "
                            f"(pixels 0..255 are divided by it), not {self.scale:g}")

    @property
    def input_size(self) -> int:
        """The side of the square the network sees."""
        return self.crop

    def describe(self) -> str:
        """One line for summaries and the model panel."""
        if self.resize == "squash":
            geometry = f"resize to {self.size}x{self.size} ({self.interpolation})"
        else:
            geometry = f"resize short side to {self.size} ({self.interpolation})"
        if self.crop != self.size or self.resize == "short-side":
            geometry += f", centre crop {self.crop}"
        scale = "0..255" if self.scale == 1 else f"/{self.scale:g}"
        mean = ", ".join(f"{v:g}" for v in self.mean)
        std = ", ".join(f"{v:g}" for v in self.std)
        return f"{self.name}: {geometry}, {scale}, mean ({mean}), std ({std}), {self.channels}"

    def to_dict(self) -> dict[str, Any]:
        """The recipe as JSON-ready data (the card schema's "preprocess" object)."""
        out = asdict(self)
        out["mean"], out["std"] = list(self.mean), list(self.std)
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, where: str = "card") -> Recipe:
        """Read a recipe written by `to_dict` (or by hand); an unknown or missing field is one UserError."""
        from alexnet_gui.core.errors import UserError
        from alexnet_gui.core.model.json_fields import known_fields

        values = known_fields(data, cls, "preprocess", where)
        values.setdefault("name", "custom")
        try:
            for key in ("mean", "std"):
                if key in values:
                    values[key] = tuple(float(v) for v in values[key])
            if "scale" in values:
                values["scale"] = float(values["scale"])
        except (TypeError, ValueError):
            raise UserError(f"{where}: mean, std and scale must be numbers") from None
        return cls(**values)


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


TORCHVISION = Recipe("torchvision")
#: WZMIAOMIAO's Test2_alexnet predict.py: Resize((224, 224)), ToTensor, Normalize(0.5, 0.5).
TUTORIAL = Recipe("tutorial", "squash", 224, 224, mean=(0.5, 0.5, 0.5), std=(0.5, 0.5, 0.5))
#: The ONNX Model Zoo's BVLC AlexNet (Caffe): 224x224, 0..255 with ImageNet's means subtracted, BGR planes.
CAFFE = Recipe("caffe", "squash", 224, 224, scale=1.0, mean=(123.68, 116.779, 103.939), std=(1.0, 1.0, 1.0),
               channels="BGR")
#: OpenVINO's Caffe AlexNet: 227x227, BGR, means B 104 G 117 R 123 (written here in R, G, B order).
OPENVINO_CAFFE = Recipe("openvino-caffe", "squash", 227, 227, scale=1.0, mean=(123.0, 117.0, 104.0),
                        std=(1.0, 1.0, 1.0), channels="BGR")
#: The Keras AlexNet_v1 tutorial's predict.py: PIL's resize to 224x224 (bicubic, Pillow's default), then /255.
KERAS_TUTORIAL = Recipe("keras-tutorial", "squash", 224, 224, interpolation="bicubic", mean=(0.0, 0.0, 0.0),
                        std=(1.0, 1.0, 1.0))
#: The 2012 architecture at 227 pixels (dansuh17/alexnet-pytorch): ImageNet statistics, short side 256, crop 227.
ALEXNET2012 = Recipe("alexnet2012", crop=227)

PRESETS: dict[str, Recipe] = {r.name: r for r in (TORCHVISION, TUTORIAL, CAFFE, OPENVINO_CAFFE, KERAS_TUTORIAL,
                                                   ALEXNET2012)}

# Names kept for callers that mean torchvision's recipe itself (its reference tests and the ImageNet bundle).
RESIZE_SIZE = TORCHVISION.size
CROP_SIZE = TORCHVISION.crop
MEAN = TORCHVISION.mean
STD = TORCHVISION.std


def load_recipe(name_or_file: str) -> Recipe:
    """A named preset (see PRESETS) or a JSON file holding one recipe object; one UserError otherwise."""
    from alexnet_gui.core.errors import UserError
    from alexnet_gui.core.small_files import MAX_CARD_BYTES, read_json

    if name_or_file in PRESETS:
        return PRESETS[name_or_file]
    if not os.path.exists(name_or_file):
        raise UserError(f"unknown preprocessing {name_or_file!r}: name a preset ({', '.join(PRESETS)}) "
                        "or a JSON file")
    try:
        data = read_json(name_or_file, MAX_CARD_BYTES)
    except (OSError, ValueError) as exc:
        raise UserError(f"cannot read preprocessing file {name_or_file} ({exc})") from None
    if isinstance(data, dict) and "preprocess" in data:
        data = data["preprocess"]  # a whole card file: take its recipe
    return Recipe.from_dict(data, where=name_or_file)


@cache
def _mean_std(recipe: Recipe = TORCHVISION):
    # numpy is imported where it is used: decoding starts before its import ends (see core/pipeline/engine.py).
    import numpy as np

    order = slice(None, None, -1) if recipe.channels == "BGR" else slice(None)
    mean = np.array(recipe.mean, dtype=np.float32)[order].reshape(3, 1, 1)
    std = np.array(recipe.std, dtype=np.float32)[order].reshape(3, 1, 1)
    return mean, std


def resized_size(width: int, height: int, size: int = RESIZE_SIZE) -> tuple[int, int]:
    """Return (width, height) after resizing the short side to `size` (torchvision's rule: long side truncated)."""
    if width <= height:
        return size, int(size * height / width)
    return int(size * width / height), size


def resized_dims(width: int, height: int, recipe: Recipe = TORCHVISION) -> tuple[int, int]:
    """The size a width x height image has after the recipe's resize, before its crop."""
    if recipe.resize == "squash":
        return recipe.size, recipe.size
    return resized_size(width, height, recipe.size)


def _crop_origin(width: int, height: int, crop: int = CROP_SIZE) -> tuple[int, int]:
    # torchvision's center_crop rounds half-way offsets with Python's round().
    return int(round((width - crop) / 2.0)), int(round((height - crop) / 2.0))


def _geometry(img: Image.Image) -> tuple[int, int]:
    """The full image's size when `img` is its JPEG draft; otherwise img.size.

    Pillow copies `info` into crops, resizes and rotations, so `full_size` is trusted only while `img` still has a
    DCT-scaled size of it (ceil(full / s) for s in 1, 2, 4, 8).
    """
    full = img.info.get("full_size")
    if full is not None:
        fw, fh = full
        for s in (1, 2, 4, 8):
            if img.size == (-(-fw // s), -(-fh // s)):
                return fw, fh
    return img.size


def resize_for_crop(img: Image.Image, recipe: Recipe = TORCHVISION) -> Image.Image:
    """Resize as the recipe says, with Pillow's antialiased filter (what torchvision does for PIL images).

    A draft-decoded JPEG is resized to the size its full-resolution image would get, so the crop stays put.
    """
    new = resized_dims(*_geometry(img), recipe)
    return img if new == img.size else img.resize(new, INTERPOLATIONS[recipe.interpolation])


def normalise(rgb: np.ndarray, recipe: Recipe = TORCHVISION) -> np.ndarray:
    """(H, W, 3) uint8 → (3, H, W) float32, scaled and standardised as the recipe says."""
    return normalise_batch(rgb[None], recipe=recipe)[0]


def normalise_batch(crops: Sequence[np.ndarray] | np.ndarray, out: np.ndarray | None = None,
                    recipe: Recipe = TORCHVISION) -> np.ndarray:
    """N (H, W, 3) uint8 crops (a list or one array) → (N, 3, H, W) float32, each image scaled and standardised as
    `normalise` describes.

    With `out`, a float32 (M, 3, H, W) buffer with M >= N, the result is its first N images: a batch loop that
    reuses one buffer spares the kernel zeroing fresh pages for every batch (19 MB for 32 images).
    """
    import numpy as np

    mean, std = _mean_std(recipe)
    n = len(crops)
    height, width = crops[0].shape[:2]
    x = np.empty((n, 3, height, width), np.float32) if out is None else out[:n]
    bgr = recipe.channels == "BGR"
    for image, crop in zip(x, crops):
        planes = crop.transpose(2, 0, 1)
        # Views, not copies: the planes go straight from the uint8 crop into the float32 batch.
        np.copyto(image, planes[::-1] if bgr else planes, casting="unsafe")  # uint8 → float32 is exact
    if recipe.scale != 1:
        x /= recipe.scale
    x -= mean
    x /= std
    return x


def crop_rgb(img: Image.Image, recipe: Recipe = TORCHVISION) -> np.ndarray:
    """Return the (crop, crop, 3) uint8 pixels the network sees of an RGB image."""
    import numpy as np

    return np.asarray(centre_crop(img, recipe))


def centre_crop(img: Image.Image, recipe: Recipe = TORCHVISION) -> Image.Image:
    """`crop_rgb` as a Pillow image."""
    resized = resize_for_crop(img, recipe)
    if resized.size == (recipe.crop, recipe.crop):
        return resized
    left, top = _crop_origin(*resized.size, recipe.crop)
    return resized.crop((left, top, left + recipe.crop, top + recipe.crop))


def crop_rgb_crop_only(img: Image.Image, recipe: Recipe = TORCHVISION) -> np.ndarray:
    """Like `crop_rgb`, but resample only the pixels the crop keeps (Pillow's resize with a source box).

    The filter centres and widths are the full resize's, yet Pillow takes the box in single precision, so some
    values move by one grey level (0.0175 normalised; about 0.1 % of a photo's, more on extreme enlargements):
    used by --fast-decode only, where it halves the resampling of a 1024x768 photo.
    """
    import numpy as np

    return np.asarray(resample_crop_only(img, recipe))


def resample_crop_only(img: Image.Image, recipe: Recipe = TORCHVISION) -> Image.Image:
    """`crop_rgb_crop_only` as a Pillow image."""
    width, height = _geometry(img)
    rw, rh = resized_dims(width, height, recipe)
    crop = recipe.crop
    left, top = _crop_origin(rw, rh, crop)
    sx, sy = img.size[0] / rw, img.size[1] / rh
    box = (left * sx, top * sy, (left + crop) * sx, (top + crop) * sy)
    return img.resize((crop, crop), INTERPOLATIONS[recipe.interpolation], box=box)


def preprocess(img: Image.Image, recipe: Recipe = TORCHVISION) -> np.ndarray:
    """Return the (3, crop, crop) float32 network input for an RGB image."""
    return normalise(crop_rgb(img, recipe), recipe)


def crop_from_bytes(pixels: bytes) -> np.ndarray:
    """The (S, S, 3) uint8 array over `load_crop_bytes`' square result (a view, not a copy)."""
    import numpy as np

    side = math.isqrt(len(pixels) // 3)
    return np.frombuffer(pixels, np.uint8).reshape(side, side, 3)


def crop_box(width: int, height: int, recipe: Recipe = TORCHVISION) -> tuple[int, int, int, int]:
    """Return the (left, top, right, bottom) box, in original pixels, of what the network's crop shows."""
    rw, rh = resized_dims(width, height, recipe)
    left, top = _crop_origin(rw, rh, recipe.crop)
    sx, sy = width / rw, height / rh
    return (
        round(left * sx), round(top * sy),
        round((left + recipe.crop) * sx), round((top + recipe.crop) * sy),
    )


def denormalise(x: np.ndarray, recipe: Recipe = TORCHVISION) -> np.ndarray:
    """(3, H, W) normalised input → (H, W, 3) uint8 RGB, for showing what the network saw."""
    import numpy as np

    mean, std = _mean_std(recipe)
    values = (x * std + mean) * recipe.scale
    if recipe.channels == "BGR":
        values = values[::-1]
    return np.clip(np.rint(values), 0, 255).astype(np.uint8).transpose(1, 2, 0)
