"""What a user does with the table's rows besides classifying them: a right-click menu (open, show in folder, copy
path, copy prediction, copy as CSV, remove), Ctrl+C copying the selected rows as CSV (the columns Export CSV
writes), and Edit > Undo remove (Ctrl+Z) bringing back the rows Delete removed, with their results."""

from __future__ import annotations

import csv
import io
import os

from PySide6.QtCore import QObject, Qt, QUrl
from PySide6.QtGui import QAction, QDesktopServices, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QMenu

from alexnet_gui.core.outputs.results import csv_header, result_row
from alexnet_gui.core.wording import format_probability
from alexnet_gui.gui.actions import make_action


def rows_as_csv(results: list, top_k: int) -> str:
    """`results` as the text of a CSV with Export CSV's header and cells (formulas quoted the same way)."""
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(csv_header(top_k))
    writer.writerows(result_row(r, top_k) for r in results)
    return text.getvalue()


class RowActions(QObject):
    """The table's right-click menu, Ctrl+C and Undo remove, for `window` (its `table`, `model`, `settings`)."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window, self.table, self.model = window, window.table, window.model
        self._removed: list[list] = []  # each Delete's rows (with their results), the latest last
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(lambda pos: self.menu_at(pos).exec(
            self.table.viewport().mapToGlobal(pos)))
        # On the table only: Ctrl+C and Ctrl+Z in the filter box stay the box's own.
        self.copy_action = QAction(self.tr("Copy rows as CSV"), self.table)
        self.copy_action.setShortcut(QKeySequence.StandardKey.Copy)
        self.copy_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.copy_action.setToolTip(self.tr("Copy the selected rows as CSV, the columns Export CSV writes (Ctrl+C)"))
        self.copy_action.triggered.connect(self.copy_rows)
        self.table.addAction(self.copy_action)
        self.undo_action = make_action(window, self.tr("Undo remove"), self.undo_remove, QKeySequence.StandardKey.Undo,
                                       self.tr("Put back the rows the last Remove took away, with their results (Ctrl+Z)"))
        self.undo_action.setEnabled(False)
        menus = [m for m in window.remove_action.associatedObjects() if isinstance(m, QMenu)]
        if menus:
            menus[0].insertAction(window.remove_action, self.undo_action)

    # --- the right-click menu --------------------------------------------------------------------------------
    def menu_at(self, pos) -> QMenu:
        """The menu for the row under `pos` (in the viewport), which becomes current unless it is selected."""
        index = self.table.indexAt(pos)
        if index.isValid() and not self.table.selectionModel().isRowSelected(index.row(), index.parent()):
            self.table.selectRow(index.row())
        return self.menu_for(self.model.row(index.row()) if index.isValid() else None)

    def menu_for(self, row) -> QMenu:
        """The right-click menu of `row` (a session Row; None: no row under the pointer)."""
        menu = QMenu(self.table)
        path = row.path if row is not None else None
        top = row.result.top[0] if row is not None and row.result is not None and row.result.top else None
        for text, slot, enabled in (
            (self.tr("Open"), lambda: self.open_path(path), path is not None),
            (self.tr("Show in folder"), lambda: self.open_path(os.path.dirname(path)), path is not None),
            (self.tr("Copy path"), lambda: self.copy_text(path), path is not None),
            (self.tr("Copy prediction"), lambda: self.copy_text(f"{top.label}\t{format_probability(top.prob)}"),
             top is not None),
        ):
            action = menu.addAction(text, slot)
            action.setEnabled(enabled)
        menu.addSeparator()
        menu.addAction(self.copy_action)
        menu.addAction(self.window.remove_action)
        menu.addAction(self.undo_action)
        return menu

    @staticmethod
    def open_path(path: str) -> bool:
        """Open a file or folder with the desktop's own application."""
        return QDesktopServices.openUrl(QUrl.fromLocalFile(path))

    def copy_text(self, text: str) -> None:
        QGuiApplication.clipboard().setText(text)

    def copy_rows(self) -> None:
        """Copy the selected rows (or the current one) that have a result, as CSV; says how many."""
        positions = self.window.selection.source_rows()
        results = self.model.results(positions) if positions else []
        if not results:
            self.window.statusBar().showMessage(self.tr("No classified row is selected: nothing copied."), 5000)
            return
        self.copy_text(rows_as_csv(results, self.window.settings.top_k))
        self.window.statusBar().showMessage(self.tr("Copied %n row(s) as CSV.", "", len(results)), 5000)

    # --- rows added to a sorted or filtered table ------------------------------------------------------------
    def reveal_added(self, paths: list[str]) -> None:
        """Rows just added land by the table's sort, or hide behind its filter: scroll to the first and say where
        they went, rather than leave them off-screen without a word."""
        sorted_by = self.table.horizontalHeader().sortIndicatorSection()
        sorted_view = 0 <= sorted_by < self.model.columnCount()
        if not paths or not (sorted_view or self.model.filter_text()):
            return
        wanted = set(paths)
        positions = [i for i in range(self.model.rowCount()) if self.model.row(i).path in wanted]
        if len(positions) < len(paths):
            self.window.statusBar().showMessage(self.tr(
                "%n added image(s) hidden by the filter “{text}”: Esc in the filter box shows every row.", "",
                len(paths) - len(positions)).format(text=self.model.filter_text()), 10000)
        if sorted_view and positions:
            self.table.scrollTo(self.model.index(positions[0], 1))
            if len(positions) == len(paths):
                column = self.model.headerData(sorted_by, Qt.Orientation.Horizontal) or ""
                self.window.statusBar().showMessage(self.tr(
                    "%n image(s) added in the table's order (sorted by {column}); scrolled to the first.", "",
                    len(paths)).format(column=column), 10000)

    # --- undo remove ----------------------------------------------------------------------------------------
    def keep_for_undo(self, positions: list[int]) -> None:
        """Keep the rows at these view positions (about to be removed) for Undo remove."""
        rows = [self.model.row(i) for i in positions]
        if rows:
            self._removed.append(rows)
            self.undo_action.setEnabled(True)

    def undo_remove(self) -> None:
        """Put back the rows the last Remove took, with their results (appended after the table's rows)."""
        if not self._removed:
            return
        rows = self._removed.pop()
        self.model.add_paths([r.path for r in rows])
        for fast in (False, True):
            results = [r.result for r in rows if r.result is not None and r.fast_decode == fast]
            if results:
                self.model.set_results(results, fast_decode=fast)
        self.undo_action.setEnabled(bool(self._removed))
        self.window.statusBar().showMessage(self.tr("Put back %n row(s).", "", len(rows)), 5000)
