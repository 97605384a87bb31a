"""The confusion matrix of an evaluation: counts of (true class, predicted class), the images in each cell, per-class
accuracy, and its CSV and PNG forms.

With many classes a full table is unreadable (DIGITS users' complaint about a 1000-class table that "shoots off
the screen"), so the views and the PNG show the classes present, and past `SHOWN_CLASSES` of them only those of
the most confused pairs; the CSV always has every class present.

Only the cells that hold images are kept: with 10,000 classes a dense table is 10^8 cells (800 MB of counts) for a
validation set of a few thousand images, so memory follows the images, not the square of the classes.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from alexnet_gui.core.model.labels import Labels
from alexnet_gui.core.outputs.results import SpreadsheetCsvWriter

#: the most classes a matrix view or PNG shows at once
SHOWN_CLASSES = 20
#: the most classes present for which confusion.csv is a table; past it a table would be millions of mostly empty
#: cells (10,000 classes: 10^8), so the CSV lists the cells that hold images, one `true,predicted,count` row each
TABLE_CLASSES = 1000


@dataclass(frozen=True)
class ConfusionMatrix:
    """Rows are true classes, columns predicted ones, over the model's classes; only cells with images are stored."""

    labels: Labels
    #: (true, predicted) → the images in that cell, in evaluation order
    cells: dict[tuple[int, int], tuple[str, ...]]

    @classmethod
    def from_records(cls, records: Iterable[tuple[str, int, int]], labels: Labels) -> ConfusionMatrix:
        """Build from (path, true class, predicted class) records (`Evaluation.records`)."""
        cells: dict[tuple[int, int], list[str]] = {}
        for path, true, predicted in records:
            cells.setdefault((int(true), int(predicted)), []).append(path)
        return cls(labels, {key: tuple(paths) for key, paths in cells.items()})

    def count(self, true: int, predicted: int) -> int:
        """Images of class `true` predicted as `predicted`."""
        return len(self.cells.get((true, predicted), ()))

    def row_total(self, true: int) -> int:
        """Images of class `true`."""
        return self._rows.get(true, 0)

    @cached_property
    def _rows(self) -> Counter[int]:
        rows: Counter[int] = Counter()
        for (t, _), paths in self.cells.items():
            rows[t] += len(paths)
        return rows

    def dense(self, classes: list[int]) -> np.ndarray:
        """The counts over `classes` only (rows and columns in that order), as a small dense table."""
        where = {c: i for i, c in enumerate(classes)}
        table = np.zeros((len(classes), len(classes)), dtype=np.int64)
        for (t, p), paths in self.cells.items():
            if t in where and p in where:
                table[where[t], where[p]] = len(paths)
        return table

    @property
    def images(self) -> int:
        """Images counted."""
        return sum(len(paths) for paths in self.cells.values())

    @property
    def correct(self) -> int:
        """Images on the diagonal."""
        return sum(len(paths) for (t, p), paths in self.cells.items() if t == p)

    def present(self) -> list[int]:
        """Classes with at least one image, as truth or as prediction."""
        return sorted({c for cell in self.cells for c in cell})

    def most_confused(self, n: int = 10) -> list[tuple[int, int, int]]:
        """Up to n (true, predicted, count) off-diagonal cells, largest first (ties in row-major order)."""
        off = [(t, p, len(paths)) for (t, p), paths in self.cells.items() if t != p]
        off.sort(key=lambda cell: (-cell[2], cell[0], cell[1]))
        return off[:n]

    def shown(self, limit: int = SHOWN_CLASSES) -> list[int]:
        """The classes a view shows: all present ones up to `limit`, else those of the most confused pairs."""
        present = self.present()
        if len(present) <= limit:
            return present
        chosen: list[int] = []
        for t, p, _ in self.most_confused(len(self.cells)):
            for c in (t, p):
                if c not in chosen and len(chosen) < limit:
                    chosen.append(c)
            if len(chosen) >= limit:
                break
        return sorted(chosen)

    def per_class(self) -> list[tuple[int, int, int]]:
        """(class, images, correct) for every class with images."""
        return [(c, n, self.count(c, c)) for c, n in sorted(self._rows.items())]

    def misclassified(self) -> list[tuple[str, int, int]]:
        """(path, true, predicted) of every image off the diagonal."""
        return [(path, t, p) for (t, p), paths in sorted(self.cells.items()) if t != p for path in paths]

    def write_csv(self, path: str | os.PathLike[str]) -> None:
        """Up to `TABLE_CLASSES` classes present, the matrix over them: a header row of predicted classes, then one
        row per true class; past that, `true,predicted,count` for each cell that holds images."""
        present = self.present()
        with open(path, "w", newline="", encoding="utf-8") as f:
            writer = SpreadsheetCsvWriter(f)  # class names are the user's folder names
            if len(present) > TABLE_CLASSES:
                writer.writerow(["true", "predicted", "count"])
                for (t, p), paths in sorted(self.cells.items()):
                    writer.writerow([self.labels.name(t), self.labels.name(p), len(paths)])
                return
            names = [self.labels.name(c) for c in present]
            writer.writerow(["true \\ predicted", *names])
            for c, name in zip(present, names):
                writer.writerow([name, *(self.count(c, p) for p in present)])

    def write_per_class_csv(self, path: str | os.PathLike[str]) -> None:
        """class, images, correct, accuracy (%, 2 decimals)."""
        with open(path, "w", newline="", encoding="utf-8") as f:
            writer = SpreadsheetCsvWriter(f)  # class names are the user's folder names
            writer.writerow(["class", "images", "correct", "accuracy"])
            for c, n, ok in self.per_class():
                writer.writerow([self.labels.name(c), n, ok, f"{100 * ok / n:.2f}"])

    def write_files(self, folder: str | os.PathLike[str], *, title: str = "") -> None:
        """confusion.csv, per_class.csv and confusion.png in `folder` (a training's report, `evaluate --report`)."""
        folder = Path(folder)
        self.write_csv(folder / "confusion.csv")
        self.write_per_class_csv(folder / "per_class.csv")
        self.render_png(folder / "confusion.png", title=title)

    def render_png(self, path: str | os.PathLike[str], *, title: str = "", limit: int = SHOWN_CLASSES) -> None:
        """Draw the matrix (rows normalised to each true class's share; counts written in) with matplotlib."""
        import matplotlib

        matplotlib.use("Agg", force=False)
        from matplotlib.figure import Figure  # the object API: no pyplot state, safe off the main thread

        shown = self.shown(limit)
        sub = self.dense(shown)
        share = sub / np.maximum(sub.sum(1, keepdims=True), 1)
        names = [self.labels.name(c) for c in shown]
        side = max(4.0, 0.45 * len(shown) + 2.5)
        fig = Figure(figsize=(side + 1.0, side), dpi=100)
        ax = fig.add_subplot()
        image = ax.imshow(share, cmap="viridis", vmin=0.0, vmax=1.0)
        fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04, label="share of the true class")
        # Class names and titles are the user's text, drawn as written (parse_math off): as mathtext a folder
        # named `cost_$5_to_$10` is a formula that fails to parse.
        ax.set_xticks(range(len(shown)), names, rotation=60, ha="right", fontsize=8, parse_math=False)
        ax.set_yticks(range(len(shown)), names, fontsize=8, parse_math=False)
        ax.set_xlabel("predicted")
        ax.set_ylabel("true")
        for i in range(len(shown)):
            for j in range(len(shown)):
                if sub[i, j]:
                    ax.text(j, i, str(sub[i, j]), ha="center", va="center", fontsize=7,
                            color="black" if share[i, j] > 0.6 else "white")
        hidden = len(self.present()) - len(shown)
        subtitle = f"{self.correct}/{self.images} correct ({100 * self.correct / max(self.images, 1):.2f}%)"
        if hidden:
            subtitle += f"; the {len(shown)} most confused of {len(self.present())} classes"
        ax.set_title(f"{title}\n{subtitle}" if title else subtitle, fontsize=9, parse_math=False)
        fig.tight_layout()
        fig.savefig(os.fspath(path))


def copy_misclassified(matrix: ConfusionMatrix, out_dir: str | os.PathLike[str], *,
                       cells: Iterable[tuple[int, int]] | None = None, on_progress=None, cancel=None):
    """Copy the misclassified images (of `cells`, or all) to OUT/<true class>/as <predicted class>/, never over
    an existing file; return `sort_files.apply_sort`'s outcome (one row per file, with its error if any)."""
    from alexnet_gui.core.outputs.sort_files import SortPlan, SortStep, apply_sort, safe_folder_name

    wanted = set(cells) if cells is not None else None
    steps = []
    for path, t, p in matrix.misclassified():
        if wanted is not None and (t, p) not in wanted:
            continue
        folder = os.path.join(safe_folder_name(matrix.labels.name(t), t),
                              "as " + safe_folder_name(matrix.labels.name(p), p))
        steps.append(SortStep(path, os.path.join(os.fspath(out_dir), folder, os.path.basename(path)), folder, 0.0))
    plan = SortPlan(os.fspath(out_dir), tuple(steps), ())
    Path(out_dir).mkdir(parents=True, exist_ok=True)
    return apply_sort(plan, on_progress=on_progress, cancel=cancel)
