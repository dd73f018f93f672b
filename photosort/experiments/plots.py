"""The report's PNG plots (matplotlib, Agg backend: no display needed), small and at modest dpi."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from photosort.experiments.scoring import Outcome, point_at, pr_curve

DPI = 60


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")  # files only; never a window
    import matplotlib.pyplot as plt

    return plt


def config_figure(path: Path, title: str, outcome: Outcome, result: dict) -> Path:
    """Loss curves | precision–recall per category (chosen threshold marked) | confusion."""
    plt = _pyplot()
    confusion = result.get("confusion")
    panels = 3 if confusion else 2
    fig, axes = plt.subplots(1, panels, figsize=(4.2 * panels, 3.6))
    loss_ax, pr_ax = axes[0], axes[1]
    for key, style in (("loss", "-"), ("val_loss", "--")):
        if outcome.history.get(key):
            loss_ax.plot(range(1, len(outcome.history[key]) + 1), outcome.history[key], style, label=key)
    loss_ax.set_title("loss" if outcome.history else "loss (no iterative training)")
    loss_ax.set_xlabel("epoch")
    if outcome.history:
        loss_ax.legend(fontsize=7)
    for i, name in enumerate(outcome.categories):
        labels, scores = outcome.test_labels[:, i], outcome.test_scores[:, i]
        precision, recall, _ = pr_curve(labels, scores)
        line = pr_ax.plot(recall, precision, lw=1, label=name)[0]
        p, r = point_at(labels, scores, result["categories"][name]["threshold"])
        pr_ax.plot([r], [p], "o", color=line.get_color(), ms=5)
    pr_ax.set(xlabel="recall", ylabel="precision", xlim=(0, 1.02), ylim=(0, 1.02),
              title="test precision–recall (dot: threshold)")
    pr_ax.legend(fontsize=6, loc="lower left")
    if confusion:
        ax = axes[2]
        matrix = np.asarray(confusion)
        ax.imshow(matrix, cmap="Blues")
        ticks = range(len(outcome.categories))
        ax.set_xticks(ticks, outcome.categories, rotation=45, ha="right", fontsize=6)
        ax.set_yticks(ticks, outcome.categories, fontsize=6)
        for (t, p), n in np.ndenumerate(matrix):
            ax.text(p, t, str(n), ha="center", va="center", fontsize=6,
                    color="white" if n > matrix.max() / 2 else "black")
        ax.set(title="confusion (test, best score)", xlabel="predicted", ylabel="true")
    fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=DPI)
    plt.close(fig)
    return path


def summary_figure(path: Path, rows: list[dict]) -> Path:
    """Macro and micro F1 of every configuration, side by side."""
    plt = _pyplot()
    names = [r["config"] for r in rows]
    fig, ax = plt.subplots(figsize=(7, 0.3 * len(rows) + 1.2))
    y = np.arange(len(rows))
    ax.barh(y - 0.2, [r["macro_f1"] for r in rows], 0.4, label="macro F1")
    ax.barh(y + 0.2, [r["micro_f1"] for r in rows], 0.4, label="micro F1")
    ax.set_yticks(y, names, fontsize=6)
    ax.invert_yaxis()
    low = min([r["macro_f1"] for r in rows] + [r["micro_f1"] for r in rows])
    ax.set_xlim(max(0.0, low - 0.05), 1.0)
    ax.legend(fontsize=7, loc="lower right")
    ax.set_title("test F1 per configuration", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=DPI)
    plt.close(fig)
    return path
