"""The confusion matrix of an evaluation: counts of (true class, predicted class), the images in each cell, per-class
accuracy, and its CSV and PNG forms.

With many classes a full table is unreadable (DIGITS users' complaint about a 1000-class table that "shoots off
the screen"), so the views and the PNG show the classes present, and past `SHOWN_CLASSES` of them only those of
the most confused pairs; the CSV always has every class present.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from alexnet_gui.core.model.labels import Labels
from alexnet_gui.core.outputs.results import SpreadsheetCsvWriter

#: the most classes a matrix view or PNG shows at once
SHOWN_CLASSES = 20


@dataclass(frozen=True)
class ConfusionMatrix:
    """Rows are true classes, columns predicted ones, over the model's classes."""

    labels: Labels
    counts: np.ndarray
    #: (true, predicted) → the images in that cell, in evaluation order
    cells: dict[tuple[int, int], tuple[str, ...]]

    @classmethod
    def from_records(cls, records: Iterable[tuple[str, int, int]], labels: Labels) -> ConfusionMatrix:
        """Build from (path, true class, predicted class) records (`Evaluation.records`)."""
        k = len(labels)
        counts = np.zeros((k, k), dtype=np.int64)
        cells: dict[tuple[int, int], list[str]] = {}
        for path, true, predicted in records:
            counts[true, predicted] += 1
            cells.setdefault((true, predicted), []).append(path)
        return cls(labels, counts, {key: tuple(paths) for key, paths in cells.items()})

    @property
    def images(self) -> int:
        """Images counted."""
        return int(self.counts.sum())

    @property
    def correct(self) -> int:
        """Images on the diagonal."""
        return int(np.trace(self.counts))

    def present(self) -> list[int]:
        """Classes with at least one image, as truth or as prediction."""
        return np.flatnonzero(self.counts.sum(0) + self.counts.sum(1)).tolist()

    def most_confused(self, n: int = 10) -> list[tuple[int, int, int]]:
        """Up to n (true, predicted, count) off-diagonal cells, largest first (ties in row-major order)."""
        # Only the cells that hold images are ranked: with 10,000 classes the matrix has 10^8 cells, and ranking all
        # of them (or listing them as pairs) took gigabytes to find the 20 a view shows.
        true, predicted = np.nonzero(self.counts)  # row-major order
        off = true != predicted
        true, predicted = true[off], predicted[off]
        values = self.counts[true, predicted]
        order = np.argsort(-values, kind="stable")[:n]
        return [(int(true[i]), int(predicted[i]), int(values[i])) for i in order]

    def shown(self, limit: int = SHOWN_CLASSES) -> list[int]:
        """The classes a view shows: all present ones up to `limit`, else those of the most confused pairs."""
        present = self.present()
        if len(present) <= limit:
            return present
        chosen: list[int] = []
        for t, p, _ in self.most_confused(len(present) ** 2):
            for c in (t, p):
                if c not in chosen and len(chosen) < limit:
                    chosen.append(c)
            if len(chosen) >= limit:
                break
        return sorted(chosen)

    def per_class(self) -> list[tuple[int, int, int]]:
        """(class, images, correct) for every class with images."""
        rows = self.counts.sum(1)
        return [(c, int(rows[c]), int(self.counts[c, c])) for c in np.flatnonzero(rows).tolist()]

    def misclassified(self) -> list[tuple[str, int, int]]:
        """(path, true, predicted) of every image off the diagonal."""
        return [(path, t, p) for (t, p), paths in sorted(self.cells.items()) if t != p for path in paths]

    def write_csv(self, path: str | os.PathLike[str]) -> None:
        """The matrix over the classes present: a header row of predicted classes, then one row per true class."""
        present = self.present()
        names = [self.labels.name(c) for c in present]
        with open(path, "w", newline="", encoding="utf-8") as f:
            writer = SpreadsheetCsvWriter(f)  # class names are the user's folder names
            writer.writerow(["true \\ predicted", *names])
            for c, name in zip(present, names):
                writer.writerow([name, *(int(self.counts[c, p]) for p in present)])

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
        sub = self.counts[np.ix_(shown, shown)]
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
