"""Photos on disk: finding them, reading each file once, decoding pixels, EXIF metadata.

``from photosort import images`` gives the whole public API; each part has its own module:
scanning (finding photos), reading (a file read once: hash, header facts, safe opening),
decoding (model input, thumbnails), metadata (EXIF orientation, taken-at).
Every failure to read a photo becomes ``ImageError(path, reason)``.
"""

from photosort.images.decoding import (
    INPUT_SIZE, load_frame, load_rgb, load_rgb_and_frame, load_thumbnail, open_oriented,
)
from photosort.images.reading import (
    MAX_PIXELS,
    READ_WHOLE_LIMIT,
    PhotoFile,
    PhotoInfo,
    content_hash,
    hash_bytes,
    photo_info,
    read_photo,
)
from photosort.images.scanning import PHOTO_EXTENSIONS, is_photo_path, iter_photos

__all__ = [
    "INPUT_SIZE",
    "MAX_PIXELS",
    "PHOTO_EXTENSIONS",
    "READ_WHOLE_LIMIT",
    "PhotoFile",
    "PhotoInfo",
    "content_hash",
    "hash_bytes",
    "iter_photos",
    "is_photo_path",
    "load_frame",
    "load_rgb",
    "load_rgb_and_frame",
    "load_thumbnail",
    "open_oriented",
    "photo_info",
    "read_photo",
]
