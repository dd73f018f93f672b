"""Which photos the teach loop asks about (photosort.teaching.questions), on real embeddings."""

from __future__ import annotations

import numpy as np

from photosort.teaching import choose_questions, likely_positive_questions, margin_questions, random_questions
from photosort.teaching.retrain import labels_matrix


def test_likely_positive_asks_the_category_with_fewest_examples_its_likeliest_photos():
    scores = np.array([[0.9, 0.1], [0.8, 0.2], [0.1, 0.7], [0.2, 0.95], [0.3, 0.4]])
    asked = likely_positive_questions(scores, positives=[5, 2], k=3)
    # category 1 has 2 examples against 5: it is asked about until its count (with this
    # round's questions) catches up, its likeliest photos first
    assert asked == [(3, 1), (2, 1), (4, 1)]
    assert likely_positive_questions(scores, positives=[3, 2], k=3) == [(3, 1), (0, 0), (2, 1)]
    assert likely_positive_questions(scores, [5, 2], 3, exclude=[(3, 1)])[0] == (2, 1)


def test_near_duplicates_are_not_asked_together():
    rng = np.random.default_rng(0)
    e = rng.normal(size=(4, 16))
    e[1] = e[0] + 1e-3  # photo 1 is photo 0 again
    scores = np.array([[0.9], [0.89], [0.5], [0.4]])
    rows = [i for i, _ in likely_positive_questions(scores, [0], 3, embeddings=e)]
    assert rows == [0, 2, 3]
    rows = [i for i, _ in choose_questions(np.array([[0.5], [0.5], [0.9], [0.1]]), [0.5], 3, embeddings=e)]
    assert 0 in rows and 1 not in rows


def test_margin_asks_about_photos_torn_between_two_categories():
    scores = np.array([[0.9, 0.1], [0.55, 0.5], [0.2, 0.8]])
    assert margin_questions(scores, [0.5, 0.5], 1) == [(1, 0)]


def test_random_questions_never_repeat():
    rng = np.random.default_rng(1)
    asked = random_questions(3, 2, 6, [], rng)
    assert len(set(asked)) == 6
    assert random_questions(3, 2, 6, asked, rng) == []


def test_labels_matrix_follows_the_catalog_rule_or_keeps_negatives_to_themselves():
    labels = {(4, 0): True, (7, 1): False}
    rows, y = labels_matrix(labels, 3)
    assert rows.tolist() == [4, 7] and y.tolist() == [[1, 0, 0], [0, 0, 0]]
    _, y = labels_matrix(labels, 3, negatives_stay=True)
    assert y.tolist() == [[1, 0, 0], [-1, 0, -1]]
