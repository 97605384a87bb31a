"""What this installation can run on, and why not: the facts behind `alexnet-gui info` and Help > Diagnostics.

ONNX Runtime's GPU build lists CUDA among its providers even when the CUDA libraries are missing and then
silently falls back to the CPU, so the providers are probed with a one-node model and the loader's own error
(e.g. "libcudnn.so.9: cannot open shared object file") is reported. torch is imported only when it is installed,
and only here, inside `collect_facts`.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import os
import platform
import re
import sys
import tempfile
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from alexnet_gui import __version__

#: Backend name -> the modules it needs; a backend is "available" when they are all installed.
BACKEND_MODULES = {"onnx": ("onnxruntime",), "torch": ("torch", "torchvision")}
_LEAN_NOTE = "not installed (the desktop bundle leaves PyTorch out; `pip install alexnet-gui` has it)"


@dataclass(frozen=True)
class Fact:
    """One line of the report: section ("App", "ONNX Runtime", ...), what, and its value as text."""

    section: str
    key: str
    value: str


def is_installed(module: str) -> bool:
    """Whether `module` can be imported, found without importing it."""
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def available_backends() -> list[str]:
    """The backends whose modules are installed, in `BACKEND_MODULES` order."""
    return [name for name, modules in BACKEND_MODULES.items() if all(is_installed(m) for m in modules)]


def missing_dependency_message(exc: ModuleNotFoundError) -> str | None:
    """One sentence for a feature whose package this installation leaves out (torch in the desktop bundle), else None."""
    top = (exc.name or "").split(".")[0]
    if top not in ("torch", "torchvision", "onnx", "onnxscript"):
        return None
    return (f"this needs {top}, which is not installed here: the desktop bundle runs ONNX Runtime only "
            "(the PyTorch backend, Grad-CAM, export and the layer table come with `pip install alexnet-gui`)")


def version_text() -> str:
    """One line for `--version`: "alexnet-gui 0.1.0 (backends: onnx, torch)"."""
    backends = available_backends()
    return f"alexnet-gui {__version__} (backends: {', '.join(backends) if backends else 'none installed'})"


def distribution_version(*names: str) -> str | None:
    """The installed version of the first of these distributions that is installed (read, not imported)."""
    from importlib.metadata import PackageNotFoundError, version

    for name in names:
        with contextlib.suppress(PackageNotFoundError):
            return version(name)
    return None


def _cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


@contextlib.contextmanager
def _captured_output() -> Iterator[list[str]]:
    """Capture what ONNX Runtime prints while a provider fails: its C++ loader writes to file descriptors 1 and 2,
    its Python layer prints to sys.stdout.

    The captured text lands in the yielded list on exit. Other threads' output during the probe is captured too;
    the probe takes milliseconds.
    """
    captured: list[str] = []
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    printed = io.StringIO()
    with tempfile.TemporaryFile(mode="w+b") as sink:
        saved = []
        try:
            for fd in (1, 2):
                try:
                    saved.append((fd, os.dup(fd)))
                    os.dup2(sink.fileno(), fd)
                except OSError:  # no such descriptor (a GUI started without a console): nothing to capture
                    pass
            with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
                yield captured
        finally:
            for stream in (sys.stdout, sys.stderr):
                with contextlib.suppress(Exception):
                    stream.flush()
            for fd, copy in saved:
                os.dup2(copy, fd)
                os.close(copy)
            sink.seek(0)
            captured.append(sink.read().decode("utf-8", "replace") + printed.getvalue())


_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _load_error(log: str) -> str | None:
    """The loader's reason from ONNX Runtime's log, e.g. "libcudnn.so.9: cannot open shared object file"."""
    log = _ANSI.sub("", log)
    match = re.search(r"Failed to load library \S+ with error: ([^\n]+)", log)
    if match:
        return match.group(1).strip()
    match = re.search(r"(Require cuDNN[^\n.]*\.[^\n.]*)", log)
    if match:
        return match.group(1).strip()
    return None


def probe_onnx_providers() -> list[tuple[str, bool, str]]:
    """For each provider this onnxruntime build lists: (name, loads?, reason) from a tiny real session."""
    import onnxruntime as ort

    from alexnet_gui.core.backends.onnx_backend import PROBE_MODEL

    cpu = "CPUExecutionProvider"
    results = []
    for name in ort.get_available_providers():
        providers = [name] if name == cpu else [name, cpu]
        error = None
        with _captured_output() as log, warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                options = ort.SessionOptions()
                options.log_severity_level = 0 if name != cpu else 3
                session = ort.InferenceSession(PROBE_MODEL, options, providers=providers)
                active = session.get_providers()
            except Exception as exc:  # noqa: BLE001 - ORT raises its own types; the reason is what matters
                active, error = [], str(exc).splitlines()[0]
        if active and active[0] == name:
            results.append((name, True, "loads"))
            continue
        reason = _load_error(log[0] if log else "") or error
        if reason is None:
            reason = "it did not start (no GPU visible, or its driver is missing)"
        results.append((name, False, f"falls back to the CPU: {reason}"))
    return results


def _nvidia_facts() -> list[Fact]:
    facts = []
    driver = Path("/proc/driver/nvidia/version")
    if driver.is_file():
        first = driver.read_text(errors="replace").splitlines()[0] if driver.stat().st_size else ""
        match = re.search(r"Kernel Module\s+([\d.]+)", first)
        facts.append(Fact("GPU", "NVIDIA driver", match.group(1) if match else first.strip() or "loaded"))
    elif sys.platform.startswith("linux"):
        facts.append(Fact("GPU", "NVIDIA driver", "not loaded (/proc/driver/nvidia/version is absent)"))
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    if visible is not None:
        facts.append(Fact("GPU", "CUDA_VISIBLE_DEVICES", repr(visible)))
    return facts


def _onnx_facts() -> list[Fact]:
    section = "ONNX Runtime"
    if not is_installed("onnxruntime"):
        return [Fact(section, "onnxruntime", "not installed (pip install onnxruntime-gpu, or onnxruntime)")]
    import onnxruntime as ort

    facts = [
        Fact(section, "version", ort.__version__),
        Fact(section, "build", ort.get_device()),
        Fact(section, "providers listed", ", ".join(ort.get_available_providers())),
    ]
    probes = probe_onnx_providers()
    facts.append(Fact(section, "providers that load", ", ".join(n for n, ok, _ in probes if ok) or "none"))
    facts.extend(Fact(section, name, reason) for name, _ok, reason in probes)
    return facts


def _torch_facts() -> list[Fact]:
    section = "PyTorch"
    if not is_installed("torch"):
        return [Fact(section, "torch", _LEAN_NOTE)]
    import torch

    facts = [Fact(section, "version", torch.__version__), Fact(section, "CUDA build", torch.version.cuda or "none (CPU-only build)")]
    tv = distribution_version("torchvision")
    facts.append(Fact(section, "torchvision", tv or "not installed"))
    if torch.cuda.is_available():
        count = torch.cuda.device_count()
        facts.append(Fact(section, "CUDA available", f"yes, {count} device{'s' if count != 1 else ''}"))
        for i in range(count):
            facts.append(Fact(section, f"cuda:{i}", torch.cuda.get_device_name(i)))
        if torch.backends.cudnn.is_available():
            facts.append(Fact(section, "cuDNN", str(torch.backends.cudnn.version())))
    else:
        if torch.version.cuda is None:
            why = "this torch build has no CUDA support"
        else:
            why = "no usable GPU"
            try:
                torch.cuda.init()
            except Exception as exc:  # noqa: BLE001 - torch words the reason in the exception
                why = str(exc).strip().split(". ")[0].rstrip(".")
        facts.append(Fact(section, "CUDA available", f"no: {why}"))
    return facts


def _weights_facts() -> list[Fact]:
    from alexnet_gui.core.model.weights import (
        MIRROR_ENV,
        bundled_model,
        cached_weights_path,
        torch_checkpoint_dir,
    )

    section = "Weights"
    cached = cached_weights_path()
    facts = [
        Fact(section, "torch cache", str(cached) if cached else f"none in {torch_checkpoint_dir()}"),
        Fact(section, MIRROR_ENV, os.environ.get(MIRROR_ENV) or "not set"),
    ]
    bundled = bundled_model()
    facts.append(Fact(section, "bundled model", f"{bundled.path} — {bundled.source}" if bundled else "none (not a desktop bundle)"))
    if is_installed("onnxruntime"):
        from alexnet_gui.core.backends.onnx_backend import onnx_cache_dir

        folder = onnx_cache_dir()
        models = sorted(folder.glob("alexnet-*.onnx")) if folder.is_dir() else []
        def size(p):  # with its external data file: a logits-only copy keeps its weights there
            data = p.with_name(p.name + ".data")
            return p.stat().st_size + (data.stat().st_size if data.is_file() else 0)

        listed = ", ".join(f"{p.name} ({size(p) / 1e6:.0f} MB)" for p in models if ".logits." not in p.name)
        facts.append(Fact(section, "ONNX exports", f"{folder}: {listed or 'none yet'}"))
    return facts


def collect_facts() -> list[Fact]:
    """Everything `alexnet-gui info` prints, in order. Probes ONNX Runtime's providers and imports torch if installed."""
    frozen = getattr(sys, "frozen", False)
    facts = [
        Fact("App", "alexnet-gui", __version__),
        Fact("App", "backends available", ", ".join(available_backends()) or "none"),
        Fact("App", "install", f"desktop bundle ({getattr(sys, '_MEIPASS', sys.executable)})" if frozen
             else f"Python package ({Path(__file__).resolve().parent.parent})"),
        Fact("App", "Python", f"{platform.python_version()} ({sys.executable})"),
        Fact("App", "platform", platform.platform()),
        Fact("App", "CPU cores", str(_cpu_count())),
    ]
    for name, collect in (("GPU", _nvidia_facts), ("ONNX Runtime", _onnx_facts), ("PyTorch", _torch_facts),
                          ("Weights", _weights_facts)):
        try:
            facts.extend(collect())
        except Exception as exc:  # noqa: BLE001 - a diagnostics report must not die of what it diagnoses
            facts.append(Fact(name, "error", f"{type(exc).__name__}: {exc}"))
    return facts


def format_facts(facts: list[Fact]) -> str:
    """The report as aligned text, one block per section."""
    width = max((len(f.key) for f in facts), default=0)
    lines: list[str] = []
    section = None
    for fact in facts:
        if fact.section != section:
            if lines:
                lines.append("")
            lines.append(f"{fact.section}:")
            section = fact.section
        lines.append(f"  {fact.key.ljust(width)}  {fact.value}")
    return "\n".join(lines)
