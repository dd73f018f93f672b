"""Stratified folds: every photo held out once, every category spread over the folds."""

from __future__ import annotations

import numpy as np

MAX_FOLDS = 5


def stratified_folds(labels: np.ndarray, k: int, seed: int = 0) -> np.ndarray:
    """A fold number in 0..k-1 per photo, spreading every category's photos over the folds.

    Iterative stratification for multi-label data (Sechidis, Tsoumakas & Vlahavas, 2011): the
    category with the fewest unassigned photos goes first, each of its photos to the fold that
    still wants most of that category; photos with no label fill the emptiest folds last.
    """
    k = max(2, k)
    rng = np.random.default_rng(seed)
    positive = labels > 0
    wanted = np.outer(np.full(k, 1.0 / k), positive.sum(axis=0))  # (fold, category)
    wanted_size = np.full(k, len(labels) / k)
    fold_of = np.full(len(labels), -1, dtype=np.int64)
    order = rng.permutation(len(labels))  # random tie-breaking, reproducible by seed

    def assign(row: int, category: int | None) -> None:
        want = wanted[:, category] if category is not None else wanted_size
        best = np.flatnonzero(want == want.max())
        best = best[wanted_size[best] == wanted_size[best].max()]
        fold = int(rng.choice(best))
        fold_of[row] = fold
        wanted[fold] -= positive[row]
        wanted_size[fold] -= 1

    while True:
        left = positive[fold_of < 0].sum(axis=0)
        if not left.any():
            break
        category = int(np.argmin(np.where(left > 0, left, np.inf)))
        for row in order:
            if fold_of[row] < 0 and positive[row, category]:
                assign(row, category)
    for row in order:
        if fold_of[row] < 0:
            assign(row, None)
    return fold_of
