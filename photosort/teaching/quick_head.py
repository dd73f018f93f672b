"""A quick head for teaching rounds: one class-balanced logistic regression per category on the
cached embeddings (seconds, no backbone), trained on the answers so far. A photo answered
"yes" for another category counts as a negative (categories are folders a photo mostly
belongs to one of); explicit "no" answers always do."""

from __future__ import annotations

import numpy as np


def fit_quick_head(x: np.ndarray, labels: dict[tuple[int, int], bool], c: int, steps: int = 300,
                   l2: float = 1e-3, lr: float = 0.5) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """x (N, D) embeddings; labels {(row, category): positive?}. Returns (mean, scale, W, b)."""
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-6
    z = (x - mean) / scale
    w = np.zeros((x.shape[1], c), np.float32)
    b = np.zeros(c, np.float32)
    positives = {(i, j) for (i, j), yes in labels.items() if yes}
    rows_yes = {i for i, _ in positives}
    for j in range(c):
        target = {i: 1.0 for i, jj in positives if jj == j}
        target.update({i: 0.0 for (i, jj), yes in labels.items() if jj == j and not yes})
        target.update({i: 0.0 for i in rows_yes if i not in target})
        if not target or len(set(target.values())) < 2:
            b[j] = 0.0 if not target else (4.0 if next(iter(target.values())) else -4.0)
            continue
        idx = np.array(list(target))
        y = np.array([target[i] for i in idx], np.float32)
        weight = np.where(y == 1, 0.5 / y.mean(), 0.5 / (1 - y.mean())).astype(np.float32)
        zi, wj, bj = z[idx], np.zeros(x.shape[1], np.float32), 0.0
        for _ in range(steps):
            p = 1 / (1 + np.exp(-(zi @ wj + bj)))
            g = weight * (p - y) / len(y)
            wj -= lr * (zi.T @ g + l2 * wj)
            bj -= lr * float(g.sum())
        w[:, j], b[j] = wj, bj
    return mean, scale, w, b


def quick_scores(head, x: np.ndarray) -> np.ndarray:
    mean, scale, w, b = head
    return 1 / (1 + np.exp(-(((x - mean) / scale) @ w + b)))
