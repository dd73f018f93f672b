"""photosort's head and training loop ported to numpy, for the teach benchmark only.

The benchmark retrains hundreds of times (strategies x seeds x rounds x folds); keras' fit takes
about 10 s per head on this machine, mostly tracing. This port does the same thing in
milliseconds: Dense 256 relu (Glorot-uniform) -> Dropout 0.4 -> sigmoid per category, the
class-weighted cross-entropy of training.head, Adam 1e-3 on shuffled batches of 64, early
stopping after 12 epochs without a better validation loss, best weights kept. bench/teach.py
--keras runs the real keras code instead, to check the two agree.
"""

from __future__ import annotations

import numpy as np

from photosort.training.fitting import BATCH_SIZE, LEARNING_RATE, MAX_EPOCHS, MIN_IMPROVEMENT, PATIENCE
from photosort.training.head import DROPOUT, HIDDEN_UNITS


def _glorot(rng, fan_in, fan_out):
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, (fan_in, fan_out)).astype(np.float32)


class NumpyHead:
    def __init__(self, dim: int, c: int, seed: int):
        rng = np.random.default_rng(seed)
        self.params = [_glorot(rng, dim, HIDDEN_UNITS), np.zeros(HIDDEN_UNITS, np.float32),
                       _glorot(rng, HIDDEN_UNITS, c), np.zeros(c, np.float32)]
        self.rng = rng

    def __call__(self, x, training: bool = False):
        w1, b1, w2, b2 = self.params
        h = np.maximum(np.asarray(x, np.float32) @ w1 + b1, 0)
        return 1 / (1 + np.exp(-(h @ w2 + b2)))

    def grads(self, x, y, pos_weight):
        w1, b1, w2, b2 = self.params
        a = x @ w1 + b1
        h = np.maximum(a, 0)
        keep = (self.rng.random(h.shape, dtype=np.float32) >= DROPOUT) * np.float32(1 / (1 - DROPOUT))
        hd = h * keep
        p = np.clip(1 / (1 + np.exp(-(hd @ w2 + b2))), 1e-6, 1 - 1e-6)
        known = (y >= 0).astype(np.float32)  # -1: unknown, left out of the loss
        y = np.maximum(y, 0)
        dz = known * (-(pos_weight * y * (1 - p)) + (1 - y) * p) / (y.shape[1] * y.shape[0])
        gw2, gb2 = hd.T @ dz, dz.sum(0)
        dh = (dz @ w2.T) * keep * (a > 0)
        return [x.T @ dh, dh.sum(0), gw2, gb2]


def loss(head, x, y, pos_weight) -> np.ndarray:
    p = np.clip(head(x), 1e-6, 1 - 1e-6)
    known, y = (y >= 0), np.maximum(y, 0)
    return np.mean(known * -(pos_weight * y * np.log(p) + (1 - y) * np.log(1 - p)), axis=-1)


def fit_numpy(head: NumpyHead, x, y, x_val, y_val, seed: int = 0) -> None:
    positives = np.clip((y > 0).sum(axis=0), 1, None)
    pos_weight = np.clip(positives.mean() / positives, 0.1, 10.0).astype(np.float32)
    m = [np.zeros_like(p) for p in head.params]
    v = [np.zeros_like(p) for p in head.params]
    t, rng = 0, np.random.default_rng(seed)
    best, best_params, since = np.inf, [p.copy() for p in head.params], 0
    for _ in range(MAX_EPOCHS):
        order = rng.permutation(len(x))
        for start in range(0, len(x), BATCH_SIZE):
            rows = order[start : start + BATCH_SIZE]
            t += 1
            lr = np.float32(LEARNING_RATE * np.sqrt(1 - 0.999**t) / (1 - 0.9**t))
            for k, g in enumerate(head.grads(x[rows], y[rows], pos_weight)):
                m[k] *= np.float32(0.9)
                m[k] += np.float32(0.1) * g
                v[k] *= np.float32(0.999)
                g *= g
                g *= np.float32(0.001)
                v[k] += g
                step = np.sqrt(v[k])
                step += np.float32(1e-7)
                np.divide(m[k], step, out=step)
                step *= lr
                head.params[k] -= step
        val = float(loss(head, x_val, y_val, pos_weight).mean())
        if val < best - MIN_IMPROVEMENT:
            best, best_params, since = val, [p.copy() for p in head.params], 0
        else:
            since += 1
            if since >= PATIENCE:
                break
    head.params = best_params


def numpy_head(x, y, x_val, y_val, seed: int) -> NumpyHead:
    """A train_head for photosort.teaching.retrain.fit_teach_head."""
    head = NumpyHead(x.shape[1], y.shape[1], seed)
    fit_numpy(head, np.asarray(x, np.float32), np.asarray(y, np.float32),
              np.asarray(x_val, np.float32), np.asarray(y_val, np.float32), seed)
    return head
