"""Blurring or pixelating faces on a copy of a photo, for sharing.

Boxes are grown beyond the detector's (YuNet boxes stop at the hairline and the chin's tip),
more upward for the forehead, so the whole face is covered. The original array and file are
never written: a new array, or new JPEG bytes, come back.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Iterable, Literal

import cv2
import numpy as np
from PIL import Image

from photosort.faces.detection import detect_for_blurring
from photosort.faces.records import Face
from photosort.images import open_oriented

Mode = Literal["blur", "pixelate"]
MODES = ("blur", "pixelate")
GROW = 1.4  # the covered box's width and height, in detector boxes
_UPWARD = 0.1  # of the box height: the forehead needs more room than the chin
_PIXEL_BLOCKS = 8  # a pixelated face is at most 8×8 blocks: too coarse to recognise


def cover_boxes(
    faces: Iterable[Face], width: int, height: int, grow: float = GROW
) -> list[tuple[int, int, int, int]]:
    """Grown boxes (x0, y0, x1, y1), clipped to the frame, end-exclusive."""
    boxes = []
    for face in faces:
        x, y, w, h = face.box
        cx, cy = x + w / 2, y + h / 2 - _UPWARD * h
        half_w, half_h = grow * w / 2, grow * h / 2
        x0, y0 = max(0, int(np.floor(cx - half_w))), max(0, int(np.floor(cy - half_h)))
        x1, y1 = min(width, int(np.ceil(cx + half_w))), min(height, int(np.ceil(cy + half_h)))
        if x1 > x0 and y1 > y0:
            boxes.append((x0, y0, x1, y1))
    return boxes


def obscure_faces(
    rgb: np.ndarray, faces: Iterable[Face], mode: Mode = "blur", grow: float = GROW
) -> np.ndarray:
    """A copy of ``rgb`` with every face's grown box blurred or pixelated."""
    if mode not in MODES:
        raise ValueError(f"Unknown face mode {mode!r}: choose blur or pixelate.")
    out = rgb.copy()
    for x0, y0, x1, y1 in cover_boxes(faces, rgb.shape[1], rgb.shape[0], grow):
        patch = out[y0:y1, x0:x1]  # a view: overlapping boxes build on each other
        h, w = patch.shape[:2]
        if mode == "pixelate":
            scale = _PIXEL_BLOCKS / max(h, w)
            small = cv2.resize(
                patch, (max(1, round(w * scale)), max(1, round(h * scale))),
                interpolation=cv2.INTER_AREA,
            )
            patch[:] = cv2.resize(small, (w, h), interpolation=cv2.INTER_NEAREST)
        else:
            # Sigma a quarter of the face: features gone, the patch still looks like a photo.
            sigma = max(h, w) / 4
            patch[:] = cv2.GaussianBlur(patch, (0, 0), sigma, borderType=cv2.BORDER_REPLICATE)
    return out


def obscured_photo(path: str | Path, mode: Mode = "blur", quality: int = 92) -> bytes:
    """JPEG bytes of the photo (full size, EXIF orientation applied) with its faces,
    found with recall-oriented settings, obscured. The file itself is only read.
    Raises ImageError for an unreadable photo."""
    rgb = np.asarray(open_oriented(path))
    faces = detect_for_blurring(rgb).faces
    out = obscure_faces(rgb, faces, mode)
    buf = io.BytesIO()
    Image.fromarray(out).save(buf, "JPEG", quality=quality)
    return buf.getvalue()
