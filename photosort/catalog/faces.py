"""The faces table (what a detector found in a photo's content, by content hash) and
"forget this person": their face data and examples gone from the catalog and its backups.

The catalog stores and hands out the packed bytes (photosort.faces.PhotoFaces.to_bytes());
it never interprets them, so it does not depend on the face package.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from photosort.catalog.categories import category_row
from photosort.catalog.engine import CatalogEngine, chunks
from photosort.catalog.errors import BACKUP_GLOB, BACKUPS_DIR
from photosort.catalog.schema import Category, FaceSet, Label, Photo


class FacesMixin(CatalogEngine):
    def get_faces(self, hashes: Sequence[str], detector: str) -> dict[str, bytes]:
        """Content hash -> stored faces blob, for the hashes that have one under ``detector``."""
        found: dict[str, bytes] = {}
        with self._reading() as s:
            for chunk in chunks(list(set(hashes))):
                rows = s.execute(select(FaceSet.content_hash, FaceSet.data).where(
                    FaceSet.detector == detector, FaceSet.content_hash.in_(chunk)))
                found.update({digest: bytes(blob) for digest, blob in rows})
        return found

    def put_faces(self, detector: str, found: dict[str, tuple[int, bytes]]) -> None:
        """Store content hash -> (number of faces, blob); a later detection replaces one."""
        if not found:
            return
        rows = [{"content_hash": h, "detector": detector, "count": int(n), "data": blob}
                for h, (n, blob) in found.items()]
        stmt = sqlite_insert(FaceSet)
        stmt = stmt.on_conflict_do_update(
            index_elements=["content_hash", "detector"],
            set_={"count": stmt.excluded.count, "data": stmt.excluded.data},
        )
        with self._session() as s:
            s.execute(stmt, rows)

    def face_count(self) -> int:
        with self._reading() as s:
            return len(s.execute(select(FaceSet.content_hash)).all())

    def forget_person(self, name: str) -> int:
        """Delete the face data of a person category's examples (positive and negative) and
        those examples' labels, here and in every backup the catalog keeps; the category,
        the photos and their files stay. Returns how many examples were forgotten."""
        with self._session() as s:
            cat = category_row(s, name)
            rows = s.execute(select(Label.photo_id, Photo.content_hash).join(Photo, Photo.id == Label.photo_id)
                             .where(Label.category_id == cat.id)).all()
            hashes = sorted({h for _, h in rows})
            for chunk in chunks(hashes):
                s.execute(delete(FaceSet).where(FaceSet.content_hash.in_(chunk)))
            s.execute(delete(Label).where(Label.category_id == cat.id))
            s.get(Category, cat.id).person = False
            category_id = cat.id
        self._wipe_free_pages()
        for path in backups(self.library_dir):
            scrub_backup(path, category_id, hashes)
        return len(rows)

    def _wipe_free_pages(self) -> None:
        """Deleted rows may linger in free pages and the WAL: rebuild the file, then empty the WAL."""
        with self.engine.connect() as conn:
            raw = conn.connection.dbapi_connection
            raw.execute("VACUUM")
            raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def backups(library_dir: Path) -> list[Path]:
    folder = library_dir / BACKUPS_DIR
    return sorted(p for p in folder.glob(BACKUP_GLOB) if not p.name.endswith(("-wal", "-shm", "-journal")))


def scrub_backup(path: Path, category_id: int, hashes: Sequence[str]) -> None:
    """Delete the person's rows from one backup copy and VACUUM it (a backup may predate the
    faces table, then only labels are there)."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        tables = {n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        conn.execute("BEGIN IMMEDIATE")
        if "faces" in tables:
            for chunk in chunks(list(hashes)):
                conn.execute(f"DELETE FROM faces WHERE content_hash IN ({','.join('?' * len(chunk))})", chunk)
        if "labels" in tables:
            conn.execute("DELETE FROM labels WHERE category_id = ?", (category_id,))
        conn.execute("COMMIT")
        conn.execute("VACUUM")
    finally:
        conn.close()
