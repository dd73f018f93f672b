"""photosort.images on real photos and on real bad files written into tmp_path."""

from __future__ import annotations

import builtins
import hashlib
import io
import os
import random
import shutil
import struct
import time
import warnings
import zlib
from datetime import datetime
from pathlib import Path

import numpy as np
import pillow_heif
import pytest
from PIL import Image, ImageFile, ImageOps

from photosort import images
from photosort.errors import ImageError
from photosort.images import (
    INPUT_SIZE,
    content_hash,
    is_photo_path,
    iter_photos,
    load_rgb,
    load_thumbnail,
    photo_info,
    read_photo,
)

LANCZOS = Image.Resampling.LANCZOS
NOT_AN_IMAGE = "not an image (the content is not a photo format photosort reads)"
CORRUPT = "truncated or corrupt image data"


# --- helpers ------------------------------------------------------------------------------


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


def test_content_decides_the_format(scene_photo, tmp_path):
    path = tmp_path / "really_a_jpeg.png"
    shutil.copy(scene_photo, path)
    assert load_rgb(path).shape == (INPUT_SIZE, INPUT_SIZE, 3)


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


# --- finding photos -----------------------------------------------------------------------


def test_is_photo_path():
    assert is_photo_path("IMG_001.JPG") and is_photo_path("a/b/c.HeIc") and is_photo_path("x.tiff")
    assert not is_photo_path(".IMG_001.jpg")  # macOS resource forks, hidden files
    assert not any(map(is_photo_path, ["notes.txt", "jpg", "movie.mov", "photo.jpg.part"]))


def test_iter_photos(tmp_path, scene_photo):
    root = tmp_path / "roll"

    def photo(relative: str) -> Path:
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(scene_photo, path)
        return path

    wanted = [
        photo("2023/IMG_002.JPG"),
        photo("2023/b.HeIc"),
        photo("2023/trip/c.png"),
        photo("A.jpeg"),
        photo("z.jpg"),
    ]
    photo(".hidden.jpg")
    photo(".thumbnails/d.jpg")
    photo("2023/.trash/e.jpg")
    photo("sorted/Beach/f.jpg")
    (root / "notes.txt").write_text("not a photo")
    (root / "broken.jpg").symlink_to(root / "nowhere.jpg")
    os.mkfifo(root / "pipe.jpg")
    (root / "2023" / "trip" / "loop").symlink_to(root)  # a link back up the tree

    excluded = root / "2023" / ".." / "sorted"  # compared after resolving
    passed_over = []
    found = list(iter_photos(root, exclude=[excluded], on_skip=lambda p, why: passed_over.append((p, why))))
    assert found == wanted == sorted(found)
    assert passed_over == [
        (root / "broken.jpg", "broken link (the file it points to is missing)"),
        (root / "pipe.jpg", "not a regular file"),
    ]
    everything = ["IMG_002.JPG", "b.HeIc", "c.png", "A.jpeg", "f.jpg", "z.jpg"]
    assert [p.name for p in iter_photos(root)] == everything


def test_iter_photos_on_a_missing_folder(tmp_path):
    with pytest.raises(ImageError, match="no such folder"):
        list(iter_photos(tmp_path / "nope"))


# --- hashing and metadata -----------------------------------------------------------------


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
