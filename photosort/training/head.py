"""The small head trained on embeddings, its loss, and the one model that averages the fold heads."""

from __future__ import annotations

import numpy as np

HIDDEN_UNITS = 256
DROPOUT = 0.4


def build_head(
    embedding_dim: int, categories: int, name: str = "head", units: int = HIDDEN_UNITS, dropout: float = DROPOUT
):
    """One hidden layer of 256, dropout 0.4, one sigmoid per category (experiments vary the
    width and dropout)."""
    import keras

    inputs = keras.Input((embedding_dim,), name="embedding")
    hidden = keras.layers.Dense(units, activation="relu", name="hidden")(inputs)
    hidden = keras.layers.Dropout(dropout, name="dropout")(hidden)
    outputs = keras.layers.Dense(categories, activation="sigmoid", name="scores")(hidden)
    return keras.Model(inputs, outputs, name=name)


def class_weighted_bce(labels: np.ndarray):
    """Binary cross-entropy with class weights for unbalanced categories, as in the published
    method: a category's positives weigh (mean examples per category) / (its examples), so a
    category with few examples is not drowned by the others. Evenly sized categories get
    plain cross-entropy (weighting positives against negatives as well measured worse)."""
    from keras import ops

    positives = np.clip(labels.sum(axis=0), 1, None)
    pos_weight = np.clip(positives.mean() / positives, 0.1, 10.0).astype("float32")

    def loss(y_true, y_pred):
        y_pred = ops.clip(y_pred, 1e-6, 1 - 1e-6)
        per_cell = -(pos_weight * y_true * ops.log(y_pred) + (1 - y_true) * ops.log(1 - y_pred))
        return ops.mean(per_cell, axis=-1)

    return loss


def average_heads(heads: list, embedding_dim: int):
    """One model that averages the fold heads: standard layers only, loads without custom objects."""
    import keras

    inputs = keras.Input((embedding_dim,), name="embedding")
    outputs = []
    for head in heads:
        # a fresh, never-compiled copy: the training loss is a closure no loader could rebuild
        fresh = build_head(embedding_dim, head.output_shape[-1], name=head.name,
                           units=head.get_layer("hidden").units, dropout=head.get_layer("dropout").rate)
        fresh.set_weights(head.get_weights())
        outputs.append(fresh(inputs))
    averaged = keras.layers.Average(name="scores")(outputs) if len(outputs) > 1 else outputs[0]
    return keras.Model(inputs, averaged, name="head")
