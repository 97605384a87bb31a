"""Architecture: the loaded model's layers, output shapes and parameters."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QHeaderView, QLabel, QTableView, QVBoxLayout

from alexnet_gui.core.language import gettext
from alexnet_gui.gui.accessibility import describe
from alexnet_gui.gui.context import AppContext
from alexnet_gui.gui.views.base import View
from alexnet_gui.gui.widgets.image_canvas import add_save_image_menu


class ArchitectureView(View):
    """The loaded model's layers: output shape for its input size and parameters, measured on its network."""

    kind = "architecture"

    def __init__(self, context: AppContext) -> None:
        super().__init__(context)
        self.table = QTableView()
        self.table.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)  # what the model is, not a form
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setToolTip(self.tr("Computed from the loaded model's architecture with one input of its size"))
        describe(self.table, self.tr("Layers"))
        add_save_image_menu(self.table, lambda path: self.table.grab().save(path, "PNG"))
        self.status = QLabel("")
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(self.status)
        self._loaded = False

    def refresh(self) -> None:
        super().refresh()
        if not self._loaded:
            from alexnet_gui.core.analysis.architecture import layer_table

            def job(backend):
                from alexnet_gui.core.errors import UserError

                if backend.card.architecture is None:
                    raise UserError(gettext("this ONNX graph's layers are its own: the app did not build it"))
                return layer_table(backend.card.architecture)

            self.ask(job)

    def show_payload(self, rows) -> None:
        self._loaded = True
        model = QStandardItemModel(0, 4, self)
        model.setHorizontalHeaderLabels(
            [self.tr("Layer"), self.tr("Type"), self.tr("Output shape"), self.tr("Parameters")]
        )
        for r in rows:
            items = [
                QStandardItem(r.name),
                QStandardItem(r.kind),
                QStandardItem(" x ".join(map(str, r.output_shape))),
                QStandardItem(f"{r.params:,}"),
            ]
            items[3].setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            model.appendRow(items)
        total = sum(r.params for r in rows)
        total_item = QStandardItem(f"{total:,}")
        total_item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)  # under its column
        font = total_item.font()
        font.setBold(True)
        total_item.setFont(font)
        model.appendRow([QStandardItem(self.tr("total")), QStandardItem(""), QStandardItem(""), total_item])
        self.table.setModel(model)
        self.status.setText(self.tr("%n layer(s), {total:,} parameters", "", len(rows)).format(total=total))
