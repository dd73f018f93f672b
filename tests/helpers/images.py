"""Photos and helpers shared by the tests of photosort.images (one test file per module).

The names keep their leading underscores from the single test file they came from, so the
split test files read (and assert) exactly as before.
"""

from __future__ import annotations

import struct
import time
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from photosort.images import INPUT_SIZE

LANCZOS = Image.Resampling.LANCZOS
NOT_AN_IMAGE = "not an image (the content is not a photo format photosort reads)"
CORRUPT = "truncated or corrupt image data"


def _first(folder: Path) -> Path:
    return sorted(folder.glob("*.jpg"))[0]


def _reference(img: Image.Image, size: int = INPUT_SIZE) -> np.ndarray:
    """What the loader should approximate: a full-resolution decode, resized once."""
    return np.asarray(img.convert("RGB").resize((size, size), LANCZOS), dtype=np.float64)


def _mean_abs_diff(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a.astype(np.float64) - b.astype(np.float64)).mean())


def _best_of_3(work) -> float:
    times = []
    for _ in range(3):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return min(times)


def _png_claiming(width: int, height: int) -> bytes:
    """A valid PNG header for a width×height RGB image followed by a few bytes of pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        checksum = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + checksum

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )


def _exif(orientation: int | None = None, taken: str | None = None, changed: str | None = None):
    exif = Image.Exif()
    if orientation is not None:
        exif[0x0112] = orientation
    if changed is not None:
        exif[0x0132] = changed
    if taken is not None:
        exif.get_ifd(0x8769)[0x9003] = taken
    return exif


@pytest.fixture(scope="module")
def people_photo(datasets_dir) -> Path:
    """A real, non-square ~640×480 photo: big enough for draft decoding, turns visibly."""
    for path in sorted((datasets_dir / "people" / "group").glob("*.jpg")):
        with Image.open(path) as img:
            if img.width > img.height >= 400:
                return path
    pytest.skip("no landscape people photo")


@pytest.fixture(scope="module")
def scene_photo(datasets_dir) -> Path:
    return _first(datasets_dir / "scenes" / "forest")
