"""The real training recipe on cached embeddings, for teaching rounds and the teach benchmark.

Same steps as training.pipeline.train, minus the catalog and the augmented views: stratified
folds, one head per fold (build_head, class-weighted cross-entropy, fit with early stopping),
each category's threshold chosen for best F1 on the photos' held-out scores, the fold heads
averaged. Labels follow the catalog's rule: a labelled photo counts as not in every category
it was not said to be in (a "yes" for one folder is a "no" for the others).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from photosort import metrics
from photosort.training import build_head, class_weighted_bce, fit, stratified_folds

TEACH_FOLDS = 3  # fewer than a full training: a round must be quick, and examples are few


@dataclass
class TaughtHead:
    heads: list
    thresholds: np.ndarray  # (C,) best-F1 on the held-out scores
    held_out_scores: np.ndarray  # (N, C) each labelled photo scored by the head that did not see it

    def scores(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, np.float32)
        return np.mean([np.asarray(h(x, training=False)) for h in self.heads], axis=0)


def labels_matrix(labels: dict[tuple[int, int], bool], c: int, negatives_stay: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """(rows, (R, C)) from {(row, category): positive?}: rows with any answer, ascending; 1 yes,
    0 no. The catalog's rule makes every unanswered cell of a labelled photo a 0.
    negatives_stay: a photo with no "yes" is a "no" only where it was said to be (-1 elsewhere:
    unknown, left out of the loss and of the thresholds; the numpy head of the benchmark only)."""
    rows = np.array(sorted({i for i, _ in labels}), dtype=np.int64)
    where = {int(r): k for k, r in enumerate(rows)}
    y = np.zeros((len(rows), c), np.float32)
    if negatives_stay:
        has_yes = {i for (i, _), yes in labels.items() if yes}
        for k, r in enumerate(rows):
            if int(r) not in has_yes:
                y[k] = -1.0
    for (i, j), yes in labels.items():
        y[where[i], j] = 1.0 if yes else 0.0
    return rows, y


def keras_head(x, y, x_val, y_val, seed: int):
    """One head of photosort's own (build_head, class-weighted loss, fit)."""
    import keras

    keras.utils.set_random_seed(seed)
    head = build_head(x.shape[1], y.shape[1], name=f"head_{seed}")
    fit(head, x, y, x_val, y_val, class_weighted_bce(y), seed=seed)
    return head


def fit_teach_head(x: np.ndarray, y: np.ndarray, folds: int = TEACH_FOLDS, seed: int = 0,
                   train_head: Callable = keras_head) -> TaughtHead:
    """x (N, D) embeddings of the labelled photos, y (N, C) 0/1. ``train_head(x, y, x_val,
    y_val, seed)`` returns a callable head (the benchmark passes a faster numpy port)."""
    x, y = np.asarray(x, np.float32), np.asarray(y, np.float32)
    k = max(2, min(folds, int((y > 0).sum(axis=0).min())))
    fold_of = stratified_folds(y, k, seed)
    held = np.zeros(y.shape, np.float32)
    heads = []
    for fold in range(k):
        tr, va = np.flatnonzero(fold_of != fold), np.flatnonzero(fold_of == fold)
        head = train_head(x[tr], y[tr], x[va], y[va], seed + fold)
        held[va] = np.asarray(head(x[va], training=False))
        heads.append(head)
    known = y >= 0
    thresholds = np.array([metrics.best_threshold(y[known[:, j], j], held[known[:, j], j]) for j in range(y.shape[1])],
                          np.float32)
    return TaughtHead(heads, thresholds, held)
