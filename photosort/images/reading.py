"""Reading a photo file: opening it safely, hashing it, and the facts its header gives.

Every failure to read a photo becomes ``ImageError(path, reason)`` with a short reason a person
can act on; nothing a file contains can crash a run. Sorting reads each file once
(``read_photo``): the bytes are hashed, their header parsed, and later decoded from memory.

Importing this module sets Pillow's own decompression-bomb threshold to ``MAX_PIXELS`` so its
warning (and, at twice the value, its error) agrees with photosort's limit instead of warning
about ordinary 108-megapixel phone photos.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import BinaryIO

from PIL import Image, ImageFile, UnidentifiedImageError

from photosort.errors import ImageError
from photosort.images.metadata import DECODE_ERRORS, header_exif, orientation, taken_at

# Refuse anything larger before decoding: a few bytes of PNG can claim 50000×50000 pixels.
MAX_PIXELS = 120_000_000
Image.MAX_IMAGE_PIXELS = MAX_PIXELS

# Only these decoders ever see a file's bytes: content decides the format (a JPEG named .png
# still loads), but exotic plugins (EPS runs Ghostscript, ...) never parse untrusted files.
_FORMATS = ("JPEG", "PNG", "WEBP", "TIFF", "BMP", "HEIF", "AVIF")

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


def content_hash(path: str | Path) -> str:
    """Hex digest of the file's bytes: SHA-256 cut to 128 bits. SHA-256 rather than blake2b
    because CPUs with SHA extensions (most since 2017) run it 2-3x faster, and every photo is
    hashed when sorted and again when its copy is verified. Raises ImageError on an unreadable
    file."""
    path = Path(path)
    digest = hashlib.sha256()
    with open_file(path) as fp:
        try:
            while chunk := fp.read(_HASH_CHUNK):
                digest.update(chunk)
        except OSError as err:
            raise ImageError(path, os_reason(err)) from err
    return digest.hexdigest()[:32]


def read_photo(path: str | Path) -> PhotoFile:
    """Read a photo file whole, once, and learn what photo_info and content_hash would (for
    the same bytes they would read). Raises ImageError for a file that is not a readable
    image, one over READ_WHOLE_LIMIT (use photo_info and content_hash, which stream), and one
    that changed while it was read."""
    path = Path(path)
    with open_file(path) as fp:
        st = os.fstat(fp.fileno())
        if st.st_size > READ_WHOLE_LIMIT:
            raise ImageError(path, f"too large to read at once ({st.st_size / 1e6:,.0f} MB)")
        try:
            data = fp.read()
        except OSError as err:
            raise ImageError(path, os_reason(err)) from err
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
    with open_file(path) as fp:
        return _header_facts(path, fp, os.fstat(fp.fileno()))


def _header_facts(path: Path, fp: BinaryIO, st: os.stat_result) -> PhotoInfo:
    with image_errors(path):
        img = identify(path, fp)
        exif = header_exif(img)
    width, height = img.size
    if orientation(img, exif) >= 5:  # 5-8 turn the picture a quarter
        width, height = height, width
    return PhotoInfo(st.st_size, st.st_mtime, width, height, taken_at(exif))


# --- opening files ------------------------------------------------------------------------


@contextmanager
def open_file(path: Path) -> Iterator[BinaryIO]:
    """The file opened for reading, or ImageError saying why not. Checks the file type first:
    opening a named pipe would block forever."""
    try:
        st = path.stat()
    except OSError as err:
        raise ImageError(path, os_reason(err, path)) from err
    if stat.S_ISDIR(st.st_mode):
        raise ImageError(path, "is a folder")
    if not stat.S_ISREG(st.st_mode):
        raise ImageError(path, "not a regular file")
    try:
        fp = open(path, "rb")
    except OSError as err:
        raise ImageError(path, os_reason(err, path)) from err
    with fp:
        yield fp


def os_reason(err: OSError, path: Path | None = None) -> str:
    """A short reason a person can act on for an OSError about path (a file or a folder)."""
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


# --- identifying the format ---------------------------------------------------------------


@cache
def _register_heif() -> None:
    """Teach Pillow HEIC/HEIF once, on first use: importing pillow_heif costs start-up time."""
    import pillow_heif

    pillow_heif.register_heif_opener()


@contextmanager
def image_errors(path: Path) -> Iterator[None]:
    """Turn whatever Pillow or a decoder raises on bad bytes into ImageError."""
    try:
        yield
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as err:
        # Pillow refuses these inside Image.open, before we see the size: its message has it.
        found = re.search(r"\((\d+) pixels\)", str(err))
        raise ImageError(path, _too_large(int(found[1]) if found else None)) from err
    except MemoryError as err:
        raise ImageError(path, "too large to decode (out of memory)") from err
    except DECODE_ERRORS as err:
        raise ImageError(path, _CORRUPT) from err


def _too_large(pixels: int | None) -> str:
    limit = f"the limit is {_megapixels(MAX_PIXELS)}"
    if pixels is None:
        return f"too large ({limit} megapixels)"
    return f"too large ({_megapixels(pixels)} megapixels; {limit})"


def _megapixels(pixels: int) -> str:
    return f"{pixels / 1e6:,.1f}".removesuffix(".0")  # "132.7", "2,500"


def identify(path: Path, fp: BinaryIO) -> ImageFile.ImageFile:
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
