"""Open any photo as RGB pixels: one loader for training, inference, thumbnails.

CONTRACT (filled in by the images work; signatures are fixed, others build on them).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np

# Lower-case suffixes photosort treats as photos.
PHOTO_EXTENSIONS = frozenset(
    {".jpg", ".jpeg", ".jpe", ".png", ".webp", ".tif", ".tiff", ".bmp", ".heic", ".heif"}
)
INPUT_SIZE = 224


@dataclass(frozen=True)
class PhotoInfo:
    size: int  # bytes
    mtime: float
    width: int | None
    height: int | None  # as displayed, after EXIF orientation
    taken_at: datetime | None  # EXIF DateTimeOriginal, naive local time


def is_photo_path(path: str | Path) -> bool:
    """True for a non-hidden file name with a photo extension (case-insensitive)."""
    raise NotImplementedError


def iter_photos(root: str | Path, exclude: list[Path] = ()) -> "Iterator[Path]":
    """Recursively yield photo files under root, sorted, skipping hidden files/dirs and any
    directory in ``exclude`` (e.g. category folders inside the camera roll)."""
    raise NotImplementedError


def content_hash(path: str | Path) -> str:
    """Hex digest of the file's bytes (fast: blake2b, 16-byte digest). Raises ImageError on
    an unreadable file."""
    raise NotImplementedError


def photo_info(path: str | Path) -> PhotoInfo:
    """Size, mtime, oriented width/height and EXIF taken-at, reading only the header.
    Raises ImageError for a file that is not a readable image."""
    raise NotImplementedError


def load_rgb(path: str | Path, size: int = INPUT_SIZE) -> np.ndarray:
    """The photo as a uint8 array of shape (size, size, 3): EXIF orientation applied, any mode
    converted to RGB, the whole frame resized to size×size (aspect not kept: fixed-size input,
    as in the published method). JPEGs are decoded at reduced scale (draft mode) first.
    Raises ImageError (with a clear reason) for zero-byte, truncated, corrupt, non-image,
    unreadable or over-large files."""
    raise NotImplementedError


def load_thumbnail(path: str | Path, max_side: int = 256) -> "PIL.Image.Image":
    """An oriented RGB PIL image no larger than max_side, for the GUI. Raises ImageError."""
    raise NotImplementedError


def augment(rgb: np.ndarray, view: int, seed: int = 0) -> np.ndarray:
    """A deterministic augmented view of a (size, size, 3) uint8 image: view 0 returns the
    image unchanged; view k > 0 applies a random rotation (±15°), horizontal flip,
    brightness/contrast change (±20%) and zoom (1.0–1.25) drawn from a generator seeded by
    (seed, k), so a view is the same every time and its backbone embedding can be cached.
    Callers pass a per-photo seed (from its content hash) so photos get different views."""
    raise NotImplementedError
