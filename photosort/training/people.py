"""Training beside the head for people: person categories (scored from faces, so not in the
head; thresholds by best F1 on leave-one-out scores) and face features as head inputs."""

from __future__ import annotations

import numpy as np

from photosort import metrics
from photosort.catalog import Catalog, CategoryRecord, LabelledPhoto, ModelVersionRecord

PERSON_THRESHOLDS_KEY = "person_thresholds"  # metrics: the persons' best-F1 thresholds by category id


def split_categories(catalog: Catalog) -> tuple[list[CategoryRecord], list[CategoryRecord]]:
    """(the head's categories, the person categories), in the catalog's order."""
    cats = catalog.categories()
    return [c for c in cats if not c.person], [c for c in cats if c.person]


def chosen_thresholds(version: ModelVersionRecord) -> dict[int, float]:
    """A version's own threshold choice by category id: its head's columns and its persons."""
    persons = version.metrics.get(PERSON_THRESHOLDS_KEY, {})
    return {**version.chosen_thresholds(), **{int(cid): float(t) for cid, t in persons.items()}}


def head_photos(labelled: list[LabelledPhoto], head: list[str]) -> list[LabelledPhoto]:
    """Photos that teach the head something: a label (either way) of one of its categories.
    A photo labelled only as a person's example says nothing about the others."""
    return [p for p in labelled if any(name in head for name in p.labels)]


def person_results(catalog: Catalog, persons: list[CategoryRecord]) -> tuple[dict[int, float], dict]:
    """Each person category's best-F1 threshold on leave-one-out scores (by category id), and
    its metrics (by name, like the head's report)."""
    from photosort.people import held_out_person_scores

    thresholds, report = {}, {}
    for person in persons:
        labels, scores, _ = held_out_person_scores(catalog, person.name)
        if not labels.any():
            continue
        t = thresholds[person.id] = metrics.best_threshold(labels, scores)
        p, r, f1 = metrics.prf(labels, scores >= t)
        report[person.name] = {"precision": p, "recall": r, "f1": f1, "support": int(labels.sum()),
                               "threshold": t, "person": True}
    return thresholds, report


def add_face_features(catalog: Catalog, photos: list[LabelledPhoto], embeddings: np.ndarray) -> np.ndarray:
    """(V, N, D) embeddings -> (V, N, D + 2): each photo's face features after every view
    (faces are detected once, on the photo itself, and stored by content hash)."""
    from photosort.people import faces_for
    from photosort.people.features import feature_block

    found = faces_for(catalog, [(p.photo.path, p.photo.content_hash) for p in photos], identities=False)
    feats = feature_block([found.get(p.photo.content_hash) for p in photos], embeddings.shape[2])
    return np.concatenate([embeddings, np.broadcast_to(feats, (embeddings.shape[0], *feats.shape))], axis=2)


def fuse_face_model(examples, head_scores: np.ndarray, fold_of: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(the face models' weights fitted on every example, held-out scores fused with them):
    the face features are the last columns of the examples' (unaugmented) inputs."""
    from photosort import faces
    from photosort.people import fusion
    from photosort.people.features import feature_scale

    inputs = examples.embeddings[0]
    features = inputs[:, -faces.FEATURE_DIM:] / feature_scale(inputs.shape[1] - faces.FEATURE_DIM)
    labels = np.asarray(examples.labels, bool)
    held = fusion.held_out(features.astype(np.float64), labels, fold_of)
    return fusion.fit(features.astype(np.float64), labels), ((head_scores + held) / 2).astype(np.float32)
