"""build_backbone: our ported networks (weights converted once, then cached) and
keras.applications models by name. Imports TensorFlow lazily, when a network is built."""

from __future__ import annotations

import hashlib
import importlib
import logging
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from photosort.backbones.cache_files import backbones_cache_dir, write_atomically
from photosort.backbones.registry import (
    PORTS,
    get_spec,
    keras_application_name,
    locate_weights,
)
from photosort.errors import BackboneUnavailable

if TYPE_CHECKING:
    import keras

log = logging.getLogger(__name__)

# Part of every cache key: bump it when a port's graph or weight conversion changes, so caches
# written by older code are never reused.
CODE_VERSION = "1"
MIN_INPUT_SIZE = 32  # five stride-2 stages: smaller inputs leave nothing to pool


def cache_key(name: str) -> str:
    """A file stem that changes whenever the weights or the code building them change."""
    app = keras_application_name(name)
    if app is not None:
        import keras

        return f"keras-{app}-{keras.__version__}-v{CODE_VERSION}"
    digest = hashlib.sha256(CODE_VERSION.encode())
    digest.update(locate_weights(name).read_bytes())
    return f"{name}-{digest.hexdigest()[:16]}"


def build_backbone(
    name: str, include_top: bool = False, input_size: int | None = None
) -> keras.Model:
    """input_size: the square side the model takes; None for the backbone's native one. Our
    ports run at any size (the reference logits are checked at 224 and at the native size);
    keras.applications models only at their own."""
    size = resolve_input_size(name, input_size)
    app = keras_application_name(name)
    if app is not None:
        from photosort.backbones import keras_apps

        return keras_apps.build(app, include_top)
    model = _build_ported(name, size)
    return model if include_top else embedding_model(model)


def resolve_input_size(name: str, input_size: int | None) -> int:
    """The side a backbone will take: its native one unless asked otherwise (and allowed)."""
    spec = get_spec(name)
    if input_size is None or input_size == spec.input_size:
        return spec.input_size
    if keras_application_name(name) is not None:
        raise BackboneUnavailable(
            f"{spec.name} runs only at its native {spec.input_size} px, not {input_size}."
        )
    if input_size < MIN_INPUT_SIZE:
        raise BackboneUnavailable(
            f"{spec.name} needs an input of at least {MIN_INPUT_SIZE} px, not {input_size}."
        )
    return int(input_size)


def embedding_model(classifier: keras.Model) -> keras.Model:
    """The pooled features of one of our ported classifiers, sharing its layers."""
    import keras

    from photosort.backbones.porting import EMBEDDING_LAYER

    pooled = classifier.get_layer(EMBEDDING_LAYER).output
    return keras.Model(classifier.input, pooled, name=f"{classifier.name}_features")


def _build_ported(name: str, input_size: int) -> keras.Model:
    key = cache_key(name)  # locates the weights first: a missing install fails fast
    module = importlib.import_module(f"photosort.backbones.{PORTS[name].module}")
    model, port = module.build(name, input_size)
    # The weights do not depend on the input size, so one cache file serves every size.
    cached = backbones_cache_dir() / f"{key}.weights.npz"
    if not _load_cached_weights(model, cached):
        from photosort.backbones.torch_weights import load_state_dict

        port.assign(load_state_dict(locate_weights(name)))
        write_atomically(cached, lambda tmp: _save_weights(model, tmp))
    return model


# The cache is an .npz keyed by Keras variable path, not a Keras .weights.h5: loading the h5
# took ~0.45 s for EfficientNet-Lite0, three times longer than converting the .pth itself;
# the npz loads in ~0.08 s and, unlike a pickle, cannot run code (allow_pickle=False).
def _save_weights(model: keras.Model, path: Path) -> None:
    with path.open("wb") as file:  # a file object, so numpy does not append ".npz" to the temp name
        np.savez(file, **{v.path: np.asarray(v.numpy()) for v in model.weights})


def _load_cached_weights(model: keras.Model, path: Path) -> bool:
    if not path.is_file():
        return False
    try:
        with np.load(path, allow_pickle=False) as arrays:
            for variable in model.weights:
                variable.assign(arrays[variable.path])
        return True
    except Exception as exc:  # any unreadable cache is rebuilt from the .pth, never fatal
        log.warning("Rebuilding unreadable backbone cache %s: %s", path, exc)
        path.unlink(missing_ok=True)
        return False
