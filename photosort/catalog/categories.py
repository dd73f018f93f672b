"""The categories and labels tables: what a person sorts into, and which photos show it.

A category's name is also its folder's default name, so one rule (``valid_name``) says which
names are allowed, for adding and renaming alike.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from photosort.catalog.engine import CatalogEngine, chunks
from photosort.catalog.photos import photo_record
from photosort.catalog.records import CategoryRecord, LabelledPhoto, PersonExample, PhotoRecord
from photosort.catalog.schema import Category, Label, Photo, utcnow
from photosort.errors import CategoryError


def valid_name(name: str) -> str:
    """The name stripped of surrounding blanks, or CategoryError: empty names and names that
    are not one plain folder name ('.', '..', slashes) are refused."""
    name = name.strip()
    if not name:
        raise CategoryError("A category needs a name.")
    if "/" in name or "\\" in name or name in {".", ".."}:
        raise CategoryError(f"'{name}' cannot be a category name (no slashes).")
    if any(unicodedata.category(c) in {"Cc", "Cs"} for c in name):  # control chars, undecodable bytes
        raise CategoryError(f"{ascii(name)} cannot be a category name (use readable text).")
    return name


def category_row(s: Session, name: str) -> Category:
    """The category's row, or CategoryError naming the categories there are."""
    row = s.scalar(select(Category).where(Category.name == name))
    if row is None:
        known = ", ".join(c.name for c in s.scalars(select(Category).order_by(Category.name)))
        raise CategoryError(f"No category named '{name}'" + (f" (have: {known})." if known else "."))
    return row


FACE_MODES = ("keep", "blur", "pixelate")


class CategoriesMixin(CatalogEngine):
    # -- categories ---------------------------------------------------------------------

    def add_category(self, name: str, folder: str | Path, threshold: float = 0.5) -> CategoryRecord:
        name = valid_name(name)
        with self._session() as s:
            if s.scalar(select(Category).where(Category.name == name)) is not None:
                raise CategoryError(f"A category named '{name}' already exists.")
            s.add(Category(name=name, folder=str(Path(folder).expanduser().absolute()), threshold=threshold))
        return self.category(name)

    def rename_category(self, old: str, new: str) -> CategoryRecord:
        with self._session() as s:
            row = category_row(s, old)
            new = valid_name(new)
            if new != old and s.scalar(select(Category).where(Category.name == new)) is not None:
                raise CategoryError(f"A category named '{new}' already exists.")
            row.name = new
        return self.category(new)

    def remove_category(self, name: str) -> None:
        """Remove a category and its labels; its folder and the files in it are kept."""
        with self._session() as s:
            s.delete(category_row(s, name))

    def set_folder(self, name: str, folder: str | Path) -> CategoryRecord:
        with self._session() as s:
            category_row(s, name).folder = str(Path(folder).expanduser().absolute())
        return self.category(name)

    def set_threshold(self, name: str, threshold: float) -> CategoryRecord:
        if not 0.0 <= threshold <= 1.0:
            raise CategoryError(f"A threshold must be between 0 and 1, not {threshold}.")
        with self._session() as s:
            category_row(s, name).threshold = float(threshold)
        return self.category(name)

    def set_thresholds(self, thresholds: dict[int | str, float]) -> None:
        """Set many thresholds at once, keyed by category id (or name); unknown ones skipped."""
        with self._session() as s:
            for key, value in thresholds.items():
                if isinstance(key, str):
                    row = s.scalar(select(Category).where(Category.name == key))
                else:
                    row = s.get(Category, int(key))
                if row is not None:
                    row.threshold = float(value)

    def set_starter(self, name: str, kind: str | None) -> None:
        """Mark a category as adopted from a starter kind (photosort.starter), or None: taught."""
        with self._session() as s:
            category_row(s, name).starter = kind

    def starter_kinds(self) -> dict[int, str]:
        """The starter kind of each category adopted from one, by category id (a renamed
        starter category stays a starter)."""
        with self._reading() as s:
            return dict(s.execute(select(Category.id, Category.starter).where(Category.starter.is_not(None))).all())

    def set_person(self, name: str, person: bool = True) -> CategoryRecord:
        """Mark a category as a person (scored from faces) or back to an ordinary one."""
        with self._session() as s:
            category_row(s, name).person = bool(person)
        return self.category(name)

    def set_faces_mode(self, name: str, mode: str) -> CategoryRecord:
        """What a category's copies do with faces: keep them, blur or pixelate them."""
        if mode not in FACE_MODES:
            raise CategoryError(f"Faces can be {', '.join(FACE_MODES)}, not '{mode}'.")
        with self._session() as s:
            category_row(s, name).faces = mode
        return self.category(name)

    def categories(self) -> list[CategoryRecord]:
        with self._reading() as s:
            counts = {
                (cid, bool(pos)): n
                for cid, pos, n in s.execute(
                    select(Label.category_id, Label.positive, func.count()).group_by(
                        Label.category_id, Label.positive
                    )
                )
            }
            return [
                CategoryRecord(
                    id=c.id,
                    name=c.name,
                    folder=Path(c.folder),
                    threshold=c.threshold,
                    positives=counts.get((c.id, True), 0),
                    negatives=counts.get((c.id, False), 0),
                    person=bool(c.person),
                    faces=c.faces or "keep",
                )
                for c in s.scalars(select(Category).order_by(Category.name))
            ]

    def category(self, name: str) -> CategoryRecord:
        for record in self.categories():
            if record.name == name:
                return record
        with self._reading() as s:
            category_row(s, name)  # raises the helpful error
        raise AssertionError("unreachable")

    # -- labels -------------------------------------------------------------------------

    def label(self, category: str, photo_ids: Iterable[int], positive: bool = True) -> int:
        """Make photos examples of a category (or explicit negatives); returns how many."""
        ids = sorted(set(photo_ids))
        with self._session() as s:
            cat = category_row(s, category)
            if ids:
                now = utcnow()
                stmt = sqlite_insert(Label).on_conflict_do_update(
                    index_elements=["photo_id", "category_id"], set_={"positive": positive}
                )
                s.execute(stmt, [
                    {"photo_id": pid, "category_id": cat.id, "positive": positive, "created_at": now} for pid in ids
                ])
        return len(ids)

    def unlabel(self, category: str, photo_ids: Iterable[int]) -> None:
        ids = list(set(photo_ids))
        with self._session() as s:
            cat = category_row(s, category)
            for chunk in chunks(ids):
                s.execute(delete(Label).where(Label.category_id == cat.id, Label.photo_id.in_(chunk)))

    def examples(self, category: str, positive: bool = True) -> list[PhotoRecord]:
        with self._reading() as s:
            cat = category_row(s, category)
            rows = s.scalars(
                select(Photo)
                .join(Label, Label.photo_id == Photo.id)
                .where(Label.category_id == cat.id, Label.positive == positive)
                .order_by(Photo.path)
            )
            return [photo_record(r) for r in rows]

    def labelled_photos(self) -> list[LabelledPhoto]:
        """Every photo with at least one label, with its labels by category name."""
        with self._reading() as s:
            rows = s.execute(
                select(Photo, Category.name, Label.positive)
                .join(Label, Label.photo_id == Photo.id)
                .join(Category, Category.id == Label.category_id)
                .order_by(Photo.id)
            )
            grouped: dict[int, tuple[PhotoRecord, dict[str, bool]]] = {}
            for photo, name, positive in rows:
                entry = grouped.setdefault(photo.id, (photo_record(photo), {}))
                entry[1][name] = bool(positive)
            return [LabelledPhoto(photo=p, labels=labels) for p, labels in grouped.values()]

    def set_example_face(self, category: str, photo_id: int, face: int | None) -> None:
        """The face a user clicked on one of a person's examples (None: let photosort choose)."""
        with self._session() as s:
            cat = category_row(s, category)
            row = s.get(Label, (photo_id, cat.id))
            if row is None:
                raise CategoryError(f"That photo is not an example of '{category}'.")
            row.face = face

    def person_examples(self, category: str) -> list[PersonExample]:
        """Every labelled photo of a category, positive or not, with the clicked face."""
        with self._reading() as s:
            cat = category_row(s, category)
            rows = s.execute(
                select(Photo, Label.positive, Label.face)
                .join(Label, Label.photo_id == Photo.id)
                .where(Label.category_id == cat.id)
                .order_by(Photo.path)
            )
            return [PersonExample(photo_record(p), bool(pos), face) for p, pos, face in rows]
