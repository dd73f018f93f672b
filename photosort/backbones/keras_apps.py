"""keras.applications models by name, with their preprocessing inside the model as layers so
every backbone takes RGB 0..255. Their ImageNet weights download on first use (Keras caches
them in ~/.keras); offline that fails, quickly, with a BackboneUnavailable."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager

import keras
import numpy as np

from photosort.backbones.registry import KERAS_APPLICATIONS, KERAS_PREFIX, PORTS
from photosort.errors import BackboneUnavailable

# Per socket operation, not per download: a dead network fails fast, a slow one still works.
DOWNLOAD_TIMEOUT_S = 15.0
_CAFFE_MEAN_BGR = (103.939, 116.779, 123.68)
_IMAGENET_MEAN = (0.485, 0.456, 0.406)
_IMAGENET_STD = (0.229, 0.224, 0.225)


def build(app: str, include_top: bool) -> keras.Model:
    size, _, kind = KERAS_APPLICATIONS[app]
    net = _download_and_build(app, size, include_top)
    if kind == "builtin":
        return net
    inputs = keras.Input((size, size, 3), name="image")
    return keras.Model(inputs, net(preprocessing(kind)(inputs)), name=f"keras_{app}")


def _download_and_build(app: str, size: int, include_top: bool) -> keras.Model:
    # Logits, not softmax, with the top; global-average-pooled features without it.
    head = {"classifier_activation": None} if include_top else {"pooling": "avg"}
    constructor = getattr(keras.applications, app)
    try:
        with _socket_timeout(DOWNLOAD_TIMEOUT_S):
            return constructor(
                weights="imagenet", include_top=include_top, input_shape=(size, size, 3), **head
            )
    except Exception as exc:  # Keras reports a failed download as a bare Exception
        raise BackboneUnavailable(
            f"{KERAS_PREFIX}{app}: could not download ImageNet weights for {app} ({exc}); "
            f"photosort works offline with {' or '.join(PORTS)}."
        ) from exc


@contextmanager
def _socket_timeout(seconds: float) -> Iterator[None]:
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(seconds)
    try:
        yield
    finally:
        socket.setdefaulttimeout(previous)


def preprocessing(kind: str) -> keras.layers.Layer:
    """A layer doing keras.applications' preprocess_input of one family on RGB 0..255."""
    if kind == "tf":  # -1..1
        return keras.layers.Rescaling(1 / 127.5, offset=-1.0, name="preprocess")
    if kind == "torch":  # 0..1, then ImageNet mean/std, as one per-channel affine map
        return keras.layers.Rescaling(
            scale=[1 / (255 * s) for s in _IMAGENET_STD],
            offset=[-m / s for m, s in zip(_IMAGENET_MEAN, _IMAGENET_STD)],
            name="preprocess",
        )
    if kind != "caffe":
        raise ValueError(f"unknown preprocessing {kind!r}")
    # RGB -> BGR minus the mean: a frozen 1x1 convolution does both exactly.
    layer = keras.layers.Conv2D(3, 1, trainable=False, name="preprocess")
    layer.build((None, None, None, 3))
    kernel = np.zeros((1, 1, 3, 3), np.float32)
    for bgr in range(3):
        kernel[0, 0, 2 - bgr, bgr] = 1.0  # output channel bgr reads input channel 2 - bgr
    layer.set_weights([kernel, -np.asarray(_CAFFE_MEAN_BGR, np.float32)])
    return layer
