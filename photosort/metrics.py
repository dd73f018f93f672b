"""Per-category precision / recall / F1 for multi-label predictions, and threshold choice."""

from __future__ import annotations

import numpy as np


def prf(labels: np.ndarray, predicted: np.ndarray) -> tuple[float, float, float]:
    """Precision, recall and F1 of boolean arrays (any shape, counted over all cells).
    An empty denominator counts as 0 (scikit-learn's zero_division=0)."""
    labels = labels.astype(bool)
    predicted = predicted.astype(bool)
    tp = float(np.sum(labels & predicted))
    fp = float(np.sum(~labels & predicted))
    fn = float(np.sum(labels & ~predicted))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def best_threshold(labels: np.ndarray, scores: np.ndarray, default: float = 0.5) -> float:
    """The threshold that maximises F1 for one category.

    Candidates are midpoints between consecutive distinct scores, so the chosen threshold sits
    in the middle of a gap rather than on a photo's score; among equally good candidates the one
    nearest ``default`` wins, which keeps thresholds stable when held-out data is small.
    """
    labels = labels.astype(bool)
    if not labels.any():
        return default
    distinct = np.unique(scores)
    candidates = np.concatenate([[distinct[0] / 2], (distinct[:-1] + distinct[1:]) / 2, [(distinct[-1] + 1) / 2]])
    f1s = np.array([prf(labels, scores >= t)[2] for t in candidates])
    best = np.flatnonzero(f1s >= f1s.max() - 1e-12)
    chosen = candidates[best[np.argmin(np.abs(candidates[best] - default))]]
    return float(np.clip(chosen, 0.01, 0.99))


def report(
    categories: list[str], labels: np.ndarray, scores: np.ndarray, thresholds: dict[str, float]
) -> dict:
    """{"categories": {name: {precision, recall, f1, support, threshold}}, "micro_f1", "macro_f1"}"""
    cut = np.array([thresholds[name] for name in categories], dtype=np.float64)
    predicted = scores >= cut
    per_category = {}
    for i, name in enumerate(categories):
        precision, recall, f1 = prf(labels[:, i], predicted[:, i])
        per_category[name] = {
            "precision": precision,
            "recall": recall,
            "f1": f1,
            "support": int(labels[:, i].sum()),
            "threshold": float(cut[i]),
        }
    macro = float(np.mean([m["f1"] for m in per_category.values()])) if per_category else 0.0
    return {"categories": per_category, "micro_f1": prf(labels, predicted)[2], "macro_f1": macro}


def format_report(result: dict) -> str:
    """The report as an aligned text table."""
    width = max([len("category")] + [len(n) for n in result["categories"]])
    lines = [f"{'category':<{width}}  precision  recall     f1  support  threshold"]
    for name, m in result["categories"].items():
        lines.append(
            f"{name:<{width}}  {m['precision']:9.3f}  {m['recall']:6.3f}  {m['f1']:5.3f}"
            f"  {m['support']:7d}  {m['threshold']:9.3f}"
        )
    lines.append(f"micro F1 {result['micro_f1']:.3f}   macro F1 {result['macro_f1']:.3f}")
    return "\n".join(lines)
