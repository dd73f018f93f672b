"""The catalog's engine and sessions: one SQLite file per library, its pragmas, its schema.

``CatalogEngine`` is the base every table's mixin builds on: where the library lives, a
short session per call (so the catalog is safe to use from worker threads), and the schema
created or checked when a library is opened.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Self

from sqlalchemy import create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from photosort.catalog.schema import SCHEMA_VERSION, Base, Meta
from photosort.errors import PhotosortError

DB_NAME = "catalog.sqlite"
MODELS_DIR = "models"
_CHUNK = 500  # rows per IN (...) query; SQLite's variable limit is well above this


def chunks(items: Sequence, size: int = _CHUNK) -> Iterator[Sequence]:
    """``items`` in slices small enough for one ``IN (...)`` query."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


class CatalogEngine:
    """A photosort library: its catalog database and its models folder."""

    def __init__(self, library_dir: str | Path):
        self.library_dir = Path(library_dir).expanduser().resolve()
        try:
            self.library_dir.mkdir(parents=True, exist_ok=True)
            self.models_dir.mkdir(exist_ok=True)
        except OSError as exc:
            raise PhotosortError(f"Cannot create the library folder {self.library_dir}: {exc.strerror or exc}") from exc
        self.engine = create_engine(
            f"sqlite:///{self.db_path}",
            connect_args={"check_same_thread": False, "timeout": 30},
        )
        event.listen(self.engine, "connect", _sqlite_pragmas)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._migrate()

    @property
    def db_path(self) -> Path:
        return self.library_dir / DB_NAME

    @property
    def models_dir(self) -> Path:
        return self.library_dir / MODELS_DIR

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextmanager
    def _session(self) -> Iterator[Session]:
        with self._sessions() as session, session.begin():
            yield session

    def _migrate(self) -> None:
        Base.metadata.create_all(self.engine)
        with self._session() as s:
            row = s.get(Meta, "schema_version")
            if row is None:
                s.add(Meta(key="schema_version", value=str(SCHEMA_VERSION)))
            elif int(row.value) > SCHEMA_VERSION:
                raise PhotosortError(
                    f"This library was written by a newer photosort (schema {row.value}); "
                    "please upgrade photosort."
                )

    def schema_version(self) -> int:
        with self._session() as s:
            return int(s.get(Meta, "schema_version").value)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # readers (GUI) don't block the writer (sorter)
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")  # safe with WAL; a crash loses at most the last commit
    cursor.close()
