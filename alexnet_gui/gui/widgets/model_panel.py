"""The model panel: the loaded model's card (what it is, its classes, its preprocessing, how each was chosen)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QPlainTextEdit

#: what Model > Open model… offers, by the formats the core reads
MODEL_FILE_FILTER = ("Models (*.pth *.pt *.pkl *.tar *.onnx *.h5 *.hdf5 *.keras);;PyTorch (*.pth *.pt *.pkl *.tar);;"
                     "ONNX (*.onnx);;Keras (*.h5 *.hdf5 *.keras);;All files (*)")


class ModelPanel(QDockWidget):
    """A dock showing the card of the model that runs, so a wrong guess (labels, recipe) is seen and fixed."""

    def __init__(self, parent=None) -> None:
        super().__init__("Model card", parent)
        self.setObjectName("model-card-dock")
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.text.setPlaceholderText("No model loaded")
        self.text.setToolTip("The loaded model's card. Pass --labels/--preprocess on the command line, or put a "
                             "labels file or a card JSON beside the weights, to change it")
        self.setWidget(self.text)
        self.setAllowedAreas(Qt.DockWidgetArea.RightDockWidgetArea | Qt.DockWidgetArea.BottomDockWidgetArea)

    def show_card(self, card) -> None:
        """Show a card's facts, one a line, with the first few class names."""
        if card is None:
            self.text.setPlainText("")
            return
        names = ", ".join(card.labels.names[:12]) + (", …" if card.classes > 12 else "")
        self.text.setPlainText("\n".join([*card.summary_lines(), f"class names: {names}"]))
