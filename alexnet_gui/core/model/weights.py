"""Find, download (hash-checked) and safely load AlexNet's ImageNet weights.

Resolution order: an explicit file; the ONNX model a desktop bundle carries; the file torchvision itself caches;
a download from torchvision's URL or the mirror in ALEXNET_GUI_WEIGHTS_URL. torch is imported only to load a
.pth or build the untrained network.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from glob import escape as glob_escape
from pathlib import Path
from typing import Literal

from alexnet_gui.core.errors import UserError

WEIGHTS_URL = "https://download.pytorch.org/models/alexnet-owt-7be5be79.pth"
WEIGHTS_FILENAME = "alexnet-owt-7be5be79.pth"
HASH_PREFIX = "7be5be79"
MIRROR_ENV = "ALEXNET_GUI_WEIGHTS_URL"
#: About the size of torchvision's file (its metadata says 233.087 MiB), for the download dialog.
WEIGHTS_SIZE_BYTES = 244_409_000

_WHAT_TO_DO = (
    "check the network connection, set ALEXNET_GUI_WEIGHTS_URL to a mirror of "
    f"{WEIGHTS_FILENAME}, or pass --weights FILE"
)
_CHUNK = 1 << 16

Progress = Callable[[int, "int | None"], None]


class WeightsError(UserError):
    """Weights that cannot be found, downloaded or loaded; the message says what to do (in the command line's
    words). `problem` names the kind for an interface that says it in its own words: "unreachable" (no network or
    the host is blocked), "server", "broken", "slow", "hash", "disk", or "" for anything else; `url` is the
    download's address where there was one."""

    def __init__(self, message: str, *, problem: str = "", url: str = "") -> None:
        super().__init__(message)
        self.problem = problem
        self.url = url


class DownloadCancelled(WeightsError):
    """The user cancelled the download; nothing was left in the cache."""


@dataclass(frozen=True)
class WeightsChoice:
    """Which weights to run: a .pth state_dict, an .onnx model, or the seeded untrained network."""

    kind: Literal["pth", "onnx", "untrained"]
    path: Path | None
    source: str


UNTRAINED = WeightsChoice(
    "untrained", None, "untrained seeded random network — predictions are meaningless"
)


def torch_checkpoint_dir() -> Path:
    """Where torchvision caches weights: $TORCH_HOME/hub/checkpoints (torch's own rule, without importing torch)."""
    torch_home = os.environ.get("TORCH_HOME")
    if not torch_home:
        xdg = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        torch_home = os.path.join(xdg, "torch")
    return Path(os.path.expanduser(torch_home)) / "hub" / "checkpoints"


def cached_weights_path() -> Path | None:
    """Return torchvision's cached AlexNet weights file if it is there."""
    path = torch_checkpoint_dir() / WEIGHTS_FILENAME
    return path if path.is_file() else None


def bundled_model() -> WeightsChoice | None:
    """The ONNX model a desktop bundle carries (exported at build time, so it needs no torch); None elsewhere."""
    import json

    from alexnet_gui.resource_files import (
        BUNDLED_MODEL,
        BUNDLED_MODEL_INFO,
        resource_path,
    )

    path = resource_path(BUNDLED_MODEL)
    if not path.is_file():
        return None
    try:
        origin = json.loads(resource_path(BUNDLED_MODEL_INFO).read_text())["source"]
    except (OSError, ValueError, KeyError, TypeError):
        origin = "weights unknown"
    return WeightsChoice("onnx", path, f"bundled ONNX model, exported from {origin}")


def file_sha256(path: str | os.PathLike[str]) -> str:
    """Return the hex SHA-256 of a file."""
    import hashlib  # here: OpenSSL's load (~8 ms) is not on the command line's way to its first decode

    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


#: The longest a weights download may take in all: a server that trickles a byte every few seconds never times out
#: a single read, so the whole download has a deadline too (244 MB at 140 kB/s still fits).
DOWNLOAD_DEADLINE_S = 1800.0


#: A temporary download file untouched for this long belongs to a download that was killed (SIGKILL, a power cut):
#: a live one is written every few seconds at worst.
_ABANDONED_AFTER_S = 3600


def _remove_abandoned_parts(folder: Path, name: str) -> None:
    import time

    for part in folder.glob(f".{glob_escape(name)}.*.part"):
        try:
            if time.time() - part.stat().st_mtime > _ABANDONED_AFTER_S:
                part.unlink()
        except OSError:
            pass  # gone meanwhile, or not ours to remove


def download_weights(
    url: str | None = None,
    *,
    progress: Progress | None = None,
    cancel: Callable[[], bool] | None = None,
    timeout: float = 30.0,
    deadline: float | None = None,
    sha256_prefix: str | None = None,
    file_name: str | None = None,
) -> Path:
    """Download the weights into torchvision's cache and return the path.

    The expected hash is the weights' own (`HASH_PREFIX`, from torchvision's file name), whatever the URL says: a
    mirror cannot choose what it is trusted for. The file is saved under torchvision's name, so the next run finds
    it in the cache. It streams into a temporary file beside its final name and is renamed into place only when
    its SHA-256 matches; a failure, a cancel, SIGTERM (raised as KeyboardInterrupt), a full disk or a mismatch
    leaves nothing behind. `timeout` bounds each read, `deadline` (default DOWNLOAD_DEADLINE_S) the whole download.
    """
    # Imported here: urllib pulls in ssl and http (~15 ms) that every run without a download would pay for.
    import hashlib
    import time
    import urllib.error
    import urllib.request

    from alexnet_gui.core.outputs.output_paths import describe_os_error

    url = url or os.environ.get(MIRROR_ENV) or WEIGHTS_URL
    prefix = sha256_prefix or HASH_PREFIX
    name = file_name or WEIGHTS_FILENAME
    ends = time.monotonic() + (DOWNLOAD_DEADLINE_S if deadline is None else deadline)
    folder = torch_checkpoint_dir()
    _remove_abandoned_parts(folder, name)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{name}.", suffix=".part", dir=folder)
    except OSError as exc:
        raise WeightsError(
            f"cannot save weights in {folder}: {describe_os_error(exc)}; set TORCH_HOME to a writable folder, "
            "or pass --weights FILE", problem="disk",
        ) from None
    tmp = Path(tmp_name)
    digest = hashlib.sha256()
    try:
        with os.fdopen(fd, "wb") as out:
            try:
                response = urllib.request.urlopen(url, timeout=timeout)  # noqa: S310 - https or a user's mirror
            except urllib.error.HTTPError as exc:
                raise WeightsError(f"downloading {url} failed (HTTP {exc.code} {exc.reason}); {_WHAT_TO_DO}",
                                   problem="server", url=url) from None
            except (urllib.error.URLError, OSError) as exc:
                reason = getattr(exc, "reason", exc)
                raise WeightsError(f"could not download {url} ({reason}); {_WHAT_TO_DO}",
                                   problem="unreachable", url=url) from None
            with response:
                length = response.headers.get("Content-Length")
                total = int(length) if length and length.isdigit() else None
                done = 0
                if progress:
                    progress(0, total)
                while True:
                    if cancel and cancel():
                        raise DownloadCancelled("the weights download was cancelled; nothing was saved")
                    if time.monotonic() > ends:
                        raise WeightsError(
                            f"the download of {url} was too slow ({done} bytes in "
                            f"{DOWNLOAD_DEADLINE_S if deadline is None else deadline:.0f} s) and was stopped; "
                            f"{_WHAT_TO_DO}", problem="slow", url=url,
                        )
                    try:
                        block = response.read1(_CHUNK)
                    except OSError as exc:
                        raise WeightsError(f"the download of {url} broke off ({exc}); {_WHAT_TO_DO}",
                                           problem="broken", url=url) from None
                    if not block:
                        break
                    try:
                        out.write(block)
                    except OSError as exc:
                        raise WeightsError(
                            f"cannot save the weights in {folder}: {describe_os_error(exc)}; nothing was kept",
                            problem="disk",
                        ) from None
                    digest.update(block)
                    done += len(block)
                    if progress:
                        progress(done, total)
        if total is not None and done != total:
            raise WeightsError(f"the download of {url} ended early ({done} of {total} bytes); {_WHAT_TO_DO}",
                               problem="broken", url=url)
        if not digest.hexdigest().startswith(prefix):
            raise WeightsError(
                f"the file downloaded from {url} does not match its hash {prefix} and was discarded; {_WHAT_TO_DO}",
                problem="hash", url=url,
            )
        final = folder / name
        os.replace(tmp, final)
        return final
    except OSError as exc:  # the file's last block, flushed at close, on a full disk
        raise WeightsError(f"cannot save the weights in {folder}: {describe_os_error(exc)}; nothing was kept",
                           problem="disk") from None
    finally:
        tmp.unlink(missing_ok=True)


def resolve_weights(
    weights: str | os.PathLike[str] | None = None,
    *,
    untrained: bool = False,
    download: bool = True,
    progress: Progress | None = None,
    cancel: Callable[[], bool] | None = None,
) -> WeightsChoice:
    """Decide which weights to use: the given file, else a desktop bundle's model, else torchvision's cache, else a download."""
    if untrained:
        return UNTRAINED
    if weights is not None:
        path = Path(weights).expanduser()
        if not path.is_file():
            raise WeightsError(f"weights file not found: {path}")
        suffix = path.suffix.lower()
        if suffix in (".pth", ".pt"):
            return WeightsChoice("pth", path.resolve(), f"file {path}")
        if suffix == ".onnx":
            return WeightsChoice("onnx", path.resolve(), f"ONNX model {path}")
        raise WeightsError(f"weights must be a .pth state_dict or an .onnx model, not {path.name}")
    bundled = bundled_model()
    if bundled is not None:
        return bundled
    cached = cached_weights_path()
    if cached is not None:
        return WeightsChoice("pth", cached, f"torch cache ({cached})")
    if not download:
        raise WeightsError(f"no AlexNet weights found in {torch_checkpoint_dir()}; {_WHAT_TO_DO}")
    path = download_weights(progress=progress, cancel=cancel)
    return WeightsChoice("pth", path, f"downloaded to {path}")


def load_state_dict(path: str | os.PathLike[str]) -> dict:
    """Load a .pth state_dict with torch.load(weights_only=True): a pickle that would run code is refused."""
    import pickle
    import warnings

    import torch

    try:
        with warnings.catch_warnings():
            # Old-format files warn before failing; the failure is what we report.
            warnings.simplefilter("ignore")
            obj = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError:
        # weights_only refuses anything but tensors and plain containers: code-running pickles and damage alike.
        raise WeightsError(
            f"refused to load {path}: it is not a plain PyTorch state_dict (it is damaged or may try to run code)"
        ) from None
    except FileNotFoundError:
        raise WeightsError(f"weights file not found: {path}") from None
    except Exception as exc:  # noqa: BLE001 - torch raises many types for a damaged file
        raise WeightsError(f"cannot read {path} as PyTorch weights ({type(exc).__name__})") from None
    if isinstance(obj, dict):
        for key in ("state_dict", "model"):
            if isinstance(obj.get(key), dict):
                obj = obj[key]
                break
    if not isinstance(obj, dict) or not all(isinstance(v, torch.Tensor) for v in obj.values()):
        raise WeightsError(f"{path} does not hold a state_dict of tensors")
    return obj


def untrained_state_dict(seed: int = 0) -> dict:
    """The seeded random AlexNet's state_dict: the same numbers on every machine, meaningless predictions."""
    import torch
    import torchvision

    gen_state = torch.random.get_rng_state()
    try:
        torch.manual_seed(seed)
        return torchvision.models.alexnet(weights=None).state_dict()
    finally:
        torch.random.set_rng_state(gen_state)
