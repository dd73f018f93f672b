"""Family 4: the classical baseline. ORB or KAZE descriptors (OpenCV) → a bag of visual words
(k-means on training descriptors) → PCA → Gaussian naive Bayes or logistic regression, one
per category (so multi-label data works as for the networks)."""

from __future__ import annotations

import time

import cv2
import numpy as np

from photosort.experiments.balance import training_set
from photosort.experiments.configs import Config
from photosort.experiments.features import aug_for
from photosort.experiments.frozen import Context
from photosort.experiments.pixels import view_of
from photosort.experiments.scoring import Outcome
from photosort.training import fit

SIZE = 256  # photos are read at this side before keypoints are found
MAX_KEYPOINTS = 300
KMEANS_SAMPLE = 20000  # descriptors k-means sees at most
PCA_DIMS = 32


def _detector(name: str):
    return cv2.ORB_create(nfeatures=MAX_KEYPOINTS) if name == "orb" else cv2.KAZE_create()


def descriptors(rgb: np.ndarray, detector, name: str) -> np.ndarray:
    """float32 (n, d) descriptors of one image; ORB's 256 bits unpacked to 0/1."""
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    _, found = detector.detectAndCompute(grey, None)
    if found is None or not len(found):
        return np.zeros((0, 256 if name == "orb" else 64), np.float32)
    if name == "orb":
        return np.unpackbits(found, axis=1).astype(np.float32)
    return found[:MAX_KEYPOINTS].astype(np.float32)


def _words(centres: np.ndarray, found: np.ndarray) -> np.ndarray:
    """Hellinger-normalised histogram of the nearest visual word of each descriptor."""
    hist = np.zeros(len(centres), np.float32)
    if len(found):
        d = (found**2).sum(1)[:, None] - 2 * found @ centres.T + (centres**2).sum(1)[None]
        np.add.at(hist, d.argmin(axis=1), 1)
        hist /= hist.sum()
    return np.sqrt(hist)


class GaussianNB:
    """One two-class Gaussian naive Bayes per category; score = P(category | x)."""

    def fit(self, x: np.ndarray, y: np.ndarray) -> "GaussianNB":
        eps = 1e-3 * x.var(axis=0).max()
        self.stats = []
        for c in range(y.shape[1]):
            sides = [x[y[:, c] == v] for v in (0, 1)]
            self.stats.append([(len(s) / len(x), s.mean(0), s.var(0) + eps) for s in sides])
        return self

    def scores(self, x: np.ndarray) -> np.ndarray:
        out = np.zeros((len(x), len(self.stats)), np.float32)
        for c, sides in enumerate(self.stats):
            logp = [np.log(max(p, 1e-9)) - 0.5 * (np.log(2 * np.pi * v) + (x - m) ** 2 / v).sum(1) for p, m, v in sides]
            out[:, c] = 1 / (1 + np.exp(np.clip(logp[0] - logp[1], -50, 50)))
        return out


def run_bovw(ctx: Context, config: Config) -> Outcome:
    import keras

    ts = training_set(ctx.data, config)
    data = ts.data
    val_rows, test_rows = data.rows("val"), data.rows("test")
    detector = _detector(config.detector)
    began = time.perf_counter()

    def describe(pairs, aug):
        pix = ctx.store.get([r for r, _ in pairs], SIZE)
        return [descriptors(view_of(p, v, ctx.store.seed(r), aug_for(v, aug)), detector, config.detector)
                for p, (r, v) in zip(pix, pairs)]

    ctx.report(f"{config.detector} keypoints")
    train_desc = describe(ts.pairs, config.aug)
    pool = np.concatenate([d for d in train_desc if len(d)])
    pool = pool[np.random.default_rng(ctx.seed).permutation(len(pool))[:KMEANS_SAMPLE]]
    ctx.report(f"k-means, {config.words} words")
    cv2.setRNGSeed(ctx.seed)
    criteria = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 20, 1e-3)
    _, _, centres = cv2.kmeans(pool, min(config.words, len(pool)), None, criteria, 2, cv2.KMEANS_PP_CENTERS)
    x = np.stack([_words(centres, d) for d in train_desc])
    mean = x.mean(axis=0)
    _, _, vt = np.linalg.svd(x - mean, full_matrices=False)
    basis = vt[: min(PCA_DIMS, len(vt))].T
    project = lambda h: ((h - mean) @ basis).astype(np.float32)  # noqa: E731
    x = project(x)
    x_val = project(np.stack([_words(centres, d) for d in describe([(int(r), 0) for r in val_rows], "none")]))
    history: dict = {}
    if config.clf == "nb":
        model = GaussianNB().fit(x, ts.labels)
        classify = model.scores
    else:  # logistic regression: a single sigmoid layer through training's loop
        keras.utils.set_random_seed(ctx.seed)
        model = keras.Sequential([keras.Input((x.shape[1],)), keras.layers.Dense(len(data.categories), activation="sigmoid")])
        history = fit(model, x, ts.labels, x_val, data.labels[val_rows], ts.loss, learning_rate=1e-2,
                      max_epochs=config.epochs or 300, patience=20, should_stop=ctx.should_stop, seed=ctx.seed)
        classify = lambda v: np.asarray(model(v, training=False))  # noqa: E731
    train_seconds = time.perf_counter() - began
    began = time.perf_counter()
    test_pix = ctx.store.get(test_rows, SIZE)
    x_test = project(np.stack([_words(centres, descriptors(p, detector, config.detector)) for p in test_pix]))
    test_scores = classify(x_test)
    seconds = time.perf_counter() - began
    return Outcome(
        data.categories, data.labels[val_rows], classify(x_val), data.labels[test_rows], test_scores, history,
        train_seconds=train_seconds, photos_per_s=len(test_rows) / max(seconds, 1e-9),
        notes={**ts.notes, "words": int(len(centres)), "pca_dims": int(basis.shape[1])},
    )
