"""Family 3: the published CNN trained from scratch on pixels.

Four convolution + max-pooling blocks (16, 32, 64, 128 filters of 3×3), dropout, two dense
layers of 512, one sigmoid per category; trained by training's one loop (``fitting.fit``).
"""

from __future__ import annotations

import time

import numpy as np

from photosort.experiments.balance import training_set
from photosort.experiments.configs import Config
from photosort.experiments.features import aug_for
from photosort.experiments.frozen import Context
from photosort.experiments.pixels import view_of
from photosort.experiments.scoring import Outcome
from photosort.training import fit

FILTERS = (16, 32, 64, 128)
EPOCHS = 25
PATIENCE = 5
BATCH_SIZE = 32


def build_cnn(size: int, categories: int, width: int = 512, dropout: float = 0.5):
    import keras

    inputs = keras.Input((size, size, 3), name="image")
    x = keras.layers.Rescaling(1 / 255.0)(inputs)
    for filters in FILTERS:
        x = keras.layers.Conv2D(filters, 3, padding="same", activation="relu")(x)
        x = keras.layers.MaxPooling2D(2)(x)
    x = keras.layers.Flatten()(x)
    x = keras.layers.Dropout(dropout)(x)
    x = keras.layers.Dense(width, activation="relu")(x)
    x = keras.layers.Dense(width, activation="relu")(x)
    x = keras.layers.Dropout(dropout)(x)
    outputs = keras.layers.Dense(categories, activation="sigmoid", name="scores")(x)
    return keras.Model(inputs, outputs, name="scratch_cnn")


def _pixels(ctx: Context, pairs, size: int, aug: str) -> np.ndarray:
    pix = ctx.store.get([r for r, _ in pairs], size)
    return np.stack([view_of(p, v, ctx.store.seed(r), aug_for(v, aug)) for p, (r, v) in zip(pix, pairs)]).astype(np.float32)


def run_cnn(ctx: Context, config: Config) -> Outcome:
    import keras

    size = config.size or 128
    ts = training_set(ctx.data, config)
    data = ts.data
    val_rows, test_rows = data.rows("val"), data.rows("test")
    ctx.report("reading photos")
    x = _pixels(ctx, ts.pairs, size, config.aug)
    x_val = _pixels(ctx, [(int(r), 0) for r in val_rows], size, config.aug)
    keras.utils.set_random_seed(ctx.seed)
    model = build_cnn(size, len(data.categories), config.width, config.dropout)
    began = time.perf_counter()
    epochs = config.epochs or EPOCHS
    history = fit(
        model, x, ts.labels, x_val, data.labels[val_rows], ts.loss,
        max_epochs=epochs, patience=PATIENCE, batch_size=BATCH_SIZE,
        on_epoch=lambda e, logs: ctx.report(f"epoch {e}/{epochs}, val loss {logs['val_loss']:.3f}"),
        should_stop=ctx.should_stop, seed=ctx.seed,
    )
    train_seconds = time.perf_counter() - began
    x_test = _pixels(ctx, [(int(r), 0) for r in test_rows], size, "none")
    began = time.perf_counter()
    test_scores = np.asarray(model.predict(x_test, batch_size=64, verbose=0))
    seconds = time.perf_counter() - began
    return Outcome(
        data.categories, data.labels[val_rows], np.asarray(model.predict(x_val, batch_size=64, verbose=0)),
        data.labels[test_rows], test_scores, history,
        train_seconds=train_seconds, photos_per_s=len(test_rows) / max(seconds, 1e-9),
        notes={**ts.notes, "input_size": size, "train_samples": len(ts.pairs)},
    )
