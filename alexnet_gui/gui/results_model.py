"""The results table: a Qt model over a plain list of rows, appended in chunks so 100,000 rows stay smooth."""

from __future__ import annotations

import os
from dataclasses import dataclass

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, QRunnable, Qt, QThreadPool, Signal
from PySide6.QtGui import QImage, QPixmap

COLUMNS = ("", "File", "Top-1 label", "Top-1 prob", "Status")
COL_THUMB, COL_NAME, COL_LABEL, COL_PROB, COL_STATUS = range(5)
THUMB_SIZE = 48
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
PATH_ROLE = Qt.ItemDataRole.UserRole + 2


@dataclass
class Row:
    """One queued file and, once classified, its result (core.results.Result) and whether its JPEG was decoded
    at a reduced scale (fast decoding)."""

    path: str
    result: object | None = None
    fast_decode: bool = False

    @property
    def status(self) -> str:
        if self.result is None:
            return "queued"
        return "done" if self.result.error is None else f"error: {self.result.error}"


class _ThumbnailSignals(QObject):
    loaded = Signal(str, QImage)


class _ThumbnailJob(QRunnable):
    """Decodes a small thumbnail off the main thread (QImage is safe to build there; QPixmap is not)."""

    def __init__(self, path: str, signals: _ThumbnailSignals, pixel_ratio: float = 1.0) -> None:
        super().__init__()
        self.path, self.signals, self.pixel_ratio = path, signals, pixel_ratio

    def run(self) -> None:
        from alexnet_gui.core.images import ImageError, open_thumbnail

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
    """Rows of files with their top-1 prediction and status; thumbnails load lazily for rows that are shown."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[Row] = []
        self._index: dict[str, int] = {}
        self._thumbs: dict[str, QPixmap] = {}
        self._thumb_pending: set[str] = set()
        self._thumb_signals = _ThumbnailSignals()
        self._thumb_signals.loaded.connect(self._on_thumbnail)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)

    # --- Qt model API -------------------------------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        col = index.column()
        top = row.result.top[0] if row.result is not None and row.result.top else None
        if role == PATH_ROLE:
            return row.path
        if role == Qt.ItemDataRole.DisplayRole:
            if col == COL_NAME:
                return os.path.basename(row.path)
            if col == COL_LABEL:
                return top.label if top else ""
            if col == COL_PROB:
                return f"{top.prob * 100:.1f} %" if top else ""
            if col == COL_STATUS:
                return row.status
        elif role == SORT_ROLE:
            if col == COL_PROB:
                return top.prob if top else -1.0
            if col == COL_NAME:
                return os.path.basename(row.path).lower()
            return self.data(index, Qt.ItemDataRole.DisplayRole)
        elif role == Qt.ItemDataRole.ToolTipRole:
            if col != COL_STATUS:
                return row.path
            return f"{row.status} (fast decoding)" if row.fast_decode and row.result is not None else row.status
        elif role == Qt.ItemDataRole.DecorationRole and col == COL_THUMB:
            return self._thumbnail(row.path)
        elif role == Qt.ItemDataRole.TextAlignmentRole and col == COL_PROB:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    # --- rows -------------------------------------------------------------------------------------------
    def add_paths(self, paths: list[str]) -> list[str]:
        """Append rows for paths not already in the table (one insert for the whole chunk); return the new ones."""
        new = []
        for path in paths:
            if path not in self._index:
                self._index[path] = -1
                new.append(path)
        if not new:
            return []
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(new) - 1)
        for i, path in enumerate(new):
            self._index[path] = first + i
            self._rows.append(Row(path))
        self.endInsertRows()
        return new

    def set_results(self, results: list, *, fast_decode: bool = False) -> None:
        """Store results (core.results.Result) on their rows, noting whether fast decoding produced them, and
        repaint just those rows."""
        touched = []
        for result in results:
            i = self._index.get(result.path)
            if i is None:
                continue
            self._rows[i].result = result
            self._rows[i].fast_decode = fast_decode
            touched.append(i)
        if touched:
            self.dataChanged.emit(self.index(min(touched), 0), self.index(max(touched), len(COLUMNS) - 1))

    def remove_rows(self, rows: list[int]) -> None:
        """Remove rows by source index (any order)."""
        for i in sorted(set(rows), reverse=True):
            self.beginRemoveRows(QModelIndex(), i, i)
            row = self._rows.pop(i)
            self.endRemoveRows()
            self._thumbs.pop(row.path, None)
        self._index = {row.path: i for i, row in enumerate(self._rows)}

    def clear(self) -> None:
        self.beginResetModel()
        self._rows.clear()
        self._index.clear()
        self._thumbs.clear()
        self.endResetModel()

    def row(self, i: int) -> Row:
        return self._rows[i]

    def rows(self) -> list[Row]:
        return list(self._rows)

    def queued_paths(self) -> list[str]:
        return [r.path for r in self._rows if r.result is None]

    def results(self, rows: list[int] | None = None) -> list:
        """The results of the given rows (all when None), in table order, skipping rows not yet classified."""
        chosen = self._rows if rows is None else [self._rows[i] for i in sorted(rows)]
        return [r.result for r in chosen if r.result is not None]

    def paths_with_fewer_classes(self, k: int) -> list[str]:
        """Paths of rows classified without error but with fewer than `k` classes kept."""
        return [r.path for r in self._rows if r.result is not None and r.result.error is None and len(r.result.top) < k]

    def requeue(self, paths: list[str]) -> None:
        """Forget these rows' results (they show as queued until classified again)."""
        touched = [self._index[p] for p in paths if p in self._index]
        for i in touched:
            self._rows[i].result = None
            self._rows[i].fast_decode = False
        if touched:
            self.dataChanged.emit(self.index(min(touched), 0), self.index(max(touched), len(COLUMNS) - 1))

    def fast_decoded_count(self, rows: list[int] | None = None) -> int:
        """How many of the given rows (all when None) were classified, without error, from a fast decode."""
        chosen = self._rows if rows is None else [self._rows[i] for i in rows]
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
        i = self._index.get(path)
        if i is None:
            return
        self._thumbs[path] = QPixmap.fromImage(image) if not image.isNull() else QPixmap()
        idx = self.index(i, COL_THUMB)
        self.dataChanged.emit(idx, idx, [Qt.ItemDataRole.DecorationRole])

    def wait_for_thumbnails(self, msecs: int = 5000) -> None:
        """Let pending thumbnail jobs finish (on close)."""
        self._pool.clear()
        self._pool.waitForDone(msecs)
