"""Map: the table's classified images in 2-D by their fc7 vectors (the core's `folder_map`, PCA by default; the
paper's Figure 4 as a scatter), coloured by label: the labelling project's label when a project is open, else the
model's top-1. Hovering a point shows its thumbnail; a rectangle drawn with Select selects those rows in the
table, and in a labelling project the selection (a cluster) can be given a label at once."""

from __future__ import annotations

import os
from collections import Counter

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QCursor
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout

from alexnet_gui.gui.accessibility import describe
from alexnet_gui.gui.context import AppContext
from alexnet_gui.gui.embedding_jobs import FolderMap, map_task
from alexnet_gui.gui.views.base import View

#: labels given their own colour (the commonest); the rest are grey, as the command line's --png
NAMED_COLOURS = 20


def _select_box_class():
    import pyqtgraph as pg

    class SelectBox(pg.ViewBox):
        """A view box whose left drag draws a selection rectangle while `selecting` (else it pans)."""

        def __init__(self, on_rect) -> None:
            super().__init__()
            self.selecting = False
            self._on_rect = on_rect

        def mouseDragEvent(self, ev, axis=None):  # noqa: N802
            if not self.selecting or ev.button() != Qt.MouseButton.LeftButton:
                return super().mouseDragEvent(ev, axis)
            ev.accept()
            start, now = self.mapToView(ev.buttonDownPos()), self.mapToView(ev.pos())
            rect = QRectF(start, now).normalized()
            if ev.isFinish():
                self.rbScaleBox.hide()
                self._on_rect(rect)
            else:
                self.updateScaleBox(ev.buttonDownPos(), ev.pos())

    return SelectBox


class MapView(View):
    """The scatter of the table's images; drawn again when the classified rows or the model changed."""

    kind = "map"

    def __init__(self, context: AppContext) -> None:
        super().__init__(context)
        import pyqtgraph as pg

        self._data: FolderMap | None = None
        self._drawn_for: tuple | None = None
        self.last_job = None
        self.labels: list[str] = []
        self.box = _select_box_class()(self.select_rect)
        self.plot = pg.PlotWidget(viewBox=self.box)
        self.plot.setBackground(None)
        self.plot.hideAxis("left")
        self.plot.hideAxis("bottom")
        describe(self.plot, self.tr("Map of the images"),
                 self.tr("Each classified image of the table placed by its fc7 vector, coloured by label"))
        self.scatter = pg.ScatterPlotItem(size=9, hoverable=True, tip=None)
        self.scatter.sigHovered.connect(self._hovered)
        self.plot.addItem(self.scatter)
        self.legend = self.plot.addLegend(offset=(-10, 10))
        self._build_controls()
        self.hover = QLabel(self, Qt.WindowType.ToolTip)
        self.status = QLabel(self.tr("Classify some images: the map shows the table's classified images."))
        self.status.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(self._controls)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.status)

    def _build_controls(self) -> None:
        self.method = QComboBox()
        for text, method in ((self.tr("PCA"), "pca"), (self.tr("UMAP"), "umap"), (self.tr("t-SNE"), "tsne")):
            self.method.addItem(text, method)
        describe(self.method, self.tr("Projection"),
                 self.tr("How the vectors are laid out in 2-D (UMAP and t-SNE need the map extra)"))
        self.method.currentIndexChanged.connect(lambda _i: self.draw())
        self.draw_button = describe(QPushButton(self.tr("Draw again")), self.tr("Draw again"),
                                    self.tr("Lay out the table's classified images again"))
        self.draw_button.clicked.connect(lambda: self.draw())
        self.select_button = describe(QPushButton(self.tr("Select")), self.tr("Select"),
                                      self.tr("When on, drag a rectangle to select those images in the table"))
        self.select_button.setCheckable(True)
        self.select_button.toggled.connect(lambda on: setattr(self.box, "selecting", on))
        self.name = QLineEdit()
        self.name.setPlaceholderText(self.tr("label for the selection"))
        self.name.setMinimumWidth(150)
        describe(self.name, self.tr("Label"), self.tr("The label to give the selected images"))
        self.label_button = describe(QPushButton(self.tr("Label the selection")), self.tr("Label the selection"),
                                     self.tr("Give the images selected on the map this label in the labelling "
                                             "project"))
        self.label_button.clicked.connect(lambda: self.label_selection())
        self.name.returnPressed.connect(lambda: self.label_selection())
        self._controls = QHBoxLayout()
        for w in (QLabel(self.tr("Projection")), self.method, self.draw_button, self.select_button, self.name,
                  self.label_button):
            self._controls.addWidget(w)
        self._controls.addStretch(1)
        self.selected: list[str] = []

    # --- asking ---------------------------------------------------------------------------------------------
    def _classified(self) -> list[str]:
        return [r.path for r in self.context.selection.rows() if r.result is not None and not r.result.error]

    def invalidate(self) -> None:
        # A new current row changes nothing on the map; new rows, results or a model do.
        key = (id(self.context.card()), tuple(self._classified()))
        if key != self._drawn_for:
            super().invalidate()

    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        self.invalidate()  # rows classified while another tab was shown

    def refresh(self) -> None:
        super().refresh()
        self.draw()

    def draw(self):
        """Lay out the table's classified images (the core's folder_map, a job on the inference thread)."""
        paths = self._classified()
        self._drawn_for = (id(self.context.card()), tuple(paths))
        if len(paths) < 2:
            self.status.setText(self.tr("Classify some images: the map shows the table's classified images."))
            return None
        method = self.method.currentData()
        self.status.setText(self.tr("laying out {count} images ({method})…").format(count=len(paths),
                                                                                      method=method))
        job = self.context.jobs.submit(map_task(paths, method), key=self.kind)
        job.done.connect(self.show_payload)
        job.failed.connect(self.show_error)
        self.last_job = job
        return job

    def show_payload(self, payload) -> None:
        if payload is not None:
            super().show_payload(payload)

    # --- drawing ----------------------------------------------------------------------------------------------
    def label_of(self, path: str, model_label: str) -> str:
        """The project's label of `path` when a labelling project is open and has one, else the model's."""
        project = self._labelling()
        columns = project.columns if project is not None else None
        found = columns.labels.get(path) if columns is not None else None
        return found[0] if found else model_label

    def _labelling(self):
        menu = getattr(self.context.parent, "labelling", None)
        labelling = getattr(menu, "labelling", None)
        return labelling if labelling is not None and labelling.project is not None else None

    def render(self) -> None:
        import pyqtgraph as pg

        rows = self._data.rows
        self.labels = [self.label_of(p, label) for p, _x, _y, label in rows]
        named = [name for name, _n in Counter(self.labels).most_common(NAMED_COLOURS)]
        # One brush per label, shared by its points: a brush made per point took 0.55 s for 10,000 points here (the
        # GUI thread's budget is 250 ms), shared ones 36 ms.
        brush = {name: pg.mkBrush(pg.intColor(i, max(len(named), 1), alpha=220)) for i, name in enumerate(named)}
        grey = pg.mkBrush(150, 150, 150, 160)
        self.scatter.setData(x=np.array([r[1] for r in rows]), y=np.array([r[2] for r in rows]),
                             data=np.arange(len(rows)), brush=[brush.get(name, grey) for name in self.labels],
                             pen=None)
        self.legend.clear()
        for name in named:
            sample = pg.ScatterPlotItem(brush=brush[name], pen=None, size=9)
            self.legend.addItem(sample, name or self.tr("(no label)"))
        self.plot.autoRange()
        self.status.setText(self.tr("{count} images laid out by {method} of their fc7 vectors; hover a point for "
                                    "its image, Select and drag to select rows.").format(
            count=len(rows), method=self._data.method.upper()))

    def points(self) -> list[tuple[str, float, float]]:
        """What is drawn: (path, x, y) per image."""
        return [(p, x, y) for p, x, y, _label in self._data.rows] if self._data is not None else []

    def _hovered(self, _item, points, _ev) -> None:
        if self._data is None or not len(points):
            self.hover.hide()
            return
        path = self._data.rows[points[0].data()][0]
        self.show_hover(path)

    def show_hover(self, path: str) -> None:
        """Show `path`'s thumbnail (the table's, loaded off the main thread) and name by the pointer."""
        model = self.context.selection.model
        position = model.position_of(path)
        from alexnet_gui.gui.results_model import COL_THUMB

        pixmap = model.data(model.index(position, COL_THUMB), Qt.ItemDataRole.DecorationRole) \
            if position is not None else None
        if pixmap is not None and not pixmap.isNull():
            self.hover.setPixmap(pixmap)
        else:
            self.hover.setText(os.path.basename(path))
        self.hover.setToolTip(path)
        self.hover.adjustSize()
        self.hover.move(QCursor.pos() + QPointF(16, 16).toPoint())
        self.hover.show()

    # --- selecting and labelling ------------------------------------------------------------------------------
    def select_rect(self, rect: QRectF) -> list[str]:
        """Select the images inside `rect` (data coordinates) in the table; return their paths."""
        if self._data is None:
            return []
        xy = np.array([(x, y) for _p, x, y, _l in self._data.rows], dtype=np.float64).reshape(-1, 2)
        inside = (xy[:, 0] >= rect.left()) & (xy[:, 0] <= rect.right()) & \
                 (xy[:, 1] >= rect.top()) & (xy[:, 1] <= rect.bottom())
        self.selected = [self._data.rows[i][0] for i in np.flatnonzero(inside)]
        self.context.selection.select_paths(self.selected)
        self.status.setText(self.tr("{count} images selected on the map.").format(count=len(self.selected)))
        return self.selected

    def label_selection(self, name: str | None = None) -> int:
        """Give the images selected on the map the label typed (the core's project call, one undo step)."""
        name = (self.name.text() if name is None else name).strip()
        labelling = self._labelling()
        if labelling is None:
            self.status.setText(self.tr("Open a labelling project first (File > Open labelling project…) to "
                                        "label the selection."))
            return 0
        if not name or not self.selected:
            self.status.setText(self.tr("Select images on the map (Select, then drag) and type a label first."))
            return 0
        from alexnet_gui.core.errors import UserError

        try:
            count = labelling.project.set_labels([(p, name) for p in self.selected])
        except UserError as exc:
            self.status.setText(str(exc))
            return 0
        labelling.refresh_from_project()
        self.render()
        self.status.setText(self.tr("Labelled {count} images {name}.").format(count=count, name=name))
        return count
