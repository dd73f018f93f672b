"""Families 1 and 2: frozen backbone embeddings (one or several, concatenated) + the head,
optionally followed by training's fine-tuning of the backbone's top layers."""

from __future__ import annotations

import time
from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np

from photosort.experiments.balance import training_set
from photosort.experiments.configs import Config
from photosort.experiments.scoring import Outcome
from photosort.training import build_head, fit
from photosort.training.fitting import MAX_EPOCHS


@dataclass
class Context:
    """What every family gets: the data, pixels, embedding cache, progress and stop."""

    data: object  # ExperimentData
    store: object  # PixelStore
    cache: object  # EmbeddingCache
    report: object  # report(message): progress within a configuration
    should_stop: object
    seed: int


def _features(ctx: Context, config: Config, pairs, aug: str) -> np.ndarray:
    parts = []
    for name in config.backbones:
        parts.append(ctx.cache.embeddings(
            name, config.size, pairs, aug, ctx.should_stop,
            on_chunk=lambda done, total, name=name: ctx.report(f"embedding {name} {done}/{total}"),
        ))
    return np.concatenate(parts, axis=1)


def _timed_test_features(ctx: Context, config: Config, rows) -> tuple[np.ndarray, float]:
    """Test embeddings computed afresh from decoded pixels, and the seconds that took."""
    from photosort import backbones

    parts, seconds = [], 0.0
    for name in config.backbones:
        embedder = backbones.get_embedder(name, config.size)
        pix = np.stack(ctx.store.get(rows, embedder.input_size))
        began = time.perf_counter()
        parts.append(embedder.embed(pix))
        seconds += time.perf_counter() - began
        ctx.cache.seconds_per_image[name, embedder.input_size] = seconds / max(1, len(rows))
    return np.concatenate(parts, axis=1), seconds


def run_frozen(ctx: Context, config: Config) -> Outcome:
    import keras

    ts = training_set(ctx.data, config)
    data = ts.data
    val_rows, test_rows = data.rows("val"), data.rows("test")
    x = _features(ctx, config, ts.pairs, config.aug)
    x_val = _features(ctx, config, [(int(r), 0) for r in val_rows], config.aug)
    keras.utils.set_random_seed(ctx.seed)
    head = build_head(x.shape[1], len(data.categories), units=config.width, dropout=config.dropout)
    began = time.perf_counter()
    epochs = config.epochs or MAX_EPOCHS
    history = fit(
        head, x, ts.labels, x_val, data.labels[val_rows], ts.loss, max_epochs=epochs,
        on_epoch=lambda e, logs: ctx.report(f"epoch {e}, val loss {logs['val_loss']:.3f}"),
        should_stop=ctx.should_stop, seed=ctx.seed,
    )
    fit_seconds = time.perf_counter() - began
    x_test, embed_seconds = _timed_test_features(ctx, config, test_rows)
    began = time.perf_counter()
    test_scores = np.asarray(head(x_test, training=False))
    score_seconds = embed_seconds + time.perf_counter() - began
    per_image = embed_seconds / max(1, len(test_rows))
    outcome = Outcome(
        data.categories, data.labels[val_rows], np.asarray(head(x_val, training=False)),
        data.labels[test_rows], test_scores, history,
        train_seconds=fit_seconds + per_image * (len(ts.pairs) + len(val_rows)),
        photos_per_s=len(test_rows) / max(score_seconds, 1e-9),
        notes={**ts.notes, "fit_seconds": fit_seconds, "train_samples": len(ts.pairs)},
        model=head,
    )
    if config.family == "finetune":
        return _fine_tune(ctx, config, outcome, head)
    return outcome


def _fine_tune(ctx: Context, config: Config, frozen: Outcome, head) -> Outcome:
    """training.fine_tune on the train photos, the validation photos held out (its fold 0)."""
    from photosort.training.examples import Examples
    from photosort.training.fine_tune import FINE_TUNE_EPOCHS, fine_tune

    data = ctx.data
    rows = np.r_[data.rows("train"), data.rows("val")]
    photos = [SimpleNamespace(photo=SimpleNamespace(path=data.paths[r], content_hash=data.hashes[r])) for r in rows]
    examples = Examples(photos, data.labels[rows], np.zeros((1, len(rows), 0), np.float32))
    fold_of = np.where(data.split[rows] == "val", 0, 1)
    began = time.perf_counter()
    history: dict[str, list[float]] = {"loss": [], "val_loss": []}

    def progress(p):
        ctx.report(f"fine-tuning {p.message}")
        if "loss" in p.metrics:
            history["loss"].append(p.metrics["loss"])
            history["val_loss"].append(p.metrics["val_loss"])

    model, val_scores, _ = fine_tune(
        examples, head, config.backbones[0], fold_of, config.epochs or FINE_TUNE_EPOCHS,
        progress, ctx.should_stop, ctx.seed,
    )
    tuning_seconds = time.perf_counter() - began
    test_rows = data.rows("test")
    pix = np.stack(ctx.store.get(test_rows, int(model.inputs[0].shape[1]))).astype(np.float32)
    began = time.perf_counter()
    test_scores = np.asarray(model.predict(pix, batch_size=32, verbose=0))
    return Outcome(
        frozen.categories, data.labels[data.rows("val")], np.asarray(val_scores),
        data.labels[test_rows], test_scores, history,
        train_seconds=frozen.train_seconds + tuning_seconds,
        photos_per_s=len(test_rows) / max(time.perf_counter() - began, 1e-9),
        notes={**frozen.notes, "fine_tune_seconds": tuning_seconds, "frozen_head_history": frozen.history},
    )
