"""The embeddings' menu entries (issue 34): Tools > Find near-duplicates… and Model > Keep each image's fc7 vector
(on by default: Similar, Map and near-duplicates then answer from the index without another pass)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu

from alexnet_gui.gui.widgets.duplicates_dialog import DuplicatesAction


class EmbeddingActions(QObject):
    """Owns the two actions of one window (kept as `window.embedding_actions`)."""

    def __init__(self, window) -> None:
        super().__init__(window)
        context = window.context
        self.controller = context.controller
        self.duplicates = DuplicatesAction(context, window.tools_menu.menu)
        self.record_action = QAction(QCoreApplication.translate("EmbeddingActions", "Keep each image's fc7 vector"),
                                     window, checkable=True)
        tip = QCoreApplication.translate(
            "EmbeddingActions", "While classifying, keep each image's fc7 vector in the embedding index (8 KB per "
            "image, on disk), so the Similar tab, the Map and Find near-duplicates answer without another pass")
        self.record_action.setToolTip(tip)
        self.record_action.setStatusTip(tip)
        self.record_action.setChecked(self.controller.options.record_embeddings)
        self.record_action.toggled.connect(self.set_recording)
        anchor = window.record_units_action
        menu = next((m for m in anchor.associatedObjects() if isinstance(m, QMenu)), None)
        if menu is not None:
            following = menu.actions()
            position = following.index(anchor) + 1 if anchor in following else len(following)
            menu.insertAction(following[position] if position < len(following) else None, self.record_action)

    def set_recording(self, on: bool) -> None:
        """Record fc7 vectors while classifying from the next batch of images on; remembered."""
        if self.record_action.isChecked() != on:
            self.record_action.setChecked(on)
        self.controller.set_option(record_embeddings=on)


def install_embedding_actions(window) -> EmbeddingActions:
    window.embedding_actions = EmbeddingActions(window)
    return window.embedding_actions
