"""Find, download (hash-checked) and safely load AlexNet's ImageNet weights.

Resolution order: an explicit file; the ONNX model a desktop bundle carries; the file torchvision itself caches;
a download from torchvision's URL or the mirror in ALEXNET_GUI_WEIGHTS_URL. torch is imported only to load a
.pth or build the untrained network.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from glob import escape as glob_escape
from pathlib import Path
from typing import Literal

from alexnet_gui.core.errors import UserError, describe_os_error
from alexnet_gui.core.language import N_, gettext

WEIGHTS_URL = "https://download.pytorch.org/models/alexnet-owt-7be5be79.pth"
WEIGHTS_FILENAME = "alexnet-owt-7be5be79.pth"
HASH_PREFIX = "7be5be79"
#: torchvision's file names for the same ImageNet weights: today's, and the older one tutorials still load by name.
TORCHVISION_FILE_NAMES = (WEIGHTS_FILENAME, "alexnet-owt-4df8aa71.pth")
MIRROR_ENV = "ALEXNET_GUI_WEIGHTS_URL"
#: About the size of torchvision's file (its metadata says 233.087 MiB), for the download dialog.
WEIGHTS_SIZE_BYTES = 244_409_000

#: where the untrained network comes from (marked for translation: the app shows it through gettext())
UNTRAINED_SOURCE = N_("untrained seeded random network — predictions are meaningless")
#: what a user can do when the weights cannot be fetched (translated by weights_advice())
WHAT_TO_DO = N_("check the network connection, set {mirror_env} to a mirror of {file_name}, or pass --weights FILE")
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
    """Which weights to run: a PyTorch file, an ONNX model, a Keras file, or the seeded untrained network."""

    kind: Literal["pth", "onnx", "keras", "untrained"]
    path: Path | None
    source: str


UNTRAINED = WeightsChoice(
    "untrained", None, UNTRAINED_SOURCE
)


def torch_checkpoint_dir() -> Path:
    """Where torchvision caches weights: $TORCH_HOME/hub/checkpoints (torch's own rule, without importing torch)."""
    torch_home = os.environ.get("TORCH_HOME")
    if not torch_home:
        xdg = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        torch_home = os.path.join(xdg, "torch")
    return Path(os.path.expanduser(torch_home)) / "hub" / "checkpoints"


def cached_weights_path() -> Path | None:
    """Return torchvision's cached AlexNet weights file (either of its names) if it is there."""
    for name in TORCHVISION_FILE_NAMES:
        path = torch_checkpoint_dir() / name
        if path.is_file():
            return path
    return None


@dataclass(frozen=True)
class NamedModel:
    """A model the app can download by name (`--weights NAME`): hash-checked, cached and mirrored like
    torchvision's file."""

    name: str
    url: str
    file_name: str
    sha256: str
    size: int
    mirror_env: str
    kind: Literal["pth", "onnx"]
    description: str


#: The ONNX Model Zoo's BVLC AlexNet (Caffe's reference model; published 54.80 % top-1, 78.23 % top-5). Its
#: SHA-256 is the one its Git LFS pointer in onnx/models carries.
BVLC_ALEXNET = NamedModel(
    "bvlc-alexnet",
    "https://github.com/onnx/models/raw/main/validated/vision/classification/alexnet/model/bvlcalexnet-12.onnx",
    "bvlcalexnet-12.onnx", "6b0da9510f27f234ee96a85dc3809dd210150fdefad87f6850f9788513216945", 243_863_787,
    "ALEXNET_GUI_BVLC_URL", "onnx", "ONNX Model Zoo BVLC AlexNet (Caffe), opset 12",
)
NAMED_MODELS: dict[str, NamedModel] = {BVLC_ALEXNET.name: BVLC_ALEXNET}


def weights_advice(mirror_env: str = MIRROR_ENV, file_name: str = WEIGHTS_FILENAME) -> str:
    """What a user can do when weights cannot be fetched: the mirror variable, or a file of their own."""
    return gettext(WHAT_TO_DO).format(mirror_env=mirror_env, file_name=file_name)


def named_model_path(named: NamedModel, *, download: bool = True, progress: Progress | None = None,
                     cancel: Callable[[], bool] | None = None) -> Path:
    """The named model's file: from the cache, else downloaded (from its mirror variable's URL when set)."""
    path = torch_checkpoint_dir() / named.file_name
    if path.is_file():
        return path
    if not download:
        raise WeightsError(
            gettext(
                "{name} is not downloaded yet ({path}); run without --no-download, or set {mirror_env} to a mirror of {file_name}"
            ).format(name=named.name, path=path, mirror_env=named.mirror_env, file_name=named.file_name)
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


def cache_root() -> Path:
    """The app's cache folder: $ALEXNET_GUI_CACHE, else the user cache folder (platformdirs)."""
    root = os.environ.get("ALEXNET_GUI_CACHE")
    if not root:
        import platformdirs

        root = platformdirs.user_cache_dir("alexnet-gui")
    return Path(root)


def memoised_sha256(path: str | os.PathLike[str]) -> str:
    """The file's SHA-256, remembered in the cache by the file's identity (path, size, inode, mtime, ctime) so a
    233 MB file is hashed once."""
    import json

    from alexnet_gui.core.small_files import MAX_CARD_BYTES, read_json

    path = Path(path)
    st = path.stat()
    index_path = cache_root() / "sha256.json"
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
    what_to_do: str | None = None,
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

    from alexnet_gui.core.errors import describe_os_error

    url = url or os.environ.get(MIRROR_ENV) or WEIGHTS_URL
    what_to_do = what_to_do or weights_advice()
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
            gettext(
                "cannot save weights in {folder}: {describe_os_error}; set TORCH_HOME to a writable folder, or pass --weights FILE"
            ).format(folder=folder, describe_os_error=describe_os_error(exc)),
            problem="disk",
        ) from None
    tmp = Path(tmp_name)
    digest = hashlib.sha256()
    try:
        with os.fdopen(fd, "wb") as out:
            try:
                response = urllib.request.urlopen(url, timeout=timeout)  # noqa: S310 - https or a user's mirror
            except urllib.error.HTTPError as exc:
                raise WeightsError(
                    gettext("downloading {url} failed (HTTP {code} {reason}); {what_to_do}").format(
                        url=url, code=exc.code, reason=exc.reason, what_to_do=what_to_do
                    ),
                    problem="server",
                    url=url,
                ) from None
            except (urllib.error.URLError, OSError) as exc:
                reason = getattr(exc, "reason", exc)
                raise WeightsError(
                    gettext("could not download {url} ({reason}); {what_to_do}").format(
                        url=url, reason=reason, what_to_do=what_to_do
                    ),
                    problem="unreachable",
                    url=url,
                ) from None
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
                            gettext(
                                "the download of {url} was too slow ({done} bytes in {value:.0f} s) and was stopped; {what_to_do}"
                            ).format(
                                url=url,
                                done=done,
                                value=DOWNLOAD_DEADLINE_S if deadline is None else deadline,
                                what_to_do=what_to_do,
                            ),
                            problem="slow",
                            url=url,
                        )
                    try:
                        block = response.read1(_CHUNK)
                    except OSError as exc:
                        raise WeightsError(
                            gettext("the download of {url} broke off ({exc}); {what_to_do}").format(
                                url=url, exc=exc, what_to_do=what_to_do
                            ),
                            problem="broken",
                            url=url,
                        ) from None
                    if not block:
                        break
                    try:
                        out.write(block)
                    except OSError as exc:
                        raise WeightsError(
                            gettext(
                                "cannot save the weights in {folder}: {describe_os_error}; nothing was kept"
                            ).format(folder=folder, describe_os_error=describe_os_error(exc)),
                            problem="disk",
                        ) from None
                    digest.update(block)
                    done += len(block)
                    if progress:
                        progress(done, total)
        if total is not None and done != total:
            raise WeightsError(
                gettext("the download of {url} ended early ({done} of {total} bytes); {what_to_do}").format(
                    url=url, done=done, total=total, what_to_do=what_to_do
                ),
                problem="broken",
                url=url,
            )
        if not digest.hexdigest().startswith(prefix):
            raise WeightsError(
                gettext(
                    "the file downloaded from {url} does not match its hash {value} and was discarded; {what_to_do}"
                ).format(url=url, value=prefix[:16], what_to_do=what_to_do),
                problem="hash",
                url=url,
            )
        final = folder / name
        os.replace(tmp, final)
        return final
    except OSError as exc:  # the file's last block, flushed at close, on a full disk
        raise WeightsError(
            gettext("cannot save the weights in {folder}: {describe_os_error}; nothing was kept").format(
                folder=folder, describe_os_error=describe_os_error(exc)
            ),
            problem="disk",
        ) from None
    finally:
        tmp.unlink(missing_ok=True)


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
        from alexnet_gui.core.model.loading import describe_file_kind

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
    from alexnet_gui.core.model.loading import describe_file_kind

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
