"""The photos table: one row per file the catalog knows (path, content hash, header facts).

Reading files is not the catalog's job: ``photosort.registration`` reads them and hands the
facts to ``upsert_photos``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from photosort.catalog.engine import CatalogEngine, chunks
from photosort.catalog.records import PhotoRecord
from photosort.catalog.schema import Photo, utcnow

if TYPE_CHECKING:
    from photosort.images import PhotoInfo


def photo_record(row: Photo) -> PhotoRecord:
    return PhotoRecord(
        id=row.id,
        location=row.path,
        content_hash=row.content_hash,
        size=row.size,
        mtime=row.mtime,
        taken_at=row.taken_at,
        width=row.width,
        height=row.height,
    )


class PhotosMixin(CatalogEngine):
    def photos_by_paths(self, paths: Sequence[str | Path]) -> dict[Path, PhotoRecord]:
        """Known photos among ``paths`` (absolute), keyed by path, in a few queries."""
        keys = [str(Path(p).absolute()) for p in paths]
        found: dict[Path, PhotoRecord] = {}
        with self._reading() as s:
            for chunk in chunks(keys):
                for row in s.scalars(select(Photo).where(Photo.path.in_(chunk))):
                    found[Path(row.path)] = photo_record(row)
        return found

    def upsert_photos(self, entries: Sequence[tuple[Path, str, PhotoInfo]]) -> list[PhotoRecord]:
        """Insert or refresh many photos, given (path, content hash, info) read elsewhere
        (e.g. by decoding threads), in one transaction. Returns records in the same order."""
        if not entries:
            return []
        rows = [
            {
                "path": str(Path(path).absolute()),
                "content_hash": digest,
                "size": info.size,
                "mtime": info.mtime,
                "taken_at": info.taken_at,
                "width": info.width,
                "height": info.height,
                "added_at": utcnow(),
            }
            for path, digest, info in entries
        ]
        stmt = sqlite_insert(Photo)
        stmt = stmt.on_conflict_do_update(
            index_elements=["path"],
            set_={k: stmt.excluded[k] for k in ("content_hash", "size", "mtime", "taken_at", "width", "height")},
        )
        with self._session() as s:
            s.execute(stmt, rows)  # executemany: one compiled statement for the whole batch
        by_path = self.photos_by_paths([r["path"] for r in rows])
        return [by_path[Path(r["path"])] for r in rows]

    def photo(self, photo_id: int) -> PhotoRecord | None:
        with self._reading() as s:
            row = s.get(Photo, photo_id)
            return photo_record(row) if row else None

    def photo_by_path(self, path: str | Path) -> PhotoRecord | None:
        with self._reading() as s:
            row = s.scalar(select(Photo).where(Photo.path == str(Path(path).absolute())))
            return photo_record(row) if row else None

    def photos_by_hash(self, content_hash: str) -> list[PhotoRecord]:
        with self._reading() as s:
            rows = s.scalars(select(Photo).where(Photo.content_hash == content_hash))
            return [photo_record(r) for r in rows]

    def photos(self, ids: Sequence[int] | None = None) -> list[PhotoRecord]:
        with self._reading() as s:
            if ids is None:
                return [photo_record(r) for r in s.scalars(select(Photo).order_by(Photo.id))]
            found: list[PhotoRecord] = []
            for chunk in chunks(list(ids)):
                found += [photo_record(r) for r in s.scalars(select(Photo).where(Photo.id.in_(chunk)))]
            return found

    def photo_count(self) -> int:
        with self._reading() as s:
            return s.scalar(select(func.count()).select_from(Photo))

    def remove_photos(self, ids: Sequence[int]) -> None:
        """Forget photos (labels and predictions go with them); files are not touched."""
        with self._session() as s:
            for chunk in chunks(list(ids)):
                s.execute(delete(Photo).where(Photo.id.in_(chunk)))
