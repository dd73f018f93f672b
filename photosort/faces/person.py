"""A person from example photos' faces, and how much a photo looks like them (0..1).

Where an example holds several faces, the person is the face that recurs across the
examples. A photo's score is its best face's similarity to the person (mean of the top-k
cosines to the person's faces), pushed down where the face looks more like a face from a
"not me" photo, then mapped to 0..1 by a fixed logistic centred on SFace's published
same-person cosine (0.363). Why fixed rather than fitted: on examples the classes are
usually perfectly separated (shared photos: same person ≥ 0.45, others ≤ 0.38), where a
fitted logistic has no finite slope; the published threshold transfers across people.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Sequence

import numpy as np

from photosort.faces.records import EMBEDDING_DIM, PhotoFaces

SAME_PERSON_COSINE = 0.363  # SFace (OpenCV Zoo): cosine at or above it -> same person
# 0.363 -> 0.5; 0.25 -> 0.09; 0.48 -> 0.91: the measured gap spans most of 0..1.
CALIBRATION_SLOPE = 20.0
TOP_K = 3


@dataclass(frozen=True)
class Person:
    faces: np.ndarray  # (n, 128) float32, L2-normalised: the person's faces in the examples
    negatives: np.ndarray = field(  # (m, 128): faces in photos marked as not this person
        default_factory=lambda: np.zeros((0, EMBEDDING_DIM), np.float32)
    )
    top_k: int = TOP_K


def _embeddings(photo: PhotoFaces) -> np.ndarray:
    rows = [f.embedding for f in photo.faces if f.embedding is not None]
    return np.array(rows, np.float32).reshape(-1, EMBEDDING_DIM)


def _embedded(photo: PhotoFaces) -> list[int]:
    """Indexes of the faces that carry an embedding (small faces in crowds may not)."""
    return [k for k, f in enumerate(photo.faces) if f.embedding is not None]


def choose_person_faces(
    examples: Sequence[PhotoFaces], chosen: Mapping[int, int] | None = None
) -> list[int | None]:
    """Per example, the index (into its faces) of the face that is the person; None where
    no face has an embedding.

    ``chosen`` maps an example's index to the face a user clicked; it is kept as is and
    counts as the person for the others. Otherwise a face scores the mean over the other
    examples of its best cosine with their faces, and the best-scoring face wins; with no
    other example to compare with, the largest face wins.
    """
    chosen = dict(chosen or {})
    for i, k in chosen.items():
        if not (0 <= i < len(examples) and k in _embedded(examples[i])):
            raise ValueError(f"Example {i} has no face number {k} with an embedding.")
    embs = [_embeddings(ex) for ex in examples]
    anchors = [  # what each example offers the others: the clicked face, else all its faces
        examples[j].faces[chosen[j]].embedding[None] if j in chosen else embs[j]
        for j in range(len(examples))
    ]
    picks: list[int | None] = []
    for i, ex in enumerate(examples):
        index = _embedded(ex)
        if i in chosen or len(index) <= 1:
            picks.append(chosen.get(i, index[0] if index else None))
            continue
        others = [a for j, a in enumerate(anchors) if j != i and len(a)]
        if others:
            recurrence = np.mean([(embs[i] @ o.T).max(axis=1) for o in others], axis=0)
        else:
            recurrence = np.array([ex.faces[k].area for k in index])
        picks.append(index[int(np.argmax(recurrence))])
    return picks


def build_person(
    examples: Sequence[PhotoFaces],
    negatives: Sequence[PhotoFaces] = (),
    chosen: Mapping[int, int] | None = None,
    top_k: int = TOP_K,
) -> Person:
    """The person in ``examples`` (faces with embeddings); ``negatives``: photos marked as
    not them, all of whose faces count against a look-alike unless they match the person
    (a "not me" photo may still show me in the background)."""
    picks = choose_person_faces(examples, chosen)
    faces = np.array(
        [ex.faces[k].embedding for ex, k in zip(examples, picks) if k is not None], np.float32
    ).reshape(-1, EMBEDDING_DIM)
    person = Person(faces, top_k=top_k)
    neg = np.concatenate([_embeddings(p) for p in negatives] or [person.negatives])
    if len(neg) and len(faces):
        neg = neg[_top_k_mean(neg @ faces.T, top_k) < SAME_PERSON_COSINE]
    return Person(faces, neg.astype(np.float32), top_k)


def _top_k_mean(sims: np.ndarray, k: int) -> np.ndarray:
    """Row-wise mean of the k largest values (all of them when a row is shorter)."""
    k = min(k, sims.shape[1])
    return np.sort(sims, axis=1)[:, -k:].mean(axis=1)


def face_similarities(person: Person, photo: PhotoFaces) -> np.ndarray:
    """Per face of the photo: its cosine evidence for being the person (may be negative)."""
    e = _embeddings(photo)
    if len(e) == 0 or len(person.faces) == 0:
        return np.zeros(0, np.float32)
    pos = _top_k_mean(e @ person.faces.T, person.top_k)
    if len(person.negatives):
        neg = _top_k_mean(e @ person.negatives.T, person.top_k)
        pos = pos - np.maximum(0.0, neg - pos)  # closer to a "not me" face: less likely me
    return pos


def calibrate(cosine: float | np.ndarray) -> float | np.ndarray:
    return 1.0 / (1.0 + np.exp(-CALIBRATION_SLOPE * (np.asarray(cosine) - SAME_PERSON_COSINE)))


def person_score(person: Person, photo: PhotoFaces) -> float:
    """0..1: the photo's best face against the person; a photo without faces scores 0."""
    sims = face_similarities(person, photo)
    return float(calibrate(sims.max())) if len(sims) else 0.0
