"""Read a PyTorch weights file safely, whatever wrapper a training script saved it in.

`torch.load(weights_only=True)` refuses anything but tensors and plain containers, so a file can never run code.
What users hold: a bare state_dict; a checkpoint dict with the weights under `state_dict`, `model`,
`model_state_dict` or `net` (and epoch, optimizer, ... beside them); DataParallel's `module.` prefixes, also inside
a name (`features.module.0.weight`, pytorch/examples' AlexNet); tensors saved on a GPU. A whole pickled model
(`torch.save(model)`) needs the code that defined it and cannot be read safely: it is refused with the two lines
that re-save its state_dict.
"""

from __future__ import annotations

import os
import re

from alexnet_gui.core.language import gettext
from alexnet_gui.core.model.choice import WeightsError

WRAPPER_KEYS = ("state_dict", "model_state_dict", "model", "net", "network", "weights")
_MODULE_PREFIX = re.compile(r"(^|\.)module\.")
_UNSUPPORTED_CLASS = re.compile(r"GLOBAL ([\w.]+)\.([A-Z]\w*) was not an allowed global")


def whole_model_message(path: str) -> str:
    """The refusal for `torch.save(model)` files, with the two lines that fix it (run where the class is defined)."""
    return (f"refused to load {path}: it holds a whole pickled model, which only runs with the code that made it "
            "and could run any code; re-save its weights where that code is:\n"
            f"    model = torch.load({path!r}, weights_only=False)\n"
            f"    torch.save(model.state_dict(), {os.path.splitext(path)[0] + '.state_dict.pth'!r})")


def strip_module_prefixes(state: dict) -> dict:
    """Remove DataParallel's `module.` from every key, at the start or inside (`features.module.0.weight`)."""
    return {_MODULE_PREFIX.sub(r"\1", key): value for key, value in state.items()}


def unwrap_checkpoint(obj, path: str) -> dict:
    """The state_dict inside a checkpoint: the dict of tensors itself, or the first wrapper key holding one."""
    import torch

    for _ in range(3):  # a wrapper inside a wrapper ({"model": {"state_dict": ...}}) is seen in the wild
        if isinstance(obj, dict) and obj and all(isinstance(v, torch.Tensor) for v in obj.values()):
            return obj
        if not isinstance(obj, dict):
            break
        inner = next((obj[k] for k in WRAPPER_KEYS if isinstance(obj.get(k), dict)), None)
        if inner is None:
            keys = ", ".join(sorted(map(str, obj))[:6])
            raise WeightsError(
                gettext(
                    "{path} holds no state_dict of tensors (its entries: {keys}); save model.state_dict() to a file"
                ).format(path=path, keys=keys)
            )
        obj = inner
    raise WeightsError(gettext('{path} does not hold a state_dict of tensors').format(path=path))


def check_inflated_size(path: str) -> None:
    """Refuse a zip-format checkpoint (torch.save's format since 1.6) whose members declare more bytes than any
    AlexNet checkpoint holds, before torch.load inflates them: a DEFLATE member of 3.5 MB can inflate to 4 GB."""
    import zipfile

    from alexnet_gui.core.model.archs import MAX_CHECKPOINT_BYTES

    try:
        if not zipfile.is_zipfile(path):
            return  # the legacy pickle format, or no checkpoint at all: torch.load says which
        with zipfile.ZipFile(path) as archive:
            total = sum(info.file_size for info in archive.infolist())
    except (OSError, zipfile.BadZipFile, ValueError):
        return  # torch.load reports the damage in its own words
    if total > MAX_CHECKPOINT_BYTES:
        raise WeightsError(
            gettext(
                "refused to load {path}: it inflates to {total:,} bytes, more than any AlexNet checkpoint ({limit:,})"
            ).format(path=path, total=total, limit=MAX_CHECKPOINT_BYTES)
        )


def load_state_dict(path: str | os.PathLike[str]) -> dict:
    """Load a .pth/.pt/.pkl/.pth.tar state_dict onto the CPU, unwrapped and without `module.` prefixes."""
    import pickle
    import warnings

    import torch

    path = os.fspath(path)
    check_inflated_size(path)
    try:
        with warnings.catch_warnings():
            # Old-format files warn before failing; the failure is what we report.
            warnings.simplefilter("ignore")
            obj = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as exc:
        if _UNSUPPORTED_CLASS.search(str(exc)):
            raise WeightsError(whole_model_message(path)) from None
        # weights_only refuses anything but tensors and plain containers: code-running pickles and damage alike.
        raise WeightsError(
            gettext(
                "refused to load {path}: it is not a plain PyTorch state_dict (it is damaged or may try to run code)"
            ).format(path=path)
        ) from None
    except FileNotFoundError:
        raise WeightsError(gettext("weights file not found: {path}").format(path=path)) from None
    except Exception as exc:  # noqa: BLE001 - torch raises many types for a damaged file
        raise WeightsError(
            gettext("cannot read {path} as PyTorch weights ({name__})").format(path=path, name__=type(exc).__name__)
        ) from None
    state = strip_module_prefixes(unwrap_checkpoint(obj, path))
    return {k: v.float() if v.is_floating_point() else v for k, v in state.items()}
