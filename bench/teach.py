"""Teaching rounds with a simulated person who answers from the true labels.

For scenes and miml: half the photos are the camera roll the questions come from, the other
half is held out for judging. Start from 5 examples per category; 10 rounds of 10 answers
("is this photo X?" -> yes / no from the labels), a quick head retrained on the cached
Lite0 embeddings after each round (photosort.teaching.quick_head), macro F1 at 0.5 on the held
out half. The chosen strategy (choose_questions: closest to the threshold, categories in turn,
no near-duplicates) against random questions, several seeds.

    python bench/teach.py [--seeds 5] [--json OUT] [--plot docs/teach_curve.png]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402,F401
from embed_cache import dataset_paths, embeddings  # noqa: E402

ROUNDS, PER_ROUND, START = 10, 10, 5


def macro_f1(scores: np.ndarray, truth: np.ndarray) -> float:
    pred = scores >= 0.5
    f1s = []
    for j in range(truth.shape[1]):
        tp = float((pred[:, j] & (truth[:, j] == 1)).sum())
        fp = float((pred[:, j] & (truth[:, j] == 0)).sum())
        fn = float((~pred[:, j] & (truth[:, j] == 1)).sum())
        f1s.append(2 * tp / max(2 * tp + fp + fn, 1))
    return float(np.mean(f1s))


def run(x, truth, strategy: str, seed: int) -> list[float]:
    from photosort.teaching import choose_questions, fit_quick_head, quick_scores, random_questions

    rng = np.random.default_rng(seed)
    order = rng.permutation(len(x))
    pool, held = order[: len(x) // 2], order[len(x) // 2 :]
    xp, tp = x[pool], truth[pool]
    c = truth.shape[1]
    labels: dict[tuple[int, int], bool] = {}
    for j in range(c):
        for i in rng.choice(np.flatnonzero(tp[:, j] == 1), START, replace=False):
            labels[(int(i), j)] = True
    head = fit_quick_head(xp, labels, c)
    curve = [macro_f1(quick_scores(head, x[held]), truth[held])]
    for _ in range(ROUNDS):
        if strategy == "random":
            asked = random_questions(len(xp), c, PER_ROUND, labels, rng)
        else:
            asked = choose_questions(quick_scores(head, xp), [0.5] * c, PER_ROUND, labels,
                                     xp if strategy != "uncertainty-no-dedup" else None,
                                     best_only=strategy == "best-category")
        for i, j in asked:
            labels[(i, j)] = bool(tp[i, j] == 1)
        head = fit_quick_head(xp, labels, c)
        curve.append(macro_f1(quick_scores(head, x[held]), truth[held]))
    return curve


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--plot", type=Path)
    args = parser.parse_args()
    curves: dict[str, list[list[float]]] = {"uncertainty": [], "random": [], "uncertainty-no-dedup": [], "best-category": []}
    for name in ("scenes", "miml"):
        _, labels, cats = dataset_paths(name)
        cats = sorted({c for l in labels for c in l})
        truth = np.array([[1 if c in l else 0 for c in cats] for l in labels])
        x = embeddings(name, "efficientnet_lite0")[1]
        for strategy in curves:
            for seed in range(args.seeds):
                curves[strategy].append(run(x, truth, strategy, seed))
    mean = {s: [round(float(v), 4) for v in np.mean(c, axis=0)] for s, c in curves.items()}
    answers = [r * PER_ROUND for r in range(ROUNDS + 1)]
    out = {"answers": answers, "strategy_f1": mean["uncertainty"], "random_f1": mean["random"],
           "uncertainty_no_dedup_f1": mean["uncertainty-no-dedup"], "best_category_f1": mean["best-category"], "seeds": args.seeds,
           "datasets": ["scenes", "miml"]}
    target = mean["random"][-1]
    reached = next((a for a, f in zip(answers, mean["uncertainty"]) if f >= target), None)
    out["strategy_answers_to_reach_random_100"] = reached
    print(json.dumps(out, indent=2))
    if args.json:
        args.json.write_text(json.dumps(out, indent=2) + "\n")
    if args.plot:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(6, 4))
        ax.plot(answers, mean["uncertainty"], "o-", label="closest to threshold (photosort)")
        ax.plot(answers, mean["random"], "s--", label="random photos")
        ax.axhline(target, color="grey", lw=0.5)
        ax.set_xlabel("answers")
        ax.set_ylabel("held-out macro F1 (scenes + MIML, mean of seeds)")
        ax.legend()
        fig.tight_layout()
        fig.savefig(args.plot, dpi=100)


if __name__ == "__main__":
    main()
