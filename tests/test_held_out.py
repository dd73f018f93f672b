"""photosort.training.held_out: the held-out scores file beside a model, and older libraries."""

from __future__ import annotations

import numpy as np
import pytest

from helpers.photos import TRAIN_CATEGORIES, TRAIN_PER_CATEGORY
from photosort import metrics
from photosort.catalog import Catalog
from photosort.training import HeldOut, load_held_out
from photosort.training.held_out import held_out_path, write_held_out

# held-out scores as photosort wrote them into the metrics JSON before they had their own file
LEGACY = {"photo_ids": [3, 5, 8], "labels": [[1, 0], [0, 1], [0, 0]], "scores": [[0.9, 0.1], [0.2, 0.7], [0.3, 0.4]]}


def _version(catalog: Catalog, metrics_json: dict):
    model_file = catalog.models_dir / "old.keras"
    model_file.write_bytes(b"a model from an older photosort")
    return catalog.add_model_version("efficientnet_lite0", ["sea", "boat"], {"sea": 0.5, "boat": 0.5},
                                     metrics_json, model_file)


def test_a_trained_model_has_its_held_out_scores_beside_it(trained_library):
    with Catalog(trained_library) as catalog:
        version = catalog.current_model()
        assert held_out_path(version.file).is_file()
        assert held_out_path(version.file).parent == version.file.parent
        held_out = load_held_out(version)
        labelled = {p.photo.id: p.labels for p in catalog.labelled_photos()}
    assert held_out.categories == list(TRAIN_CATEGORIES)
    assert sorted(held_out.photo_ids) == sorted(labelled)  # every example held out once
    assert held_out.scores.shape == held_out.labels.shape == (len(TRAIN_CATEGORIES) * TRAIN_PER_CATEGORY, 3)
    expected = [[bool(labelled[pid].get(n)) for n in TRAIN_CATEGORIES] for pid in held_out.photo_ids]
    np.testing.assert_array_equal(held_out.labels, expected)
    for i, name in enumerate(TRAIN_CATEGORIES):  # the thresholds were chosen on exactly these
        assert metrics.best_threshold(held_out.labels[:, i], held_out.scores[:, i]) == pytest.approx(
            version.thresholds[name])


def test_round_trip_without_pickle(tmp_path):
    model_file = tmp_path / "sorter-1.keras"
    written = HeldOut([7, 9], np.array([[True, False], [False, True]]),
                      np.array([[0.8, 0.1], [0.3, 0.6]], np.float32), ["sea", "boat"])
    path = write_held_out(model_file, written)
    assert path == tmp_path / "sorter-1.heldout.npz" and not list(tmp_path.glob("*.partial"))
    with np.load(path, allow_pickle=False) as data:  # plain arrays only
        assert set(data.files) == {"photo_ids", "labels", "scores", "categories"}


def test_models_of_older_versions_fall_back_to_their_metrics(library_dir):
    with Catalog(library_dir) as catalog:
        held_out = load_held_out(_version(catalog, {"macro_f1": 0.9, "validation": LEGACY}))
    assert held_out.photo_ids == [3, 5, 8] and held_out.categories == ["sea", "boat"]
    np.testing.assert_array_equal(held_out.labels, np.array(LEGACY["labels"], bool))
    np.testing.assert_allclose(held_out.scores, LEGACY["scores"])
    assert held_out.column("boat").tolist() == pytest.approx([0.1, 0.7, 0.4])


def test_no_held_out_scores_or_a_damaged_file(library_dir):
    with Catalog(library_dir) as catalog:
        assert load_held_out(_version(catalog, {"macro_f1": 0.9})) is None
        damaged = _version(catalog, {"validation": LEGACY})
        held_out_path(damaged.file).write_bytes(b"PK\x03\x04 not really a zip")
        assert load_held_out(damaged).photo_ids == [3, 5, 8]  # falls back, no traceback
