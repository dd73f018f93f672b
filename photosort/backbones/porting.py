"""Shared pieces for porting a PyTorch CNN to Keras: layer helpers that remember which torch
module each Keras layer mirrors, and the weight layout conversion.

Imports Keras at module level: only the build functions import this module.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import keras
import numpy as np

EMBEDDING_LAYER = "avg_pool"  # the global-average-pooled features: the embedding

# torch layout -> Keras layout, per kind of layer; each returns the Keras layer's weight list.
_CONVERTERS: dict[str, Callable[[dict[str, np.ndarray], str], list[np.ndarray]]] = {
    # Conv2d (O, I, kh, kw) -> Conv2D (kh, kw, I, O)
    "conv": lambda sd, p: [sd[f"{p}.weight"].transpose(2, 3, 1, 0)],
    # depthwise Conv2d (C, 1, kh, kw) -> DepthwiseConv2D (kh, kw, C, 1)
    "depthwise": lambda sd, p: [sd[f"{p}.weight"].transpose(2, 3, 0, 1)],
    "bn": lambda sd, p: [sd[f"{p}.{k}"] for k in ("weight", "bias", "running_mean", "running_var")],
    # Linear (O, I) -> Dense (I, O)
    "dense": lambda sd, p: [sd[f"{p}.weight"].T, sd[f"{p}.bias"]],
}
_CONSUMED_SUFFIXES = {
    "conv": ("weight",),
    "depthwise": ("weight",),
    "bn": ("weight", "bias", "running_mean", "running_var", "num_batches_tracked"),
    "dense": ("weight", "bias"),
}


@dataclass
class TorchPort:
    """Builds a Keras graph layer by layer, recording the torch module behind each layer."""

    links: list[tuple[keras.layers.Layer, str, str]] = field(default_factory=list)

    def _link(self, layer: keras.layers.Layer, prefix: str, kind: str) -> keras.layers.Layer:
        self.links.append((layer, prefix, kind))
        return layer

    def conv(self, x, torch_prefix: str, filters: int, kernel: int, stride: int, padding: str):
        layer = keras.layers.Conv2D(
            filters, kernel, strides=stride, padding=padding, use_bias=False,
            name=_keras_name(torch_prefix),
        )
        return self._link(layer, torch_prefix, "conv")(x)

    def depthwise(self, x, torch_prefix: str, kernel: int, stride: int, padding: str):
        layer = keras.layers.DepthwiseConv2D(
            kernel, strides=stride, padding=padding, use_bias=False,
            name=_keras_name(torch_prefix),
        )
        return self._link(layer, torch_prefix, "depthwise")(x)

    def bn(self, x, torch_prefix: str, epsilon: float):
        layer = keras.layers.BatchNormalization(epsilon=epsilon, name=_keras_name(torch_prefix))
        return self._link(layer, torch_prefix, "bn")(x)

    def dense(self, x, torch_prefix: str, units: int):
        layer = keras.layers.Dense(units, name=_keras_name(torch_prefix))
        return self._link(layer, torch_prefix, "dense")(x)

    def assign(self, state_dict: dict[str, np.ndarray]) -> None:
        """Copy every tensor of the state dict into its layer; refuse a partial match, which
        would mean the graph and the file disagree."""
        consumed: set[str] = set()
        for layer, prefix, kind in self.links:
            layer.set_weights(_CONVERTERS[kind](state_dict, prefix))
            consumed.update(f"{prefix}.{s}" for s in _CONSUMED_SUFFIXES[kind])
        unused = set(state_dict) - consumed
        if unused:
            raise ValueError(f"weights file has tensors the model lacks: {sorted(unused)[:5]}")


def _keras_name(torch_prefix: str) -> str:
    return torch_prefix.strip("_").replace("._", "_").replace(".", "_")


def relu6(x, name: str):
    return keras.layers.ReLU(max_value=6.0, name=name)(x)


def classifier_top(port: TorchPort, features, torch_prefix: str, dropout: float):
    """Global average pooling (the embedding, layer EMBEDDING_LAYER), then Dropout + Linear:
    the ImageNet logits."""
    pooled = keras.layers.GlobalAveragePooling2D(name=EMBEDDING_LAYER)(features)
    dropped = keras.layers.Dropout(dropout, name="dropout")(pooled)
    return port.dense(dropped, torch_prefix, 1000)

