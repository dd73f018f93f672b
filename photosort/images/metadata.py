"""EXIF metadata of a photo: its orientation (and turning pixels by it) and when it was taken.

Metadata is optional: a missing or damaged EXIF block gives "upright" and "no date", never an
error, so a bad EXIF block cannot cost a person their photo.
"""

from __future__ import annotations

import struct
import zlib
from datetime import datetime

from PIL import ExifTags, Image, ImageFile

# What Pillow's decoders and metadata parsers raise on hostile or damaged bytes.
DECODE_ERRORS = (
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


def safe_exif(img: Image.Image) -> Image.Exif:
    """The image's EXIF, empty when it is missing or too damaged to parse: metadata is
    optional, a bad EXIF block must not cost a person their photo."""
    try:
        return img.getexif()
    except DECODE_ERRORS:
        return Image.Exif()


def header_exif(img: ImageFile.ImageFile) -> Image.Exif:
    """EXIF without decoding pixels (for header facts)."""
    # PNG may keep EXIF after the pixels, and Pillow's getexif() decodes the whole image to
    # find it: read only what the header already gave us.
    if img.format == "PNG" and "exif" not in img.info:
        return Image.Exif()
    return safe_exif(img)


def orientation(img: Image.Image, exif: Image.Exif) -> int:
    """The EXIF orientation still to apply to the image as Pillow reports and decodes it."""
    if img.format == "TIFF":  # Pillow's TIFF plugin reports the turned size and turns on load
        return 1
    try:
        value = exif.get(ExifTags.Base.Orientation, 1)
    except DECODE_ERRORS:
        return 1
    return value if isinstance(value, int) and value in _TRANSPOSE else 1


def oriented(img: Image.Image, orientation: int) -> Image.Image:
    """img turned and flipped as EXIF orientation 1-8 says (unchanged for 1 or unknown)."""
    method = _TRANSPOSE.get(orientation)
    return img if method is None else img.transpose(method)


def taken_at(exif: Image.Exif) -> datetime | None:
    """DateTimeOriginal, else DateTime (last change, often the same); None if absent or
    garbled."""
    try:
        candidates = (
            exif.get_ifd(ExifTags.IFD.Exif).get(ExifTags.Base.DateTimeOriginal),
            exif.get(ExifTags.Base.DateTime),
        )
    except DECODE_ERRORS:
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
