"""Which categories need faces, and so whether a sort must look for them at all."""

from __future__ import annotations

from photosort.catalog import Catalog, CategoryRecord


def person_categories(catalog: Catalog) -> list[CategoryRecord]:
    return [c for c in catalog.categories() if c.person]


def face_features_wanted(catalog: Catalog) -> bool:
    """The head gets face features when the library has face-aware categories (see
    training): a library without them trains and sorts exactly as before."""
    return any(c.person or c.faces != "keep" for c in catalog.categories())


def needs_faces(catalog: Catalog) -> bool:
    """Some category needs faces: a person, or copies with faces blurred or pixelated."""
    return face_features_wanted(catalog)
