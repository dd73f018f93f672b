"""Decoding a photo to pixels: model input (``load_rgb``), GUI thumbnails, full-size views.

One loader serves training, inference and thumbnails. JPEGs (and HEICs with an embedded
thumbnail) are decoded at reduced scale ("draft"), which is most of the speed: a 12-megapixel
JPEG takes ~40 ms instead of ~150 ms. For model input, a complete JPEG (one that ends with its
end-of-image marker) is decoded by OpenCV at reduced scale, ~4 ms faster than Pillow's draft
mode; anything else, and anything OpenCV refuses, goes through Pillow, which names the problem.
Failures raise ``ImageError`` as in ``reading``.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import BinaryIO

import cv2
import numpy as np
from PIL import Image, ImageFile

from photosort.images.metadata import oriented, orientation, safe_exif
from photosort.images.reading import identify, image_errors, open_file

INPUT_SIZE = 224

# Thumbnails: Pillow's resize is area-aware, so LANCZOS needs no pre-blur; reducing_gap=3 first
# box-reduces big non-JPEG frames, halving their resize time.
_RESAMPLE = Image.Resampling.LANCZOS
_REDUCING_GAP = 3.0
# Model input shrunk: OpenCV's area average, 0.1-0.2 ms after a reduced decode against ~1 ms
# for Pillow's LANCZOS (the two differ by ~1.3 grey levels on average). Every model input
# comes through load_rgb, so training and sorting see the same resampling.
_INPUT_RESAMPLE = cv2.INTER_AREA

# OpenCV's reduced JPEG decodes (libjpeg-turbo scaling while decoding, as Pillow's draft).
_CV_REDUCED = {8: cv2.IMREAD_REDUCED_COLOR_8, 4: cv2.IMREAD_REDUCED_COLOR_4, 2: cv2.IMREAD_REDUCED_COLOR_2}
_JPEG_END = b"\xff\xd9"


def open_oriented(path: str | Path, draft_size: int | None = None) -> Image.Image:
    """The photo as an RGB PIL image with EXIF orientation applied. With draft_size, JPEGs
    (and HEICs with a large enough embedded thumbnail) are decoded at a reduced scale whose
    sides are still at least draft_size. Raises ImageError like load_rgb."""
    img, turn = _decode(Path(path), draft_size)
    return oriented(img, turn)


def load_rgb(path: str | Path, size: int = INPUT_SIZE, data: bytes | None = None) -> np.ndarray:
    """The photo as a uint8 array of shape (size, size, 3): EXIF orientation applied, any mode
    converted to RGB, the whole frame resized to size×size by area averaging (aspect not kept:
    fixed-size input, as in the published method). JPEGs are decoded at reduced scale first.
    ``data``: the file's bytes when the caller has read them already (read_photo).
    Raises ImageError (with a clear reason) for zero-byte, truncated, corrupt, non-image,
    unreadable or over-large files."""
    path = Path(path)
    if data is None:
        with open_file(path) as fp:
            pixels, turn = _decode_input(path, fp, size)
    else:
        pixels, turn = _decode_input(path, io.BytesIO(data), size, data)
    return _model_input(pixels, turn, size)


def load_frame(path: str | Path, min_side: int, data: bytes | None = None) -> np.ndarray:
    """The oriented RGB frame decoded at the smallest reduced scale whose sides are still
    >= min_side (where the format has one): what face detection looks at."""
    return load_rgb_and_frame(path, None, min_side, data)[1]


def load_rgb_and_frame(
    path: str | Path, size: int | None, frame_side: int, data: bytes | None = None
) -> tuple[np.ndarray | None, np.ndarray]:
    """load_rgb's model input (None without ``size``) and the oriented frame of load_frame,
    from ONE decode where the two scales agree: a 12-MP JPEG decodes at 1/8 (504×378) for
    both, so finding its faces costs no second decode. A small photo whose input decode
    falls short of frame_side is decoded again for the frame (cheap at that size)."""
    path = Path(path)
    if data is None:
        with open_file(path) as fp:
            data = fp.read()
    pixels, turn = _decode_input(path, io.BytesIO(data), size or frame_side, data)
    model_input = _model_input(pixels, turn, size) if size else None
    if min(pixels.shape[:2]) < frame_side:
        pixels, turn = _decode_input(path, io.BytesIO(data), frame_side, data)
    return model_input, np.asarray(oriented(Image.fromarray(pixels), turn))


def _model_input(pixels: np.ndarray, turn: int, size: int) -> np.ndarray:
    # Resize before turning: the target is square, so the order doesn't change the result,
    # and turning 224×224 pixels is cheaper than turning the decoded frame.
    if min(pixels.shape[:2]) >= size:
        small = Image.fromarray(cv2.resize(pixels, (size, size), interpolation=_INPUT_RESAMPLE))
    else:  # OpenCV's area average enlarges blockily: small photos (datasets, web) go to Pillow
        small = Image.fromarray(pixels).resize((size, size), _RESAMPLE)
    return np.array(oriented(small, turn))  # np.asarray would be read-only


def load_thumbnail(path: str | Path, max_side: int = 256) -> Image.Image:
    """An oriented RGB PIL image no larger than max_side, for the GUI. Raises ImageError."""
    img, turn = _decode(Path(path), max_side)
    img.thumbnail((max_side, max_side), _RESAMPLE, reducing_gap=_REDUCING_GAP)
    thumb = oriented(img, turn)
    thumb.info = {}  # the pixels are already turned: no EXIF left to make anyone turn them again
    return thumb


def _decode(path: Path, draft_size: int | None) -> tuple[Image.Image, int]:
    """The decoded RGB image (reduced scale when draft_size allows) and its EXIF orientation,
    which is applied by the caller once the image is small."""
    with open_file(path) as fp, image_errors(path):
        img = identify(path, fp)
        return _pillow_rgb(img, draft_size), orientation(img, safe_exif(img))


def _pillow_rgb(img: ImageFile.ImageFile, draft_size: int | None) -> Image.Image:
    if draft_size:
        # JPEG: libjpeg scales by 1/2, 1/4 or 1/8 while decoding, keeping both sides
        # >= draft_size. HEIF: an embedded thumbnail at least that big. Others: no-op.
        img.draft("RGB", (draft_size, draft_size))
    img.load()
    return _to_rgb(img)


def _decode_input(
    path: Path, fp: BinaryIO, size: int, data: bytes | None = None
) -> tuple[np.ndarray, int]:
    """Model input before resizing: RGB pixels (reduced scale where the format allows, each
    side still >= size) and the EXIF orientation still to apply."""
    with image_errors(path):
        img = identify(path, fp)
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
        return pixels, orientation(img, safe_exif(img))


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
