"""photosort.images.metadata on real photos: EXIF orientation (pixels and sizes) and taken-at."""

from __future__ import annotations

import io
import struct
import zlib
from datetime import datetime

import numpy as np
import pytest
from PIL import Image, ImageOps
from helpers.images import LANCZOS, _exif, _mean_abs_diff, _reference
from helpers.images import people_photo, scene_photo  # noqa: F401 (pytest fixtures)

from photosort.images import load_rgb, load_thumbnail, photo_info


# --- orientation --------------------------------------------------------------------------


@pytest.mark.parametrize("orientation", range(1, 9))
def test_exif_orientation_is_applied(people_photo, tmp_path, orientation):
    path = tmp_path / f"turned{orientation}.jpg"
    with Image.open(people_photo) as img:
        img.save(path, exif=_exif(orientation), quality=92)
    with Image.open(path) as stored:
        upright = ImageOps.exif_transpose(stored)  # Pillow's own reading of the tag
        as_stored = _reference(stored)
    expected = _reference(upright)

    assert _mean_abs_diff(load_rgb(path), expected) < 3.0
    if orientation != 1:  # the comparison can tell a turned picture from an unturned one
        assert _mean_abs_diff(as_stored, expected) > 15.0

    info = photo_info(path)
    assert (info.width, info.height) == upright.size
    thumb = load_thumbnail(path, 128)
    assert max(thumb.size) == 128
    # Draft decoding rounds the reduced size up, so the short side may differ by a pixel.
    assert abs(thumb.width / thumb.height - upright.width / upright.height) < 0.02
    reference_thumb = upright.convert("RGB").resize(thumb.size, LANCZOS)
    assert _mean_abs_diff(np.asarray(thumb), np.asarray(reference_thumb)) < 4.0
    assert "exif" not in thumb.info  # nobody can turn the thumbnail a second time


def test_png_exif_after_the_pixels_still_turns_it(people_photo, tmp_path):
    """PNG allows the eXIf chunk after the image data: orientation is read after decoding."""
    with Image.open(people_photo) as img:
        expected = _reference(img.transpose(Image.Transpose.ROTATE_270))
        buffer = io.BytesIO()
        img.convert("RGB").save(buffer, "PNG")
    data = buffer.getvalue()
    payload = _exif(6).tobytes()
    if payload.startswith(b"Exif\x00\x00"):
        payload = payload[6:]
    chunk = struct.pack(">I", len(payload)) + b"eXIf" + payload
    chunk += struct.pack(">I", zlib.crc32(b"eXIf" + payload))
    end = data.rindex(b"IEND") - 4  # the IEND chunk starts with its length
    (path := tmp_path / "late_exif.png").write_bytes(data[:end] + chunk + data[end:])
    assert _mean_abs_diff(load_rgb(path), expected) < 3.0


@pytest.mark.parametrize("fmt", ["PNG", "WEBP", "TIFF"])
def test_exif_orientation_in_other_formats(people_photo, tmp_path, fmt):
    path = tmp_path / f"turned.{fmt.lower()}"
    with Image.open(people_photo) as img:
        img.save(path, fmt, exif=_exif(6))
        expected = _reference(img.transpose(Image.Transpose.ROTATE_270))
        width, height = img.size
    assert _mean_abs_diff(load_rgb(path), expected) < 3.0
    info = photo_info(path)
    assert (info.width, info.height) == (height, width)


# --- taken at -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "exif, expected",
    [
        (_exif(changed="2018:03:04 05:06:07"), datetime(2018, 3, 4, 5, 6, 7)),  # DateTime fallback
        (_exif(taken="0000:00:00 00:00:00"), None),  # cameras without a clock
        (_exif(taken="last tuesday"), None),
        (_exif(taken="2017:02:03 04:05:06\x00"), datetime(2017, 2, 3, 4, 5, 6)),
        (None, None),
    ],
)
def test_taken_at(tmp_path, scene_photo, exif, expected):
    path = tmp_path / "p.jpg"
    with Image.open(scene_photo) as img:
        img.save(path, **({"exif": exif} if exif is not None else {}))
    assert photo_info(path).taken_at == expected
