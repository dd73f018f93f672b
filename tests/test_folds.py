"""photosort.training.folds: multi-label stratification."""

from __future__ import annotations

import numpy as np

from photosort.training.folds import stratified_folds


def test_stratified_folds_spread_every_category():
    rng = np.random.default_rng(1)
    labels = (rng.random((60, 4)) < [0.5, 0.2, 0.1, 0.3]).astype(np.float32)
    labels[labels.sum(axis=1) == 0, 0] = 1
    folds = stratified_folds(labels, 5, seed=0)
    assert sorted(set(folds.tolist())) == [0, 1, 2, 3, 4]
    assert np.bincount(folds).max() - np.bincount(folds).min() <= 3
    for c in range(labels.shape[1]):
        per_fold = np.bincount(folds[labels[:, c] > 0], minlength=5)
        assert per_fold.max() - per_fold.min() <= 1, (c, per_fold)
        assert per_fold.min() >= 1 or labels[:, c].sum() < 5
