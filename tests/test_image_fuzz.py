"""Image decoding fuzzed over real photo bytes.

Seeds are real shared photos (JPEGs as they are, one with an EXIF orientation, and PNG, WebP,
TIFF, BMP and HEIC files made from them here with Pillow and pillow_heif). Hypothesis mutates
them (bit flips, byte sets, truncation, insertions, duplicated chunks, header integers set to
extreme values) and feeds each result to every public loader. The promise checked: a loader
returns a proper result or raises photosort.errors.ImageError with a reason, nothing else, and
never hangs (each call runs under an alarm; the example under a hypothesis deadline).

CI runs a bounded number of examples (about a minute at most); set PHOTOSORT_FUZZ_EXAMPLES
for a long run, e.g. PHOTOSORT_FUZZ_EXAMPLES=5000 pytest tests/test_image_fuzz.py.
"""

from __future__ import annotations

import io
import os
import signal
import time
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from photosort import images
from photosort.errors import ImageError

EXAMPLES = int(os.environ.get("PHOTOSORT_FUZZ_EXAMPLES", "300"))
SIZE = 96  # model-input side asked of load_rgb: small keeps each example fast
CALL_LIMIT_S = 5.0  # one loader on one (small) photo takes milliseconds; seconds means a hang
SEED_PHOTOS = ["scenes/forest/0.jpg", "scenes/street/1000.jpg", "people/portrait"]


class Hang(Exception):
    """Raised by the alarm inside a loader that ran past CALL_LIMIT_S."""


def _alarm(signum, frame):
    raise Hang(f"a loader ran past {CALL_LIMIT_S} s")


def _first_photo(path: Path) -> Path:
    return path if path.is_file() else sorted(p for p in path.iterdir() if p.suffix == ".jpg")[0]


@pytest.fixture(scope="module")
def seeds(datasets_dir) -> list[tuple[str, bytes]]:
    """(suffix, bytes) of every seed: real JPEGs, and other formats made from them."""
    import pillow_heif

    pillow_heif.register_heif_opener()
    out: list[tuple[str, bytes]] = []
    jpegs = [_first_photo(datasets_dir / rel) for rel in SEED_PHOTOS]
    for path in jpegs:
        out.append((".jpg", path.read_bytes()))
    small = Image.open(jpegs[0]).convert("RGB")
    small.thumbnail((96, 96))

    def encoded(fmt: str, image: Image.Image, **options) -> bytes:
        buffer = io.BytesIO()
        image.save(buffer, fmt, **options)
        return buffer.getvalue()

    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90°
    exif[0x0132] = "2021:07:04 12:30:00"
    out += [
        (".jpg", encoded("JPEG", small, exif=exif, quality=80)),
        (".jpg", encoded("JPEG", small, progressive=True, quality=70)),
        (".png", encoded("PNG", small)),
        (".png", encoded("PNG", small.convert("P"), exif=exif)),
        (".webp", encoded("WEBP", small, quality=70)),
        (".tif", encoded("TIFF", small, compression="tiff_deflate")),
        (".tif", encoded("TIFF", small.convert("L"), exif=exif)),
        (".bmp", encoded("BMP", small)),
        (".heic", encoded("HEIF", small, quality=60)),
    ]
    return out


def _int_field(value: int, width: int, order: str) -> bytes:
    return (value % (1 << (8 * width))).to_bytes(width, order)


@st.composite
def mutated(draw, seeds):
    suffix, data = draw(st.sampled_from(seeds))
    body = bytearray(data)
    for _ in range(draw(st.integers(1, 4))):
        size = len(body)
        # half of the edits land in the header, where the sizes and offsets live
        at = draw(st.one_of(st.integers(0, min(size, 600)), st.integers(0, max(size - 1, 0))))
        kind = draw(st.sampled_from(["flip", "set", "truncate", "insert", "duplicate", "field"]))
        if kind == "flip" and at < size:
            body[at] ^= 1 << draw(st.integers(0, 7))
        elif kind == "set" and at < size:
            body[at] = draw(st.integers(0, 255))
        elif kind == "truncate":
            del body[at:]
        elif kind == "insert":
            body[at:at] = draw(st.binary(min_size=1, max_size=64))
        elif kind == "duplicate" and size:
            start = draw(st.integers(0, size - 1))
            chunk = body[start : start + draw(st.integers(1, 4096))]
            body[at:at] = chunk
        elif kind == "field":
            width = draw(st.sampled_from([1, 2, 4]))
            value = draw(st.sampled_from([0, 1, 0x7F, 0xFF, 0x7FFF, 0xFFFF, 0x7FFFFFFF, 0xFFFFFFFF]))
            order = draw(st.sampled_from(["big", "little"]))
            body[at : at + width] = _int_field(value, width, order)
    if draw(st.booleans()) and draw(st.booleans()):
        suffix = draw(st.sampled_from([".jpg", ".png", ".heic", ".webp", ".tif", ".bmp"]))
    return suffix, bytes(body)


def _call(fn, *args, **kwargs):
    """fn(...) under an alarm: the result, or the ImageError it raised. Anything else fails."""
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, CALL_LIMIT_S)
    started = time.perf_counter()
    try:
        return fn(*args, **kwargs)
    except ImageError as error:
        assert error.reason and error.reason.strip(), f"{fn.__name__}: ImageError without a reason"
        assert str(error.path) and "\n" not in error.reason
        return error
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        # a C decoder ignores the alarm until it returns: the clock catches that case too
        elapsed = time.perf_counter() - started
        assert elapsed < CALL_LIMIT_S, f"{fn.__name__} took {elapsed:.1f} s"


def _check_every_loader(path: Path, data: bytes) -> None:
    photo = _call(images.read_photo, path)
    if not isinstance(photo, ImageError):
        assert photo.data == data
    for rgb in (_call(images.load_rgb, path, size=SIZE), _call(images.load_rgb, path, size=SIZE, data=data)):
        if not isinstance(rgb, ImageError):
            assert rgb.shape == (SIZE, SIZE, 3) and rgb.dtype == np.uint8
    thumb = _call(images.load_thumbnail, path)
    if not isinstance(thumb, ImageError):
        assert thumb.mode == "RGB" and max(thumb.size) <= 256 and min(thumb.size) >= 1
    info = _call(images.photo_info, path)
    if not isinstance(info, ImageError):
        assert info.size == len(data) and (info.width is None or info.width >= 1)


def test_the_unmutated_seeds_load(seeds, tmp_path):
    for i, (suffix, data) in enumerate(seeds):
        path = tmp_path / f"seed{i}{suffix}"
        path.write_bytes(data)
        assert images.load_rgb(path, size=SIZE).shape == (SIZE, SIZE, 3)
        assert images.read_photo(path).data == data
        assert images.photo_info(path).width >= 1


@settings(
    max_examples=EXAMPLES,
    deadline=timedelta(seconds=5 * CALL_LIMIT_S),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                           HealthCheck.data_too_large],
)
@given(data=st.data())
def test_mutated_photos_give_a_result_or_an_image_error(seeds, tmp_path, data):
    suffix, body = data.draw(mutated(seeds), label="photo")
    path = tmp_path / f"fuzzed{suffix}"
    path.write_bytes(body)
    _check_every_loader(path, body)
