"""Fast batched embeddings on CPU.

The embedding model is converted once to a float32 TensorFlow Lite flatbuffer (cached beside
the weights) and run by the TFLite interpreter, whose default CPU delegate, XNNPACK, was about
3x faster than a compiled tf.function on a 2-core machine with the same numbers to ~1e-5.
(int8 dynamic quantisation was slower there and far off, so it is not used.) If conversion or
the interpreter fails, or the two disagree on a check batch, the tf.function is used instead.
A flatbuffer is cached only once it has passed that check, so later processes load it without
building the Keras model at all.
"""

from __future__ import annotations

import logging
import os
import threading
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from photosort.backbones.cache_files import backbones_cache_dir, write_atomically

if TYPE_CHECKING:
    import keras

log = logging.getLogger(__name__)

AGREEMENT_TOLERANCE = 1e-3
_TFLITE_CHUNK = 8  # images per interpreter call; bigger chunks were no faster, only bigger
_GRAPH_CHUNK = 32  # images per tf.function call, bounding its memory

Runner = Callable[[np.ndarray], np.ndarray]  # float32 (n, S, S, 3) -> float32 (n, D)


class Embedder:
    """uint8 (N, S, S, 3) RGB -> float32 (N, D) embeddings. Thread-safe."""

    name: str
    input_size: int
    embedding_dim: int
    backend: str  # "tflite" or "tf.function": which path embed() runs

    def __init__(
        self,
        build_model: Callable[[], keras.Model],
        name: str,
        cache_key: str | None = None,
        use_tflite: bool = True,
    ):
        """`build_model()`: a Keras model, float32 RGB 0..255 (None, S, S, 3) -> (None, D). It is
        only called when there is no checked TFLite file for cache_key yet (or it won't load):
        building and checking cost ~2 s of every sort's start otherwise."""
        self.name = name
        self._lock = threading.Lock()
        path = _tflite_path(cache_key) if use_tflite else None
        cached = _cached_tflite_runner(path)
        if cached is not None:
            self._run, self.backend = cached, "tflite"
            self.input_size, self.embedding_dim = cached.input_size, cached.embedding_dim
            return
        model = build_model()
        self.input_size = int(model.input_shape[1])
        self.embedding_dim = int(model.output_shape[-1])
        self._run = _graph_runner(model)
        self.backend = "tf.function"
        tflite = _checked_tflite_runner(model, path, self._run) if use_tflite else None
        if tflite is not None:
            self._run, self.backend = tflite, "tflite"

    @classmethod
    def from_keras_model(
        cls,
        model: keras.Model,
        cache_key: str | None = None,
        name: str | None = None,
        use_tflite: bool = True,
    ) -> Embedder:
        """An Embedder for any Keras image model (e.g. a fine-tuned backbone). With a cache_key
        the TFLite file is kept in the cache dir under that name; the key must change whenever
        the model's weights do."""
        return cls(lambda: model, name or model.name, cache_key, use_tflite)

    def embed(self, batch: np.ndarray) -> np.ndarray:
        batch = np.asarray(batch)
        expected = (self.input_size, self.input_size, 3)
        if batch.ndim != 4 or batch.shape[1:] != expected:
            raise ValueError(
                f"{self.name} expects images of shape (N, {expected}), got {batch.shape}"
            )
        if len(batch) == 0:
            return np.zeros((0, self.embedding_dim), np.float32)
        with self._lock:  # the interpreter is not thread-safe; the GUI embeds from a worker
            return self._run(batch.astype(np.float32, copy=False))


def _chunked(run: Runner, batch: np.ndarray, size: int) -> np.ndarray:
    return np.concatenate([run(batch[i : i + size]) for i in range(0, len(batch), size)])


def _graph_runner(model: keras.Model) -> Runner:
    import tensorflow as tf

    side = int(model.input_shape[1])
    # No XLA (jit_compile): on CPU it was ~10x slower than the plain graph here.
    graph = tf.function(
        lambda x: model(x, training=False),
        autograph=False,  # plain model call: nothing to convert
        input_signature=[tf.TensorSpec((None, side, side, 3), tf.float32)],
    )
    return lambda batch: _chunked(lambda x: graph(x).numpy(), batch, _GRAPH_CHUNK)


class _TFLiteRunner:
    """One interpreter, resized only when a chunk's length changes (the last one of a batch)."""

    def __init__(self, flatbuffer: bytes):
        import tensorflow as tf

        with warnings.catch_warnings():  # tf.lite.Interpreter warns it moved to ai_edge_litert
            warnings.simplefilter("ignore", UserWarning)
            self._interpreter = tf.lite.Interpreter(
                model_content=flatbuffer, num_threads=os.cpu_count() or 1
            )
        self._input = self._interpreter.get_input_details()[0]["index"]
        self._output = self._interpreter.get_output_details()[0]["index"]
        self.input_size = int(self._interpreter.get_input_details()[0]["shape"][1])
        self.embedding_dim = int(self._interpreter.get_output_details()[0]["shape"][-1])
        self._batch = -1

    def __call__(self, batch: np.ndarray) -> np.ndarray:
        return _chunked(self._invoke, batch, _TFLITE_CHUNK)

    def _invoke(self, chunk: np.ndarray) -> np.ndarray:
        if len(chunk) != self._batch:
            self._interpreter.resize_tensor_input(self._input, chunk.shape)
            self._interpreter.allocate_tensors()
            self._batch = len(chunk)
        self._interpreter.set_tensor(self._input, np.ascontiguousarray(chunk))
        self._interpreter.invoke()
        return self._interpreter.get_tensor(self._output).copy()


def _checked_tflite_runner(
    model: keras.Model, path: Path | None, reference: Runner
) -> Runner | None:
    """A freshly converted TFLite runner that agrees with `reference` (then cached at path), or
    None (logged) if there is none. Only a checked flatbuffer is ever written to the cache, so
    a cached one is trusted as it is."""
    try:
        flatbuffer = convert_to_tflite(model)
        runner = _TFLiteRunner(flatbuffer)
        probe = np.random.default_rng(0).integers(0, 256, (2, *model.input_shape[1:]))
        probe = probe.astype(np.float32)
        diff = float(np.max(np.abs(runner(probe) - reference(probe))))
    except Exception as exc:  # conversion and interpreter errors are many and undocumented
        log.warning("TFLite unavailable for %s, using tf.function: %s", model.name, exc)
        return None
    if not diff <= AGREEMENT_TOLERANCE:  # also catches NaN
        log.warning("TFLite differs from Keras by %s for %s, using tf.function", diff, model.name)
        return None
    if path is not None:
        write_atomically(path, lambda tmp: tmp.write_bytes(flatbuffer))
    return runner


def _tflite_path(cache_key: str | None) -> Path | None:
    return None if cache_key is None else backbones_cache_dir() / f"{cache_key}.tflite"


def _cached_tflite_runner(path: Path | None) -> _TFLiteRunner | None:
    """The runner of a cached (so already checked) flatbuffer; None when there is none or it
    won't load (then it is removed, to be converted and checked afresh)."""
    if path is None or not path.is_file():
        return None
    try:
        return _TFLiteRunner(path.read_bytes())
    except Exception as exc:  # a damaged file raises whatever the flatbuffer parser meets
        log.warning("Rebuilding unreadable TFLite cache %s: %s", path, exc)
        path.unlink(missing_ok=True)
        return None


def convert_to_tflite(model: keras.Model) -> bytes:
    """A float32 TFLite flatbuffer of a Keras model with a dynamic batch dimension.

    The variables are frozen into constants first: converted unfrozen, the weights stayed
    resource variables the interpreter never initialised (NaN output). from_keras_model works
    but took ~3x longer (it round-trips through a SavedModel). The converter logs that a
    trackable_obj is advised; there is none left to keep alive once frozen.
    """
    import tensorflow as tf
    from tensorflow.python.framework.convert_to_constants import (
        convert_variables_to_constants_v2,
    )

    spec = tf.TensorSpec((None, *model.input_shape[1:]), tf.float32)
    call = tf.function(lambda x: model(x, training=False), autograph=False)
    concrete = call.get_concrete_function(spec)
    frozen = convert_variables_to_constants_v2(concrete)
    return tf.lite.TFLiteConverter.from_concrete_functions([frozen]).convert()


_EMBEDDERS: dict[tuple[str, int], Embedder] = {}
_EMBEDDERS_LOCK = threading.Lock()


def get_embedder(name: str, input_size: int | None = None) -> Embedder:
    """One Embedder per backbone and input size per process: building one costs seconds.
    input_size None: the backbone's native size."""
    from photosort.backbones.building import build_backbone, cache_key, resolve_input_size
    from photosort.backbones.registry import get_spec

    canonical = get_spec(name).name
    size = resolve_input_size(canonical, input_size)
    with _EMBEDDERS_LOCK:
        if (canonical, size) not in _EMBEDDERS:
            import tensorflow as tf

            # The input size is part of the key (the same weights give another flatbuffer at
            # another size), and so is the TensorFlow version: a converter update re-converts
            # and re-checks rather than trusting a flatbuffer it did not write.
            key = f"{cache_key(canonical)}-{size}px-features-tf{tf.__version__}"
            _EMBEDDERS[canonical, size] = Embedder(
                lambda: build_backbone(canonical, include_top=False, input_size=size),
                canonical,
                key,
            )
        return _EMBEDDERS[canonical, size]
