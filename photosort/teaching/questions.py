"""Which photos to ask about: those whose score is closest to a category's threshold
(uncertainty sampling), spread over the categories in turn, never two near-duplicates."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

NEAR_DUPLICATE = 0.95  # cosine of embeddings above which two photos count as the same shot


def choose_questions(
    scores: np.ndarray,
    thresholds: Sequence[float],
    k: int,
    exclude: Iterable[tuple[int, int]] = (),
    embeddings: np.ndarray | None = None,
    best_only: bool = False,
) -> list[tuple[int, int]]:
    """k (photo row, category column) questions "is this photo of that category?".

    scores (N, C) in 0..1; thresholds (C,); exclude: pairs already answered (or skipped).
    Categories take turns, each offering its photo closest to its threshold; a photo already
    chosen, or a near-duplicate of one (cosine of embeddings >= NEAR_DUPLICATE), is passed over.
    """
    scores = np.asarray(scores, np.float32)
    n, c = scores.shape
    done = set(exclude)
    margin = np.abs(scores - np.asarray(thresholds, np.float32)[None, :])
    if best_only:  # ask each photo only about the category it leans to most
        margin = np.where(scores >= scores.max(axis=1, keepdims=True), margin, np.inf)
    orders = [list(np.argsort(margin[:, j], kind="stable")) for j in range(c)]
    unit = None
    if embeddings is not None:
        e = np.asarray(embeddings, np.float32)
        unit = e / np.maximum(np.linalg.norm(e, axis=1, keepdims=True), 1e-9)
    chosen: list[tuple[int, int]] = []
    rows: list[int] = []
    pos = [0] * c
    while len(chosen) < k and any(pos[j] < n for j in range(c)):
        for j in range(c):
            while pos[j] < n:
                i = int(orders[j][pos[j]])
                pos[j] += 1
                if (i, j) in done or i in rows:
                    continue
                if unit is not None and rows and float(np.max(unit[rows] @ unit[i])) >= NEAR_DUPLICATE:
                    continue
                chosen.append((i, j))
                rows.append(i)
                break
            if len(chosen) >= k:
                break
    return chosen


def random_questions(n: int, c: int, k: int, exclude: Iterable[tuple[int, int]], rng: np.random.Generator) -> list[tuple[int, int]]:
    """The baseline: k random (photo, category) questions not asked before."""
    done = set(exclude)
    out: list[tuple[int, int]] = []
    while len(out) < k and len(done) < n * c:
        pair = (int(rng.integers(n)), int(rng.integers(c)))
        if pair not in done:
            done.add(pair)
            out.append(pair)
    return out
