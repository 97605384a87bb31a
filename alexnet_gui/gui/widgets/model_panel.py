"""The model panel: the loaded model's card (what it is, its classes, its preprocessing, how each was chosen), with
the two things a user overrides when the app guessed wrong: the labels file and the preprocessing recipe."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDockWidget,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from alexnet_gui.gui.accessibility import describe

#: what Model > Open model… offers, by the formats the core reads (translated where shown)
MODEL_FILE_FILTER = QT_TRANSLATE_NOOP("ModelPanel", "Models (*.pth *.pt *.pkl *.tar *.onnx *.h5 *.hdf5 *.keras);;"
                                      "PyTorch (*.pth *.pt *.pkl *.tar);;ONNX (*.onnx);;Keras (*.h5 *.hdf5 *.keras);;"
                                      "All files (*)")
LABEL_FILE_FILTER = QT_TRANSLATE_NOOP("ModelPanel", "Labels (*.json *.txt);;All files (*)")



class ModelPanel(QDockWidget):
    """A dock showing the card of the model that runs; `choices_changed` fires when the user picks another labels
    file or recipe (the window loads the model again with `choices()`)."""

    choices_changed = Signal()

    def __init__(self, parent=None) -> None:
        from alexnet_gui.core.model.preprocess import PRESETS

        super().__init__(parent)
        self.setWindowTitle(self.tr("Model card"))
        self.setObjectName("model-card-dock")
        self._labels_file: str | None = None
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        describe(self.text, self.tr("Model card"))
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.text.setPlaceholderText(self.tr("No model loaded"))
        self.text.setToolTip(
            self.tr("The loaded model's card; a labels file or a card JSON beside the weights is read too")
        )
        self.preprocess = QComboBox()
        self.preprocess.addItem(self.tr("the card's own"), None)
        for name in PRESETS:
            self.preprocess.addItem(name, name)
        describe(self.preprocess, self.tr("Preprocessing"))
        self.preprocess.setToolTip(self.tr("The preprocessing recipe (the command line's --preprocess)"))
        self.preprocess.currentIndexChanged.connect(lambda _i: self.choices_changed.emit())
        self.labels_button = QPushButton(self.tr("Labels file…"))
        self.labels_button.setToolTip(
            self.tr(
                "Name the classes from a class_indices.json, labels.txt, classes.txt or "
                "synset.txt (the command line's --labels)"
            )
        )
        self.labels_button.clicked.connect(self.choose_labels)
        self.reset_button = QPushButton(self.tr("Card's own"))
        self.reset_button.setToolTip(self.tr("Forget the labels file and recipe chosen here"))
        self.reset_button.clicked.connect(lambda: self.reset_choices(emit=True))
        controls = QHBoxLayout()
        controls.addWidget(QLabel(self.tr("Preprocessing")))
        controls.addWidget(self.preprocess, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.labels_button)
        buttons.addWidget(self.reset_button)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.addWidget(self.text, 1)
        layout.addLayout(controls)
        layout.addLayout(buttons)
        self.setWidget(body)
        self.setAllowedAreas(Qt.DockWidgetArea.RightDockWidgetArea | Qt.DockWidgetArea.BottomDockWidgetArea)

    def choices(self):
        """The user's overrides, for the model loader (core.model.loading.CardChoices)."""
        from alexnet_gui.core.model.loading import CardChoices

        return CardChoices(labels=self._labels_file, preprocess=self.preprocess.currentData())

    def set_labels_file(self, path: str | None) -> None:
        """Use this labels file (None: the card's own names) and ask for the model again."""
        self._labels_file = path
        self.choices_changed.emit()

    def choose_labels(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Labels file"), "", self.tr(LABEL_FILE_FILTER))
        if path:
            self.set_labels_file(path)

    def reset_choices(self, emit: bool = False) -> None:
        """Back to the card's own labels and recipe."""
        self._labels_file = None
        self.preprocess.blockSignals(True)
        self.preprocess.setCurrentIndex(0)
        self.preprocess.blockSignals(False)
        if emit:
            self.choices_changed.emit()

    def show_card(self, card) -> None:
        """Show a card's facts, one a line, with the first few class names."""
        if card is None:
            self.text.setPlainText("")
            return
        names = ", ".join(card.labels.names[:12]) + (", …" if card.classes > 12 else "")
        self.text.setPlainText("\n".join([*card.summary_lines(), self.tr("class names: {names}").format(names=names)]))
