"""photosort.training.augmentation on a real photo: deterministic views, no black borders, fast."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

from photosort.images import load_rgb
from photosort.training.augmentation import augment


def _first(folder: Path) -> Path:
    return sorted(folder.glob("*.jpg"))[0]


@pytest.fixture(scope="module")
def rgb(datasets_dir) -> np.ndarray:
    return load_rgb(_first(datasets_dir / "scenes" / "street"))


def test_augment_view_zero_is_the_image(rgb):
    out = augment(rgb, 0, seed=123)
    assert np.array_equal(out, rgb) and out is not rgb


def test_augment_is_deterministic_and_views_differ(rgb):
    views = [augment(rgb, view, seed=5) for view in range(1, 9)]
    for view, out in enumerate(views, start=1):
        assert out.shape == rgb.shape and out.dtype == np.uint8
        assert np.array_equal(out, augment(rgb, view, seed=5))
        assert not np.array_equal(out, rgb)
    assert len({out.tobytes() for out in views}) == len(views)
    assert not np.array_equal(augment(rgb, 1, seed=5), augment(rgb, 1, seed=6))
    assert rgb.flags.writeable  # the input is untouched
    # Brightness ±20%, contrast about the mean: the overall exposure stays close.
    assert all(0.7 < out.mean() / rgb.mean() < 1.3 for out in views)


def test_augment_has_no_black_borders():
    grey = np.full((64, 64, 3), 100, np.uint8)
    for view in range(1, 30):
        out = augment(grey, view)
        # Rotated corners are reflected image, not black; only brightness changes a flat grey.
        assert out.max() - out.min() <= 1 and 80 <= out.mean() <= 120


def test_augment_large_seed_and_non_square(rgb):
    wide = np.ascontiguousarray(rgb[:100])
    seed = int("f" * 32, 16)  # a 128-bit content hash as the seed
    out = augment(wide, 3, seed=seed)
    assert out.shape == wide.shape and out.dtype == np.uint8


def test_augment_is_fast(rgb):
    augment(rgb, 1)
    started = time.perf_counter()
    for view in range(1, 101):
        augment(rgb, view)
    assert (time.perf_counter() - started) / 100 < 0.005  # ~0.3 ms here; generous for CI
