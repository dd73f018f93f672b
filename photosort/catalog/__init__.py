"""The photo catalog: the only part of photosort that talks SQL.

``Catalog`` is a thin facade: one mixin per group of tables (engine.py, photos.py,
categories.py, embeddings.py, faces.py, models.py, runs.py), so callers import one class.
"""

from photosort.catalog.categories import CategoriesMixin
from photosort.catalog.embeddings import EmbeddingsMixin
from photosort.catalog.faces import FacesMixin
from photosort.catalog.models import ModelsMixin
from photosort.catalog.photos import PhotosMixin
from photosort.catalog.records import (
    CategoryRecord,
    FileOpRecord,
    LabelledPhoto,
    ModelVersionRecord,
    PersonExample,
    PhotoRecord,
    ReceivedCopy,
    RunRecord,
)
from photosort.catalog.runs import RunsMixin
from photosort.catalog.schema import SCHEMA_VERSION


class Catalog(PhotosMixin, CategoriesMixin, EmbeddingsMixin, FacesMixin, ModelsMixin, RunsMixin):
    """A photosort library: its catalog database (``catalog.sqlite``, WAL, foreign keys on)
    and its models folder. A short session per call keeps it safe to use from worker threads."""


__all__ = [
    "Catalog",
    "CategoryRecord",
    "FileOpRecord",
    "LabelledPhoto",
    "ModelVersionRecord",
    "PersonExample",
    "PhotoRecord",
    "ReceivedCopy",
    "RunRecord",
    "SCHEMA_VERSION",
]
