"""Labels → cached backbone embeddings → a small sigmoid head → per-category thresholds.

The published transfer-learning recipe, made fast: the frozen backbone embeds each photo and a
few augmented views of it once (cached in the catalog by content hash), and only the small head
(Dense 256 → Dropout 0.4 → one sigmoid per category) trains, on those embeddings.

The head is trained k times on stratified folds, each with early stopping and best weights by
validation loss; every photo is thus held out once, and each category's threshold is chosen to
maximise F1 on those held-out predictions. The saved model averages the k heads. An optional
second stage fine-tunes the top of the backbone at a low learning rate.
"""

from __future__ import annotations

import logging
import math
import os
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from photosort import images, metrics
from photosort.backbones import DEFAULT_BACKBONE
from photosort.catalog import Catalog, LabelledPhoto, ModelVersionRecord
from photosort.errors import Cancelled, CategoryError, ImageError, NotEnoughExamples
from photosort.progress import Progress, ProgressFn, StopFn, check_stop

log = logging.getLogger(__name__)

MIN_EXAMPLES = 5  # per category: fewer cannot be split into training and held-out photos
AUGMENTED_VIEWS = 4  # embeddings per photo besides the original (rotation, flip, colour, zoom)
MAX_FOLDS = 5
MAX_EPOCHS = 150
PATIENCE = 12  # epochs without a better validation loss before stopping
HIDDEN_UNITS = 256
DROPOUT = 0.4
LEARNING_RATE = 1e-3
BATCH_SIZE = 64
EMBED_CHUNK = 32  # photos read and embedded per step (each with all its views)


@dataclass
class TrainResult:
    version: ModelVersionRecord
    metrics: dict  # {"categories": {...}, "micro_f1", "macro_f1", "history", "validation", ...}
    history: dict[str, list[float]] = field(default_factory=dict)
    skipped: list[tuple[Path, str]] = field(default_factory=list)  # unreadable examples


@dataclass
class _Examples:
    photos: list[LabelledPhoto]
    labels: np.ndarray  # (N, C) 0/1
    embeddings: np.ndarray  # (V + 1, N, D): view 0 is the photo itself


def train(
    catalog: Catalog,
    backbone: str | None = None,
    epochs: int | None = None,
    fine_tune: bool = False,
    fine_tune_epochs: int | None = None,
    views: int = AUGMENTED_VIEWS,
    folds: int = MAX_FOLDS,
    on_progress: ProgressFn | None = None,
    should_stop: StopFn | None = None,
    seed: int = 0,
) -> TrainResult:
    """Train a sorter on the catalog's labelled photos, save it and make it the current one."""
    progress = on_progress or (lambda p: None)
    backbone = backbone or DEFAULT_BACKBONE
    categories = [c.name for c in catalog.categories()]
    labelled = catalog.labelled_photos()
    _check_examples(categories, labelled)
    examples, skipped = _embed_examples(catalog, labelled, categories, backbone, views, progress, should_stop)
    _check_examples(categories, examples.photos, skipped)

    fold_of = stratified_folds(examples.labels, min(folds, _fewest_positives(examples.labels)), seed)
    heads, held_out, history = _cross_validate(examples, fold_of, epochs or MAX_EPOCHS, progress, should_stop, seed)
    thresholds = {
        name: metrics.best_threshold(examples.labels[:, i], held_out[:, i]) for i, name in enumerate(categories)
    }
    result = metrics.report(categories, examples.labels, held_out, thresholds)
    model = _average_heads(heads, examples.embeddings.shape[-1])
    validation = held_out
    if fine_tune:
        model, validation, val_rows = _fine_tune(
            examples, model, backbone, fold_of, fine_tune_epochs or FINE_TUNE_EPOCHS, progress, should_stop, seed
        )
        labels = examples.labels[val_rows]
        thresholds = {name: metrics.best_threshold(labels[:, i], validation[:, i]) for i, name in enumerate(categories)}
        result = metrics.report(categories, labels, validation, thresholds)
        held_rows = val_rows
    else:
        held_rows = np.arange(len(examples.photos))
    result["history"] = history
    result["validation"] = {  # held-out scores, so the GUI can show precision/recall at any threshold
        "photo_ids": [examples.photos[i].photo.id for i in held_rows],
        "labels": examples.labels[held_rows].astype(int).tolist(),
        "scores": np.round(validation, 5).tolist(),
    }
    result["examples"] = len(examples.photos)
    result["views"] = views
    result["folds"] = int(fold_of.max() + 1)
    check_stop(should_stop)
    progress(Progress("saving", 0, 1, "Saving the sorter"))
    version = _save(catalog, model, backbone, categories, thresholds, result, fine_tune)
    catalog.set_thresholds(thresholds)
    progress(Progress("saving", 1, 1, f"Saved model version {version.id}"))
    return TrainResult(version=version, metrics=result, history=history, skipped=skipped)


# -- examples ------------------------------------------------------------------------------


def _fewest_positives(labels: np.ndarray) -> int:
    return int(labels.sum(axis=0).min())


def _check_examples(categories: list[str], labelled: list[LabelledPhoto], skipped=()) -> None:
    if not categories:
        raise CategoryError("There are no categories yet: add one with 'photosort category add'.")
    counts = {name: 0 for name in categories}
    for item in labelled:
        for name, positive in item.labels.items():
            if positive and name in counts:
                counts[name] += 1
    short = [f"'{name}' has {n}" for name, n in counts.items() if n < MIN_EXAMPLES]
    note = f" ({len(skipped)} example photos could not be read)" if skipped else ""
    if short:
        raise NotEnoughExamples(
            f"Each category needs at least {MIN_EXAMPLES} example photos: {', '.join(short)}{note}."
        )
    # a sigmoid learns "is it X?" only if it also sees photos that are not X
    lonely = [name for name, n in counts.items() if len(labelled) - n < MIN_EXAMPLES]
    if lonely:
        raise NotEnoughExamples(
            f"'{lonely[0]}' needs at least {MIN_EXAMPLES} photos that are not in it: add another "
            f"category, or label some photos as not '{lonely[0]}' (negative examples){note}."
        )


def _embed_examples(
    catalog: Catalog,
    labelled: list[LabelledPhoto],
    categories: list[str],
    backbone: str,
    views: int,
    progress: ProgressFn,
    should_stop: StopFn | None,
) -> tuple[_Examples, list[tuple[Path, str]]]:
    """Embeddings of every example and its augmented views, from the cache where possible."""
    from photosort import backbones

    hashes = [item.photo.content_hash for item in labelled]
    cached = [catalog.get_embeddings(hashes, backbone, view) for view in range(views + 1)]
    missing = [item for item in labelled if any(item.photo.content_hash not in c for c in cached)]
    skipped: list[tuple[Path, str]] = []
    total = len(missing) * (views + 1)
    progress(Progress("embedding", 0, total, f"{len(labelled) - len(missing)} of {len(labelled)} photos cached"))
    if missing:
        embedder = backbones.get_embedder(backbone)
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=max(2, min(4, os.cpu_count() or 2))) as pool:
            for start in range(0, len(missing), EMBED_CHUNK):
                check_stop(should_stop)
                chunk = missing[start : start + EMBED_CHUNK]
                loaded = list(pool.map(lambda item: _views_of(item, embedder.input_size, views), chunk))
                ok = [(item, pix) for item, pix in zip(chunk, loaded) if not isinstance(pix, str)]
                skipped += [(item.photo.path, pix) for item, pix in zip(chunk, loaded) if isinstance(pix, str)]
                if ok:
                    vectors = embedder.embed(np.concatenate([pix for _, pix in ok]))
                    vectors = vectors.reshape(len(ok), views + 1, -1)
                    for view in range(views + 1):
                        fresh = {item.photo.content_hash: vectors[i, view] for i, (item, _) in enumerate(ok)}
                        catalog.put_embeddings(backbone, view, fresh)
                        cached[view].update(fresh)
                done = min(start + EMBED_CHUNK, len(missing)) * (views + 1)
                rate = done / max(time.monotonic() - started, 1e-6)
                progress(Progress("embedding", done, total, chunk[-1].photo.path.name, {"images_per_s": rate}))
    for path, reason in skipped:
        log.warning("skipped example %s: %s", path, reason)
    usable = [item for item in labelled if all(item.photo.content_hash in c for c in cached)]
    labels = np.array(
        [[1.0 if item.labels.get(name) else 0.0 for name in categories] for item in usable], dtype=np.float32
    ).reshape(len(usable), len(categories))
    embeddings = np.stack(
        [np.stack([cached[v][item.photo.content_hash] for item in usable]) for v in range(views + 1)]
    ) if usable else np.zeros((views + 1, 0, 0), dtype=np.float32)
    return _Examples(usable, labels, embeddings), skipped


def _views_of(item: LabelledPhoto, size: int, views: int) -> np.ndarray | str:
    """(views + 1, S, S, 3) pixels of a photo and its augmented views, or why it can't be read."""
    try:
        rgb = images.load_rgb(item.photo.path, size)
    except ImageError as exc:
        return exc.reason
    seed = int(item.photo.content_hash[:8], 16)  # same views for the same content, every time
    return np.stack([images.augment(rgb, view, seed) for view in range(views + 1)])


# -- folds ---------------------------------------------------------------------------------


def stratified_folds(labels: np.ndarray, k: int, seed: int = 0) -> np.ndarray:
    """A fold number in 0..k-1 per photo, spreading every category's photos over the folds.

    Iterative stratification for multi-label data (Sechidis, Tsoumakas & Vlahavas, 2011): the
    category with the fewest unassigned photos goes first, each of its photos to the fold that
    still wants most of that category; photos with no label fill the emptiest folds last.
    """
    k = max(2, k)
    rng = np.random.default_rng(seed)
    positive = labels > 0
    wanted = np.outer(np.full(k, 1.0 / k), positive.sum(axis=0))  # (fold, category)
    wanted_size = np.full(k, len(labels) / k)
    fold_of = np.full(len(labels), -1, dtype=np.int64)
    order = rng.permutation(len(labels))  # random tie-breaking, reproducible by seed

    def assign(row: int, category: int | None) -> None:
        want = wanted[:, category] if category is not None else wanted_size
        best = np.flatnonzero(want == want.max())
        best = best[wanted_size[best] == wanted_size[best].max()]
        fold = int(rng.choice(best))
        fold_of[row] = fold
        wanted[fold] -= positive[row]
        wanted_size[fold] -= 1

    while True:
        left = positive[fold_of < 0].sum(axis=0)
        if not left.any():
            break
        category = int(np.argmin(np.where(left > 0, left, np.inf)))
        for row in order:
            if fold_of[row] < 0 and positive[row, category]:
                assign(row, category)
    for row in order:
        if fold_of[row] < 0:
            assign(row, None)
    return fold_of


# -- the head ------------------------------------------------------------------------------


def build_head(embedding_dim: int, categories: int, name: str = "head"):
    """One hidden layer of 256, dropout 0.4, one sigmoid per category."""
    import keras

    inputs = keras.Input((embedding_dim,), name="embedding")
    hidden = keras.layers.Dense(HIDDEN_UNITS, activation="relu", name="hidden")(inputs)
    hidden = keras.layers.Dropout(DROPOUT, name="dropout")(hidden)
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


def _relay_callback(progress, should_stop, fold, folds, max_epochs, stage):
    """A keras callback relaying epochs to on_progress and polling should_stop every batch
    (so Cancel takes effect within a batch, not an epoch)."""
    import keras

    class Relay(keras.callbacks.Callback):
        cancelled = False

        def on_train_batch_end(self, batch, logs=None):
            if should_stop is not None and should_stop():
                self.cancelled = True
                self.model.stop_training = True

        def on_epoch_end(self, epoch, logs=None):
            logs = logs or {}
            shown = {k: float(logs[k]) for k in ("loss", "val_loss") if k in logs}
            progress(Progress(
                stage,
                fold * max_epochs + epoch + 1,
                folds * max_epochs,
                f"round {fold + 1}/{folds}, epoch {epoch + 1}",
                {**shown, "fold": fold, "epoch": epoch + 1},
            ))

    return Relay()


def _fit(model, x, y, x_val, y_val, epochs, batch_size, progress, should_stop, fold, folds, stage, patience):
    import keras

    relay = _relay_callback(progress, should_stop, fold, folds, epochs, stage)
    fit = model.fit(
        x, y,
        validation_data=(x_val, y_val),
        epochs=epochs,
        batch_size=batch_size,
        shuffle=True,
        verbose=0,
        callbacks=[
            keras.callbacks.EarlyStopping(monitor="val_loss", patience=patience, restore_best_weights=True),
            relay,
        ],
    )
    if relay.cancelled:
        raise Cancelled("Training cancelled.")
    return fit.history


def _cross_validate(examples: _Examples, fold_of, epochs, progress, should_stop, seed):
    """Train one head per fold; returns the heads, every photo's held-out scores, and the
    mean training/validation loss per epoch (for the loss plot)."""
    import keras

    views, n, dim = examples.embeddings.shape
    folds = int(fold_of.max() + 1)
    held_out = np.zeros(examples.labels.shape, dtype=np.float32)
    heads, histories = [], []
    for fold in range(folds):
        check_stop(should_stop)
        keras.utils.set_random_seed(seed + fold)
        train_rows, val_rows = np.flatnonzero(fold_of != fold), np.flatnonzero(fold_of == fold)
        head = build_head(dim, examples.labels.shape[1], name=f"head_{fold}")
        history = fit_head(
            head,
            examples.embeddings[:, train_rows].reshape(-1, dim),  # every view of every training photo
            np.tile(examples.labels[train_rows], (views, 1)),
            examples.embeddings[0, val_rows],
            examples.labels[val_rows],
            class_weighted_bce(examples.labels[train_rows]),
            max_epochs=epochs,
            on_epoch=lambda epoch, logs: progress(Progress(
                "training", fold * epochs + epoch, folds * epochs,
                f"round {fold + 1}/{folds}, epoch {epoch}", {**logs, "fold": fold, "epoch": epoch},
            )),
            should_stop=should_stop,
            seed=seed + fold,
        )
        held_out[val_rows] = np.asarray(head(examples.embeddings[0, val_rows], training=False))
        heads.append(head)
        histories.append(history)
    return heads, held_out, _mean_history(histories)


def fit_head(head, x, y, x_val, y_val, loss_fn, max_epochs=MAX_EPOCHS, patience=PATIENCE,
             batch_size=BATCH_SIZE, on_epoch=None, should_stop=None, seed=0) -> dict[str, list[float]]:
    """Adam on mini-batches with early stopping; the weights with the best validation loss are
    kept. Each epoch runs as one compiled TensorFlow call: keras' fit() spends ~100x longer on
    per-epoch bookkeeping than on this small head's arithmetic."""
    import keras
    import tensorflow as tf

    optimizer = keras.optimizers.Adam(LEARNING_RATE)
    optimizer.build(head.trainable_variables)
    x, y = tf.constant(x, tf.float32), tf.constant(y, tf.float32)
    x_val, y_val = tf.constant(x_val, tf.float32), tf.constant(y_val, tf.float32)
    steps = max(1, math.ceil(len(x) / batch_size))

    @tf.function
    def train_epoch(order):
        total = tf.constant(0.0)
        for step in tf.range(steps):
            rows = order[step * batch_size : (step + 1) * batch_size]
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(loss_fn(tf.gather(y, rows), head(tf.gather(x, rows), training=True)))
            grads = tape.gradient(loss, head.trainable_variables)
            optimizer.apply_gradients(zip(grads, head.trainable_variables))
            total += loss
        return total / steps, tf.reduce_mean(loss_fn(y_val, head(x_val, training=False)))

    rng = np.random.default_rng(seed)
    history: dict[str, list[float]] = {"loss": [], "val_loss": []}
    best, best_weights, since_best = np.inf, head.get_weights(), 0
    for epoch in range(1, max_epochs + 1):
        check_stop(should_stop)
        loss, val_loss = (float(v) for v in train_epoch(tf.constant(rng.permutation(len(x)), tf.int32)))
        history["loss"].append(loss)
        history["val_loss"].append(val_loss)
        if on_epoch:
            on_epoch(epoch, {"loss": loss, "val_loss": val_loss})
        if val_loss < best - 1e-4:
            best, best_weights, since_best = val_loss, head.get_weights(), 0
        else:
            since_best += 1
            if since_best >= patience:
                break
    head.set_weights(best_weights)
    return history


def _mean_history(histories: list[dict]) -> dict[str, list[float]]:
    mean: dict[str, list[float]] = {}
    for key in ("loss", "val_loss"):
        longest = max(len(h.get(key, [])) for h in histories)
        mean[key] = [
            float(np.mean([h[key][e] for h in histories if e < len(h.get(key, []))])) for e in range(longest)
        ]
    return mean


def _average_heads(heads: list, embedding_dim: int):
    """One model that averages the fold heads: standard layers only, loads without custom objects."""
    import keras

    inputs = keras.Input((embedding_dim,), name="embedding")
    outputs = []
    for head in heads:
        # a fresh, never-compiled copy: the training loss is a closure no loader could rebuild
        fresh = build_head(embedding_dim, head.output_shape[-1], name=head.name)
        fresh.set_weights(head.get_weights())
        outputs.append(fresh(inputs))
    averaged = keras.layers.Average(name="scores")(outputs) if len(outputs) > 1 else outputs[0]
    return keras.Model(inputs, averaged, name="head")


# -- optional second stage: fine-tune the top of the backbone ------------------------------

FINE_TUNE_FRACTION = 0.15  # of the backbone's layers, from the top
FINE_TUNE_LEARNING_RATE = 1e-5
FINE_TUNE_EPOCHS = 4


def _fine_tune(examples: _Examples, head, backbone_name, fold_of, epochs, progress, should_stop, seed):
    """Train backbone top + head end to end on pixels at a low learning rate, holding out fold 0.
    Returns (image model, held-out scores, held-out rows)."""
    import keras

    from photosort import backbones

    keras.utils.set_random_seed(seed)
    base = backbones.build_backbone(backbone_name)
    backbone = keras.Model(base.inputs, base.outputs, name="backbone")
    trainable_from = int(len(backbone.layers) * (1 - FINE_TUNE_FRACTION))
    for i, layer in enumerate(backbone.layers):
        # BatchNorm statistics stay frozen: few photos would wreck them
        layer.trainable = i >= trainable_from and not isinstance(layer, keras.layers.BatchNormalization)
    size = base.inputs[0].shape[1]
    inputs = keras.Input((size, size, 3), name="image")
    model = keras.Model(inputs, head(backbone(inputs)), name="photosort_sorter")
    train_rows, val_rows = np.flatnonzero(fold_of != 0), np.flatnonzero(fold_of == 0)
    progress(Progress("fine-tuning", 0, None, "Reading photos for fine-tuning"))
    x, y = _pixels(examples, train_rows, views=1), np.tile(examples.labels[train_rows], (2, 1))
    x_val = _pixels(examples, val_rows, views=0)
    model.compile(optimizer=keras.optimizers.Adam(FINE_TUNE_LEARNING_RATE), loss=class_weighted_bce(examples.labels[train_rows]))
    _fit(model, x, y, x_val, examples.labels[val_rows], epochs, 16,
         progress, should_stop, 0, 1, "fine-tuning", 2)
    scores = np.asarray(model.predict(x_val, batch_size=32, verbose=0), dtype=np.float32)
    # the same layers under a model that was never compiled, so it saves without the loss
    return keras.Model(model.inputs, model.outputs, name="photosort_sorter"), scores, val_rows


def _pixels(examples: _Examples, rows: np.ndarray, views: int) -> np.ndarray:
    """float32 pixels of the given photos, all of view 0 first, then view 1, ... (as labels are tiled)."""
    stacks = []
    for row in rows:
        item = examples.photos[row]
        pixels = _views_of(item, images.INPUT_SIZE, views)
        if isinstance(pixels, str):  # readable when embedded a moment ago, not now
            raise ImageError(item.photo.path, pixels)
        stacks.append(pixels)
    return np.stack(stacks, axis=1).reshape(-1, *stacks[0].shape[1:]).astype(np.float32)


# -- saving --------------------------------------------------------------------------------


def _save(catalog: Catalog, model, backbone, categories, thresholds, result, fine_tuned) -> ModelVersionRecord:
    """Write the .keras file under a temporary name, then rename it, then register it."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    final = catalog.models_dir / f"sorter-{stamp}-{uuid.uuid4().hex[:6]}.keras"
    partial = final.with_name(final.stem + ".partial.keras")  # keras insists on the suffix
    model.save(partial)
    os.replace(partial, final)
    return catalog.add_model_version(
        backbone=backbone,
        categories=categories,
        thresholds=thresholds,
        metrics=_finite(result),
        file=final,
        fine_tuned=fine_tuned,
    )


def _finite(value):
    """JSON-safe copy: numpy scalars to floats, NaN/inf to None."""
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    if isinstance(value, (np.floating, float)):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, np.integer):
        return int(value)
    return value
