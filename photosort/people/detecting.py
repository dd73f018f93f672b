"""Faces detected once per photo content, on a reduced decode, and kept in the catalog.

Faces are found on the frame the model input is decoded from wherever its short side is
still >= FRAME_SIDE: a 12-MP JPEG decodes once, at 1/8 (504×378), for both (a second,
larger decode cost more than detection itself). Boxes and landmarks are mapped back to the
full-size oriented frame, as the catalog stores them. Embeddings (SFace, tens of ms per
face) are computed only when a person category needs identities; face features for the
head need only the boxes, which are stored under their own key.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
from PIL import Image

from photosort import faces, images
from photosort.catalog import Catalog
from photosort.errors import ImageError

FRAME_SIDE = 320  # faces are looked for on a frame whose short side is at least this
# The stored faces depend on the models and the detection settings: a change means a new key.
DETECTOR_KEY = (f"yunet2023mar-sface2021dec-f{FRAME_SIDE}-{faces.detection.DEFAULT_MAX_SIDE}"
                f"-{faces.DEFAULT_THRESHOLD}")
BOXES_KEY = DETECTOR_KEY + "-boxes"  # the same detection without embeddings


def _full_size(path: Path, data: bytes | None, reduced: tuple[int, int]) -> tuple[int, int]:
    """The oriented full-size frame (width, height), read from the header."""
    with Image.open(io.BytesIO(data) if data is not None else path) as img:
        w, h = img.size
    if (w > h) != (reduced[0] > reduced[1]) and w != h:  # EXIF turned it a quarter
        w, h = h, w
    return w, h


def frame_faces(frame: np.ndarray, path: Path, data: bytes | None = None, identities: bool = True) -> faces.PhotoFaces:
    """The faces found in a reduced oriented frame of the photo at ``path`` (this thread's
    engine), in full-size coordinates; embedded only with ``identities``."""
    found = faces.detect_faces(frame, embed=identities)
    width, height = _full_size(path, data, (frame.shape[1], frame.shape[0]))
    sx, sy = width / frame.shape[1], height / frame.shape[0]
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


def photo_faces(path: str | Path, identities: bool = True) -> faces.PhotoFaces:
    """The faces of one photo, in full-size coordinates. Raises ImageError for an unreadable photo."""
    path = Path(path)
    return frame_faces(images.load_frame(path, FRAME_SIDE), path, identities=identities)


def read_with_faces(
    catalog: Catalog, path: Path, digest: str, data: bytes | None, stored: dict, identities: bool,
    input_size: int | None,
) -> tuple[np.ndarray | None, faces.PhotoFaces, bool]:
    """While sorting, one photo: (model input when input_size is given, its faces, detected
    now?). Faces already stored (the batch's ``stored``, else the catalog's: a renamed photo)
    are not looked for again; otherwise one decode serves the model input and detection."""
    found = stored.get(digest) or stored_faces(catalog, [digest], identities).get(digest)
    if found is not None:
        pixels = images.load_rgb(path, input_size, data=data) if input_size else None
        return pixels, found, False
    pixels, frame = images.load_rgb_and_frame(path, input_size, FRAME_SIDE, data)
    return pixels, frame_faces(frame, path, data, identities), True


def stored_faces(catalog: Catalog, hashes: Sequence[str], identities: bool = True) -> dict[str, faces.PhotoFaces]:
    """Stored faces by content hash; without ``identities`` boxes-only records count too."""
    found = catalog.get_faces(hashes, DETECTOR_KEY)
    if not identities:
        found = {**catalog.get_faces([h for h in hashes if h not in found], BOXES_KEY), **found}
    return {h: faces.PhotoFaces.from_bytes(b) for h, b in found.items()}


def store_faces(catalog: Catalog, found: dict[str, faces.PhotoFaces], identities: bool = True) -> None:
    key = DETECTOR_KEY if identities else BOXES_KEY
    catalog.put_faces(key, {h: (len(p.faces), p.to_bytes()) for h, p in found.items()})


def faces_for(
    catalog: Catalog, photos: Sequence[tuple[Path, str]], threads: int = 2, identities: bool = True
) -> dict[str, faces.PhotoFaces]:
    """Content hash -> faces for (path, hash) pairs: stored ones read, the others detected
    (on ``threads`` threads) and stored. An unreadable photo is left out. Without
    ``identities`` (face features only) no face is embedded."""
    found = stored_faces(catalog, [h for _, h in photos], identities)
    todo = {h: p for p, h in photos if h not in found}

    def detect(item):
        digest, path = item
        try:
            return digest, photo_faces(path, identities)
        except (ImageError, OSError):
            return digest, None

    with ThreadPoolExecutor(max_workers=threads) as pool:
        fresh = {h: f for h, f in pool.map(detect, todo.items()) if f is not None}
    store_faces(catalog, fresh, identities)
    return {**found, **fresh}
