"""Person categories as score columns: each person built from its examples' faces
(the clicked face wins; negatives count), each photo scored 0..1 by faces.person_score.

Thresholds are chosen like the head's: best F1 on held-out scores, here leave-one-out
(each example scored by the person built without it).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from photosort import faces, metrics
from photosort.catalog import Catalog, CategoryRecord, PersonExample
from photosort.people.detecting import faces_for


def _example_faces(catalog: Catalog, examples: Sequence[PersonExample]) -> dict[str, faces.PhotoFaces]:
    return faces_for(catalog, [(e.photo.path, e.photo.content_hash) for e in examples])


def _person(found, examples: Sequence[PersonExample], skip: int | None = None) -> faces.Person:
    pos = [(i, e) for i, e in enumerate(examples) if e.positive and i != skip and e.photo.content_hash in found]
    neg = [found[e.photo.content_hash] for i, e in enumerate(examples)
           if not e.positive and i != skip and e.photo.content_hash in found]
    photos = [found[e.photo.content_hash] for _, e in pos]
    chosen = {}
    for k, (_, e) in enumerate(pos):
        emb = [j for j, f in enumerate(photos[k].faces) if f.embedding is not None]
        if e.face is not None and e.face in emb:  # a click on a face that still exists
            chosen[k] = e.face
    return faces.build_person(photos, neg, chosen)


class PersonColumns:
    """The library's person categories, ready to score photos' faces; ``ids`` are their
    category ids (the Sorter's columns), ``names`` their names when loaded."""

    def __init__(self, ids: Sequence[int], names: Sequence[str], persons: Sequence[faces.Person]):
        self.ids = list(ids)
        self.names = list(names)
        self.persons = list(persons)

    @classmethod
    def load(cls, catalog: Catalog, categories: Sequence[CategoryRecord]) -> "PersonColumns":
        persons = []
        for category in categories:
            examples = catalog.person_examples(category.name)
            persons.append(_person(_example_faces(catalog, examples), examples))
        return cls([c.id for c in categories], [c.name for c in categories], persons)

    def scores(self, photos: Sequence[faces.PhotoFaces | None]) -> np.ndarray:
        """(N, persons) in 0..1; a photo without faces (or unreadable: None) scores 0."""
        out = np.zeros((len(photos), len(self.persons)), np.float32)
        for i, photo in enumerate(photos):
            if photo is not None and photo.faces:
                out[i] = [faces.person_score(p, photo) for p in self.persons]
        return out


def held_out_person_scores(catalog: Catalog, name: str) -> tuple[np.ndarray, np.ndarray, list[int]]:
    """Leave-one-out scores of a person category's examples: (labels, scores, photo ids);
    each example scored by the person built from all the others."""
    examples = catalog.person_examples(name)
    found = _example_faces(catalog, examples)
    labels, scores, ids = [], [], []
    for i, e in enumerate(examples):
        photo = found.get(e.photo.content_hash)
        person = _person(found, examples, skip=i)
        labels.append(e.positive)
        scores.append(faces.person_score(person, photo) if photo is not None and len(person.faces) else 0.0)
        ids.append(e.photo.id)
    return np.array(labels, bool), np.array(scores, np.float32), ids


def person_threshold(labels: np.ndarray, scores: np.ndarray) -> float:
    return metrics.best_threshold(labels, scores)
