"""The one training loop, for the head on embeddings and for fine-tuning on pixels.

Adam on shuffled mini-batches, early stopping on the validation loss, and the weights with the
best validation loss kept. The steps run in a compiled TensorFlow function: keras' fit() spends
~100x longer on per-epoch bookkeeping than on the small head's arithmetic. ``steps_per_call``
sets how many steps one compiled call runs: the head runs a whole epoch per call; fine-tuning,
where a step on pixels takes about a second, runs one, so should_stop is polled between steps
and Cancel takes effect within a batch.
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np

from photosort.progress import StopFn, check_stop

MAX_EPOCHS = 150
PATIENCE = 12  # epochs without a better validation loss before stopping
LEARNING_RATE = 1e-3
BATCH_SIZE = 64
MIN_IMPROVEMENT = 1e-4  # a validation loss must drop by this much to count as better

EpochFn = Callable[[int, dict[str, float]], None]  # (epoch from 1, {"loss", "val_loss"})


def fit(
    model,
    x: np.ndarray,
    y: np.ndarray,
    x_val: np.ndarray,
    y_val: np.ndarray,
    loss_fn,
    *,
    learning_rate: float = LEARNING_RATE,
    max_epochs: int = MAX_EPOCHS,
    patience: int = PATIENCE,
    batch_size: int = BATCH_SIZE,
    steps_per_call: int | None = None,
    on_epoch: EpochFn | None = None,
    should_stop: StopFn | None = None,
    seed: int = 0,
) -> dict[str, list[float]]:
    """Train ``model`` in place; returns the per-epoch "loss" and "val_loss".

    ``steps_per_call`` None runs each epoch (and its validation) as one compiled call, polling
    should_stop once per epoch; a number runs that many steps per call and validates in batches,
    polling should_stop between calls. ``loss_fn(y_true, y_pred)`` gives one loss per photo.
    Raises Cancelled when should_stop says so; the model's weights are then undefined.
    """
    import keras
    import tensorflow as tf

    optimizer = keras.optimizers.Adam(learning_rate)
    optimizer.build(model.trainable_variables)
    x, y = tf.constant(x, tf.float32), tf.constant(y, tf.float32)
    x_val, y_val = tf.constant(x_val, tf.float32), tf.constant(y_val, tf.float32)
    count, val_count = len(x), len(x_val)
    steps = max(1, math.ceil(count / batch_size))
    per_call = steps if steps_per_call is None else max(1, min(steps_per_call, steps))
    val_batch = max(1, val_count) if steps_per_call is None else batch_size
    poll_within = steps_per_call is not None

    @tf.function
    def train_steps(order, first, n):
        total = tf.constant(0.0)
        for step in tf.range(first, first + n):
            rows = order[step * batch_size : (step + 1) * batch_size]
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(loss_fn(tf.gather(y, rows), model(tf.gather(x, rows), training=True)))
            grads = tape.gradient(loss, model.trainable_variables)
            optimizer.apply_gradients(zip(grads, model.trainable_variables))
            total += loss
        return total

    @tf.function
    def val_loss_sum(start, stop):
        return tf.reduce_sum(loss_fn(y_val[start:stop], model(x_val[start:stop], training=False)))

    rng = np.random.default_rng(seed)
    history: dict[str, list[float]] = {"loss": [], "val_loss": []}
    best, best_weights, since_best = np.inf, model.get_weights(), 0
    for epoch in range(1, max_epochs + 1):
        check_stop(should_stop)
        order = tf.constant(rng.permutation(count), tf.int32)
        total = 0.0
        for first in range(0, steps, per_call):
            if first and poll_within:
                check_stop(should_stop)
            total += float(train_steps(order, tf.constant(first), tf.constant(min(per_call, steps - first))))
        val_total = 0.0
        for start in range(0, val_count, val_batch):
            if poll_within:
                check_stop(should_stop)
            val_total += float(val_loss_sum(tf.constant(start), tf.constant(min(start + val_batch, val_count))))
        loss, val_loss = total / steps, val_total / max(1, val_count)
        history["loss"].append(loss)
        history["val_loss"].append(val_loss)
        if on_epoch:
            on_epoch(epoch, {"loss": loss, "val_loss": val_loss})
        if val_loss < best - MIN_IMPROVEMENT:
            best, best_weights, since_best = val_loss, model.get_weights(), 0
        else:
            since_best += 1
            if since_best >= patience:
                break
    model.set_weights(best_weights)
    return history
