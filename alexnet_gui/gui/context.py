"""What a view, a tool or a dialog may use of the app: a narrow context instead of the whole window.

`AppContext` gives the controller (jobs, the loaded model, its weights, status), the selection (the table's rows
and the current image) and the few window moves a view makes (queue paths, open a model, switch to another view).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from alexnet_gui.gui.controller import AppController
from alexnet_gui.gui.jobs import JobRunner
from alexnet_gui.gui.results_model import PATH_ROLE, ResultsModel


class Selection(QObject):
    """The table's rows and which one is current; `changed(path)` when another image becomes current."""

    changed = Signal(str)

    def __init__(self, model: ResultsModel, table, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self._table = table

    def path(self) -> str | None:
        """The current row's file (None when no row is current)."""
        index = self._table.selectionModel().currentIndex()
        return index.data(PATH_ROLE) if index.isValid() else None

    def source_rows(self) -> list[int]:
        """The selected rows' numbers in the model, in order."""
        return sorted({i.row() for i in self._table.selectionModel().selectedRows()})

    def chosen_paths(self) -> list[str]:
        """The selected rows' files, or every row's when none is selected."""
        rows = self.source_rows()
        return [self.model.row(r).path for r in rows] if rows else [r.path for r in self.model.rows()]

    def rows(self) -> list:
        return self.model.rows()

    def select_paths(self, paths) -> int:
        """Select the shown rows of `paths` (the first becomes current; none: the selection is cleared); return
        how many rows are selected."""
        from PySide6.QtCore import QItemSelection, QItemSelectionModel

        wanted = set(paths)
        positions = [i for i in range(self.model.rowCount()) if self.model.row(i).path in wanted]
        chosen = QItemSelection()
        last = self.model.columnCount() - 1
        for i in positions:
            chosen.select(self.model.index(i, 0), self.model.index(i, last))
        flags = QItemSelectionModel.SelectionFlag
        selection = self._table.selectionModel()
        if positions:
            selection.setCurrentIndex(self.model.index(positions[0], 0), flags.NoUpdate)
        selection.select(chosen, flags.ClearAndSelect | flags.Rows)
        return len(positions)

    def row_for(self, path: str | None):
        return self.model.row_for(path)


@dataclass(frozen=True)
class AppContext:
    """The app as its views, tools and dialogs see it."""

    controller: AppController
    selection: Selection
    parent: QWidget  # what dialogs and message boxes are shown over
    add_paths: Callable[[list[str]], None]
    open_model: Callable[[str], bool]
    open_view: Callable[[str], QWidget]  # switch to a view's tab ("unit", "cam", ...) and return the view

    @property
    def jobs(self) -> JobRunner:
        return self.controller.jobs

    @property
    def weights(self):
        """The weights of the model that runs."""
        return self.controller.weights

    def card(self):
        """The loaded model's card (None before the first load)."""
        loaded = self.controller.loaded
        return loaded.card if loaded is not None else None

    def status(self, message: str, ms: int = 0) -> None:
        """Show `message` in the status bar for `ms` milliseconds (0: until the next one)."""
        self.controller.status.emit(message, ms)
