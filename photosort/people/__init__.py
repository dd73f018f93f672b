"""People in a library: faces found once per photo and kept by content hash, person
categories scored from faces, face features for the head, and blurred copies' pixels.

Over the catalog and the face package; the predictor, training and sorting call it. Nothing
here runs unless some category needs faces (``needs_faces``), so a library without people
sorts without loading a face model.
"""

from photosort.people.detecting import DETECTOR_KEY, faces_for, photo_faces
from photosort.people.needs import face_features_wanted, needs_faces, person_categories
from photosort.people.scoring import PersonColumns, held_out_person_scores

__all__ = [
    "DETECTOR_KEY", "PersonColumns", "face_features_wanted", "faces_for", "held_out_person_scores",
    "needs_faces", "person_categories", "photo_faces",
]
