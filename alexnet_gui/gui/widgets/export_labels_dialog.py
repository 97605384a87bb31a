"""File > Export labels…: the format (CSV, JSON Lines, class folders), where, and the class folders' options (a
validation split, hard links, model labels at or above a probability); the export itself is the core's
`export_labels`."""

from __future__ import annotations

import os
from dataclasses import dataclass

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from alexnet_gui.gui.accessibility import describe, describe_buttons


@dataclass(frozen=True)
class ExportChoice:
    """What the dialog asks the core to write."""

    fmt: str
    out: str
    link: bool = False
    split: float | None = None
    seed: int = 0
    min_prob: float | None = None


class ExportLabelsDialog(QDialog):
    """Asks for an export's format, output and options."""

    def __init__(self, project_path: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Export labels"))
        base = os.path.splitext(project_path)[0]
        self.fmt = QComboBox()
        for title, key in ((self.tr("CSV"), "csv"), (self.tr("JSON Lines"), "jsonl"),
                           (self.tr("Class folders (imagefolder)"), "imagefolder")):
            self.fmt.addItem(title, key)
        self.fmt.setToolTip(self.tr("CSV and JSON Lines: one row per image; class folders: the labelled images "
                                    "copied into OUT/<label>/, ready for training"))
        self.out = QLineEdit(f"{base}-labels.csv")
        self.out.setToolTip(self.tr("A new file (CSV, JSON Lines) or a new, empty folder (class folders)"))
        browse = QPushButton(self.tr("Browse…"))
        browse.setToolTip(self.tr("Choose where the export goes"))
        browse.clicked.connect(self._browse)
        out_row = QHBoxLayout()
        out_row.addWidget(self.out, 1)
        out_row.addWidget(browse)
        self.split = QDoubleSpinBox()
        self.split.setRange(0.0, 0.9)
        self.split.setSingleStep(0.05)
        self.split.setToolTip(self.tr("Class folders: the share of each class put in val/ (0: no split)"))
        self.link = QCheckBox(self.tr("Hard-link instead of copying"))
        self.link.setToolTip(self.tr("Class folders: link the images (same disk, no extra space) instead of copying"))
        self.use_min_prob = QCheckBox(self.tr("Add model labels at or above:"))
        self.use_min_prob.setToolTip(self.tr("Also export the model's labels whose probability is at least this"))
        self.min_prob = QDoubleSpinBox()
        self.min_prob.setRange(0.0, 1.0)
        self.min_prob.setSingleStep(0.05)
        self.min_prob.setValue(0.9)
        self.min_prob.setToolTip(self.tr("The smallest probability of a model label that is exported"))
        self.seed = QSpinBox()
        self.seed.setRange(0, 1_000_000)
        self.seed.setToolTip(self.tr("The split's random seed (the same seed, the same split)"))
        self.fmt.currentIndexChanged.connect(self._on_format)
        self._layout(out_row)
        self._on_format()

    def _layout(self, out_row: QHBoxLayout) -> None:
        form = QFormLayout(self)
        form.addRow(self.tr("Format:"), self.fmt)
        form.addRow(self.tr("Output:"), out_row)
        form.addRow(self.tr("Validation split:"), self.split)
        form.addRow(self.tr("Seed:"), self.seed)
        form.addRow(self.link)
        min_row = QHBoxLayout()
        min_row.addWidget(self.use_min_prob)
        min_row.addWidget(self.min_prob)
        form.addRow(min_row)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        describe_buttons(buttons, {QDialogButtonBox.StandardButton.Ok: self.tr("Write the export"),
                                   QDialogButtonBox.StandardButton.Cancel: self.tr("Close without exporting")})
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        describe(self.out, self.tr("Output"), self.tr("Where the export goes"))
        describe(self.min_prob, self.tr("Minimum probability"))

    def _on_format(self) -> None:
        folders = self.fmt.currentData() == "imagefolder"
        for widget in (self.split, self.link, self.seed):
            widget.setEnabled(folders)
        text = self.out.text()
        stem = text[:-len(os.path.splitext(text)[1])] if os.path.splitext(text)[1] else text
        self.out.setText(stem if folders else f"{stem}.{self.fmt.currentData()}")

    def _browse(self) -> None:
        if self.fmt.currentData() == "imagefolder":
            chosen = QFileDialog.getExistingDirectory(self, self.tr("Export folder"), self.out.text())
        else:
            chosen, _ = QFileDialog.getSaveFileName(self, self.tr("Export labels"), self.out.text())
        if chosen:
            self.out.setText(chosen)

    def choice(self) -> ExportChoice:
        """The export the form describes."""
        folders = self.fmt.currentData() == "imagefolder"
        return ExportChoice(
            self.fmt.currentData(), self.out.text().strip(),
            link=folders and self.link.isChecked(),
            split=self.split.value() if folders and self.split.value() > 0 else None,
            seed=self.seed.value(),
            min_prob=self.min_prob.value() if self.use_min_prob.isChecked() else None)
