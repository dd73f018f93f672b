"""Faces: detection (YuNet), embeddings (SFace), person scores, face features, blurring.

Pure functions over RGB arrays and plain records; no Qt, no SQL. The catalog stores
PhotoFaces.to_bytes() by content hash; training and sorting call these functions.
"""

from photosort.faces.blurring import cover_boxes, obscure_faces, obscured_photo
from photosort.faces.detection import (
    DEFAULT_THRESHOLD, RECALL_THRESHOLD, FaceEngine, detect_faces, detect_for_blurring, engine,
)
from photosort.faces.features import FEATURE_DIM, FEATURE_NAMES, face_features
from photosort.faces.models import FaceModelUnavailable
from photosort.faces.person import (
    SAME_PERSON_COSINE, Person, build_person, choose_person_faces, person_score,
)
from photosort.faces.records import EMBEDDING_DIM, Face, PhotoFaces

__all__ = [
    "DEFAULT_THRESHOLD", "EMBEDDING_DIM", "FEATURE_DIM", "FEATURE_NAMES", "RECALL_THRESHOLD",
    "SAME_PERSON_COSINE", "Face", "FaceEngine", "FaceModelUnavailable", "Person", "PhotoFaces",
    "build_person", "choose_person_faces", "cover_boxes", "detect_faces", "detect_for_blurring",
    "engine", "face_features", "obscure_faces", "obscured_photo", "person_score",
]
