"""What the app remembers between runs, stored with QSettings."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings

from alexnet_gui.gui.theme import THEMES

BACKENDS = ("onnx", "torch")
DEVICES = ("auto", "cpu", "cuda")
WEIGHTS_MODES = ("cache", "file", "untrained")
PRECISIONS = ("fp32", "fp16", "int8")


#: how many recently opened models Model > Recent models lists
RECENT_MODELS = 8


class Settings:
    """Typed access to the app's QSettings (backend, device, precision, weights, top-k, fast decoding, last folder,
    geometry)."""

    def __init__(self, qsettings: QSettings | None = None) -> None:
        self._s = qsettings or QSettings("alexnet-gui", "alexnet-gui")

    def _get(self, key: str, default, allowed=None):
        value = self._s.value(key, default)
        if allowed is not None and value not in allowed:
            return default
        return value

    def _get_bool(self, key: str, default: bool) -> bool:
        # An INI file gives booleans back as the strings "true"/"false".
        return str(self._s.value(key, default)).lower() == "true"

    @property
    def backend(self) -> str:
        return self._get("model/backend", "onnx", BACKENDS)

    @backend.setter
    def backend(self, value: str) -> None:
        self._s.setValue("model/backend", value)

    @property
    def device(self) -> str:
        return self._get("model/device", "auto", DEVICES)

    @device.setter
    def device(self, value: str) -> None:
        self._s.setValue("model/device", value)

    @property
    def precision(self) -> str:
        """"fp32", or "fp16": half precision wherever the model runs on CUDA."""
        return self._get("model/precision", "fp32", PRECISIONS)

    @precision.setter
    def precision(self, value: str) -> None:
        self._s.setValue("model/precision", value)

    @property
    def fast_decode(self) -> bool:
        """Decode JPEGs at a reduced DCT scale (the command line's --fast-decode)."""
        return self._get_bool("model/fast_decode", False)

    @fast_decode.setter
    def fast_decode(self, value: bool) -> None:
        self._s.setValue("model/fast_decode", bool(value))

    @property
    def record_units(self) -> bool:
        """Keep every unit's top images while classifying (the Unit tab answers at once)."""
        return self._get_bool("model/record_units", True)

    @record_units.setter
    def record_units(self, value: bool) -> None:
        self._s.setValue("model/record_units", bool(value))

    @property
    def record_embeddings(self) -> bool:
        """Keep each image's fc7 vector while classifying (Similar, Map and near-duplicates answer from them)."""
        return self._get_bool("model/record_embeddings", True)

    @record_embeddings.setter
    def record_embeddings(self, value: bool) -> None:
        self._s.setValue("model/record_embeddings", bool(value))

    @property
    def weights_mode(self) -> str:
        """"cache" (torchvision's cache), "file" (weights_file) or "untrained"."""
        return self._get("model/weights_mode", "cache", WEIGHTS_MODES)

    @weights_mode.setter
    def weights_mode(self, value: str) -> None:
        self._s.setValue("model/weights_mode", value)

    @property
    def weights_file(self) -> str:
        return str(self._get("model/weights_file", ""))

    @weights_file.setter
    def weights_file(self, value: str) -> None:
        self._s.setValue("model/weights_file", value)

    @property
    def weights_mirror(self) -> str:
        """A mirror of torchvision's weights file (what ALEXNET_GUI_WEIGHTS_URL is on the command line); "" for
        torchvision's own server. The download is hash-checked whatever it says."""
        return str(self._get("model/weights_mirror", ""))

    @weights_mirror.setter
    def weights_mirror(self, value: str) -> None:
        self._s.setValue("model/weights_mirror", value)

    @property
    def recent_models(self) -> list[str]:
        """Model files and folders opened with Model > Open model…, newest first (at most RECENT_MODELS)."""
        value = self._s.value("model/recent", [])
        if isinstance(value, str):  # QSettings gives a one-item list back as its item
            value = [value]
        return [str(v) for v in value or [] if isinstance(v, str)][:RECENT_MODELS]

    def remember_model(self, path: str) -> None:
        """Put a model at the top of the recent list."""
        recent = [path] + [p for p in self.recent_models if p != path]
        self._s.setValue("model/recent", recent[:RECENT_MODELS])

    def _paths(self, key: str) -> list[str]:
        value = self._s.value(key, [])
        if isinstance(value, str):  # QSettings gives a one-item list back as its item
            value = [value]
        return [str(v) for v in value or [] if isinstance(v, str)]

    @property
    def recent_folders(self) -> list[str]:
        """Folders of images opened (File > Open folder…, dropped, named at start), newest first."""
        return self._paths("ui/recent_folders")[:RECENT_MODELS]

    def remember_folder(self, path: str) -> None:
        """Put a folder at the top of the recent folders."""
        recent = [path] + [p for p in self.recent_folders if p != path]
        self._s.setValue("ui/recent_folders", recent[:RECENT_MODELS])

    @property
    def session_paths(self) -> list[str]:
        """The files and folders the latest session queued (File > Reopen last session queues them again)."""
        return self._paths("session/paths")

    @session_paths.setter
    def session_paths(self, paths: list[str]) -> None:
        self._s.setValue("session/paths", list(paths))

    @property
    def top_k(self) -> int:
        try:
            value = int(self._s.value("model/top_k", 5))
        except (TypeError, ValueError):
            return 5
        return value if 1 <= value <= 1000 else 5

    @top_k.setter
    def top_k(self, value: int) -> None:
        self._s.setValue("model/top_k", int(value))

    @property
    def theme(self) -> str:
        """View > Theme: "system", "light", "dark" or "high-contrast"."""
        return self._get("ui/theme", "system", THEMES)

    @theme.setter
    def theme(self, value: str) -> None:
        self._s.setValue("ui/theme", value)

    @property
    def last_folder(self) -> str:
        return str(self._get("ui/last_folder", ""))

    @last_folder.setter
    def last_folder(self, value: str) -> None:
        self._s.setValue("ui/last_folder", value)

    @property
    def geometry(self) -> QByteArray | None:
        value = self._s.value("ui/geometry")
        return value if isinstance(value, QByteArray) else None

    @geometry.setter
    def geometry(self, value: QByteArray) -> None:
        self._s.setValue("ui/geometry", value)

    def sync(self) -> None:
        self._s.sync()
