"""Active learning on scikit-learn's digits with the network's own features: how many human labels a head needs to
reach 95 % validation accuracy when the review goes least confident first (the review queue's default) and when it
goes in file order. Target (issue 33): least confident needs at most half the labels file order needs.

The 1,797 digits are written as 8x8 PNGs in one folder per class and their fc7 features computed once, through
the app's feature cache (`alexnet_gui.core.labelling.issues.model_features`, what `label-issues` and `train --mode
head` use), with the seeded untrained full-size AlexNet (`--untrained`). A stratified, seeded 20 % is held out for
validation. From 10 labels per class (seeded), a head (standardised features, logistic regression: the heads
`label-issues` trains) is retrained every 50 labels; each round the next 50 unlabelled images of the order get
their true label (the simulated human). Three orders:

- least-confident: smallest margin between the head's top-1 and top-2 probability first, ties by path (the
  review queue's default);
- file order, interleaved: scikit-learn's index order, which runs 0, 1, ..., 9 over and over, so it is nearly a
  stratified random order (no real folder is laid out like that);
- file order, by folder: the paths sorted, as a walk of a folder of class sub-folders gives them (all the 0s, then
  all the 1s, ...): what "file order" is for a user's folder.

Prints each order's curve (labels, accuracy) and the labels each needs, and the machine.

    .venv/bin/python benchmarks/active_learning_digits.py [--seeds 0 1 2] [--target 0.95] [--step 50]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from bench import machine  # noqa: E402

ORDERS = ("least-confident", "file order, interleaved", "file order, by folder")


def digit_features(work: Path) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """The digits' fc7 features (rows in scikit-learn's index order), their classes and their paths."""
    from PIL import Image
    from sklearn.datasets import load_digits

    from alexnet_gui.core.labelling.issues import model_features

    digits = load_digits()
    paths = []
    for i, (img, target) in enumerate(zip(digits.images, digits.target)):
        folder = work / "digits" / str(target)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{i:04d}.png"
        Image.fromarray((img * 255 / 16).astype(np.uint8), "L").save(path)
        paths.append(str(path))
    extracted = model_features(paths, weights=None, untrained=True)
    assert extracted is not None
    rows, valid, failed = extracted
    assert valid.all(), failed
    return rows, digits.target, paths


def head_accuracy(x, y, labelled, x_val, y_val):
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    head = make_pipeline(StandardScaler(), LogisticRegression(C=0.1, max_iter=2000))
    head.fit(x[labelled], y[labelled])
    return head, float((head.predict(x_val) == y_val).mean())


def run(order: str, x, y, rank, x_val, y_val, seed: int, target: float, step: int):
    """The curve [(labels, accuracy)] of one order, until `target` or every image is labelled. `rank` is each
    training image's place in the file order being simulated (and the tie-break of least-confident)."""
    rng = np.random.default_rng(seed)
    labelled = np.concatenate([rng.choice(np.flatnonzero(y == c), 10, replace=False) for c in range(10)])
    curve = []
    while True:
        head, accuracy = head_accuracy(x, y, labelled, x_val, y_val)
        curve.append((len(labelled), accuracy))
        rest = np.setdiff1d(np.arange(len(y)), labelled)
        if accuracy >= target or len(rest) == 0:
            return curve
        if order == "least-confident":
            probs = np.sort(head.predict_proba(x[rest]), axis=1)
            margin = np.round(probs[:, -1] - probs[:, -2], 6)  # stored to 6 decimals, as the project does
            chosen = rest[np.lexsort((rank[rest], margin))[:step]]
        else:
            chosen = rest[np.argsort(rank[rest], kind="stable")[:step]]
        labelled = np.concatenate([labelled, chosen])


def main() -> int:
    from sklearn.model_selection import train_test_split

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--target", type=float, default=0.95)
    parser.add_argument("--step", type=int, default=50)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="active-learning-digits-"))
    os.environ["ALEXNET_GUI_CACHE"] = str(work / "cache")
    try:
        features, classes, paths = digit_features(work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    # Index order, and the order of the paths sorted (folder by folder: what a walk of class folders gives).
    by_index = np.arange(len(paths))
    by_folder = np.argsort(np.argsort([str(Path(p).relative_to(Path(p).parents[1])) for p in paths]))
    print(f"machine: {machine()}")
    print(f"features: fc7 of the seeded untrained AlexNet, {features.shape[1]} per image; target "
          f"{100 * args.target:g} % validation accuracy, head retrained every {args.step} labels")
    for seed in args.seeds:
        train, val = train_test_split(by_index, test_size=0.2, stratify=classes, random_state=seed)
        train = np.sort(train)
        x, y, x_val, y_val = features[train], classes[train], features[val], classes[val]
        needed = {}
        for order in ORDERS:
            rank = by_folder[train] if order == "file order, by folder" else by_index[train]
            curve = run(order, x, y, rank, x_val, y_val, seed, args.target, args.step)
            needed[order] = curve[-1][0] if curve[-1][1] >= args.target else None
            print(f"seed {seed}, {order}: " + ", ".join(f"{n}: {100 * a:.1f} %" for n, a in curve), flush=True)
        lc = needed["least-confident"]
        summary = []
        for order in ORDERS[1:]:
            other = needed[order]
            ratio = f"ratio {lc / other:.2f}" if lc and other else "ratio n/a"
            summary.append(f"{order} {other} ({ratio}; target <= 0.5: "
                           f"{'PASS' if lc and other and lc / other <= 0.5 else 'MISS'})")
        print(f"seed {seed}: labels for {100 * args.target:g} % ({len(val)} held out): least-confident {lc}; "
              + "; ".join(summary), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
