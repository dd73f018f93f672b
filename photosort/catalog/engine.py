"""The catalog's engine and sessions: one SQLite file per library, its pragmas, its schema.

``CatalogEngine`` is the base every table's mixin builds on: where the library lives, a
short session per call (so the catalog is safe to use from worker threads), and the schema
brought up to date (``migrate.py``) when a library is opened.

Several photosorts may use one library at once (the window, a CLI sort, the watcher). A
writing session takes SQLite's write lock up front (``BEGIN IMMEDIATE``, SQLAlchemy's
documented pysqlite recipe) and waits up to ``busy_timeout`` for it, instead of failing at
its first write when another writer got there between its reads. Read-only sessions and
plain read connections begin a deferred transaction and never wait for a writer (WAL).
Any SQLite failure reaches callers as one ``CatalogError`` line.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Self

from sqlalchemy import create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from photosort.catalog import migrate
from photosort.catalog.errors import CatalogError, catalog_error, is_translated
from photosort.catalog.schema import Meta
from photosort.errors import PhotosortError

DB_NAME = "catalog.sqlite"
MODELS_DIR = "models"
BUSY_TIMEOUT_S = 30.0  # how long a writer waits for another one; PHOTOSORT_BUSY_TIMEOUT overrides
_READ = "photosort_read"  # execution option of read-only connections: a deferred BEGIN
_CHUNK = 500  # rows per IN (...) query; SQLite's variable limit is well above this


def chunks(items: Sequence, size: int = _CHUNK) -> Iterator[Sequence]:
    """``items`` in slices small enough for one ``IN (...)`` query."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


class CatalogEngine:
    """A photosort library: its catalog database and its models folder."""

    def __init__(self, library_dir: str | Path, busy_timeout: float | None = None):
        self.library_dir = Path(library_dir).expanduser().resolve()
        if busy_timeout is None:
            busy_timeout = float(os.environ.get("PHOTOSORT_BUSY_TIMEOUT", BUSY_TIMEOUT_S))
        self.busy_timeout = busy_timeout
        try:
            self.library_dir.mkdir(parents=True, exist_ok=True)
            self.models_dir.mkdir(exist_ok=True)
        except OSError as exc:
            raise PhotosortError(f"Cannot create the library folder {self.library_dir}: {exc.strerror or exc}") from exc
        if self.db_path.is_dir():
            raise CatalogError(f"The catalog {self.db_path} is a folder, not a file.")
        self.engine = create_engine(
            f"sqlite:///{self.db_path}",
            connect_args={"check_same_thread": False, "timeout": busy_timeout},
        )
        event.listen(self.engine, "connect", _sqlite_pragmas)
        event.listen(self.engine, "begin", _begin)
        event.listen(self.engine, "handle_error", self._translate_error)
        self.read_engine = self.engine.execution_options(**{_READ: True})
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._read_sessions = sessionmaker(self.read_engine, expire_on_commit=False)
        try:
            migrate.ensure_schema(self.engine, self.read_engine, self.library_dir)
        except sqlite3.Error as exc:  # raw-connection steps of an upgrade
            self.engine.dispose()
            raise self._error(exc) from exc
        except BaseException:
            self.engine.dispose()
            raise

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
        """A writing session: the write lock from its first statement to its commit."""
        try:
            with self._sessions() as session, session.begin():
                yield session
        except sqlite3.Error as exc:  # raw cursors (photos_in_category) bypass handle_error
            if not is_translated(exc):
                raise
            raise self._error(exc) from exc

    @contextmanager
    def _reading(self) -> Iterator[Session]:
        """A read-only session: a consistent snapshot that never waits for a writer."""
        try:
            with self._read_sessions() as session, session.begin():
                yield session
        except sqlite3.Error as exc:
            if not is_translated(exc):
                raise
            raise self._error(exc) from exc

    def _error(self, exc: BaseException) -> CatalogError:
        return catalog_error(exc, self.db_path, self.busy_timeout)

    def _translate_error(self, context) -> None:
        """handle_error: SQLite's failures become CatalogError wherever SQLAlchemy ran them."""
        original = context.original_exception
        if is_translated(original):
            raise self._error(original) from context.sqlalchemy_exception or original

    def schema_version(self) -> int:
        with self._reading() as s:
            return int(s.get(Meta, "schema_version").value)


def _begin(conn) -> None:
    """The pysqlite recipe's "begin" half: writers lock up front, readers don't lock."""
    read_only = conn.get_execution_options().get(_READ, False)
    # on the DBAPI connection: a statement of the transaction, not of the caller's query;
    # a busy timeout here surfaces as sqlite3.OperationalError, translated by the sessions
    conn.connection.dbapi_connection.execute("BEGIN" if read_only else "BEGIN IMMEDIATE")


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # the recipe's "connect" half: pysqlite must not issue its own BEGINs; _begin does
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # readers (GUI) don't block the writer (sorter)
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")  # safe with WAL; a crash loses at most the last commit
    cursor.close()
