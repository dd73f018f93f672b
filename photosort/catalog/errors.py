"""Database failures as one line a person can act on.

SQLite reports a busy library, a full disk or a damaged file as ``sqlite3`` exceptions;
``catalog_error`` turns them into a ``CatalogError`` naming the library (and, for a file
that cannot be read, its latest backup), which the CLI prints and the window shows.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from photosort.errors import PhotosortError

BACKUPS_DIR = "backups"
BACKUP_GLOB = "catalog.sqlite.bak-*"


class CatalogError(PhotosortError):
    """The catalog cannot be read or written (busy, full disk, damaged, too new, ...)."""


def latest_backup(library_dir: Path) -> Path | None:
    """The newest complete copy taken before an upgrade, or None."""
    folder = library_dir / BACKUPS_DIR
    try:
        copies = [p for p in folder.glob(BACKUP_GLOB) if not p.name.endswith((".partial", "-wal", "-shm", "-journal"))]
    except OSError:
        return None
    return max(copies, key=lambda p: (p.stat().st_mtime, p.name), default=None)


def unreadable(db_path: Path, reason: str) -> CatalogError:
    backup = latest_backup(db_path.parent)
    return CatalogError(
        f"The catalog {db_path} cannot be opened ({reason}); "
        + (f"the latest backup is {backup}." if backup else "there is no backup of it.")
    )


def is_translated(exc: BaseException) -> bool:
    """SQLite's own failures (busy, I/O, full, damaged), not photosort's mistakes such as a
    constraint it broke (IntegrityError) or bad SQL (ProgrammingError), which stay bugs."""
    return isinstance(exc, sqlite3.OperationalError) or type(exc) is sqlite3.DatabaseError


def catalog_error(exc: BaseException, db_path: Path, busy_timeout: float) -> CatalogError:
    """One clear line for a sqlite3 failure on the catalog at ``db_path``."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    text = str(exc)
    library = db_path.parent
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in text:
        return CatalogError(
            f"The library {library} is busy: another photosort (a window, a sort or a watcher) kept it "
            f"locked for more than {busy_timeout:g} s. Try again when it has finished."
        )
    if name.startswith("SQLITE_FULL") or "disk is full" in text:
        return CatalogError(f"The disk holding the library {library} is full; free some space and try again.")
    if name.startswith("SQLITE_READONLY") or "readonly" in text:
        return CatalogError(f"The catalog {db_path} is read-only; photosort needs to write to it.")
    if name.startswith(("SQLITE_NOTADB", "SQLITE_CORRUPT")) or type(exc) is sqlite3.DatabaseError:
        return unreadable(db_path, text)
    if name.startswith(("SQLITE_IOERR", "SQLITE_CANTOPEN")):
        return CatalogError(f"Cannot read or write the catalog {db_path} ({text}).")
    return CatalogError(f"The catalog {db_path} failed: {text}.")
