"""photosort.images.decoding on real photos: model input, thumbnails and full-size views, in
every format and mode photosort reads."""

from __future__ import annotations

import shutil
from datetime import datetime

import numpy as np
import pillow_heif
import pytest
from PIL import Image
from helpers.images import _best_of_3, _exif, _first, _mean_abs_diff, _reference
from helpers.images import people_photo, scene_photo  # noqa: F401 (pytest fixtures)

from photosort import images
from photosort.images import (
    INPUT_SIZE,
    is_photo_path,
    iter_photos,
    load_rgb,
    load_thumbnail,
    photo_info,
)


# --- loading real photos ------------------------------------------------------------------


@pytest.mark.parametrize(
    "folder",
    ["scenes/sea", "scenes/street", "pets/cats", "pets/dogs", "people/portrait", "faces/me", "miml/images"],
)
def test_real_photo_loads_like_the_photo(datasets_dir, folder):
    path = _first(datasets_dir / folder)
    rgb = load_rgb(path)
    assert rgb.shape == (INPUT_SIZE, INPUT_SIZE, 3) and rgb.dtype == np.uint8
    with Image.open(path) as img:
        ref = _reference(img)
    # Draft decoding and resampling may move single pixels a little, never the picture.
    assert np.abs(rgb.mean(axis=(0, 1)) - ref.mean(axis=(0, 1))).max() < 1.5
    assert _mean_abs_diff(rgb, ref) < 3.0
    rgb[0, 0] = 0  # callers get their own writable array


def test_twelve_megapixel_jpeg_draft_decode_matches_full_resolution(people_photo, tmp_path):
    with Image.open(people_photo) as img:
        big = img.convert("RGB").resize((4032, 3024), Image.Resampling.BILINEAR)
    path = tmp_path / "IMG_0001.JPG"
    big.save(path, quality=90)
    with Image.open(path) as full:
        ref = _reference(full)
    assert _mean_abs_diff(load_rgb(path), ref) < 2.0
    thumb = load_thumbnail(path, 256)
    assert thumb.size == (256, 192) and thumb.mode == "RGB"

    def full_decode() -> None:
        with Image.open(path) as img:
            img.load()

    # Draft decoding is the speed: loading must beat merely decoding at full size (~4x here).
    assert _best_of_3(lambda: load_rgb(path)) < 0.7 * _best_of_3(full_decode)


def test_jpeg_with_data_after_its_end_loads(people_photo, tmp_path):
    """Motion photos keep a video after the JPEG's end marker; Pillow decodes those."""
    with Image.open(people_photo) as img:
        big = img.convert("RGB").resize((2016, 1512), Image.Resampling.BILINEAR)
    big.save(plain := tmp_path / "plain.jpg", quality=90)
    (motion := tmp_path / "motion.jpg").write_bytes(plain.read_bytes() + b"\x00\x00\x00\x18ftypmp42" + bytes(500))
    with Image.open(plain) as full:
        ref = _reference(full)
    assert _mean_abs_diff(load_rgb(motion), ref) < 2.0
    assert _mean_abs_diff(load_rgb(motion), load_rgb(plain)) < 1.5


def test_size_argument(scene_photo):
    assert load_rgb(scene_photo, size=96).shape == (96, 96, 3)


def test_open_oriented_full_size(people_photo, tmp_path):
    path = tmp_path / "turned.jpg"
    with Image.open(people_photo) as img:
        img.save(path, exif=_exif(6), quality=95)
        width, height = img.size
    oriented = images.open_oriented(path)
    assert oriented.mode == "RGB" and oriented.size == (height, width)


# --- formats and modes --------------------------------------------------------------------


@pytest.mark.parametrize(
    "fmt, suffix, options",
    [
        ("WEBP", ".webp", {"quality": 95}),
        ("BMP", ".bmp", {}),
        ("PNG", ".png", {}),
        ("TIFF", ".tif", {}),
    ],
)
def test_other_formats(scene_photo, tmp_path, fmt, suffix, options):
    path = tmp_path / f"photo{suffix}"
    with Image.open(scene_photo) as img:
        img.save(path, fmt, **options)
        ref = _reference(img)
    assert _mean_abs_diff(load_rgb(path), ref) < 3.0


def test_heic_round_trip(scene_photo, tmp_path):
    pillow_heif.register_heif_opener()
    path = tmp_path / "IMG_1234.HEIC"
    with Image.open(scene_photo) as img:
        img.save(path, format="HEIF", quality=90, exif=_exif(6, taken="2022:01:02 03:04:05"))
        source = _reference(img)
    with Image.open(path) as decoded:  # libheif applies HEIF's own irot/imir transforms
        shown = _reference(decoded)
    rgb = load_rgb(path)
    # The EXIF tag inside a HEIF is only a copy: photosort must not turn the picture again.
    assert _mean_abs_diff(rgb, shown) < 2.0
    assert _mean_abs_diff(rgb, source) < 6.0  # and the lossy round trip kept the photo
    info = photo_info(path)
    assert (info.width, info.height) == (150, 150)
    assert info.taken_at == datetime(2022, 1, 2, 3, 4, 5)


def test_png_alpha_is_flattened_onto_white(tmp_path):
    rgba = np.zeros((32, 32, 4), np.uint8)
    rgba[..., 0] = 200  # red everywhere
    rgba[:, :16, 3] = 255  # left half opaque
    rgba[:, 16:, 3] = 0  # right half transparent
    path = tmp_path / "sticker.png"
    Image.fromarray(rgba, "RGBA").save(path)
    rgb = load_rgb(path, size=32)
    assert (rgb[:, :16] == (200, 0, 0)).all()
    assert (rgb[:, 16:] == 255).all()


def test_grey_alpha_and_palette_transparency(tmp_path):
    Image.new("LA", (8, 8), (100, 128)).save(tmp_path / "la.png")
    half = load_rgb(tmp_path / "la.png", size=8)
    assert np.allclose(half, 100 * 128 / 255 + 255 * 127 / 255, atol=1)

    palette = Image.new("P", (8, 8), 0)
    palette.putpalette([255, 0, 0, 0, 0, 255])
    palette.save(tmp_path / "p.png", transparency=0)
    assert (load_rgb(tmp_path / "p.png", size=8) == 255).all()


def test_grey_jpeg(people_photo, tmp_path):
    path = tmp_path / "grey.jpg"
    with Image.open(people_photo) as img:
        img.convert("L").save(path, quality=92)
    with Image.open(path) as grey:
        ref = _reference(grey)
    rgb = load_rgb(path)
    assert (rgb[..., 0] == rgb[..., 1]).all() and (rgb[..., 1] == rgb[..., 2]).all()
    assert _mean_abs_diff(rgb, ref) < 3.0


def test_cmyk_jpeg(scene_photo, tmp_path):
    path = tmp_path / "print.jpg"
    with Image.open(scene_photo) as img:
        img.convert("CMYK").save(path, quality=95)
    with Image.open(path) as cmyk:
        assert cmyk.mode == "CMYK"
        ref = _reference(cmyk)
    assert _mean_abs_diff(load_rgb(path), ref) < 3.0


def test_16_bit_grey_tiff_keeps_its_range(tmp_path):
    ramp = (np.arange(64 * 64, dtype=np.uint32).reshape(64, 64) * 16).astype(np.uint16)
    path = tmp_path / "scan.tif"
    Image.fromarray(ramp).save(path)
    with Image.open(path) as img:
        assert img.mode.startswith("I;16")
    rgb = load_rgb(path, size=64)
    # Pillow's own conversion would clip everything above 255 to white.
    assert (rgb == (ramp >> 8)[..., None]).all()


def test_16_bit_colour_png(tmp_path):
    import cv2

    deep = np.zeros((16, 16, 3), np.uint16)
    deep[..., 0], deep[..., 1], deep[..., 2] = 65535, 32768, 4096
    path = tmp_path / "deep.png"
    cv2.imwrite(str(path), deep[..., ::-1])  # OpenCV writes BGR
    assert (load_rgb(path, size=16) == (255, 128, 16)).all()


# --- odd names ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["Été 🌊 photo.JPG", "x" * 200 + ".jpeg", "holiday  photo  1.jpg", "-rf.jpg"]
)
def test_odd_names_load(scene_photo, tmp_path, name):
    path = tmp_path / name
    shutil.copy(scene_photo, path)
    assert is_photo_path(path)
    assert load_rgb(path).shape == (INPUT_SIZE, INPUT_SIZE, 3)
    assert photo_info(path).width == 150
    assert list(iter_photos(tmp_path)) == [path]
