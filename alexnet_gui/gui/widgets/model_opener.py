"""Opening any model in the app: Model > Open model…, Open model folder…, Recent models, and loading the model
again when the model panel's labels or recipe change."""

from __future__ import annotations

import os

from PySide6.QtCore import QCoreApplication, QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QMessageBox

from alexnet_gui.gui.controller import WeightsToRemember


def card_status_text(card) -> str:
    """The status bar's words for the loaded card: its id and class count, when it is not torchvision's own."""
    if card is None or card.name in ("torchvision-imagenet1k-v1", "untrained-seed0"):
        return ""
    return QCoreApplication.translate("card_status_text", "model {card} ({classes} classes) · ").format(
        card=card.card_id, classes=card.classes)


class ModelOpener(QObject):
    """The Model menu's model-opening actions for one window. `load(choice, remember)` loads a model (None: the
    one that runs, again); `rerun_selected()` asks for the selected image to be shown again by the next model."""

    def __init__(self, context, panel, load, rerun_selected) -> None:
        super().__init__(context.parent)
        self.context = context
        self.panel = panel
        self._load = load
        self._rerun_selected = rerun_selected
        window = context.parent
        self.open_action = QAction(self.tr("Open model…"), window)
        self.open_action.setShortcut("Ctrl+M")
        self.open_action.setStatusTip(
            self.tr(
                "Open any AlexNet: PyTorch (.pth, .pt, .pkl, .pth.tar), ONNX (.onnx) or Keras (.h5, .keras), with its "
                "labels and preprocessing from its card or the files beside it"
            )
        )
        self.open_action.triggered.connect(lambda: self.open())
        self.open_folder_action = QAction(self.tr("Open model folder…"), window)
        self.open_folder_action.setStatusTip(
            self.tr("Open a folder holding one model file with its card or labels file")
        )
        self.open_folder_action.triggered.connect(lambda: self.open(folder=True))
        self.recent_menu = None

    def install(self, menu) -> None:
        """Add the actions and the Recent models submenu to `menu`."""
        menu.addAction(self.open_action)
        menu.addAction(self.open_folder_action)
        self.recent_menu = menu.addMenu(self.tr("Recent models"))
        self.recent_menu.aboutToShow.connect(self.fill_recent)

    def open(self, path: str | None = None, folder: bool = False) -> bool:
        """Open a model file or folder (asking for one when `path` is None) and load it; False when nothing was
        opened. A file the core cannot read is one message, and the model that runs stays. The file is remembered
        (as the weights, and in Recent models) only once it has loaded."""
        from alexnet_gui.core.errors import UserError
        from alexnet_gui.core.model.weights import resolve_weights
        from alexnet_gui.gui.widgets.model_panel import MODEL_FILE_FILTER

        window = self.context.parent
        if path is None:
            start = self.context.controller.settings.last_folder or os.getcwd()
            if folder:
                path = QFileDialog.getExistingDirectory(window, self.tr("Open model folder"), start)
            else:
                path, _ = QFileDialog.getOpenFileName(
                    window, self.tr("Open model"), start, QCoreApplication.translate("ModelPanel", MODEL_FILE_FILTER)
                )
            if not path:
                return False
        try:
            choice = resolve_weights(path, download=False)
        except UserError as exc:
            QMessageBox.warning(window, self.tr("Model not opened"), str(exc))
            return False
        self.panel.reset_choices()  # another model: its own card, until the user says otherwise
        self._rerun_selected()  # the selected image is shown by the new model, as on a switch
        self._load(choice, WeightsToRemember("file", recent=str(path)))
        return True

    def reload_with_choices(self) -> None:
        """The user gave the model other labels or another recipe: load it again with them, and show the selected
        image by the new card (the other rows keep the card that made them until classified again)."""
        self._rerun_selected()
        self._load(None, None)

    def fill_recent(self) -> None:
        assert self.recent_menu is not None
        self.recent_menu.clear()
        recent = self.context.controller.settings.recent_models
        if not recent:
            self.recent_menu.addAction("(none yet)").setEnabled(False)
        for path in recent:
            action = self.recent_menu.addAction(path)
            action.triggered.connect(lambda _checked=False, p=path: self.open(p))
