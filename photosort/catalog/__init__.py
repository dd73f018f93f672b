"""The photo catalog: the only part of photosort that talks SQL."""

from photosort.catalog.records import (
    CategoryRecord,
    FileOpRecord,
    LabelledPhoto,
    ModelVersionRecord,
    PhotoRecord,
    RunRecord,
)
from photosort.catalog.schema import SCHEMA_VERSION
from photosort.catalog.store import Catalog

__all__ = [
    "Catalog",
    "CategoryRecord",
    "FileOpRecord",
    "LabelledPhoto",
    "ModelVersionRecord",
    "PhotoRecord",
    "RunRecord",
    "SCHEMA_VERSION",
]
