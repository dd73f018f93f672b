"""photosort.images.reading on real photos and on real bad files written into tmp_path: reading a
file once, hashing, header facts, and the clear reason for every file that cannot be read."""

from __future__ import annotations

import builtins
import hashlib
import io
import os
import random
import shutil
import time
import warnings
from datetime import datetime
from pathlib import Path

import numpy as np
import pillow_heif
import pytest
from PIL import Image, ImageFile
from helpers.images import CORRUPT, NOT_AN_IMAGE, _exif, _png_claiming
from helpers.images import people_photo, scene_photo  # noqa: F401 (pytest fixtures)

from photosort.errors import ImageError
from photosort.images import (
    INPUT_SIZE,
    content_hash,
    load_rgb,
    load_thumbnail,
    photo_info,
    read_photo,
)


# --- reading once -------------------------------------------------------------------------


def test_reading_once_gives_what_reading_twice_does(people_photo, tmp_path):
    """read_photo + load_rgb(data=...) (the sorting path) against photo_info, content_hash and
    load_rgb from the file, on a 12-MP JPEG (OpenCV's reduced decode), a turned one and a PNG."""
    with Image.open(people_photo) as img:
        big = img.convert("RGB").resize((4032, 3024), Image.Resampling.BILINEAR)
    big.save(jpeg := tmp_path / "IMG_0002.JPG", quality=90, exif=_exif(6, "2021:05:01 10:00:00"))
    big.resize((800, 600)).save(png := tmp_path / "shot.png")
    for path in (jpeg, png, people_photo):
        photo = read_photo(path)
        assert photo.data == path.read_bytes()
        assert photo.info == photo_info(path)
        assert photo.content_hash == content_hash(path)
        np.testing.assert_array_equal(load_rgb(path, data=photo.data), load_rgb(path))
    assert (read_photo(jpeg).info.width, read_photo(jpeg).info.height) == (3024, 4032)


def test_content_decides_the_format(scene_photo, tmp_path):
    path = tmp_path / "really_a_jpeg.png"
    shutil.copy(scene_photo, path)
    assert load_rgb(path).shape == (INPUT_SIZE, INPUT_SIZE, 3)


# --- bad input ----------------------------------------------------------------------------


def _zero_bytes(tmp: Path, photo: Path) -> Path:
    (path := tmp / "empty.jpg").write_bytes(b"")
    return path


def _first_half(tmp: Path, photo: Path) -> Path:
    data = photo.read_bytes()
    (path := tmp / "half.jpg").write_bytes(data[: len(data) // 2])
    return path


def _header_only(tmp: Path, photo: Path) -> Path:
    (path := tmp / "cut.jpg").write_bytes(photo.read_bytes()[:60])
    return path


def _random_bytes(tmp: Path, photo: Path) -> Path:
    noise = random.Random(7).randbytes(5000)
    (path := tmp / "noise.jpg").write_bytes(b"\x00" + noise)
    return path


def _text_as_png(tmp: Path, photo: Path) -> Path:
    (path := tmp / "notes.png").write_text("shopping list: milk, eggs\n" * 20)
    return path


def _folder(tmp: Path, photo: Path) -> Path:
    (path := tmp / "x.jpg").mkdir()
    return path


def _missing(tmp: Path, photo: Path) -> Path:
    return tmp / "gone.jpg"


def _broken_link(tmp: Path, photo: Path) -> Path:
    (path := tmp / "link.jpg").symlink_to(tmp / "nowhere.jpg")
    return path


def _named_pipe(tmp: Path, photo: Path) -> Path:
    os.mkfifo(path := tmp / "pipe.jpg")  # opening it would block forever
    return path


BAD_INPUTS = [
    (_zero_bytes, "empty file (0 bytes)"),
    (_first_half, CORRUPT),
    (_header_only, CORRUPT),
    (_random_bytes, NOT_AN_IMAGE),
    (_text_as_png, NOT_AN_IMAGE),
    (_folder, "is a folder"),
    (_missing, "no such file"),
    (_broken_link, "broken link (the file it points to is missing)"),
    (_named_pipe, "not a regular file"),
]


def _load_from_memory(path: Path) -> np.ndarray:
    """What sorting does: read the file once, then decode the bytes in memory."""
    return load_rgb(path, data=read_photo(path).data)


@pytest.mark.parametrize("make, reason", BAD_INPUTS, ids=[m.__name__[1:] for m, _ in BAD_INPUTS])
@pytest.mark.parametrize(
    "load", [load_rgb, load_thumbnail, photo_info, read_photo, _load_from_memory], ids=lambda f: f.__name__
)
def test_bad_input_raises_image_error(tmp_path, people_photo, make, reason, load):
    path = make(tmp_path, people_photo)
    if load in (photo_info, read_photo) and make is _first_half:
        assert load(path).width if load is photo_info else load(path).info.width  # header intact
        return
    with pytest.raises(ImageError) as caught:
        load(path)
    assert caught.value.reason == reason
    assert caught.value.path == path
    assert str(caught.value) == f"{path}: {reason}"


@pytest.mark.parametrize(
    "make, reason", [bad for bad in BAD_INPUTS if bad[0] in (_folder, _missing, _broken_link)]
)
def test_content_hash_of_an_unusable_path(tmp_path, people_photo, make, reason):
    with pytest.raises(ImageError) as caught:
        content_hash(make(tmp_path, people_photo))
    assert caught.value.reason == reason


def test_permission_denied(tmp_path, scene_photo, monkeypatch):
    path = tmp_path / "locked.jpg"
    shutil.copy(scene_photo, path)
    if os.geteuid() != 0:
        path.chmod(0)
    else:
        # root reads through chmod 000: make open() fail for this one file, as it would.
        real_open = builtins.open

        def guarded_open(file, *args, **kwargs):
            if os.fspath(file) == os.fspath(path):
                raise PermissionError(13, "Permission denied", os.fspath(file))
            return real_open(file, *args, **kwargs)

        monkeypatch.setattr(builtins, "open", guarded_open)
    for load in (load_rgb, load_thumbnail, photo_info, content_hash):
        with pytest.raises(ImageError) as caught:
            load(path)
        assert caught.value.reason == "permission denied"


def test_decompression_bomb_is_refused_before_decoding(tmp_path):
    path = tmp_path / "bomb.png"
    path.write_bytes(_png_claiming(50_000, 50_000))
    started = time.perf_counter()
    for load in (load_rgb, load_thumbnail, photo_info):
        with pytest.raises(ImageError) as caught:
            load(path)
        assert caught.value.reason == "too large (2,500 megapixels; the limit is 120)"
    assert time.perf_counter() - started < 1.0


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_over_the_limit_is_refused_with_its_size(tmp_path):
    path = tmp_path / "huge.png"
    path.write_bytes(_png_claiming(12_000, 11_000))
    with pytest.raises(ImageError) as caught:
        load_rgb(path)
    assert caught.value.reason == "too large (132 megapixels; the limit is 120)"


def test_pillow_bomb_warning_as_error_becomes_image_error(tmp_path):
    path = tmp_path / "huge.png"
    path.write_bytes(_png_claiming(12_000, 11_000))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ImageError, match="too large"):
            load_rgb(path)
        # A 100-megapixel photo is under photosort's limit: Pillow must not warn about it.
        path.write_bytes(_png_claiming(10_000, 10_000))
        assert photo_info(path).width == 10_000


@pytest.mark.filterwarnings("ignore::UserWarning")  # Pillow's "Corrupt EXIF data" notes
def test_damaged_files_never_raise_anything_else(tmp_path, people_photo):
    """A small seeded fuzz: truncations and flipped bytes in every format we read."""
    pillow_heif.register_heif_opener()
    with Image.open(people_photo) as img:
        img = img.convert("RGB").resize((160, 120))
    originals = []
    for fmt, options in [("JPEG", {"exif": _exif(6, "2020:01:01 00:00:00")}), ("PNG", {}),
                         ("WEBP", {}), ("TIFF", {"compression": "tiff_lzw"}), ("BMP", {}),
                         ("HEIF", {"quality": 50})]:
        buffer = io.BytesIO()
        img.save(buffer, fmt, **options)
        originals.append(buffer.getvalue())
    rng = random.Random(1)
    for i in range(60):
        data = bytearray(rng.choice(originals))
        if i % 2:
            data = data[: rng.randrange(1, len(data))]
        for _ in range(rng.randint(1, 12)):
            data[rng.randrange(min(len(data), 400))] = rng.randrange(256)
        path = tmp_path / f"damaged{i}.jpg"
        path.write_bytes(bytes(data))
        for load in (load_rgb, photo_info, _load_from_memory):
            try:
                load(path)
            except ImageError:
                pass


# --- hashing and header facts -------------------------------------------------------------


def test_content_hash(tmp_path, scene_photo, people_photo):
    data = os.urandom(5 * 1024 * 1024 // 2)  # crosses the 1 MiB read size
    (tmp_path / "a.jpg").write_bytes(data)
    (tmp_path / "copy.jpg").write_bytes(data)
    (tmp_path / "other.jpg").write_bytes(data[:-1] + bytes([data[-1] ^ 1]))
    expected = hashlib.sha256(data).hexdigest()[:32]
    assert content_hash(tmp_path / "a.jpg") == content_hash(tmp_path / "copy.jpg") == expected
    assert content_hash(tmp_path / "other.jpg") != expected
    assert len(expected) == 32
    assert content_hash(scene_photo) != content_hash(people_photo)


def test_photo_info(tmp_path, people_photo):
    path = tmp_path / "dated.jpg"
    with Image.open(people_photo) as img:
        img.save(path, exif=_exif(taken="2019:08:17 18:42:05", changed="2020:01:01 00:00:00"))
        size = img.size
    info = photo_info(path)
    st = path.stat()
    assert (info.size, info.mtime) == (st.st_size, st.st_mtime)
    assert (info.width, info.height) == size
    assert info.taken_at == datetime(2019, 8, 17, 18, 42, 5)


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "TIFF"])
def test_photo_info_reads_no_pixels(tmp_path, scene_photo, monkeypatch, fmt):
    path = tmp_path / f"p.{fmt.lower()}"
    with Image.open(scene_photo) as img:
        # Pillow's TIFF writer drops the Exif sub-IFD, so DateTime carries the date there.
        stamp = "2016:05:04 03:02:01"
        img.save(path, fmt, exif=_exif(8, taken=stamp, changed=stamp))
        plain = tmp_path / f"plain.{fmt.lower()}"
        img.save(plain, fmt)

    def no_decoding(self):
        raise AssertionError("photo_info decoded the pixels")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    info = photo_info(path)
    assert (info.width, info.height) == (150, 150)
    assert info.taken_at == datetime(2016, 5, 4, 3, 2, 1)
    # Without EXIF up front, a PNG may keep it after the pixels: photo_info doesn't look there.
    assert photo_info(plain).taken_at is None
