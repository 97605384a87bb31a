"""Sort the classified rows into OUT/<top-1 label>/ folders: options, then a confirmation listing counts per folder."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from alexnet_gui.core.errors import UserError
from alexnet_gui.core.outputs.results import Result
from alexnet_gui.core.outputs.sort_files import SortPlan, describe_plan, plan_sort
from alexnet_gui.gui.accessibility import describe, describe_buttons


class SortDialog(QDialog):
    """Choose the output folder, copy or move, and a threshold; the plan's counts update as you change them.

    `plan` is the plan confirmed with OK (None before); `move` says whether to move.
    """

    def __init__(self, results: list[Result], parent: QWidget | None = None, out_dir: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Sort into folders"))
        self.results = results
        self.plan: SortPlan | None = None
        self.out_edit = QLineEdit(out_dir)
        browse = QPushButton(self.tr("Browse…"))
        browse.clicked.connect(self._browse)
        browse.setToolTip(self.tr("Choose the folder to sort into"))
        describe(self.out_edit, self.tr("Into folder:"), self.tr("The folder that gets one sub-folder per class"))
        out_row = QHBoxLayout()
        out_row.addWidget(self.out_edit)
        out_row.addWidget(browse)
        self.copy_radio = QRadioButton(self.tr("Copy (keep the originals)"))
        self.move_radio = QRadioButton(self.tr("Move"))
        self.copy_radio.setChecked(True)
        self.copy_radio.setToolTip(self.tr("Copy each image into its class folder; the original stays where it is"))
        self.move_radio.setToolTip(self.tr("Move each image into its class folder"))
        self.threshold_check = QCheckBox(self.tr("Only above a top-1 probability of"))
        self.threshold_spin = QDoubleSpinBox()
        self.threshold_spin.setRange(0.0, 1.0)
        self.threshold_spin.setSingleStep(0.05)
        self.threshold_spin.setValue(0.5)
        self.threshold_check.setToolTip(self.tr("Leave images whose top-1 probability is lower where they are"))
        describe(self.threshold_spin, self.tr("Top-1 probability threshold"),
                 self.tr("Images below this top-1 probability are not sorted"))
        threshold_row = QHBoxLayout()
        threshold_row.addWidget(self.threshold_check)
        threshold_row.addWidget(self.threshold_spin)
        self.preview = QPlainTextEdit()
        self.preview.setReadOnly(True)
        describe(self.preview, self.tr("Plan"), self.tr("How many images go into each folder"))
        form = QFormLayout()
        form.addRow(self.tr("Into folder:"), out_row)
        form.addRow("", self.copy_radio)
        form.addRow("", self.move_radio)
        form.addRow("", threshold_row)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        describe_buttons(self.buttons, {QDialogButtonBox.StandardButton.Ok: self.tr("Copy or move the images now"),
                                        QDialogButtonBox.StandardButton.Cancel: self.tr("Close without sorting")})
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.preview)
        layout.addWidget(self.buttons)
        for signal in (self.out_edit.textChanged, self.copy_radio.toggled, self.threshold_check.toggled,
                       self.threshold_spin.valueChanged):
            signal.connect(self.update_plan)
        self.update_plan()
        self.resize(560, 420)

    @property
    def move(self) -> bool:
        return self.move_radio.isChecked()

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Sort into folder"), self.out_edit.text())
        if folder:
            self.out_edit.setText(folder)

    def update_plan(self) -> None:
        """Re-plan with the current options and show the counts per folder (nothing is touched yet)."""
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        out = self.out_edit.text().strip()
        self.plan = None
        if not out:
            self.preview.setPlainText(self.tr("Choose the folder to sort into."))
            ok.setEnabled(False)
            return
        threshold = self.threshold_spin.value() if self.threshold_check.isChecked() else None
        try:
            plan = plan_sort(self.results, out, threshold=threshold, move=self.move, vet=False)
        except UserError as exc:
            self.preview.setPlainText(str(exc))
            ok.setEnabled(False)
            return
        self.plan = plan
        self.preview.setPlainText(describe_plan(plan, move=self.move) + "\n\n"
                                  + self.tr("Existing files are never overwritten."))
        ok.setEnabled(bool(plan.steps))
        n = len(plan.steps)
        ok.setText(self.tr("Move %n image(s)", "", n) if self.move else self.tr("Copy %n image(s)", "", n))
