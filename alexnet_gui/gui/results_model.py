"""The results table: a Qt model over the Qt-free session's rows (`gui/session.py`), appended in chunks so
100,000 rows stay smooth."""

from __future__ import annotations

import os

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRunnable,
    Qt,
    QThreadPool,
    Signal,
)
from PySide6.QtGui import QBrush, QGuiApplication, QImage, QPixmap

from alexnet_gui.core.language import gettext
from alexnet_gui.core.wording import format_probability
from alexnet_gui.gui.session import Row, Session
from alexnet_gui.gui.theme import error_colour

# Marked for lupdate here, translated in headerData (a string reaching tr() through a variable is never extracted).
COLUMNS = ("", QT_TRANSLATE_NOOP("ResultsModel", "File"), QT_TRANSLATE_NOOP("ResultsModel", "Top-1 label"),
           QT_TRANSLATE_NOOP("ResultsModel", "Top-1 prob"), QT_TRANSLATE_NOOP("ResultsModel", "Status"))
COL_THUMB, COL_NAME, COL_LABEL, COL_PROB, COL_STATUS = range(5)
THUMB_SIZE = 48
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
PATH_ROLE = Qt.ItemDataRole.UserRole + 2




def _sort_key(row: "Row", column: int):
    top = row.result.top[0] if row.result is not None and row.result.top else None
    if column == COL_PROB:
        return top.prob if top else -1.0
    if column == COL_NAME:
        return os.path.basename(row.path).lower()
    if column == COL_LABEL:
        return top.label.lower() if top else ""
    if column == COL_STATUS:
        return row.status
    return 0


class _ThumbnailSignals(QObject):
    loaded = Signal(str, QImage)


class _ThumbnailJob(QRunnable):
    """Decodes a small thumbnail off the main thread (QImage is safe to build there; QPixmap is not)."""

    def __init__(self, path: str, signals: _ThumbnailSignals, pixel_ratio: float = 1.0) -> None:
        super().__init__()
        self.path, self.signals, self.pixel_ratio = path, signals, pixel_ratio

    def run(self) -> None:
        from alexnet_gui.core.pipeline.images import ImageError, open_thumbnail

        image = QImage()
        side = round(THUMB_SIZE * self.pixel_ratio)
        try:
            # The core's opener: 16-bit and alpha images convert as the network sees them, FIFOs and bombs are
            # refused with a reason instead of hanging or warning on this thread.
            im = open_thumbnail(self.path, side)
            data = im.tobytes()
            image = QImage(data, im.width, im.height, 3 * im.width, QImage.Format.Format_RGB888).copy()
            image.setDevicePixelRatio(self.pixel_ratio)  # drawn sharp on a 2x screen, at the same logical size
        except (ImageError, OSError, ValueError):
            pass  # a file that can't be read just has no thumbnail; its row says why
        self.signals.loaded.emit(self.path, image)


class ResultsModel(QAbstractTableModel):
    """Rows of files with their top-1 prediction and status; thumbnails load lazily for rows that are shown.

    The model sorts and filters itself (`sort`, `set_filter`) instead of sitting behind a QSortFilterProxyModel:
    the proxy compares rows through `data()`, a Python call per comparison, so re-sorting 10,000 rows after a
    filter was cleared took 0.4-0.7 s of the GUI thread; a Python sort on cached keys takes a few milliseconds.
    Row numbers in this API are positions in the view (sorted and filtered), as the table shows them.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = Session()  # every row, in the order added: the state; this model only shows it
        self._shown: list[Row] = []  # the rows passing the filter, in the current sort order
        self._sort: tuple[int, Qt.SortOrder] | None = None
        self._needle = ""
        self._thumbs: dict[str, QPixmap] = {}
        self._thumb_pending: set[str] = set()
        self._thumb_signals = _ThumbnailSignals()
        self._thumb_signals.loaded.connect(self._on_thumbnail)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        #: columns after the built-in ones (a labelling project's label, source, agreement): `titles()` and
        #: `cell(path, i)`; None when no project is open
        self._extra = None

    def set_extra_columns(self, columns) -> None:
        """Show `columns` (see `_extra`) after the built-in ones; None removes them."""
        self.beginResetModel()
        self._extra = columns
        self.endResetModel()

    def extra_changed(self, paths: list[str]) -> None:
        """Repaint the extra columns (all rows when `paths` is long)."""
        if self._extra is None or not self._shown:
            return
        rows = [i for i in (self.position_of(p) for p in paths[:50]) if i is not None] if len(paths) <= 50 else []
        first, last = (min(rows), max(rows)) if rows else (0, len(self._shown) - 1)
        self.dataChanged.emit(self.index(first, len(COLUMNS)), self.index(last, self.columnCount() - 1))

    # --- Qt model API -------------------------------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._shown)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(COLUMNS) + (len(self._extra.titles()) if self._extra else 0)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            if section >= len(COLUMNS):
                return self._extra.titles()[section - len(COLUMNS)] if self._extra else None
            return self.tr(COLUMNS[section]) if COLUMNS[section] else ""
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() >= len(self._shown):
            return None
        row = self._shown[index.row()]
        col = index.column()
        top = row.result.top[0] if row.result is not None and row.result.top else None
        if role == PATH_ROLE:
            return row.path
        if col >= len(COLUMNS):
            return self._extra.cell(row.path, col - len(COLUMNS)) if self._extra and role == Qt.ItemDataRole.DisplayRole else None
        if role == Qt.ItemDataRole.DisplayRole:
            if col == COL_NAME:
                return os.path.basename(row.path)
            if col == COL_LABEL:
                return top.label if top else ""
            if col == COL_PROB:
                return format_probability(top.prob) if top else ""
            if col == COL_STATUS:
                return self.status_text(row)
        elif role == SORT_ROLE:
            return _sort_key(row, col)
        elif role == Qt.ItemDataRole.ToolTipRole:
            if col != COL_STATUS:
                return row.path
            if row.fast_decode and row.result is not None:
                return self.tr("{status} (fast decoding)").format(status=self.status_text(row))
            return self.status_text(row)
        elif role == Qt.ItemDataRole.DecorationRole and col == COL_THUMB:
            return self._thumbnail(row.path)
        elif role == Qt.ItemDataRole.ForegroundRole and row.result is not None and row.result.error is not None:
            return QBrush(error_colour(QGuiApplication.palette()))  # a red that reads on the theme's background
        elif role == Qt.ItemDataRole.TextAlignmentRole and col == COL_PROB:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def status_text(self, row: "Row") -> str:
        """The row's status in the interface's language ("queued", "done", "error: why")."""
        if row.result is None:
            return self.tr("queued")
        if row.result.error is None:
            return self.tr("done")
        # A file's reason is a CSV cell, so it is English in the core; the common ones are marked there for gettext.
        return self.tr("error: {reason}").format(reason=gettext(row.result.error))

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort the shown rows by a column (the header's clicks call this); column -1 restores the added order."""
        self._sort = None if column < 0 else (column, order)
        self._reorder()

    # --- filter and order ---------------------------------------------------------------------------------
    def set_filter(self, text: str) -> None:
        """Show only rows whose top-1 label or file name contains `text` (any case); empty shows every row."""
        needle = text.strip().lower()
        if needle != self._needle:
            self._needle = needle
            self._reorder()

    def filter_text(self) -> str:
        return self._needle

    def _passes(self, row: Row) -> bool:
        if not self._needle:
            return True
        top = row.result.top[0] if row.result is not None and row.result.top else None
        return (top is not None and self._needle in top.label.lower()) or \
            self._needle in os.path.basename(row.path).lower()

    def _ordered(self) -> list[Row]:
        rows = self.session.rows()
        shown = [r for r in rows if self._passes(r)] if self._needle else rows
        if self._sort is not None and self._sort[0] != COL_THUMB:
            column, order = self._sort
            shown.sort(key=lambda r: _sort_key(r, column), reverse=order == Qt.SortOrder.DescendingOrder)
        return shown

    def _reorder(self) -> None:
        """Recompute the shown rows as one layout change: the selection and current row follow their rows."""
        new = self._ordered()
        if [id(r) for r in new] == [id(r) for r in self._shown]:
            return
        self.layoutAboutToBeChanged.emit()
        position = {id(r): i for i, r in enumerate(new)}
        old = self.persistentIndexList()
        targets = [position.get(id(self._shown[index.row()])) if 0 <= index.row() < len(self._shown) else None
                   for index in old]
        self._shown = new  # before index(): it checks rows against the new count
        moved = [self.index(i, index.column()) if i is not None else QModelIndex() for i, index in zip(targets, old)]
        self.changePersistentIndexList(old, moved)
        self.layoutChanged.emit()

    def _orders_by_result(self) -> bool:
        return bool(self._needle) or (self._sort is not None and self._sort[0] in (COL_LABEL, COL_PROB, COL_STATUS))

    # --- rows -------------------------------------------------------------------------------------------
    def add_paths(self, paths: list[str]) -> list[str]:
        """Append rows for paths not already in the table (one insert for the whole chunk); return the new ones."""
        new_rows = self.session.add(paths)
        if not new_rows:
            return []
        visible = [r for r in new_rows if self._passes(r)]
        if visible:
            first = len(self._shown)
            self.beginInsertRows(QModelIndex(), first, first + len(visible) - 1)
            self._shown.extend(visible)
            self.endInsertRows()
            if self._sort is not None:
                self._reorder()
        return [r.path for r in new_rows]

    def set_results(self, results: list, *, fast_decode: bool = False) -> None:
        """Store results (core.results.Result) on their rows, noting whether fast decoding produced them, and
        repaint just those rows (or, when the filter or sort depends on them, re-order once for the batch)."""
        self._rows_changed(self.session.set_results(results, fast_decode=fast_decode))

    def _rows_changed(self, touched: list[Row]) -> None:
        if not touched:
            return
        if self._orders_by_result():
            self._reorder()
        position = {id(r): i for i, r in enumerate(self._shown)}
        shown = [position[id(r)] for r in touched if id(r) in position]
        if shown:
            self.dataChanged.emit(self.index(min(shown), 0), self.index(max(shown), len(COLUMNS) - 1))

    def remove_rows(self, rows: list[int]) -> None:
        """Remove rows by their position in the view (any order). Contiguous runs go in one step each, so deleting
        a selection of thousands of rows is a handful of model signals, not one per row."""
        doomed_positions = sorted({i for i in rows if 0 <= i < len(self._shown)})
        if not doomed_positions:
            return
        doomed = {id(self._shown[i]) for i in doomed_positions}
        runs: list[tuple[int, int]] = []
        for i in doomed_positions:
            if runs and runs[-1][1] == i - 1:
                runs[-1] = (runs[-1][0], i)
            else:
                runs.append((i, i))
        many = len(runs) > 64
        if many:  # scattered rows: one reset is cheaper for the view than hundreds of removals
            self.beginResetModel()
        for first, last in reversed(runs):
            if not many:
                self.beginRemoveRows(QModelIndex(), first, last)
            del self._shown[first:last + 1]
            if not many:
                self.endRemoveRows()
        gone = [r for r in self.session.rows() if id(r) in doomed]
        for row in gone:
            self._thumbs.pop(row.path, None)
        self.session.remove(gone)
        if many:
            self.endResetModel()

    def clear(self) -> None:
        self.beginResetModel()
        self.session.clear()
        self._shown.clear()
        self._thumbs.clear()
        self.endResetModel()

    def row(self, i: int) -> Row:
        """The row at view position `i`."""
        return self._shown[i]

    def row_for(self, path: str) -> Row | None:
        """The row of a path, shown or filtered out; None when it is not in the table."""
        return self.session.row_for(path)

    def position_of(self, path: str) -> int | None:
        """The view position of a path's row; None when it is not shown."""
        row = self.session.row_for(path)
        for i, shown in enumerate(self._shown):
            if shown is row:
                return i
        return None

    def total_rows(self) -> int:
        """How many rows the table holds, shown or filtered out."""
        return len(self.session)

    def rows(self) -> list[Row]:
        """Every row, shown or filtered out, in the order added."""
        return self.session.rows()

    def queued_paths(self) -> list[str]:
        return self.session.queued_paths()

    def results(self, rows: list[int] | None = None) -> list:
        """The results of the given view positions, in view order (all rows, in the order added, when None),
        skipping rows not yet classified."""
        chosen = self.session.rows() if rows is None else [self._shown[i] for i in sorted(rows)]
        return [r.result for r in chosen if r.result is not None]

    def paths_with_fewer_classes(self, k: int) -> list[str]:
        """Paths of rows classified without error but with fewer than `k` classes kept."""
        return self.session.paths_with_fewer_classes(k)

    def requeue(self, paths: list[str]) -> None:
        """Forget these rows' results (they show as queued until classified again)."""
        self._rows_changed(self.session.requeue(paths))

    def fast_decoded_count(self, rows: list[int] | None = None) -> int:
        """How many of the given view positions (all rows when None) were classified, without error, from a fast
        decode."""
        chosen = self.session.rows() if rows is None else [self._shown[i] for i in rows]
        return sum(1 for r in chosen if r.fast_decode and r.result is not None and r.result.error is None)

    # --- thumbnails ---------------------------------------------------------------------------------------
    def _thumbnail(self, path: str) -> QPixmap | None:
        pix = self._thumbs.get(path)
        if pix is None and path not in self._thumb_pending:
            self._thumb_pending.add(path)
            from PySide6.QtGui import QGuiApplication

            screen = QGuiApplication.primaryScreen()
            ratio = screen.devicePixelRatio() if screen is not None else 1.0
            self._pool.start(_ThumbnailJob(path, self._thumb_signals, ratio))
        return pix

    def _on_thumbnail(self, path: str, image: QImage) -> None:
        self._thumb_pending.discard(path)
        i = self.position_of(path)
        if i is None:
            return
        self._thumbs[path] = QPixmap.fromImage(image) if not image.isNull() else QPixmap()
        idx = self.index(i, COL_THUMB)
        self.dataChanged.emit(idx, idx, [Qt.ItemDataRole.DecorationRole])

    def wait_for_thumbnails(self, msecs: int = 5000) -> None:
        """Let pending thumbnail jobs finish (on close)."""
        self._pool.clear()
        self._pool.waitForDone(msecs)
