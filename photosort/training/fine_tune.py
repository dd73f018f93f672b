"""The optional second stage: the top of the backbone and the head trained end to end on pixels.

A low learning rate, BatchNorm statistics frozen, fold 0 held out; the same loop as the head
(``fitting.fit``), one step per compiled call so Cancel takes effect within a batch.
"""

from __future__ import annotations

import numpy as np

from photosort.progress import Progress, ProgressFn, StopFn
from photosort.training.examples import Examples, pixels
from photosort.training.fitting import fit
from photosort.training.head import class_weighted_bce

FINE_TUNE_FRACTION = 0.15  # of the backbone's layers, from the top
FINE_TUNE_LEARNING_RATE = 1e-5
FINE_TUNE_EPOCHS = 4
FINE_TUNE_BATCH_SIZE = 16
FINE_TUNE_PATIENCE = 2
STEPS_PER_CALL = 1  # a step on pixels takes ~1 s on a laptop CPU: poll should_stop after each


def build_fine_tune_model(head, backbone_name: str):
    """pixels → backbone (top FINE_TUNE_FRACTION trainable, BatchNorm frozen) → head."""
    import keras

    from photosort import backbones

    base = backbones.build_backbone(backbone_name)
    backbone = keras.Model(base.inputs, base.outputs, name="backbone")
    trainable_from = int(len(backbone.layers) * (1 - FINE_TUNE_FRACTION))
    for i, layer in enumerate(backbone.layers):
        # BatchNorm statistics stay frozen: few photos would wreck them
        layer.trainable = i >= trainable_from and not isinstance(layer, keras.layers.BatchNormalization)
    size = base.inputs[0].shape[1]
    inputs = keras.Input((size, size, 3), name="image")
    return keras.Model(inputs, head(backbone(inputs)), name="photosort_sorter")


def fine_tune(
    examples: Examples,
    head,
    backbone_name: str,
    fold_of: np.ndarray,
    epochs: int,
    progress: ProgressFn,
    should_stop: StopFn | None,
    seed: int,
):
    """Train backbone top + head end to end on pixels at a low learning rate, holding out fold 0.
    Returns (image model, held-out scores, held-out rows)."""
    import keras

    keras.utils.set_random_seed(seed)
    model = build_fine_tune_model(head, backbone_name)
    size = int(model.inputs[0].shape[1])  # the backbone's own input (Lite1 240, Lite2 260)
    train_rows, val_rows = np.flatnonzero(fold_of != 0), np.flatnonzero(fold_of == 0)
    progress(Progress("fine-tuning", 0, None, "Reading photos for fine-tuning"))
    x, y = pixels(examples, train_rows, views=1, size=size), np.tile(examples.labels[train_rows], (2, 1))
    x_val = pixels(examples, val_rows, views=0, size=size)
    fit(
        model, x, y, x_val, examples.labels[val_rows], class_weighted_bce(examples.labels[train_rows]),
        learning_rate=FINE_TUNE_LEARNING_RATE,
        max_epochs=epochs,
        patience=FINE_TUNE_PATIENCE,
        batch_size=FINE_TUNE_BATCH_SIZE,
        steps_per_call=STEPS_PER_CALL,
        on_epoch=lambda epoch, logs: progress(Progress(
            "fine-tuning", epoch, epochs, f"round 1/1, epoch {epoch}", {**logs, "fold": 0, "epoch": epoch},
        )),
        should_stop=should_stop,
        seed=seed,
    )
    scores = np.asarray(model.predict(x_val, batch_size=32, verbose=0), dtype=np.float32)
    return model, scores, val_rows  # never compiled: it saves without the training loss
