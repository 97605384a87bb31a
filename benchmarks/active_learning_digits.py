"""Active learning on scikit-learn's digits: how many human labels a head needs to reach 95 % validation accuracy
when the review goes least confident first (the review queue's default) and when it goes in file order.

From 10 labels per class, a logistic-regression head (standardised features, as `label-issues` trains) is
retrained every 50 labels; each round the next 50 images of the order get their true label (the simulated
human). Validation: a stratified, seeded 20 % held out. Target (issue 33): least confident needs at most half the
labels file order needs. Prints the curve (labels, accuracy) of both orders.

    .venv/bin/python benchmarks/active_learning_digits.py [--seed 0] [--target 0.95]
"""

from __future__ import annotations

import argparse

import numpy as np


def head_accuracy(x, y, labelled, x_val, y_val):
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    head = make_pipeline(StandardScaler(), LogisticRegression(C=0.1, max_iter=2000))
    head.fit(x[labelled], y[labelled])
    return head, float((head.predict(x_val) == y_val).mean())


def run(order: str, x, y, x_val, y_val, seed: int, target: float, step: int = 50):
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
            margin = probs[:, -1] - probs[:, -2]
            chosen = rest[np.lexsort((rest, np.round(margin, 6)))[:step]]  # ties by position, as the queue by path
        else:
            chosen = rest[:step]
        labelled = np.concatenate([labelled, chosen])


def main() -> None:
    import platform

    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--target", type=float, default=0.95)
    args = parser.parse_args()
    digits = load_digits()
    x, x_val, y, y_val = train_test_split(digits.data.astype(np.float32), digits.target, test_size=0.2,
                                          stratify=digits.target, random_state=args.seed)
    needed = {}
    for order in ("least-confident", "file"):
        curve = run(order, x, y, x_val, y_val, args.seed, args.target)
        needed[order] = curve[-1][0] if curve[-1][1] >= args.target else None
        print(f"{order}: " + ", ".join(f"{n}:{100 * a:.1f}%" for n, a in curve))
    lc, fo = needed["least-confident"], needed["file"]
    print(f"labels for {100 * args.target:g} %: least-confident {lc}, file order {fo}"
          + (f" (ratio {lc / fo:.2f}; target <= 0.5)" if lc and fo else "")
          + f" — {platform.processor() or platform.machine()}")


if __name__ == "__main__":
    main()
