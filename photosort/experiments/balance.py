"""Unbalanced categories: which training photos and views a configuration sees, and its loss.

- weights: training's class-weighted cross-entropy (``head.class_weighted_bce``); without it,
  plain binary cross-entropy.
- drop: categories with fewer than DROP_UNDER photos in the whole dataset are left out.
- oversample: a category with fewer than OVERSAMPLE_TO training photos gets augmented copies
  of its photos (views no training view uses) until it has that many.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from photosort.experiments.configs import DROP_UNDER, OVERSAMPLE_TO, Config
from photosort.experiments.data import ExperimentData
from photosort.experiments.pixels import OVERSAMPLE_VIEW
from photosort.training import class_weighted_bce


@dataclass
class TrainingSet:
    data: ExperimentData  # after dropping, if asked
    pairs: list[tuple[int, int]]  # (row, view) of every training sample
    labels: np.ndarray  # (len(pairs), C)
    loss: object  # loss_fn(y_true, y_pred) -> per-sample loss
    notes: dict  # what balancing did, for the report


def training_set(data: ExperimentData, config: Config) -> TrainingSet:
    notes: dict = {}
    if "drop" in config.balance:
        counts = data.labels.sum(axis=0)
        dropped = [c for c, n in zip(data.categories, counts) if n < DROP_UNDER]
        notes["dropped"] = dropped
        if len(dropped) == len(data.categories):
            dropped = []  # nothing would be left: keep them all and say so
            notes["dropped_none_because"] = "every category is under the minimum"
        data = data.without(dropped) if dropped else data
    rows = data.rows("train")
    views = config.train_views
    pairs = [(int(r), v) for v in range(views + 1) for r in rows]
    if "oversample" in config.balance:
        added = {}
        for c, name in enumerate(data.categories):
            own = rows[data.labels[rows, c] > 0]
            missing = OVERSAMPLE_TO - len(own)
            if len(own) and missing > 0:
                added[name] = int(missing)
                for k in range(missing):  # each copy counts like a photo: with its views
                    pairs += [(int(own[k % len(own)]), OVERSAMPLE_VIEW + k * (views + 1) + v)
                              for v in range(views + 1)]
        notes["oversampled"] = added
    labels = data.labels[[r for r, _ in pairs]]
    train_labels = data.labels[rows]
    # equal counts make class_weighted_bce plain cross-entropy
    weights_from = train_labels if "weights" in config.balance else np.ones((1, labels.shape[1]))
    return TrainingSet(data, pairs, labels, class_weighted_bce(weights_from), notes)
