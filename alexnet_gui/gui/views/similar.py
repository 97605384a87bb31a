"""Similar: the images of the table nearest to the selected one (or to an image dropped here) by their fc7 vectors,
with their cosine distances, and the fc7 units they share most, each a link to the Unit tab (issue 34)."""

from __future__ import annotations

import os

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QListView, QListWidget, QListWidgetItem, QSpinBox, QVBoxLayout

from alexnet_gui.gui.accessibility import describe
from alexnet_gui.gui.context import AppContext
from alexnet_gui.gui.embedding_jobs import LAYER, THUMB_SIDE, SimilarImages, similar_task
from alexnet_gui.gui.views.base import View
from alexnet_gui.gui.widgets.image_canvas import to_qimage


def thumbnail_icon(rgb) -> QIcon:
    """An answer's thumbnail array as an icon (an empty one for a file that could not be read)."""
    return QIcon(QPixmap.fromImage(to_qimage(rgb))) if rgb is not None else QIcon()


class SimilarView(View):
    """The k nearest images of the current row among the table's images, computed by the core's search as a job
    keyed by this view: a newer selection supersedes the search still running for the older one."""

    kind = "similar"

    def __init__(self, context: AppContext) -> None:
        super().__init__(context)
        self._data: SimilarImages | None = None
        self._dropped: str | None = None  # a dropped image is the query until the selection changes
        self.last_job = None
        self.k = QSpinBox()
        self.k.setRange(1, 50)
        self.k.setValue(6)
        describe(self.k, self.tr("Images"), self.tr("How many similar images to show"))
        self.k.valueChanged.connect(lambda _k: self.refresh())
        self.query = QLabel()
        self.query.setFixedSize(THUMB_SIDE, THUMB_SIDE)
        self.query.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.list = QListWidget()
        self.list.setViewMode(QListView.ViewMode.IconMode)
        self.list.setIconSize(QSize(THUMB_SIDE, THUMB_SIDE))
        self.list.setResizeMode(QListView.ResizeMode.Adjust)
        self.list.setMovement(QListView.Movement.Static)
        self.list.setWordWrap(True)
        self.list.setGridSize(QSize(THUMB_SIDE + 36, THUMB_SIDE + 52))  # room for the name and distance below
        describe(self.list, self.tr("Similar images"),
                 self.tr("The table's images nearest to the query by their fc7 vectors, nearest first, each with its "
                         "cosine distance"))
        self.units = QLabel()
        self.units.setWordWrap(True)
        self.units.setTextFormat(Qt.TextFormat.RichText)
        self.units.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse
                                           | Qt.TextInteractionFlag.LinksAccessibleByKeyboard)
        self.units.linkActivated.connect(self._open_unit)
        describe(self.units, self.tr("Shared units"),
                 self.tr("The fc7 units the query and its neighbours share most; each link opens the Unit tab"))
        self.status = QLabel(self.tr("Select a row, or drop an image here, to see the table's images like it."))
        self.status.setWordWrap(True)
        self.setAcceptDrops(True)
        self._lay_out()

    def _lay_out(self) -> None:
        top = QHBoxLayout()
        top.addWidget(self.query)
        side = QVBoxLayout()
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("Images")))
        row.addWidget(self.k)
        row.addStretch(1)
        side.addLayout(row)
        side.addWidget(self.units)
        side.addStretch(1)
        top.addLayout(side, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.status)

    # --- asking ---------------------------------------------------------------------------------------------
    def query_path(self) -> str | None:
        """The image whose neighbours are shown: the one dropped here, else the current row's."""
        return self._dropped or self.context.selection.path()

    def invalidate(self) -> None:
        self._dropped = None  # a new selection (or model) asks about the selected row again
        super().invalidate()

    def refresh(self) -> None:
        super().refresh()
        query = self.query_path()
        # The classified rows: their vectors were recorded with their scores (a queued row would cost a model run).
        paths = [r.path for r in self.context.selection.rows() if r.result is not None and not r.result.error]
        if query is None or not [p for p in paths if p != query]:
            self.status.setText(self.tr("Select a row, or drop an image here, to see the table's images like it."))
            return
        self.status.setText(self.tr("finding the images nearest to {name} among {count} images…").format(
            name=os.path.basename(query), count=len(paths)))
        job = self.context.jobs.submit(similar_task(query, paths, self.k.value()), key=self.kind)
        job.done.connect(self.show_payload)
        job.failed.connect(self.show_error)
        self.last_job = job

    def dragEnterEvent(self, event) -> None:  # noqa: N802
        if any(url.isLocalFile() for url in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802
        files = [url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()]
        if files:
            self.search_for(files[0])
            event.acceptProposedAction()

    def search_for(self, path: str) -> None:
        """Show the table's images nearest to `path` (an image that may lie outside the table)."""
        self._dropped = os.path.abspath(path)
        self.refresh()

    # --- showing --------------------------------------------------------------------------------------------
    def show_payload(self, payload) -> None:
        if payload is None:  # cancelled
            return
        super().show_payload(payload)

    def render(self) -> None:
        data = self._data
        if data is None:
            return
        self.list.clear()
        for (rank, path, distance), thumb in zip(data.neighbours, data.thumbs):
            item = QListWidgetItem(thumbnail_icon(thumb), f"{rank}. {os.path.basename(path)}\n{distance:.4f}")
            item.setToolTip(self.tr("{path}\ncosine distance {distance:.6f}").format(path=path, distance=distance))
            item.setData(Qt.ItemDataRole.UserRole, path)
            self.list.addItem(item)
        self.query.setPixmap(thumbnail_icon(data.query_thumb).pixmap(THUMB_SIDE, THUMB_SIDE))
        self.query.setToolTip(data.query)
        links = ", ".join(f'<a href="{LAYER}:{unit}">{LAYER} {unit}</a>' for unit, _score in data.units)
        self.units.setText(self.tr("Units they share most: {links}").format(links=links) if links else
                           self.tr("No fc7 unit fires in the query and its neighbours alike."))
        self.status.setText(self.tr("The {found} images nearest to {name} among {count} (cosine distance of fc7 "
                                    "vectors; {computed} computed now, the rest from the index).").format(
            found=len(data.neighbours), name=os.path.basename(data.query), count=data.searched,
            computed=data.computed))

    def neighbours(self) -> list[tuple[str, float]]:
        """What the tab shows: (path, distance) of each image, nearest first."""
        return [(p, d) for _, p, d in self._data.neighbours] if self._data is not None else []

    def _open_unit(self, link: str) -> None:
        layer, unit = link.split(":")
        self.context.open_view("unit").show_unit(layer, int(unit), "examples")
