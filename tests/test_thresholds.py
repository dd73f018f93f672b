"""photosort.training.thresholds: a threshold set by hand survives retraining; the rest follow the model."""

from __future__ import annotations

import pytest

from helpers.photos import scene_photos
from photosort.catalog import Catalog
from photosort.registration import register_photos
from photosort.training import train
from photosort.training.thresholds import thresholds_after_training


def test_only_thresholds_moved_by_hand_are_kept():
    chosen = {"sea": 0.2, "forest": 0.6, "street": 0.4, "boat": 0.7}
    current = {"sea": 0.35, "forest": 0.5, "street": 0.3004, "boat": 0.5}
    previous = {"sea": 0.3, "forest": 0.5, "street": 0.30037}  # boat is new since
    apply, kept = thresholds_after_training(chosen, current, previous)
    assert kept == {"sea": 0.35}
    # forest untouched, street at the model's choice rounded to the slider's step, boat new
    assert apply == {"forest": 0.6, "street": 0.4, "boat": 0.7}
    assert thresholds_after_training(chosen, current, None) == (chosen, {})  # the first training


def test_a_hand_set_threshold_survives_retraining_on_more_examples(trained_library, datasets_dir):
    with Catalog(trained_library) as catalog:
        first = catalog.current_model()
        hand = 0.35 if abs(first.thresholds["sea"] - 0.35) > 0.05 else 0.55
        catalog.set_threshold("sea", hand)  # the person moved the slider
        catalog.set_threshold("street", round(first.thresholds["street"], 3))  # "Best F1" on the slider
        for name in ("sea", "forest", "street"):
            catalog.label(name, [r.id for r in register_photos(catalog, scene_photos(datasets_dir, name, 15, 19))[0]])

        result = train(catalog)
        second = result.version
        assert catalog.category("sea").threshold == pytest.approx(hand)
        assert result.kept_thresholds == {"sea": pytest.approx(hand)}
        # the new model still records its own choice, which "Best F1" can take
        assert second.thresholds["sea"] == pytest.approx(result.metrics["categories"]["sea"]["threshold"])
        for name in ("forest", "street"):
            assert catalog.category(name).threshold == pytest.approx(second.thresholds[name])

        catalog.set_threshold("sea", second.thresholds["sea"])  # back to the model's choice
        third = train(catalog, epochs=20).version
        assert catalog.category("sea").threshold == pytest.approx(third.thresholds["sea"])
