"""photosort.training.fine_tune: the second stage on pixels, through the same loop as the head."""

from __future__ import annotations

import numpy as np
import pytest

from helpers.photos import TRAIN_CATEGORIES, scene_photos
from photosort.catalog import Catalog
from photosort.errors import Cancelled
from photosort.predictor import Sorter
from photosort.training import train
from photosort.training.fine_tune import build_fine_tune_model
from photosort.training.fitting import fit
from photosort.training.head import class_weighted_bce


def test_fine_tuning_saves_a_full_model_the_sorter_can_use(trained_library, datasets_dir):
    """The optional second stage: top of the backbone trained end to end, saved with it."""
    from photosort import images

    with Catalog(trained_library) as catalog:
        result = train(catalog, fine_tune=True, fine_tune_epochs=1)
        version = result.version
        assert version.fine_tuned and version.id == 2
        sorter = Sorter.load(catalog)
        assert sorter.embedding_key == f"efficientnet_lite0#ft{version.id}"
        photos = [p for name in TRAIN_CATEGORIES for p in scene_photos(datasets_dir, name, 40, 41)]
        scores = sorter.scores_from_embeddings(sorter.embed(np.stack([images.load_rgb(p) for p in photos])))
        assert [sorter.categories[i] for i in scores.argmax(axis=1)] == list(TRAIN_CATEGORIES)
        assert set(result.metrics["categories"]) == set(TRAIN_CATEGORIES)


def test_cancel_mid_fine_tune_stops_within_a_step(trained_library):
    """Stop asked for on the second poll of fine-tuning (after its first step of about five in
    an epoch): training stops before that epoch ends and saves nothing."""
    seen, polls = [], []

    def should_stop():
        if any(p.stage == "fine-tuning" for p in seen):
            polls.append(1)
        return len(polls) >= 2

    with Catalog(trained_library) as catalog:
        with pytest.raises(Cancelled):
            train(catalog, fine_tune=True, fine_tune_epochs=2, on_progress=seen.append, should_stop=should_stop)
        assert [v.id for v in catalog.model_versions()] == [1]
    assert len(polls) == 2
    assert not [p for p in seen if p.stage == "fine-tuning" and "loss" in p.metrics]  # no epoch finished


def test_fine_tuning_keeps_the_weights_with_the_best_validation_loss(trained_library, datasets_dir):
    import keras

    from photosort import images

    def pixels(start, stop):
        paths = [p for name in TRAIN_CATEGORIES for p in scene_photos(datasets_dir, name, start, stop)]
        labels = [[float(n == name) for n in TRAIN_CATEGORIES] for name in TRAIN_CATEGORIES for _ in range(start, stop)]
        return np.stack([images.load_rgb(p) for p in paths]).astype(np.float32), np.array(labels, np.float32)

    x, y = pixels(15, 19)
    x_val, y_val = pixels(19, 21)
    wrong = np.roll(y, 1, axis=1)  # taught the wrong categories, the validation loss can only get worse
    with Catalog(trained_library) as catalog:
        head = keras.models.load_model(catalog.current_model().file)
    model = build_fine_tune_model(head, "efficientnet_lite0")
    loss_fn = class_weighted_bce(wrong)
    history = fit(model, x, wrong, x_val, y_val, loss_fn, learning_rate=1e-3, max_epochs=3, patience=3,
                  batch_size=4, steps_per_call=1)
    assert len(history["val_loss"]) == 3 and int(np.argmin(history["val_loss"])) < 2
    restored = float(np.mean(loss_fn(y_val, model.predict(x_val, batch_size=4, verbose=0))))
    assert restored == pytest.approx(min(history["val_loss"]), rel=1e-3)
