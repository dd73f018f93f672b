import numpy as np
import pytest

from photosort import metrics


def test_prf_counts_cells():
    labels = np.array([[1, 0], [1, 1], [0, 0]])
    predicted = np.array([[1, 1], [0, 1], [0, 0]])
    precision, recall, f1 = metrics.prf(labels, predicted)
    assert (precision, recall) == (2 / 3, 2 / 3)
    assert f1 == pytest.approx(2 / 3)
    assert metrics.prf(np.zeros(3), np.zeros(3)) == (0.0, 0.0, 0.0)


def test_best_threshold_separates_and_sits_in_the_gap():
    labels = np.array([0, 0, 0, 1, 1, 1])
    scores = np.array([0.1, 0.2, 0.3, 0.7, 0.8, 0.9])
    threshold = metrics.best_threshold(labels, scores)
    assert 0.3 < threshold < 0.7
    assert threshold == pytest.approx(0.5)


def test_best_threshold_maximises_f1_when_classes_overlap():
    rng = np.random.default_rng(0)
    labels = rng.random(400) < 0.3
    scores = np.clip(labels * 0.35 + rng.random(400) * 0.65, 0, 1)
    chosen = metrics.best_threshold(labels, scores)
    grid = np.linspace(0.01, 0.99, 197)
    best_on_grid = max(metrics.prf(labels, scores >= t)[2] for t in grid)
    assert metrics.prf(labels, scores >= chosen)[2] >= best_on_grid - 1e-9


def test_best_threshold_without_positives_is_default():
    assert metrics.best_threshold(np.zeros(4), np.array([0.1, 0.2, 0.3, 0.9])) == 0.5


def test_report_shape_and_averages():
    labels = np.array([[1, 0], [0, 1], [1, 1], [0, 0]], dtype=float)
    scores = np.array([[0.9, 0.2], [0.1, 0.8], [0.7, 0.3], [0.6, 0.1]])
    result = metrics.report(["a", "b"], labels, scores, {"a": 0.5, "b": 0.5})
    a, b = result["categories"]["a"], result["categories"]["b"]
    assert (a["precision"], a["recall"], a["support"]) == (2 / 3, 1.0, 2)
    assert (b["precision"], b["recall"], b["support"]) == (1.0, 0.5, 2)
    assert result["macro_f1"] == pytest.approx((a["f1"] + b["f1"]) / 2)
    assert result["micro_f1"] == pytest.approx(metrics.prf(labels, scores >= 0.5)[2])
    assert "macro F1" in metrics.format_report(result)
