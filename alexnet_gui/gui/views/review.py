"""Review mode: one image large with its top-9 predictions numbered, labelled from the keyboard.

Keys: 1-9 give the image its k-th choice and move to the next unlabelled image, Enter gives the first, Space skips,
Ctrl+Z undoes, letters search every class (Enter assigns the class found). The queue is the core's
(`core/labelling/queue.py`: least confident first by default) or, after Tools > Find label errors…, the core's
label-issue ranking (most likely wrong first; the choices are then the suggested label, the given one, then the
model's). Each label is committed by the core before the next image is shown.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from PySide6.QtCore import QT_TRANSLATE_NOOP, QStringListModel, Qt
from PySide6.QtGui import QImageReader, QKeySequence, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from alexnet_gui.core.wording import format_probability
from alexnet_gui.gui.accessibility import describe

ORDER_TITLES = {"least-confident": QT_TRANSLATE_NOOP("ReviewView", "least confident first"),
                "entropy": QT_TRANSLATE_NOOP("ReviewView", "highest entropy first"),
                "most-confident": QT_TRANSLATE_NOOP("ReviewView", "most confident first"),
                "file": QT_TRANSLATE_NOOP("ReviewView", "file order")}


@dataclass(frozen=True)
class Item:
    """One image of the queue: its path, the numbered choices (label, probability or None) and, for a label
    issue, the given and suggested labels."""

    path: str
    choices: tuple[tuple[str, float | None], ...]
    given: str | None = None
    suggested: str | None = None


def prediction_items(rows) -> list[Item]:
    """Queue items of the core's ImageRows: the model's top-9 as the choices."""
    return [Item(r.path, tuple(zip(r.top_labels, r.top_probs))) for r in rows]


def issue_items(issues, project) -> list[Item]:
    """Queue items of the core's LabelIssues: the suggested label first, the given one, then the model's."""
    rows = {r.path: r for r in project.rows()} if project is not None else {}
    items = []
    for issue in issues:
        row = rows.get(issue.path)
        model = list(zip(row.top_labels, row.top_probs)) if row is not None else []
        first = [(issue.suggested_label, None), (issue.given_label, None)]
        seen = {issue.suggested_label, issue.given_label}
        rest = [(label, p) for label, p in model if label not in seen]
        choices = tuple(dict.fromkeys(first + rest, None))[:9]
        items.append(Item(issue.path, choices, issue.given_label, issue.suggested_label))
    return items


class SearchEdit(QLineEdit):
    """The class search: its Enter assigns and stops there (a QLineEdit passes Enter on to its parent, where it
    would also give the next image its first choice)."""

    def keyPressEvent(self, event) -> None:  # noqa: N802
        super().keyPressEvent(event)
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            event.accept()


class ReviewView(QWidget):
    """The review tab; it needs the app's `LabellingProject` (`labelling`) to label through."""

    kind = "review"

    def __init__(self, context, labelling) -> None:
        super().__init__()
        self.context = context
        self.labelling = labelling
        #: the queue's images in order; their Items are read from the project one at a time as they are shown
        self.paths: list[str] = []
        #: in label-issue mode, each queued image's Item (given and suggested labels); None otherwise
        self.issue_items: dict[str, Item] | None = None
        self._item: Item | None = None
        self.position = 0
        self._build()
        labelling.opened.connect(lambda _project: self.reload())
        labelling.closed.connect(self.reload)
        labelling.counts_changed.connect(self._show_counts)
        labelling.predictions_changed.connect(lambda: None if self.issue_mode else self.reload())

    def _build(self) -> None:
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        describe(self, self.tr("Review"), self.tr("One image at a time: keys 1-9 give its k-th label, Enter the "
                                                  "first, Space skips, Ctrl+Z undoes, letters search every class"))
        self.order = QComboBox()
        for key, title in ORDER_TITLES.items():
            self.order.addItem(self.tr(title), key)
        self.order.currentIndexChanged.connect(lambda _i: self.reload())
        describe(self.order, self.tr("Order"), self.tr("Which unlabelled images come first"))
        self.progress = QLabel()
        describe(self.progress, self.tr("Progress"), self.tr("How many images are labelled"))
        self.image = QLabel()
        self.image.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.image.setMinimumSize(320, 240)
        describe(self.image, self.tr("Image"), self.tr("The image to label"))
        self.caption = QLabel()
        self.caption.setWordWrap(True)
        describe(self.caption, self.tr("File"), self.tr("The image's file and, for a label issue, its labels"))
        self.choices = QListWidget()
        self.choices.setFocusPolicy(Qt.FocusPolicy.TabFocus)  # a click leaves the keys on the view
        self.choices.setMinimumWidth(220)
        font = self.choices.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)  # read at a glance, between key presses
        self.choices.setFont(font)
        self.choices.itemActivated.connect(lambda item: self.choose(self.choices.row(item) + 1))
        describe(self.choices, self.tr("Choices"), self.tr("The numbered labels: press a number to give one"))
        self.search = SearchEdit()
        self.search.setPlaceholderText(self.tr("type to search every class; Enter assigns"))
        describe(self.search, self.tr("Class search"), self.tr("Search every class by name; Enter gives it"))
        self.completer = QCompleter(QStringListModel(self), self)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.search.setCompleter(self.completer)
        # Enter assigns through returnPressed only: the completer's own activated() comes too, after the search
        # was cleared for the next image, and would label that one.
        self.search.returnPressed.connect(lambda: self.assign_search(self.search.text()))
        self._layout(self._bulk_row())

    def _bulk_row(self) -> QHBoxLayout:
        self.min_prob = QDoubleSpinBox()
        self.min_prob.setRange(0.0, 1.0)
        self.min_prob.setSingleStep(0.05)
        self.min_prob.setValue(0.9)
        describe(self.min_prob, self.tr("Minimum probability"), self.tr("The bulk accept's threshold"))
        self.bulk = QPushButton(self.tr("Accept every model label ≥ P"))
        self.bulk.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.bulk.clicked.connect(self.bulk_accept)
        describe(self.bulk, self.tr("Accept model labels"),
                 self.tr("Give every unlabelled image whose top-1 probability is at least P that label (one undo)"))
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("P:")))
        row.addWidget(self.min_prob)
        row.addWidget(self.bulk)
        row.addStretch(1)
        return row

    def _layout(self, bulk: QHBoxLayout) -> None:
        top = QHBoxLayout()
        top.addWidget(self.order)
        top.addWidget(self.progress, 1)
        side = QVBoxLayout()
        side.addWidget(self.choices, 1)
        side.addWidget(self.search)
        middle = QHBoxLayout()
        middle.addWidget(self.image, 3)
        middle.addLayout(side, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(middle, 1)
        layout.addWidget(self.caption)
        layout.addLayout(bulk)

    # --- the queue ----------------------------------------------------------------------------------------
    @property
    def issue_mode(self) -> bool:
        return self.issue_items is not None

    def reload(self) -> None:
        """Take the core's review queue again in the chosen order (skipped images come back)."""
        from alexnet_gui.core.labelling.queue import review_paths

        project = self.labelling.project
        self.issue_items = None
        self._item = None  # its predictions may have changed
        self.paths = review_paths(project, self.order.currentData()) if project else []
        self.position = 0
        self._set_classes()
        self.show_current()

    def show_issues(self, issues) -> None:
        """Review the core's label-issue ranking, most likely wrong first."""
        items = issue_items(issues, self.labelling.project)
        self.issue_items = {item.path: item for item in items}
        self.paths = [item.path for item in items]
        self.position = 0
        self._set_classes()
        self.show_current()

    def _set_classes(self) -> None:
        project = self.labelling.project
        self.completer.model().setStringList(project.classes() if project is not None else [])

    def current(self) -> Item | None:
        """The image shown, with its choices (read from the project when it comes up)."""
        if not 0 <= self.position < len(self.paths):
            return None
        path = self.paths[self.position]
        if self.issue_items is not None:
            return self.issue_items[path]
        if self._item is None or self._item.path != path:
            rows = self.labelling.project.rows("i.path = ?", (path,)) if self.labelling.project else []
            self._item = prediction_items(rows)[0] if rows else Item(path, ())
        return self._item

    def show_current(self) -> None:
        item = self.current()
        self.choices.clear()
        if item is None:
            self.image.clear()
            self.caption.setText(self.tr("Nothing left to review.") if self.labelling.project is not None
                                 else self.tr("Open a labelling project: File > Open labelling project…"))
            return
        for k, (label, prob) in enumerate(item.choices, 1):
            shown = f"{k}. {label}" + (f"  {format_probability(prob)}" if prob is not None else "")
            self.choices.addItem(shown)
        # As wide as its longest choice: ImageNet's names ("5. red-backed sandpiper  0.102 %") were cut off at 220 px.
        self.choices.setMinimumWidth(max(220, self.choices.sizeHintForColumn(0) + 2 * self.choices.frameWidth() + 24))
        caption = os.path.basename(item.path)
        if item.given is not None:
            caption = self.tr("Label issue {n} of {total}. {file}: given label {given}, suggested {suggested}").format(
                n=self.position + 1, total=len(self.paths), file=caption, given=item.given, suggested=item.suggested)
        self.caption.setText(caption)
        self._show_image(item.path)

    def _show_image(self, path: str) -> None:
        reader = QImageReader(path)
        reader.setAutoTransform(True)
        size = reader.size()
        box = self.image.size()
        if size.isValid() and (size.width() > box.width() or size.height() > box.height()):
            reader.setScaledSize(size.scaled(box, Qt.AspectRatioMode.KeepAspectRatio))
        image = reader.read()
        if image.isNull():
            self.image.setText(self.tr("cannot show this image"))
            return
        pixmap = QPixmap.fromImage(image)
        if pixmap.width() < box.width() // 2 and pixmap.height() < box.height() // 2:  # tiny images, drawn larger
            pixmap = pixmap.scaled(box, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.FastTransformation)
        self.image.setPixmap(pixmap)

    def _show_counts(self, labelled: int, total: int) -> None:
        self.progress.setText(self.tr("labelled {labelled} / {total}").format(labelled=labelled, total=total))

    # --- labelling ----------------------------------------------------------------------------------------
    def choose(self, k: int) -> None:
        """Give the current image its k-th choice (committed by the core), then show the next image."""
        item = self.current()
        if item is None or not 1 <= k <= len(item.choices):
            return
        self.give(item.choices[k - 1][0])

    def give(self, label: str) -> None:
        item = self.current()
        if item is None or not label.strip():
            return
        from alexnet_gui.core.errors import UserError

        try:
            self.labelling.label(item.path, label.strip())
        except UserError as exc:  # not saved (a full disk): the image stays, to be labelled again
            self.labelling.context.status(str(exc), 10000)
            return
        self.position += 1
        self.show_current()

    def skip(self) -> None:
        if self.current() is not None:
            self.position += 1
            self.show_current()

    def undo(self) -> None:
        """Undo the last step; the image it changed is shown again (put back in the queue if needed)."""
        if self.labelling.project is None:
            return
        changed = self.labelling.undo()
        if not changed:
            return
        path = changed[0]
        before = [i for i, queued in enumerate(self.paths[:self.position]) if queued == path]
        if before:
            self.position = before[-1]
        elif self.issue_items is None and path not in self.paths[self.position:]:
            self.paths.insert(self.position, path)
        self.show_current()

    def assign_search(self, text: str) -> None:
        """Give the class typed or completed in the search (a name the model lacks is the user's own class)."""
        text = text.strip()
        if not text:
            return
        classes = self.completer.model().stringList()
        exact = [c for c in classes if c.lower() == text.lower()]
        found = [c for c in classes if text.lower() in c.lower()]
        label = exact[0] if exact else (found[0] if len(found) == 1 else text)
        self.search.clear()
        self.setFocus()
        self.give(label)

    def bulk_accept(self) -> None:
        if self.labelling.project is None:
            return
        count = self.labelling.bulk_accept(self.min_prob.value())
        self.context.status(self.tr("Accepted %n model label(s).", "", count), 5000)
        self.reload()

    def keyPressEvent(self, event) -> None:  # noqa: N802
        key, text = event.key(), event.text()
        if event.matches(QKeySequence.StandardKey.Undo):
            self.undo()
        elif Qt.Key.Key_1 <= key <= Qt.Key.Key_9:
            self.choose(key - Qt.Key.Key_0)
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.choose(1)
        elif key == Qt.Key.Key_Space:
            self.skip()
        elif text and text.isprintable() and not text.isspace() and self.current() is not None:
            self.search.setFocus()
            self.search.setText(self.search.text() + text)
            self.completer.setCompletionPrefix(self.search.text())
            self.completer.complete()
        else:
            super().keyPressEvent(event)
