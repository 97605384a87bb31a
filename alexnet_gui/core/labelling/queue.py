"""The review queue: which unlabelled image comes next, and the bulk accept of the model's sure labels.

Least confident first is the default (uncertainty sampling by margin: the smallest gap between the model's top-1
and top-2 probabilities), because a label there teaches a retrained head the most; ties go by path so the order
is the same on every run. Images not classified yet (or whose file failed) come after the classified ones.
"""

from __future__ import annotations

from alexnet_gui.core.errors import UserError
from alexnet_gui.core.labelling.project import ImageRow, Project
from alexnet_gui.core.language import gettext

#: order name -> SQL ORDER BY over predictions p and images i
ORDERS: dict[str, str] = {
    "least-confident": "p.margin IS NULL, p.margin ASC, i.path",
    "entropy": "p.entropy IS NULL, p.entropy DESC, i.path",
    "most-confident": "p.margin IS NULL, p.margin DESC, i.path",
    "file": "i.id",
}
DEFAULT_ORDER = "least-confident"


def review_queue(project: Project, order: str = DEFAULT_ORDER) -> list[ImageRow]:
    """The unlabelled images present on disk, in `order` (one of ORDERS)."""
    if order not in ORDERS:
        raise UserError(
            gettext("unknown review order {order!r}; choose {join}").format(order=order, join=", ".join(ORDERS))
        )
    return project.rows("l.label IS NULL AND i.missing = 0", order=ORDERS[order])


def review_paths(project: Project, order: str = DEFAULT_ORDER) -> list[str]:
    """The paths of `review_queue(project, order)` alone, for a queue of many images whose rows are read one at a
    time as they are shown."""
    if order not in ORDERS:
        raise UserError(
            gettext("unknown review order {order!r}; choose {join}").format(order=order, join=", ".join(ORDERS))
        )
    return project.paths("l.label IS NULL AND i.missing = 0", order=ORDERS[order])


def bulk_accept(project: Project, min_prob: float) -> int:
    """Give every unlabelled image whose model top-1 probability is at least `min_prob` that class as a "model"
    label, in one transaction and one undo step; returns how many."""
    if not 0.0 <= min_prob <= 1.0:
        raise UserError(gettext("the probability must be from 0 to 1, not {min_prob}").format(min_prob=min_prob))
    rows = project.rows("l.label IS NULL AND i.missing = 0 AND p.top_probs IS NOT NULL")
    chosen = [(r.path, r.model_label) for r in rows
              if r.model_prob is not None and r.model_label is not None and r.model_prob >= min_prob]
    if not chosen:
        return 0
    return project.set_labels(chosen, source="model")
