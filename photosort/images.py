"""Open any photo as RGB pixels: one loader for training, inference, thumbnails.

Every failure to read a photo becomes ``ImageError(path, reason)`` with a short reason a person
can act on; nothing a file contains can crash a run. JPEGs (and HEICs with an embedded
thumbnail) are decoded at reduced scale ("draft"), which is most of the speed: a 12-megapixel
JPEG takes ~40 ms instead of ~150 ms. For model input, a complete JPEG (one that ends with its
end-of-image marker) is decoded by OpenCV at reduced scale, ~4 ms faster than Pillow's draft
mode; anything else, and anything OpenCV refuses, goes through Pillow, which names the problem.

Importing this module sets Pillow's own decompression-bomb threshold to ``MAX_PIXELS`` so its
warning (and, at twice the value, its error) agrees with photosort's limit instead of warning
about ordinary 108-megapixel phone photos.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import re
import stat
import struct
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import BinaryIO

import cv2
import numpy as np
from PIL import ExifTags, Image, ImageFile, UnidentifiedImageError

from photosort.errors import ImageError

log = logging.getLogger(__name__)

# Lower-case suffixes photosort treats as photos.
PHOTO_EXTENSIONS = frozenset(
    {".jpg", ".jpeg", ".jpe", ".png", ".webp", ".tif", ".tiff", ".bmp", ".heic", ".heif"}
)
INPUT_SIZE = 224

# Refuse anything larger before decoding: a few bytes of PNG can claim 50000×50000 pixels.
MAX_PIXELS = 120_000_000
Image.MAX_IMAGE_PIXELS = MAX_PIXELS

# Only these decoders ever see a file's bytes: content decides the format (a JPEG named .png
# still loads), but exotic plugins (EPS runs Ghostscript, ...) never parse untrusted files.
_FORMATS = ("JPEG", "PNG", "WEBP", "TIFF", "BMP", "HEIF", "AVIF")

# Thumbnails: Pillow's resize is area-aware, so LANCZOS needs no pre-blur; reducing_gap=3 first
# box-reduces big non-JPEG frames, halving their resize time.
_RESAMPLE = Image.Resampling.LANCZOS
_REDUCING_GAP = 3.0
# Model input shrunk: OpenCV's area average, 0.1-0.2 ms after a reduced decode against ~1 ms
# for Pillow's LANCZOS (the two differ by ~1.3 grey levels on average). Every model input
# comes through load_rgb, so training and sorting see the same resampling.
_INPUT_RESAMPLE = cv2.INTER_AREA
# Files up to this size are read whole, once: hashed, parsed and decoded from memory.
READ_WHOLE_LIMIT = 64 << 20

_HASH_CHUNK = 1 << 20

_NOT_AN_IMAGE = "not an image (the content is not a photo format photosort reads)"
_CORRUPT = "truncated or corrupt image data"

# Signatures of the formats we read: a file that starts like one but fails to open is a
# damaged photo, not "not an image".
_MAGIC = (
    b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+", b"BM",
)
_HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1", b"avif"}

# What Pillow's decoders and metadata parsers raise on hostile or damaged bytes.
_DECODE_ERRORS = (
    OSError, SyntaxError, ValueError, EOFError, IndexError, KeyError, TypeError,
    struct.error, zlib.error, RuntimeError,
)

_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


@dataclass(frozen=True)
class PhotoInfo:
    size: int  # bytes
    mtime: float
    width: int | None
    height: int | None  # as displayed, after EXIF orientation
    taken_at: datetime | None  # EXIF DateTimeOriginal, naive local time


@dataclass(frozen=True)
class PhotoFile:
    """A photo file read once: its bytes (for decoding without reading it again), its facts
    and its content hash."""

    data: bytes
    info: PhotoInfo
    content_hash: str


def is_photo_path(path: str | Path) -> bool:
    """True for a non-hidden file name with a photo extension (case-insensitive)."""
    name = Path(path).name
    return not name.startswith(".") and Path(name).suffix.lower() in PHOTO_EXTENSIONS


def iter_photos(
    root: str | Path,
    exclude: Iterable[str | Path] = (),
    on_skip: Callable[[Path, str], None] | None = None,
) -> Iterator[Path]:
    """Recursively yield photo files under root, sorted, skipping hidden files/dirs and any
    directory in ``exclude`` (e.g. category folders inside the camera roll). A photo-named
    entry that is no regular file (a broken link, a named pipe) and a folder that cannot be
    read are passed over, each told to ``on_skip(path, reason)`` when given."""
    root = Path(root)
    try:
        entries = _sorted_entries(root)
    except OSError as err:
        reason = "no such folder" if isinstance(err, FileNotFoundError) else _os_reason(err)
        raise ImageError(root, reason) from err
    excluded = {Path(p).resolve() for p in exclude}
    yield from _walk(entries, excluded, seen={_identity(root)}, on_skip=on_skip or _log_skip)


def content_hash(path: str | Path) -> str:
    """Hex digest of the file's bytes: SHA-256 cut to 128 bits. SHA-256 rather than blake2b
    because CPUs with SHA extensions (most since 2017) run it 2-3x faster, and every photo is
    hashed when sorted and again when its copy is verified. Raises ImageError on an unreadable
    file."""
    path = Path(path)
    digest = hashlib.sha256()
    with _open_file(path) as fp:
        try:
            while chunk := fp.read(_HASH_CHUNK):
                digest.update(chunk)
        except OSError as err:
            raise ImageError(path, _os_reason(err)) from err
    return digest.hexdigest()[:32]


def read_photo(path: str | Path) -> PhotoFile:
    """Read a photo file whole, once, and learn what photo_info and content_hash would (for
    the same bytes they would read). Raises ImageError for a file that is not a readable
    image, one over READ_WHOLE_LIMIT (use photo_info and content_hash, which stream), and one
    that changed while it was read."""
    path = Path(path)
    with _open_file(path) as fp:
        st = os.fstat(fp.fileno())
        if st.st_size > READ_WHOLE_LIMIT:
            raise ImageError(path, f"too large to read at once ({st.st_size / 1e6:,.0f} MB)")
        try:
            data = fp.read()
        except OSError as err:
            raise ImageError(path, _os_reason(err)) from err
        after = os.fstat(fp.fileno())
    if len(data) != after.st_size or after.st_mtime != st.st_mtime:
        raise ImageError(path, "changed while it was being read (still being written?)")
    return PhotoFile(data, _header_facts(path, io.BytesIO(data), st), hash_bytes(data))


def hash_bytes(data: bytes) -> str:
    """content_hash of bytes already in memory."""
    return hashlib.sha256(data).hexdigest()[:32]


def photo_info(path: str | Path) -> PhotoInfo:
    """Size, mtime, oriented width/height and EXIF taken-at, reading only the header.
    Raises ImageError for a file that is not a readable image."""
    path = Path(path)
    with _open_file(path) as fp:
        return _header_facts(path, fp, os.fstat(fp.fileno()))


def _header_facts(path: Path, fp: BinaryIO, st: os.stat_result) -> PhotoInfo:
    with _image_errors(path):
        img = _identify(path, fp)
        exif = _header_exif(img)
    width, height = img.size
    if _orientation(img, exif) >= 5:  # 5-8 turn the picture a quarter
        width, height = height, width
    return PhotoInfo(st.st_size, st.st_mtime, width, height, _taken_at(exif))


def open_oriented(path: str | Path, draft_size: int | None = None) -> Image.Image:
    """The photo as an RGB PIL image with EXIF orientation applied. With draft_size, JPEGs
    (and HEICs with a large enough embedded thumbnail) are decoded at a reduced scale whose
    sides are still at least draft_size. Raises ImageError like load_rgb."""
    img, orientation = _decode(Path(path), draft_size)
    return _oriented(img, orientation)


def load_rgb(path: str | Path, size: int = INPUT_SIZE, data: bytes | None = None) -> np.ndarray:
    """The photo as a uint8 array of shape (size, size, 3): EXIF orientation applied, any mode
    converted to RGB, the whole frame resized to size×size by area averaging (aspect not kept:
    fixed-size input, as in the published method). JPEGs are decoded at reduced scale first.
    ``data``: the file's bytes when the caller has read them already (read_photo).
    Raises ImageError (with a clear reason) for zero-byte, truncated, corrupt, non-image,
    unreadable or over-large files."""
    path = Path(path)
    if data is None:
        with _open_file(path) as fp:
            pixels, orientation = _decode_input(path, fp, size)
    else:
        pixels, orientation = _decode_input(path, io.BytesIO(data), size, data)
    # Resize before turning: the target is square, so the order doesn't change the result,
    # and turning 224×224 pixels is cheaper than turning the decoded frame.
    if min(pixels.shape[:2]) >= size:
        small = Image.fromarray(cv2.resize(pixels, (size, size), interpolation=_INPUT_RESAMPLE))
    else:  # OpenCV's area average enlarges blockily: small photos (datasets, web) go to Pillow
        small = Image.fromarray(pixels).resize((size, size), _RESAMPLE)
    return np.array(_oriented(small, orientation))  # np.asarray would be read-only


def load_thumbnail(path: str | Path, max_side: int = 256) -> Image.Image:
    """An oriented RGB PIL image no larger than max_side, for the GUI. Raises ImageError."""
    img, orientation = _decode(Path(path), max_side)
    img.thumbnail((max_side, max_side), _RESAMPLE, reducing_gap=_REDUCING_GAP)
    thumb = _oriented(img, orientation)
    thumb.info = {}  # the pixels are already turned: no EXIF left to make anyone turn them again
    return thumb


def augment(rgb: np.ndarray, view: int, seed: int = 0) -> np.ndarray:
    """A deterministic augmented view of a (size, size, 3) uint8 image: view 0 returns the
    image unchanged; view k > 0 applies a random rotation (±15°), horizontal flip,
    brightness/contrast change (±20%) and zoom (1.0–1.25) drawn from a generator seeded by
    (seed, k), so a view is the same every time and its backbone embedding can be cached.
    Callers pass a per-photo seed (from its content hash) so photos get different views."""
    if view == 0:
        return rgb.copy()  # a copy, so a caller normalising in place can't touch the cached load
    rng = np.random.default_rng([seed, view])
    # Draw every parameter in a fixed order: changing it would change every cached view.
    angle = rng.uniform(-15.0, 15.0)
    zoom = rng.uniform(1.0, 1.25)
    shift = rng.uniform(-1.0, 1.0, size=2)
    flip = rng.random() < 0.5
    brightness = rng.uniform(0.8, 1.2)
    contrast = rng.uniform(0.8, 1.2)

    height, width = rgb.shape[:2]
    matrix = _zoom_rotate_matrix(width, height, angle, zoom, shift)
    if flip:  # mirror the output: x -> width - 1 - x
        matrix[0] = -matrix[0]
        matrix[0, 2] += width - 1
    warped = cv2.warpAffine(
        np.ascontiguousarray(rgb), matrix, (width, height),
        flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT_101,
    )
    return _brightness_contrast(warped, brightness, contrast)


# --- augmentation helpers ---------------------------------------------------------------


def _zoom_rotate_matrix(
    width: int, height: int, angle: float, zoom: float, shift: np.ndarray
) -> np.ndarray:
    """Affine map that zooms and rotates about a random centre and puts that centre in the
    middle of the output. The centre stays far enough inside that the zoomed view itself
    never leaves the frame; only rotation corners need the reflected border."""
    middle = np.array([(width - 1) / 2, (height - 1) / 2])
    centre = middle + shift * np.array([width, height]) / 2 * (1 - 1 / zoom)
    matrix = cv2.getRotationMatrix2D((float(centre[0]), float(centre[1])), angle, zoom)
    matrix[:, 2] += middle - centre
    return matrix


def _brightness_contrast(rgb: np.ndarray, brightness: float, contrast: float) -> np.ndarray:
    """Scale brightness, then stretch contrast about the mean grey, through a 256-entry table
    (one pass over the pixels, no float image)."""
    mean = float(rgb.mean()) * brightness
    values = np.arange(256, dtype=np.float32) * (brightness * contrast) + mean * (1 - contrast)
    table = np.clip(np.rint(values), 0, 255).astype(np.uint8)
    return cv2.LUT(rgb, table)


# --- reading files ------------------------------------------------------------------------


@cache
def _register_heif() -> None:
    """Teach Pillow HEIC/HEIF once, on first use: importing pillow_heif costs start-up time."""
    import pillow_heif

    pillow_heif.register_heif_opener()


@contextmanager
def _open_file(path: Path) -> Iterator[BinaryIO]:
    """The file opened for reading, or ImageError saying why not. Checks the file type first:
    opening a named pipe would block forever."""
    try:
        st = path.stat()
    except OSError as err:
        raise ImageError(path, _os_reason(err, path)) from err
    if stat.S_ISDIR(st.st_mode):
        raise ImageError(path, "is a folder")
    if not stat.S_ISREG(st.st_mode):
        raise ImageError(path, "not a regular file")
    try:
        fp = open(path, "rb")
    except OSError as err:
        raise ImageError(path, _os_reason(err, path)) from err
    with fp:
        yield fp


def _os_reason(err: OSError, path: Path | None = None) -> str:
    if isinstance(err, PermissionError):
        return "permission denied"
    if isinstance(err, IsADirectoryError):
        return "is a folder"
    if isinstance(err, NotADirectoryError):
        return "not a folder"
    if isinstance(err, FileNotFoundError):
        if path is not None and path.is_symlink():
            return "broken link (the file it points to is missing)"
        return "no such file"
    return f"could not be read ({err.strerror or err})"


@contextmanager
def _image_errors(path: Path) -> Iterator[None]:
    """Turn whatever Pillow or a decoder raises on bad bytes into ImageError."""
    try:
        yield
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as err:
        # Pillow refuses these inside Image.open, before we see the size: its message has it.
        found = re.search(r"\((\d+) pixels\)", str(err))
        raise ImageError(path, _too_large(int(found[1]) if found else None)) from err
    except MemoryError as err:
        raise ImageError(path, "too large to decode (out of memory)") from err
    except _DECODE_ERRORS as err:
        raise ImageError(path, _CORRUPT) from err


def _too_large(pixels: int | None) -> str:
    limit = f"the limit is {_megapixels(MAX_PIXELS)}"
    if pixels is None:
        return f"too large ({limit} megapixels)"
    return f"too large ({_megapixels(pixels)} megapixels; {limit})"


def _megapixels(pixels: int) -> str:
    return f"{pixels / 1e6:,.1f}".removesuffix(".0")  # "132.7", "2,500"


def _identify(path: Path, fp: BinaryIO) -> ImageFile.ImageFile:
    """Open the image header (no pixel decoding) and refuse over-large images."""
    _register_heif()
    head = fp.read(16)
    if not head:
        raise ImageError(path, "empty file (0 bytes)")
    fp.seek(0)
    try:
        img = Image.open(fp, formats=_FORMATS)
    except UnidentifiedImageError as err:
        raise ImageError(path, _CORRUPT if _looks_like_photo(head) else _NOT_AN_IMAGE) from err
    width, height = img.size
    if width * height > MAX_PIXELS:
        raise ImageError(path, _too_large(width * height))
    return img


def _looks_like_photo(head: bytes) -> bool:
    return (
        head.startswith(_MAGIC)
        or (head[:4] == b"RIFF" and head[8:12] == b"WEBP")
        or (head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS)
    )


def _decode(path: Path, draft_size: int | None) -> tuple[Image.Image, int]:
    """The decoded RGB image (reduced scale when draft_size allows) and its EXIF orientation,
    which is applied by the caller once the image is small."""
    with _open_file(path) as fp, _image_errors(path):
        img = _identify(path, fp)
        return _pillow_rgb(img, draft_size), _orientation(img, _exif(img))


def _pillow_rgb(img: ImageFile.ImageFile, draft_size: int | None) -> Image.Image:
    if draft_size:
        # JPEG: libjpeg scales by 1/2, 1/4 or 1/8 while decoding, keeping both sides
        # >= draft_size. HEIF: an embedded thumbnail at least that big. Others: no-op.
        img.draft("RGB", (draft_size, draft_size))
    img.load()
    return _to_rgb(img)


# OpenCV's reduced JPEG decodes (libjpeg-turbo scaling while decoding, as Pillow's draft).
_CV_REDUCED = {8: cv2.IMREAD_REDUCED_COLOR_8, 4: cv2.IMREAD_REDUCED_COLOR_4, 2: cv2.IMREAD_REDUCED_COLOR_2}
_JPEG_END = b"\xff\xd9"


def _decode_input(
    path: Path, fp: BinaryIO, size: int, data: bytes | None = None
) -> tuple[np.ndarray, int]:
    """Model input before resizing: RGB pixels (reduced scale where the format allows, each
    side still >= size) and the EXIF orientation still to apply."""
    with _image_errors(path):
        img = _identify(path, fp)
        if data is None and img.format == "JPEG":
            fp.seek(0)
            data = fp.read()
        pixels = _opencv_jpeg(img, data, size) if data is not None else None
        if pixels is None:
            rgb = _pillow_rgb(img, size)
            factor = min(rgb.size) // (2 * size)
            if factor >= 2:  # a big frame that has no reduced decode (PNG, TIFF, WebP, ...)
                # Box-average it in Pillow first, as the area resize would, so no full-size
                # array is made: a 12-MP PNG's array copy and resize cost ~100 ms, this ~15 ms.
                rgb = rgb.reduce(factor)
            pixels = np.asarray(rgb)
        # after decoding: a PNG may keep its EXIF after the pixels
        return pixels, _orientation(img, _exif(img))


def _opencv_jpeg(img: ImageFile.ImageFile, data: bytes, size: int) -> np.ndarray | None:
    """An RGB or greyscale JPEG decoded by OpenCV at the smallest scale that keeps both sides
    >= size, or None to let Pillow decode it. OpenCV fills a truncated file with grey where
    Pillow refuses it, so only a file ending in its end-of-image marker is given to OpenCV;
    one with data after it (motion photos) or none goes to Pillow."""
    if img.format != "JPEG" or img.mode not in ("RGB", "L") or not data.endswith(_JPEG_END):
        return None
    width, height = img.size
    scale = next((s for s in (8, 4, 2) if -(-width // s) >= size and -(-height // s) >= size), 1)
    flags = _CV_REDUCED.get(scale, cv2.IMREAD_COLOR) | cv2.IMREAD_IGNORE_ORIENTATION
    try:
        bgr = cv2.imdecode(np.frombuffer(data, np.uint8), flags)
    except cv2.error:
        return None
    if bgr is None or bgr.ndim != 3 or bgr.shape[:2] != (-(-height // scale), -(-width // scale)):
        return None
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


def _to_rgb(img: Image.Image) -> Image.Image:
    if img.mode == "RGB":
        return img
    if img.mode.startswith("I;16"):
        # Pillow's I;16 -> L clips at 255 instead of scaling; keep the top byte instead.
        grey = (np.asarray(img) >> 8).astype(np.uint8)
        return Image.fromarray(grey).convert("RGB")
    if img.has_transparency_data:
        # Flatten onto white, as a viewer shows it; the transparent pixels' colour is arbitrary.
        rgba = img.convert("RGBA")
        flat = Image.new("RGB", img.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return img.convert("RGB")  # L, P, CMYK, YCbCr, 1, ...


def _oriented(img: Image.Image, orientation: int) -> Image.Image:
    method = _TRANSPOSE.get(orientation)
    return img if method is None else img.transpose(method)


# --- metadata -----------------------------------------------------------------------------


def _exif(img: Image.Image) -> Image.Exif:
    """The image's EXIF, empty when it is missing or too damaged to parse: metadata is
    optional, a bad EXIF block must not cost a person their photo."""
    try:
        return img.getexif()
    except _DECODE_ERRORS:
        return Image.Exif()


def _header_exif(img: ImageFile.ImageFile) -> Image.Exif:
    # PNG may keep EXIF after the pixels, and Pillow's getexif() decodes the whole image to
    # find it: read only what the header already gave us.
    if img.format == "PNG" and "exif" not in img.info:
        return Image.Exif()
    return _exif(img)


def _orientation(img: Image.Image, exif: Image.Exif) -> int:
    """The EXIF orientation still to apply to the image as Pillow reports and decodes it."""
    if img.format == "TIFF":  # Pillow's TIFF plugin reports the turned size and turns on load
        return 1
    try:
        value = exif.get(ExifTags.Base.Orientation, 1)
    except _DECODE_ERRORS:
        return 1
    return value if isinstance(value, int) and value in _TRANSPOSE else 1


def _taken_at(exif: Image.Exif) -> datetime | None:
    """DateTimeOriginal, else DateTime (last change, often the same); None if absent or
    garbled."""
    try:
        candidates = (
            exif.get_ifd(ExifTags.IFD.Exif).get(ExifTags.Base.DateTimeOriginal),
            exif.get(ExifTags.Base.DateTime),
        )
    except _DECODE_ERRORS:
        return None
    for raw in candidates:
        parsed = _parse_exif_datetime(raw)
        if parsed is not None:
            return parsed
    return None


def _parse_exif_datetime(raw: object) -> datetime | None:
    if isinstance(raw, bytes):
        raw = raw.decode("ascii", "replace")
    if not isinstance(raw, str):
        return None
    try:  # "YYYY:MM:DD HH:MM:SS", sometimes NUL-padded or followed by sub-seconds
        return datetime.strptime(raw.strip("\x00 ")[:19], "%Y:%m:%d %H:%M:%S")
    except ValueError:  # "0000:00:00 00:00:00", blanks, other formats
        return None


# --- walking folders ----------------------------------------------------------------------


def _sorted_entries(folder: Path) -> list[os.DirEntry[str]]:
    with os.scandir(folder) as it:
        return sorted(it, key=lambda entry: entry.name)


def _identity(folder: Path) -> tuple[int, int]:
    st = folder.stat()
    return st.st_dev, st.st_ino


def _log_skip(path: Path, reason: str) -> None:
    log.warning("skipping %s: %s", path, reason)


def _walk(
    entries: list[os.DirEntry[str]],
    excluded: set[Path],
    seen: set[tuple[int, int]],
    on_skip: Callable[[Path, str], None],
) -> Iterator[Path]:
    """Depth-first in name order, which is the order of sorted(paths). ``seen`` holds every
    folder visited (device, inode): a symlink back up the tree, or a second link to the same
    folder, is not walked again."""
    for entry in entries:
        if entry.name.startswith("."):
            continue
        path = Path(entry.path)
        try:
            if not entry.is_dir():  # follows links; a broken link is neither dir nor file
                if not is_photo_path(entry.name):
                    continue
                if entry.is_file():  # regular files only
                    yield path
                elif entry.is_symlink() and not path.exists():
                    on_skip(path, "broken link (the file it points to is missing)")
                else:
                    on_skip(path, "not a regular file")
                continue
            identity = _identity(path)
            if identity in seen or path.resolve() in excluded:
                continue
            seen.add(identity)
            children = _sorted_entries(path)
        except OSError as err:  # an unreadable subfolder is skipped, not fatal
            on_skip(path, _os_reason(err))
            continue
        yield from _walk(children, excluded, seen, on_skip)
