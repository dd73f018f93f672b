"""Face features for the multi-label head: how many faces and how big the largest is.

Portraits and group photos differ in exactly these, which an ImageNet embedding hardly
encodes. Fixed length, small values (the head's other inputs are of order 1).
"""

from __future__ import annotations

import numpy as np

from photosort.faces.records import PhotoFaces

FEATURE_NAMES = ("log_face_count", "largest_face_side")
FEATURE_DIM = len(FEATURE_NAMES)


def face_features(photo: PhotoFaces) -> np.ndarray:
    """float32 [log(1 + number of faces), sqrt(largest face box area / frame area)].
    The square root is the face's side relative to the frame's: camera-roll faces cover
    0.1-10 % of a frame, which as an area fraction would hardly move a head's input."""
    frame = float(photo.width * photo.height) or 1.0
    largest = max((f.area for f in photo.faces), default=0.0)
    return np.array([np.log1p(len(photo.faces)), float(np.sqrt(min(1.0, largest / frame)))], np.float32)
