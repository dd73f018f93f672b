"""Faces detected once per photo content, on a reduced decode, and kept in the catalog.

A 12-MP JPEG is decoded at 1/4 scale (libjpeg scaling, ~1000 px), detected at 640 px; boxes
and landmarks are mapped back to the full-size oriented frame, as the catalog stores them.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
from PIL import Image

from photosort import faces, images
from photosort.catalog import Catalog
from photosort.errors import ImageError

# The stored faces depend on the models and the detection settings: a change means a new key.
DETECTOR_KEY = f"yunet2023mar-sface2021dec-{faces.detection.DEFAULT_MAX_SIDE}-{faces.DEFAULT_THRESHOLD}"
_DRAFT = faces.detection.DEFAULT_MAX_SIDE  # reduced decode: each side still >= 640 px


def _full_size(path: Path, reduced: tuple[int, int]) -> tuple[int, int]:
    """The oriented full-size frame (width, height), read from the header."""
    with Image.open(path) as img:
        w, h = img.size
    if (w > h) != (reduced[0] > reduced[1]) and w != h:  # EXIF turned it a quarter
        w, h = h, w
    return w, h


def photo_faces(path: str | Path) -> faces.PhotoFaces:
    """The faces of one photo (this thread's engine), in full-size coordinates.
    Raises ImageError for an unreadable photo."""
    path = Path(path)
    rgb = np.asarray(images.open_oriented(path, draft_size=_DRAFT))
    found = faces.detect_faces(rgb)
    width, height = _full_size(path, (rgb.shape[1], rgb.shape[0]))
    sx, sy = width / rgb.shape[1], height / rgb.shape[0]
    if (sx, sy) == (1.0, 1.0):
        return found
    scaled = tuple(
        faces.Face(
            (f.box[0] * sx, f.box[1] * sy, f.box[2] * sx, f.box[3] * sy),
            tuple((x * sx, y * sy) for x, y in f.landmarks), f.score, f.embedding,
        )
        for f in found.faces
    )
    return faces.PhotoFaces(width, height, scaled)


def stored_faces(catalog: Catalog, hashes: Sequence[str]) -> dict[str, faces.PhotoFaces]:
    return {h: faces.PhotoFaces.from_bytes(b) for h, b in catalog.get_faces(hashes, DETECTOR_KEY).items()}


def store_faces(catalog: Catalog, found: dict[str, faces.PhotoFaces]) -> None:
    catalog.put_faces(DETECTOR_KEY, {h: (len(p.faces), p.to_bytes()) for h, p in found.items()})


def faces_for(catalog: Catalog, photos: Sequence[tuple[Path, str]], threads: int = 2) -> dict[str, faces.PhotoFaces]:
    """Content hash -> faces for (path, hash) pairs: stored ones read, the others detected
    (on ``threads`` threads) and stored. An unreadable photo is left out."""
    found = stored_faces(catalog, [h for _, h in photos])
    todo = {h: p for p, h in photos if h not in found}

    def detect(item):
        digest, path = item
        try:
            return digest, photo_faces(path)
        except (ImageError, OSError):
            return digest, None

    with ThreadPoolExecutor(max_workers=threads) as pool:
        fresh = {h: f for h, f in pool.map(detect, todo.items()) if f is not None}
    store_faces(catalog, fresh)
    return {**found, **fresh}


def faces_of(catalog: Catalog, path: Path, digest: str, stored: dict) -> tuple[faces.PhotoFaces, bool]:
    """One photo's faces while sorting: (faces, detected now?). Looked up in ``stored`` (the
    batch's), then the catalog (a renamed photo), else detected on the calling thread."""
    found = stored.get(digest) or stored_faces(catalog, [digest]).get(digest)
    if found is not None:
        return found, False
    return photo_faces(path), True
