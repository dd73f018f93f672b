"""Starter categories with no example at all, on the shared photos.

- cats against dogs macro F1 on pets/ (each kind's calibrated score >= 0.5 puts a photo in it),
  against the plain sum of the backbone's cat and dog class probabilities (threshold 0.5);
- the calibration: one logistic curve on logit(kind mass), fitted on one half of the shared
  photos and judged on the other half (both ways); --fit prints the curve fitted on all of them
  (what photosort/starter/scoring.py CALIBRATION holds);
- each starter kind's precision and recall where the shared photos have that kind: pets (cats,
  dogs), scenes (buildings+street -> buildings and streets; forest, glacier, mountain, sea ->
  landscapes and nature), miml (every photo is a landscape: recall only).

    python bench/starter_eval.py [--backbone efficientnet_lite0] [--json OUT] [--fit]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402,F401  (puts the checkout on sys.path)
from embed_cache import dataset_paths, embeddings  # noqa: E402

LANDSCAPE_SCENES = {"forest", "glacier", "mountain", "sea"}


def truth_pairs() -> list[tuple[str, str, np.ndarray]]:
    """(dataset, starter kind, 0/1 truth per photo; -1 where the photo says nothing of it)."""
    _, pets, _ = dataset_paths("pets")
    _, scenes, _ = dataset_paths("scenes")
    _, miml, _ = dataset_paths("miml")
    town = np.array([1 if {"buildings", "street"} & set(l) else 0 for l in scenes])
    land = np.array([1 if LANDSCAPE_SCENES & set(l) else 0 for l in scenes])
    return [
        ("pets", "cats", np.array([1 if "cats" in l else 0 for l in pets])),
        ("pets", "dogs", np.array([1 if "dogs" in l else 0 for l in pets])),
        ("scenes", "buildings and streets", town),
        ("scenes", "landscapes and nature", land),
        ("miml", "landscapes and nature", np.ones(len(miml), int)),
    ]


def prf(pred: np.ndarray, truth: np.ndarray) -> dict:
    tp = int(((pred == 1) & (truth == 1)).sum())
    fp = int(((pred == 1) & (truth == 0)).sum())
    fn = int(((pred == 0) & (truth == 1)).sum())
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return {"precision": round(p, 3), "recall": round(r, 3), "f1": round(2 * p * r / (p + r) if p + r else 0.0, 3)}


def fit_platt(masses: np.ndarray, truth: np.ndarray, iters: int = 50) -> tuple[float, float]:
    """Logistic regression of truth on logit(mass): (slope, offset), by Newton's method."""
    m = np.clip(masses, 1e-6, 1 - 1e-6)
    x = np.stack([np.log(m / (1 - m)), np.ones_like(m)], axis=1)
    w = np.array([1.0, 0.0])
    for _ in range(iters):
        p = 1 / (1 + np.exp(-x @ w))
        grad = x.T @ (p - truth)
        hess = x.T @ (x * (p * (1 - p))[:, None]) + 1e-6 * np.eye(2)
        w -= np.linalg.solve(hess, grad)
    return float(w[0]), float(w[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backbone", default="efficientnet_lite0")
    parser.add_argument("--json", type=Path, help="write the figures here")
    parser.add_argument("--fit", action="store_true", help="print the calibration fitted on all photos")
    args = parser.parse_args()

    from photosort.starter import scoring
    from photosort.starter.kinds import STARTER_NAMES, membership

    masses = {name: scoring.masses_from_embeddings(embeddings(name, args.backbone)[1], args.backbone)
              for name in ("pets", "scenes", "miml")}
    pairs = truth_pairs()
    # two halves of every dataset (alternate photos, fixed): fit on one, judge on the other
    halves = {name: np.arange(len(m)) % 2 for name, m in masses.items()}
    curves = []
    for half in (0, 1):
        xs, ys = [], []
        for name, kind, truth in pairs:
            if name == "miml":
                continue  # positives only: it would pull the curve towards "yes" for everything
            keep = halves[name] == half
            xs.append(masses[name][keep, STARTER_NAMES.index(kind)])
            ys.append(truth[keep])
        curves.append(fit_platt(np.concatenate(xs), np.concatenate(ys)))
    figures: dict = {"backbone": args.backbone, "calibration_per_half": curves, "kinds": {}}
    # scores of each half through the curve fitted on the other half
    held = {}
    for name, m in masses.items():
        out = np.zeros_like(m)
        for half in (0, 1):
            keep = halves[name] == half
            slope, offset = curves[1 - half]
            out[keep] = scoring.calibrate(m[keep], slope, offset)
        held[name] = out
    for name, kind, truth in pairs:
        pred = (held[name][:, STARTER_NAMES.index(kind)] >= 0.5).astype(int)
        figures["kinds"][f"{kind} ({name})"] = prf(pred, truth)
    cats, dogs = figures["kinds"]["cats (pets)"]["f1"], figures["kinds"]["dogs (pets)"]["f1"]
    figures["cats_dogs_macro_f1"] = round((cats + dogs) / 2, 3)
    # the issue's baseline: plain sums of the domestic cat and dog classes' probabilities, at 0.5
    probs = scoring.imagenet_probabilities(embeddings("pets", args.backbone)[1], args.backbone)
    plain_cat = probs[:, 281:286].sum(axis=1)
    plain_dog = probs @ membership()[:, STARTER_NAMES.index("dogs")]
    truth = pairs[0][2]
    base = (prf((plain_cat >= 0.5).astype(int), truth)["f1"] + prf((plain_dog >= 0.5).astype(int), 1 - truth)["f1"]) / 2
    figures["cats_dogs_macro_f1_plain_sum"] = round(base, 3)
    if args.fit:
        xs = [masses[n][:, STARTER_NAMES.index(k)] for n, k, _ in pairs if n != "miml"]
        ys = [t for n, _, t in pairs if n != "miml"]
        figures["calibration_all"] = fit_platt(np.concatenate(xs), np.concatenate(ys))
    print(json.dumps(figures, indent=2))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
