"""Find, download (hash-checked) and safely load AlexNet's ImageNet weights: the registry of models the app can
fetch by name and the order in which a run's weights are chosen.

Resolution order: an explicit file; the ONNX model a desktop bundle carries; the file torchvision itself caches;
a download from torchvision's URL or the mirror in ALEXNET_GUI_WEIGHTS_URL. torch is imported only to load a
.pth or build the untrained network. The choice record and its errors live in choice.py, the transport in
download.py.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

# `X as X`: cache_root and DownloadCancelled were defined here before cache_paths.py and choice.py; the GUI, the
# backends and the tests still import them (and WeightsChoice, WeightsError) from this module.
from alexnet_gui.core.cache_paths import cache_path
from alexnet_gui.core.cache_paths import cache_root as cache_root
from alexnet_gui.core.errors import describe_os_error
from alexnet_gui.core.language import N_, gettext
from alexnet_gui.core.model.choice import UNTRAINED, Progress, WeightsChoice, WeightsError, describe_file_kind
from alexnet_gui.core.model.choice import DownloadCancelled as DownloadCancelled
from alexnet_gui.core.model.download import fetch_file

WEIGHTS_URL = "https://download.pytorch.org/models/alexnet-owt-7be5be79.pth"
WEIGHTS_FILENAME = "alexnet-owt-7be5be79.pth"
HASH_PREFIX = "7be5be79"
#: torchvision's file names for the same ImageNet weights: today's, and the older one tutorials still load by name.
TORCHVISION_FILE_NAMES = (WEIGHTS_FILENAME, "alexnet-owt-4df8aa71.pth")
MIRROR_ENV = "ALEXNET_GUI_WEIGHTS_URL"
#: About the size of torchvision's file (its metadata says 233.087 MiB), for the download dialog.
WEIGHTS_SIZE_BYTES = 244_409_000

#: what a user can do when the weights cannot be fetched (translated by weights_advice())
WHAT_TO_DO = N_("check the network connection, set {mirror_env} to a mirror of {file_name}, or pass --weights FILE")


def torch_checkpoint_dir() -> Path:
    """Where torchvision caches weights: $TORCH_HOME/hub/checkpoints (torch's own rule, without importing torch)."""
    torch_home = os.environ.get("TORCH_HOME")
    if not torch_home:
        xdg = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        torch_home = os.path.join(xdg, "torch")
    return Path(os.path.expanduser(torch_home)) / "hub" / "checkpoints"


@dataclass(frozen=True)
class NamedModel:
    """A model the app can download by name (`--weights NAME`): hash-checked, cached and mirrored."""

    name: str
    url: str
    file_name: str
    #: its SHA-256, or the prefix its publisher names (torchvision's file names carry eight hex digits)
    sha256: str
    size: int
    mirror_env: str
    kind: Literal["pth", "onnx"]
    description: str
    #: older names of the same file that the cache may hold
    other_file_names: tuple[str, ...] = ()

    def cached(self) -> Path | None:
        """The file in torchvision's cache under any of its names, if it is there."""
        for name in (self.file_name, *self.other_file_names):
            path = torch_checkpoint_dir() / name
            if path.is_file():
                return path
        return None


#: torchvision's ImageNet AlexNet (IMAGENET1K_V1), the app's default weights.
TORCHVISION_ALEXNET = NamedModel(
    "torchvision-alexnet", WEIGHTS_URL, WEIGHTS_FILENAME, HASH_PREFIX, WEIGHTS_SIZE_BYTES, MIRROR_ENV, "pth",
    "torchvision AlexNet IMAGENET1K_V1", TORCHVISION_FILE_NAMES[1:],
)
#: The ONNX Model Zoo's BVLC AlexNet (Caffe's reference model; published 54.80 % top-1, 78.23 % top-5). Its
#: SHA-256 is the one its Git LFS pointer in onnx/models carries.
BVLC_ALEXNET = NamedModel(
    "bvlc-alexnet",
    "https://github.com/onnx/models/raw/main/validated/vision/classification/alexnet/model/bvlcalexnet-12.onnx",
    "bvlcalexnet-12.onnx", "6b0da9510f27f234ee96a85dc3809dd210150fdefad87f6850f9788513216945", 243_863_787,
    "ALEXNET_GUI_BVLC_URL", "onnx", "ONNX Model Zoo BVLC AlexNet (Caffe), opset 12",
)
NAMED_MODELS: dict[str, NamedModel] = {model.name: model for model in (BVLC_ALEXNET, TORCHVISION_ALEXNET)}


def cached_weights_path() -> Path | None:
    """Return torchvision's cached AlexNet weights file (either of its names) if it is there."""
    return TORCHVISION_ALEXNET.cached()


def weights_advice(mirror_env: str = MIRROR_ENV, file_name: str = WEIGHTS_FILENAME) -> str:
    """What a user can do when weights cannot be fetched: the mirror variable, or a file of their own."""
    return gettext(WHAT_TO_DO).format(mirror_env=mirror_env, file_name=file_name)


def named_model_path(named: NamedModel, *, download: bool = True, progress: Progress | None = None,
                     cancel: Callable[[], bool] | None = None) -> Path:
    """The named model's file: from the cache, else downloaded (from its mirror variable's URL when set)."""
    path = named.cached()
    if path is not None:
        return path
    if not download:
        raise WeightsError(
            gettext(
                "{name} is not downloaded yet ({path}); run without --no-download, or set {mirror_env} to a mirror of {file_name}"
            ).format(name=named.name, path=torch_checkpoint_dir() / named.file_name, mirror_env=named.mirror_env, file_name=named.file_name)
        )
    url = os.environ.get(named.mirror_env) or named.url
    return download_weights(
        url,
        progress=progress,
        cancel=cancel,
        sha256_prefix=named.sha256,
        file_name=named.file_name,
        what_to_do=weights_advice(named.mirror_env, named.file_name),
    )


def memoised_sha256(path: str | os.PathLike[str]) -> str:
    """The file's SHA-256, remembered in the cache by the file's identity (path, size, inode, mtime, ctime) so a
    233 MB file is hashed once."""
    import json

    from alexnet_gui.core.small_files import MAX_CARD_BYTES, read_json

    path = Path(path)
    st = path.stat()
    index_path = cache_path("sha256.json")
    try:
        index = read_json(index_path, MAX_CARD_BYTES)
    except (OSError, ValueError):
        index = {}
    if not isinstance(index, dict) or not all(isinstance(v, str) for v in index.values()):
        index = {}  # damaged or edited by hand: it is only a memo, made again
    # The hash names the ONNX export that runs, so a memo entry must never answer for other bytes. Size and mtime
    # alone did: a same-size model copied over with `cp -p` or `touch -r` kept both, and the old export ran. The
    # inode (a copy or a replace-by-rename makes a new one) and the status-change time (set by every write; no user
    # can set it back) close that for the price of the stat already made; a chmod, a rename or a hard link also
    # moves the ctime and costs one more hash (0.21-0.26 s for a 244 MB file on one AMD EPYC core), never a
    # wrong one.
    resolved = str(path.resolve())
    stamp = f"{resolved}|{st.st_size}|{st.st_ino}|{st.st_mtime_ns}|{st.st_ctime_ns}"
    if stamp not in index:
        # The file's older stamps can never match again: dropped, so the memo does not grow with every change.
        index = {key: value for key, value in index.items() if not key.startswith(resolved + "|")}
        try:
            index[stamp] = file_sha256(path)
        except OSError as exc:
            raise WeightsError(
                gettext("cannot read {path} ({reason})").format(path=path, reason=describe_os_error(exc))
            ) from None
        tmp = index_path.with_name(f".{index_path.name}.{os.getpid()}.tmp")
        try:
            index_path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_text(json.dumps(index, indent=1))
            os.replace(tmp, index_path)
        except OSError:
            # A read-only cache, or ALEXNET_GUI_CACHE naming a file: the hash is computed again next time.
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)
    return index[stamp]


def bundled_model_info() -> dict:
    """What packaging/build.py wrote beside a desktop bundle's model (alexnet.json: "source", "files", and for the
    lean int8 bundle "precision": "int8" and "calibration"); {} outside a bundle or when unreadable."""
    import json

    from alexnet_gui.resource_files import BUNDLED_MODEL_INFO, resource_path

    try:
        info = json.loads(resource_path(BUNDLED_MODEL_INFO).read_text())
    except (OSError, ValueError):
        return {}
    return info if isinstance(info, dict) else {}


def bundled_model() -> WeightsChoice | None:
    """The ONNX model a desktop bundle carries (exported at build time, so it needs no torch); None elsewhere."""
    from alexnet_gui.resource_files import BUNDLED_MODEL, resource_path

    path = resource_path(BUNDLED_MODEL)
    if not path.is_file():
        return None
    info = bundled_model_info()
    origin = info.get("source") if isinstance(info.get("source"), str) else "weights unknown"
    if info.get("precision") == "int8":
        return WeightsChoice("onnx", path, f"bundled int8 ONNX model (calibrated on {info.get('calibration', '?')}), "
                                           f"exported from {origin}")
    return WeightsChoice("onnx", path, f"bundled ONNX model, exported from {origin}")


def file_sha256(path: str | os.PathLike[str]) -> str:
    """Return the hex SHA-256 of a file."""
    import hashlib  # here: OpenSSL's load (~8 ms) is not on the command line's way to its first decode

    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def download_weights(
    url: str | None = None,
    *,
    progress: Progress | None = None,
    cancel: Callable[[], bool] | None = None,
    timeout: float = 30.0,
    deadline: float | None = None,
    sha256_prefix: str | None = None,
    file_name: str | None = None,
    what_to_do: str | None = None,
) -> Path:
    """Download the weights into torchvision's cache and return the path (download.fetch_file says how).

    The expected hash is the weights' own (`HASH_PREFIX`, from torchvision's file name), whatever the URL says: a
    mirror cannot choose what it is trusted for. The file is saved under torchvision's name, so the next run finds
    it in the cache. The keywords name another file of the registry (see named_model_path).
    """
    return fetch_file(
        url or os.environ.get(MIRROR_ENV) or WEIGHTS_URL,
        folder=torch_checkpoint_dir(),
        name=file_name or WEIGHTS_FILENAME,
        sha256_prefix=sha256_prefix or HASH_PREFIX,
        what_to_do=what_to_do or weights_advice(),
        progress=progress,
        cancel=cancel,
        timeout=timeout,
        deadline=deadline,
    )


def resolve_weights(
    weights: str | os.PathLike[str] | None = None,
    *,
    untrained: bool = False,
    download: bool = True,
    progress: Progress | None = None,
    cancel: Callable[[], bool] | None = None,
    prefer: str = "pth",
) -> WeightsChoice:
    """Decide which weights to use: the given file, else a desktop bundle's model, else torchvision's cache, else a download.

    A model folder holding a PyTorch file and its ONNX export (what `train` writes) gives the one of kind `prefer`
    ("onnx" for the onnx backend, which then need not export it again)."""
    if untrained:
        return UNTRAINED
    if weights is not None:
        path = Path(weights).expanduser()
        named = NAMED_MODELS.get(os.fspath(weights))
        if named is not None and not path.exists():
            found = named_model_path(named, download=download, progress=progress, cancel=cancel)
            return WeightsChoice(named.kind, found, f"{named.description} ({found})")
        if path.is_dir():
            path = model_file_in_folder(path, prefer=prefer)
        if path.exists() and not path.is_file():
            raise WeightsError(
                gettext("weights file {path} is not a regular file (a FIFO or a device cannot be a model)").format(
                    path=path
                )
            )
        if not path.is_file():
            hint = f" (or a named model: {', '.join(NAMED_MODELS)})" if os.sep not in os.fspath(weights) else ""
            raise WeightsError(gettext("weights file not found: {path}{hint}").format(path=path, hint=hint))
        kind = describe_file_kind(path)
        label = {"pth": "file", "onnx": "ONNX model", "keras": "Keras model"}[kind]
        return WeightsChoice(kind, path.resolve(), f"{label} {path}")  # type: ignore[arg-type]
    bundled = bundled_model()
    if bundled is not None:
        return bundled
    cached = cached_weights_path()
    if cached is not None:
        return WeightsChoice("pth", cached, f"torch cache ({cached})")
    if not download:
        raise WeightsError(
            gettext("no AlexNet weights found in {torch_checkpoint_dir}; {WHAT_TO_DO}").format(
                torch_checkpoint_dir=torch_checkpoint_dir(), WHAT_TO_DO=weights_advice()
            )
        )
    path = download_weights(progress=progress, cancel=cancel)
    return WeightsChoice("pth", path, f"downloaded to {path}")


def model_file_in_folder(folder: Path, *, prefer: str = "pth") -> Path:
    """The one model file in a model folder (a card, labels and the weights side by side); of a PyTorch file and
    its ONNX export with the same stem (`model.pth`, `model.onnx`), the one of kind `prefer`."""
    found = []
    for entry in sorted(folder.iterdir()):
        try:
            describe_file_kind(entry)
        except WeightsError:
            continue
        if entry.is_file() and not entry.name.startswith("."):
            found.append(entry)
    stems = {p.name.split(".")[0] for p in found}
    if len(found) == 2 and len(stems) == 1:
        kinds = {describe_file_kind(p): p for p in found}
        if set(kinds) == {"pth", "onnx"}:
            return kinds["onnx" if prefer == "onnx" else "pth"]
    if len(found) != 1:
        names = ", ".join(p.name for p in found) or "none"
        raise WeightsError(
            gettext("a model folder must hold exactly one model file; {folder} holds {names}").format(
                folder=folder, names=names
            )
        )
    return found[0]


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
