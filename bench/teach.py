"""Teaching rounds with a simulated person who answers from the true labels.

For scenes and miml: half the photos are the camera roll the questions come from, the other
half is held out for judging. Start from 5 examples per category; 10 rounds of 10 answers
("is this photo X?" -> yes / no from the labels), photosort's training recipe rerun on the
cached Lite0 embeddings after each round (photosort.teaching.retrain: stratified folds, the
real head and class-weighted loss, early stopping, each category's best-F1 threshold on the
held-out scores of the labelled photos, fold heads averaged). Labels follow the catalog's rule:
a labelled photo is "not X" for every X it was not said to be. Judged by macro F1 at the
chosen thresholds on the held-out half. Strategies against random questions, several seeds.

The head trains with bench/numpy_head.py (the same recipe in numpy, 10-30x faster than keras
here); --keras uses photosort's keras code itself (slow: use with --seeds 1).

Measured (docs/teach_curve.png, 5 seeds): under the catalog's rule today a "no" makes the photo
a negative of every category, so random questions (mostly "no") lower the F1; with
--negatives-stay random answers help, and asking about the photos torn between their two
leading categories ("margin") helps most on both datasets. The teach loop asks that way.

    python bench/teach.py [--seeds 5] [--strategies ...] [--negatives-stay] [--json OUT] [--plot PNG]
    python bench/teach.py --plot-from A.json B.json --plot docs/teach_curve.png
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402,F401
from embed_cache import dataset_paths, embeddings  # noqa: E402

ROUNDS, PER_ROUND, START, MIXED_RANDOM = 10, 10, 5, 3
STRATEGIES = ["random", "threshold", "margin", "fewest-likely", "fewest-likely+random"]
CHOSEN = "margin"  # measured best on both datasets under either label rule (see the docstring)


def macro_f1(scores: np.ndarray, truth: np.ndarray, thresholds: np.ndarray) -> float:
    from photosort import metrics

    pred = scores >= thresholds[None, :]
    return float(np.mean([metrics.prf(truth[:, j] == 1, pred[:, j])[2] for j in range(truth.shape[1])]))


def ask(strategy, head, xp, labels, c, rng):
    from photosort.teaching import choose_questions, likely_positive_questions, margin_questions, random_questions

    n = len(xp)
    if strategy == "random":
        return random_questions(n, c, PER_ROUND, labels, rng)
    scores = head.scores(xp)
    positives = [sum(1 for (_, jj), yes in labels.items() if yes and jj == j) for j in range(c)]
    k = PER_ROUND - (MIXED_RANDOM if strategy.endswith("+random") else 0)
    if strategy == "threshold":
        chosen = choose_questions(scores, head.thresholds, k, labels, xp)
    elif strategy == "margin":
        chosen = margin_questions(scores, head.thresholds, k, labels, xp)
    else:
        chosen = likely_positive_questions(scores, positives, k, labels, xp)
    if len(chosen) < PER_ROUND:
        chosen += random_questions(n, c, PER_ROUND - len(chosen), set(labels) | set(chosen), rng)
    return chosen


def run(x, truth, strategy: str, seed: int, train_head, negatives_stay: bool = False) -> list[float]:
    from photosort.teaching.retrain import fit_teach_head, labels_matrix

    rng = np.random.default_rng(seed)
    order = rng.permutation(len(x))
    pool, held = order[: len(x) // 2], order[len(x) // 2 :]
    xp, tp = x[pool], truth[pool]
    c = truth.shape[1]
    labels: dict[tuple[int, int], bool] = {}
    for j in range(c):  # the starting examples: photos a person put in each category
        for i in rng.choice(np.flatnonzero(tp[:, j] == 1), START, replace=False):
            labels[(int(i), j)] = True

    def retrain():
        rows, y = labels_matrix(labels, c, negatives_stay)
        head = fit_teach_head(xp[rows], y, seed=seed, train_head=train_head)
        return head, macro_f1(head.scores(x[held]), truth[held], head.thresholds)

    head, f1 = retrain()
    curve = [f1]
    for _ in range(ROUNDS):
        for i, j in ask(strategy, head, xp, labels, c, rng):
            labels[(i, j)] = bool(tp[i, j] == 1)
        head, f1 = retrain()
        curve.append(f1)
    return curve


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--strategies", nargs="+", default=STRATEGIES, choices=STRATEGIES)
    parser.add_argument("--datasets", nargs="+", default=["scenes", "miml"])
    parser.add_argument("--keras", action="store_true", help="train with photosort's keras code (slow)")
    parser.add_argument("--negatives-stay", action="store_true",
                        help="a photo with no 'yes' is a 'no' only for the categories it was asked about "
                             "(not the catalog's rule today; numpy head only)")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--plot", type=Path)
    parser.add_argument("--plot-from", nargs="+", type=Path, metavar="JSON",
                        help="only plot these --json results side by side (e.g. both label rules)")
    args = parser.parse_args()
    if args.plot_from:
        plot_panels(args.plot, [json.loads(p.read_text()) for p in args.plot_from])
        return
    if args.keras:
        from photosort.teaching.retrain import keras_head as train_head
    else:
        from numpy_head import numpy_head as train_head
    curves: dict[str, dict[str, list[list[float]]]] = {s: {} for s in args.strategies}
    for name in args.datasets:
        _, labels, _ = dataset_paths(name)
        cats = sorted({c for l in labels for c in l})
        truth = np.array([[1 if c in l else 0 for c in cats] for l in labels])
        x = embeddings(name, "efficientnet_lite0")[1]
        for strategy in args.strategies:
            for seed in range(args.seeds):
                started = time.monotonic()
                curve = run(x, truth, strategy, seed, train_head, args.negatives_stay)
                curves[strategy].setdefault(name, []).append(curve)
                print(f"{name} {strategy} seed {seed}: {' '.join(f'{v:.3f}' for v in curve)} "
                      f"({time.monotonic() - started:.0f} s)", file=sys.stderr, flush=True)
    answers = [r * PER_ROUND for r in range(ROUNDS + 1)]
    per_set = {s: {d: [round(float(v), 4) for v in np.mean(c, axis=0)] for d, c in by.items()} for s, by in curves.items()}
    mean = {s: [round(float(v), 4) for v in np.mean([np.mean(c, axis=0) for c in by.values()], axis=0)]
            for s, by in curves.items()}
    chosen = CHOSEN if CHOSEN in mean else next(s for s in args.strategies if s != "random")
    target = mean["random"][-1]
    out = {"answers": answers, "strategy": chosen, "strategy_f1": mean[chosen], "random_f1": mean["random"],
           "strategy_answers_to_reach_random_100": next((a for a, f in zip(answers, mean[chosen]) if f >= target), None),
           "all_strategies": mean, "per_dataset": per_set, "seeds": args.seeds, "datasets": args.datasets,
           "trainer": "keras" if args.keras else "numpy port",
           "labels": "negatives stay" if args.negatives_stay else "catalog rule"}
    print(json.dumps(out, indent=2))
    if args.json:
        args.json.write_text(json.dumps(out, indent=2) + "\n")
    if args.plot:
        plot_panels(args.plot, [out])


def plot_panels(path: Path, results: list[dict]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(results), figsize=(6.5 * len(results), 4.4), sharey=True, squeeze=False)
    for ax, out in zip(axes[0], results):
        _panel(ax, out["answers"], out["all_strategies"], out["strategy"], out["random_f1"][-1])
        ax.set_title(f"labels: {out.get('labels', 'catalog rule')} ({out['seeds']} seeds)", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def _panel(ax, answers, mean, chosen, target) -> None:
    for s, f1 in mean.items():
        if s == chosen:
            ax.plot(answers, f1, "o-", lw=2, label=f"{s} (photosort)")
        elif s == "random":
            ax.plot(answers, f1, "s--", lw=2, color="black", label="random photos")
        else:
            ax.plot(answers, f1, lw=0.8, alpha=0.6, label=s)
    ax.axhline(target, color="grey", lw=0.5)
    ax.set_xlabel("answers")
    ax.set_ylabel("held-out macro F1 (scenes + MIML, mean of seeds)")
    ax.legend(fontsize=8)


if __name__ == "__main__":
    main()
