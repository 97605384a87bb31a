"""The provenance sidecar written next to every results CSV: `results.csv` → `results.csv.provenance.json`.

It records what produced the CSV — app version, backend, device, provider and precision that actually ran, weights
source and SHA-256, preprocessing, top-k, TTA mode, start/end time and counts — so a CSV can be trusted (or not)
later.
It stays small: the per-file state that `classify --resume` needs lives in its own sidecar (see `core/outputs/resume.py`).
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, cast

from alexnet_gui.core.backends.base import Backend

SUFFIX = ".provenance.json"
FORMAT_VERSION = 1


def sidecar_path(csv_path: str | os.PathLike[str]) -> Path:
    """Return the provenance sidecar's path for a CSV."""
    p = Path(csv_path)
    return p.with_name(p.name + SUFFIX)


def now_iso() -> str:
    """Return the current time as an ISO 8601 string with the UTC offset."""
    return datetime.now(timezone.utc).astimezone().isoformat(timespec="seconds")


def preprocessing_settings(recipe: Any = None, *, fast_decode: bool | str, tta: str) -> dict[str, Any]:
    """Return the card's preprocessing recipe as recorded in the sidecar (`fast_decode` is a sentence when the rows
    mix both decodings)."""
    from alexnet_gui.core.model.preprocess import TORCHVISION

    recipe = recipe or TORCHVISION
    settings = {"recipe": recipe.name, "described": recipe.describe()}
    if recipe.resize == "short-side":
        settings["resize_short_side"] = recipe.size
    else:
        settings["resize_to"] = [recipe.size, recipe.size]
    settings.update({
        "interpolation": f"{recipe.interpolation} (antialiased)",
        "crop": recipe.crop,
        "crops": "ten (4 corners + centre, and their mirror images), probabilities averaged" if tta == "10crop"
        else "centre",
        "scale": recipe.scale,
        "mean": list(recipe.mean),
        "std": list(recipe.std),
        "channels": recipe.channels,
        "fast_decode": fast_decode,
    })
    return settings


def model_record(card: Any) -> dict[str, Any]:
    """The card that ran, for the sidecar: which model, how it was chosen, its labels and output kind."""
    if card is None:
        return {}
    return {
        "card": card.card_id,
        "name": card.name,
        "format": card.format,
        "architecture": card.architecture.to_dict() if card.architecture is not None else None,
        "classes": card.classes,
        "labels": card.labels.source,
        "output": card.output,
        "batch_limit": card.batch_limit,
        "sha256": card.sha256 or None,
        "chosen": list(card.notes),
    }


def weights_record(weights: Any | None, backend: Backend) -> dict[str, Any]:
    """Describe the weights: source sentence, kind, file and SHA-256 (a WeightsChoice, when the caller has it)."""
    record: dict[str, Any] = {"source": backend.weights_source}
    path = getattr(weights, "path", None)
    if weights is not None:
        record["kind"] = weights.kind
    if path is not None:
        from alexnet_gui.core.model.weights import file_sha256

        record["file"] = str(path)
        try:
            record["sha256"] = file_sha256(path)
        except OSError as exc:
            record["sha256"] = None
            record["sha256_error"] = exc.strerror or str(exc)
    elif weights is not None and weights.kind == "untrained":
        record["sha256"] = None
    return record


@dataclass
class Provenance:
    """What produced a CSV; `to_json()` is the sidecar's content."""

    command: str
    backend: str
    device: str
    provider: str
    weights: dict[str, Any]
    preprocessing: dict[str, Any]
    top_k: int
    tta: str
    started: str | None = field(default_factory=now_iso)
    finished: str | None = None
    counts: dict[str, int] = field(default_factory=dict)
    interrupted: bool = False
    inputs: list[str] = field(default_factory=list)
    precision: str = "fp32"
    #: what an int8 model was calibrated on ("" otherwise)
    calibration: str = ""
    #: how an int8 model was quantised ("" otherwise)
    quantisation: str = ""
    model: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        from alexnet_gui import __version__

        return {
            "format": FORMAT_VERSION,
            "app": "alexnet-gui",
            "version": __version__,
            "command": self.command,
            "inputs": self.inputs,
            "backend": self.backend,
            "device": self.device,
            "provider": self.provider,
            "precision": self.precision,
            **({"int8_calibration": self.calibration} if self.calibration else {}),
            **({"int8_scheme": self.quantisation} if self.quantisation else {}),
            "weights": self.weights,
            "model": self.model,
            "preprocessing": self.preprocessing,
            "top_k": self.top_k,
            "tta": self.tta,
            "started": self.started,
            "finished": self.finished,
            "interrupted": self.interrupted,
            "counts": self.counts,
        }


def start_provenance(
    backend: Backend,
    *,
    weights: Any | None = None,
    top_k: int,
    tta: str = "none",
    fast_decode: bool | str = False,
    command: str = "classify",
    inputs: list[str] | None = None,
    started: float | None = None,
) -> Provenance:
    """Record the run's settings and start time (the backend must already be loaded: it says what really runs).

    `started`, a time.time() value, is when the run began, before the model loaded (a first run's ONNX export
    belongs to the run); by default, now."""
    return Provenance(
        started=now_iso() if started is None else
        datetime.fromtimestamp(started, timezone.utc).astimezone().isoformat(timespec="seconds"),
        command=command,
        backend=backend.name,
        device=backend.device,
        provider=backend.provider,
        precision=backend.precision,
        calibration=backend.calibration,
        quantisation=backend.quantisation,
        weights=weights_record(weights, backend),
        model=model_record(backend.card),
        preprocessing=preprocessing_settings(backend.card.preprocess if backend.card is not None else None,
                                             fast_decode=fast_decode, tta=tta),
        top_k=top_k,
        tta=tta,
        inputs=list(inputs or []),
    )


def write_json_atomic(path: str | os.PathLike[str], data: Any) -> None:
    """Write JSON to a temporary file beside `path`, then rename it into place."""
    target = Path(path)
    from alexnet_gui.core.outputs.output_paths import honour_umask

    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    try:
        honour_umask(fd)
        # backslashreplace: a file name that is not UTF-8 (surrogates in Python) is written as the JSON escape
        # "\udcff", which reads back as the same name; every other character is written as itself.
        with os.fdopen(fd, "w", encoding="utf-8", errors="backslashreplace") as f:
            json.dump(data, f, indent=2, ensure_ascii=False)
            f.write("\n")
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def finish_provenance(provenance: Provenance, csv_path: str | os.PathLike[str], *, counts: dict[str, int],
                      interrupted: bool = False) -> Path:
    """Stamp the end time and counts and write the sidecar next to the CSV; return its path."""
    provenance.finished = now_iso()
    provenance.counts = dict(counts)
    provenance.interrupted = interrupted
    path = sidecar_path(csv_path)
    write_json_atomic(path, provenance.to_json())
    return path


def read_provenance(csv_path: str | os.PathLike[str]) -> dict[str, Any] | None:
    """Return the sidecar's content for a CSV, or None when there is none (or it is unreadable)."""
    try:
        return json.loads(sidecar_path(csv_path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def record_export(csv_path: str | os.PathLike[str], model_info: dict[str, Any] | None, weights: Any | None, *,
                  top_k: int, tta: str, results: list, fast_rows: int = 0) -> Path:
    """Write the sidecar for a CSV the desktop app exported (`model_info` is what its worker reported;
    `fast_rows` of the classified `results` were decoded with fast decoding)."""

    class _Loaded:  # the fields a Backend would give, from the worker's report
        name = (model_info or {}).get("backend", "unknown")
        device = (model_info or {}).get("device", "unknown")
        provider = (model_info or {}).get("provider", "unknown")
        precision = (model_info or {}).get("precision", "fp32")
        weights_source = (model_info or {}).get("weights", "unknown")
        card = (model_info or {}).get("card")
        calibration = (model_info or {}).get("calibration", "")
        quantisation = (model_info or {}).get("quantisation", "")

    failed = sum(1 for r in results if r.error is not None)
    classified = len(results) - failed
    # The app's fast-decoding switch can change between batches: say so rather than pick one answer for all rows.
    fast_decode: bool | str = fast_rows > 0
    if 0 < fast_rows < classified:
        fast_decode = f"mixed: {fast_rows} of {classified} classified rows"
    provenance = start_provenance(cast(Backend, _Loaded()), weights=weights, top_k=top_k, tta=tta, fast_decode=fast_decode,
                                  command="desktop app export")
    provenance.started = None  # rows were classified over the session, not in one run
    from collections import Counter

    origins = Counter(r.origin for r in results if r.error is None)
    provenance.model["rows_by_origin"] = dict(origins)
    if len(origins) > 1:
        # The session switched models: the current model did not make every row, so do not claim it did.
        provenance.model["mixed"] = (f"rows come from {len(origins)} models or settings; rows_by_origin says "
                                     "which made how many")
    counts = {"images": len(results), "classified": classified, "failed": failed, "rows": len(results)}
    return finish_provenance(provenance, csv_path, counts=counts)
