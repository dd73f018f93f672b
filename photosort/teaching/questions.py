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
    orders = {j: list(np.argsort(margin[:, j], kind="stable")) for j in range(c)}
    return _take(orders, _in_turn, k, done, _unit(embeddings))


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


def _unit(embeddings: np.ndarray | None) -> np.ndarray | None:
    if embeddings is None:
        return None
    e = np.asarray(embeddings, np.float32)
    return e / np.maximum(np.linalg.norm(e, axis=1, keepdims=True), 1e-9)


def _in_turn(live: list[int], asked: dict[int, int]) -> int:
    """Categories take turns: the one asked least so far, lowest column first."""
    return min(live, key=lambda j: (asked[j], j))


def _take(order_by_category: dict[int, list[int]], turn, k, done, unit) -> list[tuple[int, int]]:
    """Walk categories in the order ``turn(counts_so_far)`` gives, each offering its next photo
    not asked before, not chosen this round and not a near-duplicate of one chosen."""
    chosen: list[tuple[int, int]] = []
    rows: list[int] = []
    pos = {j: 0 for j in order_by_category}
    asked = {j: 0 for j in order_by_category}
    while len(chosen) < k:
        live = [j for j in order_by_category if pos[j] < len(order_by_category[j])]
        if not live:
            break
        j = turn(live, asked)
        order = order_by_category[j]
        while pos[j] < len(order):
            i = int(order[pos[j]])
            pos[j] += 1
            if (i, j) in done or i in rows:
                continue
            if unit is not None and rows and float(np.max(unit[rows] @ unit[i])) >= NEAR_DUPLICATE:
                continue
            chosen.append((i, j))
            rows.append(i)
            break
        asked[j] += 1
    return chosen


def likely_positive_questions(
    scores: np.ndarray,
    positives: Sequence[int],
    k: int,
    exclude: Iterable[tuple[int, int]] = (),
    embeddings: np.ndarray | None = None,
) -> list[tuple[int, int]]:
    """k questions "is this photo X?" about the photos most likely to be X, X always the category
    with the fewest examples so far (counting this round's questions): answers are mostly "yes",
    and each yes is a new example where examples are scarcest."""
    scores = np.asarray(scores, np.float32)
    orders = {j: list(np.argsort(-scores[:, j], kind="stable")) for j in range(scores.shape[1])}
    count = list(positives)
    return _take(orders, lambda live, asked: min(live, key=lambda j: (count[j] + asked[j], j)), k,
                 set(exclude), _unit(embeddings))


def margin_questions(
    scores: np.ndarray,
    thresholds: Sequence[float],
    k: int,
    exclude: Iterable[tuple[int, int]] = (),
    embeddings: np.ndarray | None = None,
) -> list[tuple[int, int]]:
    """k questions about the photos whose two leading categories are closest (scores measured
    from each category's threshold), each asked about its leading one; categories in turn."""
    scores = np.asarray(scores, np.float32)
    lead = scores - np.asarray(thresholds, np.float32)[None, :]
    top2 = np.sort(lead, axis=1)[:, -2:] if lead.shape[1] > 1 else np.concatenate([lead * 0, lead], 1)
    margin = top2[:, 1] - top2[:, 0]
    best = lead.argmax(axis=1)
    orders = {j: [int(i) for i in np.argsort(margin, kind="stable") if best[i] == j] for j in range(scores.shape[1])}
    return _take(orders, _in_turn, k, set(exclude), _unit(embeddings))
