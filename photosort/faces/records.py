"""Faces as plain data: what a detector found in one photo, ready to be stored by content hash.

Everything is in the photo's full-size, EXIF-oriented pixel coordinates, whatever size the
detector ran at. A record packs to a fixed-size little-endian float32 blob (for a catalog
column) and to JSON-able dicts; both round-trip exactly.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

import numpy as np

EMBEDDING_DIM = 128  # SFace
# YuNet's landmark order (as seen in the photo): right eye, left eye, nose tip,
# right mouth corner, left mouth corner.
LANDMARKS = ("right_eye", "left_eye", "nose", "mouth_right", "mouth_left")

_FACE_FLOATS = 4 + 10 + 1 + EMBEDDING_DIM  # box, landmarks, score, embedding
_HEADER = struct.Struct("<III")  # version, width, height
_VERSION = 1


@dataclass(frozen=True, eq=False)
class Face:
    box: tuple[float, float, float, float]  # x, y, width, height
    landmarks: tuple[tuple[float, float], ...]  # five (x, y), in LANDMARKS order
    score: float  # detector confidence, 0..1
    # L2-normalised float32 SFace embedding; None when only boxes were asked for (blurring).
    embedding: np.ndarray | None = field(default=None, repr=False)

    @property
    def area(self) -> float:
        return self.box[2] * self.box[3]

    def to_dict(self) -> dict:
        return {
            "box": list(self.box),
            "landmarks": [list(p) for p in self.landmarks],
            "score": self.score,
            "embedding": None if self.embedding is None else self.embedding.tolist(),
        }

    @classmethod
    def from_dict(cls, d: dict) -> Face:
        emb = d.get("embedding")
        return cls(
            tuple(float(v) for v in d["box"]),
            tuple((float(x), float(y)) for x, y in d["landmarks"]),
            float(d["score"]),
            None if emb is None else np.asarray(emb, dtype=np.float32),
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Face):
            return NotImplemented
        same_emb = (self.embedding is None and other.embedding is None) or (
            self.embedding is not None and other.embedding is not None
            and np.array_equal(self.embedding, other.embedding)
        )
        return (self.box, self.landmarks, self.score) == (other.box, other.landmarks, other.score) and same_emb


@dataclass(frozen=True)
class PhotoFaces:
    """The faces of one photo and the size of the frame they were found in."""

    width: int
    height: int
    faces: tuple[Face, ...] = ()

    def to_bytes(self) -> bytes:
        """Header + one row of float32 per face; a face without embedding stores NaNs there."""
        rows = np.full((len(self.faces), _FACE_FLOATS), np.nan, dtype="<f4")
        for row, face in zip(rows, self.faces):
            row[:4] = face.box
            row[4:14] = np.ravel(face.landmarks)
            row[14] = face.score
            if face.embedding is not None:
                row[15:] = face.embedding
        return _HEADER.pack(_VERSION, self.width, self.height) + rows.tobytes()

    @classmethod
    def from_bytes(cls, blob: bytes) -> PhotoFaces:
        version, width, height = _HEADER.unpack_from(blob)
        if version != _VERSION:
            raise ValueError(f"unknown face record version {version}")
        rows = np.frombuffer(blob, dtype="<f4", offset=_HEADER.size).reshape(-1, _FACE_FLOATS)
        faces = []
        for row in rows:
            emb = row[15:]
            faces.append(Face(
                tuple(float(v) for v in row[:4]),
                tuple((float(row[4 + 2 * i]), float(row[5 + 2 * i])) for i in range(5)),
                float(row[14]),
                None if np.isnan(emb).all() else emb.astype(np.float32),
            ))
        return cls(width, height, tuple(faces))

    def to_dict(self) -> dict:
        return {"width": self.width, "height": self.height, "faces": [f.to_dict() for f in self.faces]}

    @classmethod
    def from_dict(cls, d: dict) -> PhotoFaces:
        return cls(int(d["width"]), int(d["height"]), tuple(Face.from_dict(f) for f in d["faces"]))
