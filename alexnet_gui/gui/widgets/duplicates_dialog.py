"""Tools > Find near-duplicates… (issue 34): the table's images grouped by the cosine distance of their fc7 vectors
(the core's `duplicates`), shown side by side; one image kept per group (the first unless the user clicks another),
the others removed from the table or moved to a folder the user chooses through the core's `move_aside`: never
deleted, never overwritten (a name already taken there gets the next free "name (N).ext")."""

from __future__ import annotations

import os

from PySide6.QtCore import QT_TRANSLATE_NOOP, QSize, Qt, QTimer
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDoubleSpinBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from alexnet_gui.gui.accessibility import describe
from alexnet_gui.gui.embedding_jobs import THUMB_SIDE, DuplicateGroups, duplicates_task
from alexnet_gui.gui.views.similar import thumbnail_icon
from alexnet_gui.gui.widgets.keys_dialog import add_close_button

#: images shown of one group: a loose threshold can make one group of thousands (10,000 buttons froze the window for
#: 0.9 s, and adding them a slice at a time to one row for 6 s: benchmarks/embeddings_gui_block.py); the rest of a
#: group is counted, not shown, and is among "the others" like the shown ones
SHOWN_PER_GROUP = 100
#: images laid out per turn of the event loop (whole groups): thousands of small groups are shown in short turns
FILL_SLICE = 150

TITLES = {"find": QT_TRANSLATE_NOOP("DuplicatesDialog", "finding near-duplicates"),
          "move": QT_TRANSLATE_NOOP("DuplicatesDialog", "moving near-duplicates")}


class DuplicatesDialog(QDialog):
    """The near-duplicate groups of the table's images, and what to do with all but one image of each."""

    def __init__(self, context) -> None:
        super().__init__(context.parent)
        self.context = context
        self.setWindowTitle(self.tr("Near-duplicates"))
        self.groups: list[list[tuple[str, float]]] = []
        self._choices: list[QButtonGroup] = []
        self._kept: list[int] = []  # the member kept of each group, also for groups not laid out yet
        self._filling = None
        self._fill_timer = QTimer(self)
        self._fill_timer.setSingleShot(True)
        self._fill_timer.timeout.connect(self._fill_some)
        self.last_job = None
        self.threshold = QDoubleSpinBox()
        self.threshold.setRange(0.0, 2.0)
        self.threshold.setDecimals(3)
        self.threshold.setSingleStep(0.01)
        self.threshold.setValue(0.05)
        describe(self.threshold, self.tr("Threshold"),
                 self.tr("The largest cosine distance of fc7 vectors within a group (0 to 2; copies re-encoded, "
                         "resized or slightly cropped are usually below 0.05)"))
        self.find_button = describe(QPushButton(self.tr("Find")), self.tr("Find"),
                                    self.tr("Group the table's images whose distance is at most the threshold"))
        self.find_button.clicked.connect(lambda: self.find_groups())
        self.remove_button = describe(QPushButton(self.tr("Remove the others from the table")),
                                      self.tr("Remove the others from the table"),
                                      self.tr("Keep the chosen image of each group in the table; the files stay"))
        self.remove_button.clicked.connect(lambda: self.remove_others())
        self.move_button = describe(QPushButton(self.tr("Move the others to a folder…")),
                                    self.tr("Move the others to a folder"),
                                    self.tr("Move every image but the chosen one of each group into a folder you "
                                            "choose; nothing is deleted or overwritten"))
        self.move_button.clicked.connect(lambda: self.move_others())
        self.body = QWidget()
        # The image kept in each group is framed in the highlight colour, so that the choice reads at a glance.
        self.body.setStyleSheet("QToolButton:checked { border: 3px solid palette(highlight); }")
        self.body_layout = QVBoxLayout(self.body)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.body)
        describe(scroll, self.tr("Groups"), self.tr("Each group's images side by side; click the one to keep"))
        self.status = QLabel(self.tr("Press Find to group the table's images."))
        self.status.setWordWrap(True)
        self._lay_out(scroll)
        self._enable_actions()
        self.resize(900, 620)

    def _lay_out(self, scroll: QScrollArea) -> None:
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("Threshold")))
        top.addWidget(self.threshold)
        top.addWidget(self.find_button)
        top.addStretch(1)
        actions = QHBoxLayout()
        actions.addWidget(self.remove_button)
        actions.addWidget(self.move_button)
        actions.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.status)
        layout.addLayout(actions)
        self.buttons = add_close_button(self, layout)

    def _enable_actions(self) -> None:
        for button in (self.remove_button, self.move_button):
            button.setEnabled(bool(self.groups))

    # --- finding ----------------------------------------------------------------------------------------------
    def find_groups(self, threshold: float | None = None):
        """Group the table's images (the core's `duplicates`, as a tracked job: progress bar and Cancel)."""
        if threshold is not None:
            self.threshold.setValue(threshold)
        paths = [r.path for r in self.context.selection.rows() if r.result is not None and not r.result.error]
        if len(paths) < 2:
            self.status.setText(self.tr("Classify at least two images first: the groups come from the table."))
            return None
        self.status.setText(self.tr("Comparing {count} images…").format(count=len(paths)))
        job = self.context.controller.run_tool(self.tr(TITLES["find"]), duplicates_task(paths,
                                                                                       self.threshold.value()))
        job.done.connect(self.show_groups)
        job.failed.connect(self.status.setText)
        self.last_job = job
        return job

    def show_groups(self, answer: DuplicateGroups | None) -> None:
        """Show each group side by side, its first image chosen to keep."""
        if answer is None:
            self.status.setText(self.tr("Cancelled."))
            return
        self._fill(answer.groups, answer.thumbs)
        extra = sum(len(g) - 1 for g in answer.groups)
        self.status.setText(self.tr("{groups} groups of near-duplicates among {count} images (threshold {threshold}): "
                                    "{extra} images beyond the one kept per group.").format(
            groups=len(answer.groups), count=answer.searched, threshold=answer.threshold, extra=extra))
        self._enable_actions()

    def _fill(self, groups: list, thumbs: dict) -> None:
        self.groups = groups
        self._kept = [0] * len(groups)
        while self.body_layout.count():
            item = self.body_layout.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        self._choices = []
        self._filling = self._lay_out_groups(groups, thumbs)
        self._fill_some()  # the first slice now: a few groups are shown at once, as before
        self._enable_actions()

    def _fill_some(self) -> None:
        """Lay out the next FILL_SLICE images, and the rest on a later turn of the event loop."""
        if self._filling is not None and next(self._filling, False):
            self._fill_timer.start(0)
        else:
            self._filling = None

    def _lay_out_groups(self, groups: list, thumbs: dict):
        """Add each group's box and its first SHOWN_PER_GROUP images, yielding True once FILL_SLICE images were
        added since the last turn."""
        added = 0
        for number, members in enumerate(groups, 1):
            box = QGroupBox(self.tr("Group {number}").format(number=number))
            row = QHBoxLayout(box)
            choice = QButtonGroup(box)
            choice.idClicked.connect(lambda k, group=number - 1: self._kept.__setitem__(group, k))
            self._choices.append(choice)
            for k, (path, distance) in enumerate(members[:SHOWN_PER_GROUP]):
                row.addWidget(self._member_button(choice, number, k, path, distance, thumbs.get(path)))
            if len(members) > SHOWN_PER_GROUP:
                more = self.tr("and {count} more images of this group, not shown").format(
                    count=len(members) - SHOWN_PER_GROUP)
                row.addWidget(describe(QLabel(more), more, more))
            row.addStretch(1)
            self.body_layout.addWidget(box)
            added += min(len(members), SHOWN_PER_GROUP)
            if added >= FILL_SLICE:
                added = 0
                yield True
        self.body_layout.addStretch(1)

    def _member_button(self, choice: QButtonGroup, number: int, k: int, path: str, distance: float,
                       thumb) -> QToolButton:
        button = QToolButton()
        button.setCheckable(True)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextUnderIcon)
        button.setIcon(thumbnail_icon(thumb))
        button.setIconSize(QSize(THUMB_SIDE, THUMB_SIDE))
        button.setText(f"{os.path.basename(path)}\n{distance:.4f}")
        button.setToolTip(path)
        describe(button, os.path.basename(path),
                 self.tr("Keep this image of group {number} (cosine distance {distance:.4f} to its first "
                         "image)").format(number=number, distance=distance))
        choice.addButton(button, k)
        button.setChecked(k == self._kept[number - 1])
        return button

    # --- choosing and acting ----------------------------------------------------------------------------------
    def keep(self, group: int, member: int) -> None:
        """Choose which image of a group (numbered from 0) to keep."""
        self._kept[group] = member
        if group >= len(self._choices):
            return  # checked when it is laid out
        choice = self._choices[group]
        if choice.button(member) is not None:
            choice.button(member).setChecked(True)
        elif choice.checkedButton() is not None:  # a member not shown: no shown one looks kept
            choice.setExclusive(False)
            choice.checkedButton().setChecked(False)
            choice.setExclusive(True)

    def kept(self) -> list[str]:
        return [members[k][0] for members, k in zip(self.groups, self._kept)]

    def others(self) -> list[str]:
        """Every grouped image but the one kept of its group."""
        return [p for members, kept in zip(self.groups, self._kept) for k, (p, _d) in enumerate(members) if k != kept]

    def remove_others(self) -> int:
        """Remove the others' rows from the table (their files stay where they are); return how many."""
        others = set(self.others())
        model = self.context.selection.model
        doomed = [i for i in range(model.rowCount()) if model.row(i).path in others]
        model.remove_rows(doomed)
        self.status.setText(self.tr("Removed {count} rows from the table; the files are where they were.").format(
            count=len(doomed)))
        self._clear()
        return len(doomed)

    def move_others(self, folder: str | None = None):
        """Move the others into `folder` (asked for when None) through the core, then drop their rows."""
        if folder is None:
            folder = QFileDialog.getExistingDirectory(self, self.tr("Move the near-duplicates to"),
                                                      self.context.controller.settings.last_folder or "")
            if not folder:
                return None
        others = self.others()

        def task(_run):
            from alexnet_gui.core.embeddings.duplicates import move_aside

            return move_aside(others, folder)

        job = self.context.controller.run_tool(self.tr(TITLES["move"]), task)
        job.done.connect(lambda moved: self._moved(folder, moved))
        job.failed.connect(self.status.setText)
        self.last_job = job
        return job

    def _moved(self, folder: str, moved: list) -> None:
        went = {source for source, target, _why in moved if target is not None}
        model = self.context.selection.model
        model.remove_rows([i for i in range(model.rowCount()) if model.row(i).path in went])
        failed = [f"{os.path.basename(source)} ({why})" for source, target, why in moved if target is None]
        text = self.tr("Moved {count} images to {folder}.").format(count=len(went), folder=folder)
        if failed:
            text += " " + self.tr("Not moved: {names}.").format(names=", ".join(failed))
        self.status.setText(text)
        self._clear()

    def _clear(self) -> None:
        self._fill([], {})


class DuplicatesAction:
    """Tools > Find near-duplicates…: the dialog is made on first use and kept."""

    def __init__(self, context, menu) -> None:
        from PySide6.QtCore import QCoreApplication
        from PySide6.QtGui import QAction

        self.context = context
        self.dialog: DuplicatesDialog | None = None
        self.action = QAction(QCoreApplication.translate("DuplicatesDialog", "Find near-duplicates…"), context.parent)
        tip = QCoreApplication.translate(
            "DuplicatesDialog", "Group the table's images that look alike (fc7 vectors) and keep one of each")
        self.action.setToolTip(tip)
        self.action.setStatusTip(tip)
        self.action.triggered.connect(lambda _checked=False: self.show())
        menu.addAction(self.action)

    def show(self) -> DuplicatesDialog:
        if self.dialog is None:
            self.dialog = DuplicatesDialog(self.context)
        self.dialog.show()
        self.dialog.raise_()
        self.dialog.activateWindow()
        return self.dialog
