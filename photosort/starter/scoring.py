"""Starter scores: the backbone's own ImageNet classifier (one Dense layer on the pooled
embedding, so cached embeddings suffice), softmax, each kind's probability mass over its
classes, the exclusive kinds (cats, dogs, other animals) split by prior-corrected mass, then a fixed monotone calibration to 0..1.

The calibration (CALIBRATION) is one logistic curve on the log-odds of a kind's mass, shared by
all kinds and backbones, measured by bench/starter_eval.py on held-out halves of the shared
photos; a monotone map only moves where 0.5 falls, never which photo outranks which.
"""

from __future__ import annotations

import logging
import threading

import numpy as np

from photosort.starter.kinds import EXCLUSIVE_GROUPS, STARTER_NAMES, membership

log = logging.getLogger(__name__)

# score = sigmoid(SLOPE * logit(mass) + OFFSET); fitted by bench/starter_eval.py --fit
CALIBRATION = {"slope": 0.867, "offset": 1.508}
_EPS = 1e-6

_TOPS: dict[str, tuple[np.ndarray, np.ndarray]] = {}
_TOPS_LOCK = threading.Lock()


def classifier_top(backbone: str) -> tuple[np.ndarray, np.ndarray]:
    """The backbone's ImageNet classifier as (kernel (D, 1000), bias (1000,)), cached as .npz
    beside the converted weights (building the whole classifier costs seconds)."""
    from photosort.backbones import building, cache_files

    with _TOPS_LOCK:
        if backbone in _TOPS:
            return _TOPS[backbone]
        path = cache_files.backbones_cache_dir() / f"{building.cache_key(backbone)}.top.npz"
        top = _load_top(path)
        if top is None:
            model = building.build_backbone(backbone, include_top=True)
            kernel, bias = (np.asarray(w, np.float32) for w in model.layers[-1].get_weights())
            top = (kernel, bias)

            def save(tmp):
                with tmp.open("wb") as fh:
                    np.savez(fh, kernel=kernel, bias=bias)

            cache_files.write_atomically(path, save)
        _TOPS[backbone] = top
        return top


def _load_top(path) -> tuple[np.ndarray, np.ndarray] | None:
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as data:
            return data["kernel"], data["bias"]
    except Exception as exc:  # an unreadable cache is rebuilt, never fatal
        log.warning("Rebuilding unreadable classifier cache %s: %s", path, exc)
        return None


def imagenet_probabilities(embeddings: np.ndarray, backbone: str) -> np.ndarray:
    """(N, D) embeddings of `backbone` -> (N, 1000) softmax probabilities."""
    kernel, bias = classifier_top(backbone)
    logits = np.asarray(embeddings, np.float32) @ kernel + bias
    logits -= logits.max(axis=1, keepdims=True)
    exp = np.exp(logits)
    return exp / exp.sum(axis=1, keepdims=True)


def kind_masses(probabilities: np.ndarray) -> np.ndarray:
    """(N, 1000) -> (N, K): each kind's summed probability."""
    return np.clip(probabilities @ membership(), 0.0, 1.0)


def settle_exclusive(masses: np.ndarray) -> np.ndarray:
    """Within each exclusive group, the group's total mass (how surely the photo is an animal)
    is shared out by each kind's mass per ImageNet class: the Bayes prior-shift correction from
    ImageNet's prior (proportional to a kind's number of classes: 118 dog breeds, 7 cats) to
    equal priors. Uncorrected, a cat with some mass spread over dog breeds scored as a dog."""
    out = masses.copy()
    counts = membership().sum(axis=0)
    for group in EXCLUSIVE_GROUPS:
        cols = [STARTER_NAMES.index(name) for name in group]
        block = masses[:, cols]
        per_class = block / counts[cols]
        share = per_class / np.maximum(per_class.sum(axis=1, keepdims=True), _EPS)
        out[:, cols] = share * block.sum(axis=1, keepdims=True)
    return out


def calibrate(masses: np.ndarray, slope: float | None = None, offset: float | None = None) -> np.ndarray:
    slope = CALIBRATION["slope"] if slope is None else slope
    offset = CALIBRATION["offset"] if offset is None else offset
    m = np.clip(masses, _EPS, 1 - _EPS)
    z = slope * np.log(m / (1 - m)) + offset
    return (1.0 / (1.0 + np.exp(-z))).astype(np.float32)


def masses_from_embeddings(embeddings: np.ndarray, backbone: str, exclusive: bool = True) -> np.ndarray:
    masses = kind_masses(imagenet_probabilities(embeddings, backbone))
    return settle_exclusive(masses) if exclusive else masses


def starter_scores(batch: np.ndarray, backbone: str | None = None) -> np.ndarray:
    """Calibrated 0..1 scores (N, K), columns in STARTERS order, from either a uint8 RGB batch
    (N, S, S, 3) at the backbone's input size, or float (N, D) embeddings of `backbone`
    (the default backbone when None; embeddings of a fine-tuned backbone do not fit its top)."""
    from photosort.backbones import DEFAULT_BACKBONE

    backbone = backbone or DEFAULT_BACKBONE
    batch = np.asarray(batch)
    if batch.ndim == 4:
        from photosort.backbones import get_embedder

        batch = get_embedder(backbone).embed(batch)
    if batch.ndim != 2:
        raise ValueError(f"starter_scores takes (N, S, S, 3) images or (N, D) embeddings, not {batch.shape}")
    if len(batch) == 0:
        return np.zeros((0, len(STARTER_NAMES)), np.float32)
    return calibrate(masses_from_embeddings(batch, backbone))
