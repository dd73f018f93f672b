"""Real training runs on real photos with the real backbone."""

from __future__ import annotations

import numpy as np
import pytest

from helpers.photos import TRAIN_CATEGORIES, TRAIN_PER_CATEGORY, scene_photos
from photosort.catalog import Catalog
from photosort.errors import Cancelled, NotEnoughExamples
from photosort.predictor import Sorter
from photosort.registration import register_photos
from photosort.training import MIN_EXAMPLES, load_held_out, train


def test_trained_library_has_a_good_model_with_thresholds(trained_library):
    with Catalog(trained_library) as catalog:
        version = catalog.current_model()
        assert version is not None and version.file.is_file()
        assert version.categories == list(TRAIN_CATEGORIES)
        assert version.backbone == "efficientnet_lite0"
        held_out = version.metrics
        # every photo held out once: forest/sea/street are easy for an ImageNet backbone
        assert held_out["macro_f1"] >= 0.85, held_out
        for name in TRAIN_CATEGORIES:
            assert held_out["categories"][name]["support"] == TRAIN_PER_CATEGORY
            assert catalog.category(name).threshold == pytest.approx(version.thresholds[name])
            assert 0.0 < version.thresholds[name] < 1.0
        assert len(load_held_out(version).scores) == len(TRAIN_CATEGORIES) * TRAIN_PER_CATEGORY
        assert "validation" not in held_out  # the held-out scores live in their own file
        assert len(held_out["history"]["loss"]) == len(held_out["history"]["val_loss"]) > 0


def test_model_file_loads_without_custom_objects_and_matches_the_sorter(trained_library, datasets_dir):
    import keras

    from photosort import images

    with Catalog(trained_library) as catalog:
        sorter = Sorter.load(catalog)
        plain = keras.models.load_model(sorter.version.file)  # no custom_objects needed
        photos = [p for name in TRAIN_CATEGORIES for p in scene_photos(datasets_dir, name, 40, 42)]
        pixels = np.stack([images.load_rgb(p) for p in photos])
        embeddings = sorter.embed(pixels)
        scores = sorter.scores_from_embeddings(embeddings)
        np.testing.assert_allclose(plain.predict(embeddings, verbose=0), scores, atol=1e-5)
        # unseen photos land in their own category
        assert [sorter.categories[i] for i in scores.argmax(axis=1)] == [n for n in TRAIN_CATEGORIES for _ in range(2)]


def test_second_training_uses_cached_embeddings(trained_library):
    stages = []
    with Catalog(trained_library) as catalog:
        before = catalog.embedding_count()
        result = train(catalog, on_progress=lambda p: stages.append((p.stage, p.done, p.total)))
        assert catalog.embedding_count() == before  # nothing new was embedded
        assert ("embedding", 0, 0) in stages  # nothing to embed
        assert any(stage == "training" for stage, _, _ in stages)
        assert result.version.id == catalog.current_model().id == 2


def test_too_few_examples_is_an_error_naming_the_category(datasets_dir, library_dir, tmp_path):
    with Catalog(library_dir) as catalog:
        catalog.add_category("sea", tmp_path / "sea")
        catalog.add_category("forest", tmp_path / "forest")
        catalog.label("sea", [r.id for r in register_photos(catalog, scene_photos(datasets_dir, "sea", 0, 6))[0]])
        catalog.label("forest", [r.id for r in register_photos(catalog, scene_photos(datasets_dir, "forest", 0, 3))[0]])
        with pytest.raises(NotEnoughExamples, match=f"at least {MIN_EXAMPLES}.*'forest' has 3"):
            train(catalog)
        assert catalog.current_model() is None


def test_cancel_stops_training_and_saves_nothing(trained_library):
    seen = []

    def stop_once_training():
        return any(stage == "training" for stage in seen)

    with Catalog(trained_library) as catalog:
        with pytest.raises(Cancelled):
            train(catalog, on_progress=lambda p: seen.append(p.stage), should_stop=stop_once_training)
        assert [v.id for v in catalog.model_versions()] == [1]
        assert len(list(catalog.models_dir.glob("*.keras"))) == 1


def test_negative_examples_teach_none_of_these(trained_library, datasets_dir):
    """Glacier photos marked as not-forest/sea/street must score low everywhere."""
    glaciers = scene_photos(datasets_dir, "glacier", 0, 15)
    with Catalog(trained_library) as catalog:
        ids = [r.id for r in register_photos(catalog, glaciers)[0]]
        for name in TRAIN_CATEGORIES:
            catalog.label(name, ids, positive=False)
        result = train(catalog)
        assert result.metrics["examples"] == len(TRAIN_CATEGORIES) * TRAIN_PER_CATEGORY + 15
        rows = [i for i, pid in enumerate(result.held_out.photo_ids) if pid in set(ids)]
        held_out = np.array(result.held_out.scores)[rows]
        thresholds = np.array([result.version.thresholds[n] for n in TRAIN_CATEGORIES])
        # most held-out glacier photos go nowhere
        assert np.mean((held_out >= thresholds).any(axis=1)) <= 0.2
