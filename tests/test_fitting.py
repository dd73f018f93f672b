"""photosort.training.fitting: the one training loop, on real cached embeddings of real photos."""

from __future__ import annotations

import numpy as np
import pytest

from helpers.photos import TRAIN_CATEGORIES
from photosort.catalog import Catalog
from photosort.errors import Cancelled
from photosort.training.fitting import fit
from photosort.training.head import build_head, class_weighted_bce


@pytest.fixture(scope="module")
def embedded(trained_library_template):
    """(embeddings of view 0, labels) of the trained library's 45 examples, from its cache."""
    with Catalog(trained_library_template) as catalog:
        labelled = catalog.labelled_photos()
        cached = catalog.get_embeddings([p.photo.content_hash for p in labelled], "efficientnet_lite0", 0)
    x = np.stack([cached[p.photo.content_hash] for p in labelled]).astype(np.float32)
    y = np.array([[float(bool(p.labels.get(n))) for n in TRAIN_CATEGORIES] for p in labelled], np.float32)
    return x, y


def _split(embedded, seed=0):
    x, y = embedded
    rows = np.random.default_rng(seed).permutation(len(x))
    return x[rows[:30]], y[rows[:30]], x[rows[30:]], y[rows[30:]]


def test_best_weights_by_validation_loss_are_kept(embedded):
    import keras

    x, y, x_val, y_val = _split(embedded)
    wrong = np.roll(y, 1, axis=1)  # every training photo labelled as another category
    keras.utils.set_random_seed(0)
    head = build_head(x.shape[1], y.shape[1])
    loss_fn = class_weighted_bce(wrong)
    history = fit(head, x, wrong, x_val, y_val, loss_fn, max_epochs=40, patience=5, batch_size=8)
    best = int(np.argmin(history["val_loss"]))
    assert best < len(history["val_loss"]) - 1  # the loss rose after its best epoch...
    assert len(history["val_loss"]) <= best + 1 + 5  # ...and training stopped after `patience` epochs
    restored = float(np.mean(loss_fn(y_val, head(x_val, training=False))))
    assert restored == pytest.approx(min(history["val_loss"]), rel=1e-4)  # ...with the best weights back


def test_one_step_per_call_trains_as_one_epoch_per_call(embedded):
    import keras

    x, y, x_val, y_val = _split(embedded)
    histories = []
    for steps_per_call in (None, 1):
        keras.utils.set_random_seed(0)
        head = build_head(x.shape[1], y.shape[1])
        histories.append(fit(head, x, y, x_val, y_val, class_weighted_bce(y), max_epochs=5, batch_size=8,
                             steps_per_call=steps_per_call, seed=3))
    for key in ("loss", "val_loss"):
        np.testing.assert_allclose(histories[0][key], histories[1][key], rtol=1e-4)


@pytest.mark.parametrize("steps_per_call, epochs_before_cancel", [(None, 2), (1, 0)])
def test_cancel_is_polled_per_epoch_or_per_step(embedded, steps_per_call, epochs_before_cancel):
    """A whole-epoch call polls should_stop once an epoch; one step per call polls after each
    step, so a stop asked for on the third poll lands inside the first epoch (4 steps)."""
    x, y, x_val, y_val = _split(embedded)
    polls, epochs = [], []

    def should_stop():
        polls.append(1)
        return len(polls) >= 3

    head = build_head(x.shape[1], y.shape[1])
    with pytest.raises(Cancelled):
        fit(head, x, y, x_val, y_val, class_weighted_bce(y), max_epochs=10, batch_size=8,
            steps_per_call=steps_per_call, should_stop=should_stop, on_epoch=lambda e, logs: epochs.append(e))
    assert len(polls) == 3
    assert len(epochs) == epochs_before_cancel


def test_progress_reports_every_epoch_with_both_losses(embedded):
    x, y, x_val, y_val = _split(embedded)
    seen = []
    history = fit(build_head(x.shape[1], y.shape[1]), x, y, x_val, y_val, class_weighted_bce(y), max_epochs=4,
                  patience=10, on_epoch=lambda epoch, logs: seen.append((epoch, logs)))
    assert [epoch for epoch, _ in seen] == [1, 2, 3, 4]
    assert [logs["val_loss"] for _, logs in seen] == history["val_loss"]
    assert all(np.isfinite(logs["loss"]) for _, logs in seen)
