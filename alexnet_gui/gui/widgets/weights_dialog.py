"""First-start dialog when no weights are cached: download them (with progress, cancellable), choose a local
.pth/.onnx file, or use the explicitly labelled untrained demo network."""

from __future__ import annotations

import os
import threading

from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)


class _DownloadSignals(QObject):
    progress = Signal(int, int)      # done, total (-1 unknown)


def download_failure_text(exc) -> str:
    """What went wrong with a download and what to do, in the app's words (the core's sentence names command-line
    options; `exc` is a core.weights.WeightsError)."""
    from urllib.parse import urlsplit

    from alexnet_gui.core.model.weights import MIRROR_ENV

    host = urlsplit(getattr(exc, "url", "") or "").hostname or QCoreApplication.translate(
        "download_failure_text", "the download server"
    )
    if os.environ.get(MIRROR_ENV):
        options = QCoreApplication.translate(
            "download_failure_text",
            "You can give a mirror of the weights file (the Mirror box above, or the ALEXNET_GUI_WEIGHTS_URL "
            "environment variable, now set), choose a weights file you already have (Choose file…), or try "
            "the app with the untrained demo network.",
        )
    else:
        options = QCoreApplication.translate(
            "download_failure_text",
            "You can give a mirror of the weights file (the Mirror box above, or the ALEXNET_GUI_WEIGHTS_URL "
            "environment variable, now not set), choose a weights file you already have (Choose file…), or "
            "try the app with the untrained demo network.",
        )
    problem = getattr(exc, "problem", "")
    if problem == "unreachable":
        text = QCoreApplication.translate(
            "download_failure_text",
            "The weights could not be downloaded: {host} cannot be reached (this computer seems to be offline, "
            "or the server is blocked here).",
        )
    elif problem == "hash":
        text = QCoreApplication.translate(
            "download_failure_text",
            "The file from {host} is not the published AlexNet weights (its checksum differs), so it was discarded.",
        )
    elif problem in ("server", "broken", "slow"):
        what = {
            "server": QCoreApplication.translate("download_failure_text", "the server refused the download"),
            "broken": QCoreApplication.translate("download_failure_text", "the download broke off"),
            "slow": QCoreApplication.translate("download_failure_text", "the download was too slow and was stopped"),
        }[problem]
        text = QCoreApplication.translate(
            "download_failure_text", "The weights could not be downloaded from {host}: {what}. Nothing was kept."
        ).replace("{what}", what)
    elif problem == "disk":
        return QCoreApplication.translate(
            "download_failure_text",
            "The weights could not be saved: {reason}.\n\nFree some disk space, or choose a weights file you "
            "already have (Choose file…).",
        ).format(reason=exc)
    else:
        return f"{exc}\n\n{options}"
    return text.format(host=host) + "\n\n" + options


class WeightsDialog(QDialog):
    """Ask the user where the weights come from; `choice` holds the resulting core.weights.WeightsChoice."""

    def __init__(self, parent: QWidget | None = None, *, start_folder: str = "", mirror: str = "") -> None:
        from alexnet_gui.core.model.weights import WEIGHTS_SIZE_BYTES

        super().__init__(parent)
        self.setWindowTitle(self.tr("AlexNet weights"))
        self.choice = None
        self.mode = ""  # "cache", "file" or "untrained", for the settings
        self._start_folder = start_folder
        self._cancel = threading.Event()
        self._worker = None  # the download's superqt worker while it runs
        self._stopped = threading.Event()  # set when the download's thread has let go of the cache
        self._stopped.set()
        self._signals = _DownloadSignals()
        self._signals.progress.connect(self._on_progress)
        self._size_mb = WEIGHTS_SIZE_BYTES / 1e6
        self._build_texts(mirror)
        self._build_buttons()
        self._lay_out()

    def _build_texts(self, mirror: str) -> None:
        from alexnet_gui.core.model.weights import MIRROR_ENV, cached_weights_path, torch_checkpoint_dir

        size_mb = self._size_mb
        self.cached = cached_weights_path()
        found = (
            self.tr("Found them in {folder}: use them, or choose another file.").format(folder=self.cached)
            if self.cached
            else self.tr("None were found in {folder}.").format(folder=torch_checkpoint_dir())
        )
        self.info = QLabel(
            self.tr(
                "alexnet-gui needs AlexNet's ImageNet weights (torchvision's IMAGENET1K_V1, {size:.0f} MB)."
            ).format(size=size_mb)
            + " "
            + found
            + "\n\n"
            + self.tr(
                "Download them once (they are checked against their published hash, from torchvision's server "
                "or the mirror below), choose a file you already have, or try the app with an untrained network."
            )
        )
        from alexnet_gui.core.model.weights import WEIGHTS_URL

        self.mirror_edit = QLineEdit(mirror)  # the setting's; empty: the environment's mirror, else torchvision's
        env_mirror = os.environ.get(MIRROR_ENV)
        self.mirror_edit.setPlaceholderText(
            f"ALEXNET_GUI_WEIGHTS_URL: {env_mirror}"
            if env_mirror
            else self.tr("torchvision's server: {url}").format(url=WEIGHTS_URL)
        )
        self.mirror_edit.setToolTip(
            self.tr(
                "The URL of a copy of alexnet-owt-7be5be79.pth where torchvision's server cannot "
                "be reached; the download is checked against the published hash all the same. "
                "Remembered for the next time."
            )
        )
        self.mirror_edit.setAccessibleName(self.tr("Weights mirror URL"))
        self.info.setWordWrap(True)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        self.progress.setFormat(self.tr("%v of %m MB"))

    def _build_buttons(self) -> None:
        size_mb = self._size_mb
        self.download_button = QPushButton(
            self.tr("Use the weights found")
            if self.cached
            else self.tr("Download ({size:.0f} MB)").format(size=size_mb)
        )
        self.download_button.setToolTip(
            self.tr(
                "Download alexnet-owt-7be5be79.pth from torchvision's server "
                "(or the mirror in ALEXNET_GUI_WEIGHTS_URL) into torchvision's cache"
            )
        )
        self.file_button = QPushButton(self.tr("Choose file…"))
        self.file_button.setToolTip(self.tr("Use a .pth state_dict or an .onnx model you already have"))
        self.untrained_button = QPushButton(self.tr("Use untrained demo network"))
        self.untrained_button.setToolTip(
            self.tr("A seeded random network: the app works, but its predictions are meaningless")
        )
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.setToolTip(self.tr("Cancel the download, or close without a model"))

        self.download_button.clicked.connect(self.start_download)
        self.file_button.clicked.connect(self.choose_file)
        self.untrained_button.clicked.connect(self.use_untrained)
        self.cancel_button.clicked.connect(self._on_cancel)

    def _lay_out(self) -> None:
        buttons = QHBoxLayout()
        for b in (self.download_button, self.file_button, self.untrained_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.info)
        mirror_row = QHBoxLayout()
        mirror_label = QLabel(self.tr("&Mirror:"))
        mirror_label.setBuddy(self.mirror_edit)
        mirror_row.addWidget(mirror_label)
        mirror_row.addWidget(self.mirror_edit, 1)
        layout.addLayout(mirror_row)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        self.setMinimumWidth(560)

    def _set_status(self, text: str) -> None:
        self.status.setText(text)
        # Word-wrapped labels do not grow a window by themselves: a long error would overlap the buttons. Only
        # grow (at the width the user gave it), so that progress updates never resize the dialog back and forth.
        layout = self.layout()
        needed = layout.totalHeightForWidth(self.width()) if layout.hasHeightForWidth() else self.sizeHint().height()
        if needed > self.height():
            self.resize(self.width(), needed)

    # --- actions ------------------------------------------------------------------------------------------
    def start_download(self) -> None:
        """Download on a pool thread (superqt's thread_worker); progress and the outcome come back as signals."""
        from superqt.utils import thread_worker

        from alexnet_gui.core.model.weights import WeightsChoice, cached_weights_path, download_weights

        cached = cached_weights_path()
        if cached is not None:  # found since the dialog opened, or from the start: nothing to download
            self.choice = WeightsChoice("pth", cached, f"torch cache ({cached})")
            self.mode = "cache"
            self.accept()
            return
        self._cancel.clear()
        self.progress.setVisible(True)
        self.progress.setRange(0, 0)
        self._set_status(self.tr("Downloading…"))
        self._set_busy(True)

        url = self.mirror() or None  # None: the environment's mirror, else torchvision's server

        signals, cancel, stopped = self._signals, self._cancel, self._stopped

        def work():
            try:
                return download_weights(
                    url, progress=lambda done, total: signals.progress.emit(done, -1 if total is None else total),
                    cancel=cancel.is_set)
            finally:
                stopped.set()

        stopped.clear()
        worker = thread_worker(work, start_thread=False, ignore_errors=True)()
        # Bound methods, not lambdas: a dialog closed meanwhile is disconnected, not called.
        worker.returned.connect(self._on_downloaded)
        worker.errored.connect(self._on_download_failed)
        self._worker = worker
        worker.start()

    def mirror(self) -> str:
        """The mirror URL typed in (stripped; "" for none)."""
        return self.mirror_edit.text().strip()

    def choose_file(self) -> None:
        """Pick a local model file: PyTorch, ONNX or Keras."""
        from alexnet_gui.core.model.weights import WeightsError, resolve_weights
        from alexnet_gui.gui.widgets.model_panel import MODEL_FILE_FILTER

        path, _ = QFileDialog.getOpenFileName(
            self,
            self.tr("Choose AlexNet weights"),
            self._start_folder,
            QCoreApplication.translate("ModelPanel", MODEL_FILE_FILTER),
        )
        if not path:
            return
        try:
            self.choice = resolve_weights(path)
        except WeightsError as exc:
            self._set_status(str(exc))
            return
        self.mode = "file"
        self.accept()

    def use_untrained(self) -> None:
        from alexnet_gui.core.model.weights import resolve_weights

        self.choice = resolve_weights(untrained=True)
        self.mode = "untrained"
        self.accept()

    def is_downloading(self) -> bool:
        return self._worker is not None

    # --- signal handlers ------------------------------------------------------------------------------------
    def _on_progress(self, done: int, total: int) -> None:
        if total > 0:
            self.progress.setRange(0, max(1, total // 1_000_000))
            self.progress.setValue(done // 1_000_000)
        if total > 0:
            self._set_status(
                self.tr("Downloading… {done:.1f} MB of {total:.1f} MB").format(done=done / 1e6, total=total / 1e6)
            )
        else:
            self._set_status(self.tr("Downloading… {done:.1f} MB").format(done=done / 1e6))

    def _on_downloaded(self, path) -> None:
        self._on_finished(path, "")

    def _on_download_failed(self, exc: Exception) -> None:
        self._on_finished(None, download_failure_text(exc))  # one sentence for the user

    def _on_finished(self, path, error: str) -> None:
        from alexnet_gui.core.model.weights import WeightsChoice

        self._worker = None
        self._set_busy(False)
        self.progress.setVisible(False)
        if path is None:
            self._set_status(error)
            return
        self.choice = WeightsChoice("pth", path, f"downloaded to {path}")
        self.mode = "cache"
        self.accept()

    def _on_cancel(self) -> None:
        if self.is_downloading():
            self._cancel.set()
            self._set_status(self.tr("Cancelling…"))
            return
        self.reject()

    def _set_busy(self, busy: bool) -> None:
        for b in (self.download_button, self.file_button, self.untrained_button):
            b.setEnabled(not busy)
        self.cancel_button.setText(self.tr("Cancel download") if busy else self.tr("Cancel"))

    def done(self, result: int) -> None:  # noqa: D401 - Qt's name
        # Closing the dialog mid-download cancels the download, which then leaves nothing in the cache.
        self._cancel.set()
        self._stopped.wait(timeout=10)
        super().done(result)


def ask_for_weights(parent, settings):
    """Show the weights dialog over `parent` (its mirror remembered, used or not); the (choice, mode) chosen, or
    None."""
    dialog = WeightsDialog(parent, start_folder=settings.last_folder, mirror=settings.weights_mirror)
    dialog.adjustSize()
    # Over the window's centre, not its corner (where a parented dialog lands without a window manager).
    dialog.move(parent.frameGeometry().center() - dialog.rect().center())
    accepted = dialog.exec()
    settings.weights_mirror = dialog.mirror()
    return (dialog.choice, dialog.mode) if accepted and dialog.choice is not None else None
