"""One configuration's result, judged the same way for all: thresholds chosen on the
validation photos, everything else measured on the test photos."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from photosort import metrics


@dataclass
class Outcome:
    """What a family hands back after training one configuration."""

    categories: list[str]
    val_labels: np.ndarray
    val_scores: np.ndarray
    test_labels: np.ndarray
    test_scores: np.ndarray
    history: dict[str, list[float]] = field(default_factory=dict)
    train_seconds: float = 0.0  # cold: embedding the training views (estimated) + training
    photos_per_s: float = 0.0  # scoring the test photos from decoded pixels
    notes: dict = field(default_factory=dict)
    model: object = None  # the head, kept in memory only for --install


def judge(outcome: Outcome) -> dict:
    """metrics.report on the test photos at validation-chosen thresholds, plus top-1/top-k
    accuracy and a confusion matrix when every photo has one category."""
    cats = outcome.categories
    thresholds = {c: metrics.best_threshold(outcome.val_labels[:, i], outcome.val_scores[:, i])
                  for i, c in enumerate(cats)}
    result = metrics.report(cats, outcome.test_labels, outcome.test_scores, thresholds)
    result["val_macro_f1"] = metrics.report(cats, outcome.val_labels, outcome.val_scores, thresholds)["macro_f1"]
    labels, scores = outcome.test_labels, outcome.test_scores
    if len(labels) and np.all(labels.sum(axis=1) == 1):
        truth = labels.argmax(axis=1)
        ranked = np.argsort(-scores, axis=1)
        k = min(5, len(cats))
        result["top1"] = float(np.mean(ranked[:, 0] == truth))
        result["top5"] = float(np.mean([t in r[:k] for t, r in zip(truth, ranked)]))
        result["top_k"] = k
        confusion = np.zeros((len(cats), len(cats)), dtype=int)
        for t, p in zip(truth, ranked[:, 0]):
            confusion[t, p] += 1
        result["confusion"] = confusion.tolist()  # rows: true category, columns: best score
    result["test_photos"] = int(len(labels))
    return result


def pr_curve(labels: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(precision, recall, thresholds) at every distinct score, highest threshold first."""
    order = np.argsort(-scores, kind="stable")
    hits = labels[order].astype(bool)
    tp = np.cumsum(hits)
    fp = np.cumsum(~hits)
    last = np.r_[np.flatnonzero(np.diff(scores[order])), len(scores) - 1]  # end of each tie run
    precision = tp[last] / np.maximum(tp[last] + fp[last], 1)
    recall = tp[last] / max(int(hits.sum()), 1)
    return precision, recall, scores[order][last]


def point_at(labels: np.ndarray, scores: np.ndarray, threshold: float) -> tuple[float, float]:
    """(precision, recall) at a threshold."""
    precision, recall, _ = metrics.prf(labels, scores >= threshold)
    return precision, recall
