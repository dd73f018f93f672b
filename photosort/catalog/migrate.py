"""The catalog's schema on open: checked cheaply, upgraded by Alembic when it is behind.

- Up to date (the usual case): two small reads, and Alembic is not even imported.
- A new, empty catalog: every revision runs, from the baseline on.
- A library made before photosort used Alembic (no ``alembic_version`` table, schema 1, the
  code at c985203): stamped at the baseline, then upgraded.
- Anything to upgrade: a copy is taken first (SQLite's online backup) as
  ``backups/catalog.sqlite.bak-<revision>-<time>``, then every revision runs in one
  ``BEGIN IMMEDIATE`` transaction: all or nothing, and a second photosort opening the library
  meanwhile waits, then finds nothing left to do.
- Written by a newer photosort (an unknown revision, or a schema_version above ours): refused.
"""

from __future__ import annotations

import os
import sqlite3
import time
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from sqlalchemy import Connection, Engine

from photosort.catalog.errors import BACKUPS_DIR, CatalogError
from photosort.catalog.schema import SCHEMA_VERSION

BASELINE = "0001_baseline"  # the schema of c985203
HEAD = "0003_ids_people_starters"  # the newest revision in migrations/versions (a test checks)


@dataclass(frozen=True)
class SchemaState:
    has_tables: bool  # False: a new, empty catalog
    revision: str | None  # alembic_version, None before Alembic
    schema_version: int | None  # meta's schema_version

    def needs_upgrade(self) -> bool:
        return self.revision != HEAD


def read_state(conn: Connection) -> SchemaState:
    tables = {name for (name,) in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'table'")}
    revision = None
    if "alembic_version" in tables:
        revision = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    version = None
    if "meta" in tables:
        value = conn.exec_driver_sql("SELECT value FROM meta WHERE key = 'schema_version'").scalar()
        version = int(value) if value is not None and str(value).isdigit() else None
    return SchemaState(bool(tables - {"alembic_version"}), revision, version)


def refuse_newer(state: SchemaState, library_dir: Path, known: bool = True) -> None:
    """CatalogError if a newer photosort wrote this library."""
    if (state.schema_version or 0) > SCHEMA_VERSION or not known:
        written = f"schema {state.schema_version}" + (f", revision {state.revision}" if state.revision else "")
        raise CatalogError(
            f"The library {library_dir} was written by a newer photosort ({written}; this one knows "
            f"schema {SCHEMA_VERSION}, revision {HEAD}); please upgrade photosort to open it."
        )


def ensure_schema(engine: Engine, read_engine: Engine, library_dir: Path) -> None:
    """Bring the catalog to HEAD, or refuse it. Cheap when there is nothing to do."""
    with read_engine.connect() as conn:
        state = read_state(conn)
    refuse_newer(state, library_dir)
    if state.needs_upgrade():
        _upgrade(engine, Path(engine.url.database), library_dir)


def script_location() -> Path:
    """The migrations folder inside the installed package (wheel, checkout or bundle)."""
    return Path(str(resources.files("photosort.catalog.migrations")))


def _upgrade(engine: Engine, db_path: Path, library_dir: Path) -> None:
    from alembic import command  # a second or so of imports, paid only when upgrading
    from alembic.config import Config
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    config = Config()
    config.set_main_option("script_location", str(script_location()))
    scripts = ScriptDirectory.from_config(config)
    with engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        raw.execute("PRAGMA foreign_keys=OFF")  # outside a transaction, or SQLite ignores it
        try:
            with conn.begin():  # BEGIN IMMEDIATE (engine.py): the one writer from here on
                state = read_state(conn)  # again, under the lock: another process may have done it
                try:
                    known = state.revision is None or scripts.get_revision(state.revision) is not None
                except CommandError:
                    known = False
                refuse_newer(state, library_dir, known)
                if not state.needs_upgrade():
                    return
                if state.has_tables:
                    backup(db_path, library_dir, state.revision or BASELINE)
                config.attributes["connection"] = conn
                if state.has_tables and state.revision is None:
                    command.stamp(config, BASELINE)  # made before Alembic: it *is* the baseline
                command.upgrade(config, "head")
                broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise CatalogError(f"Upgrading the catalog in {library_dir} broke {len(broken)} references; "
                                       "nothing was changed.")
        finally:
            raw.execute("PRAGMA foreign_keys=ON")


def backup(db_path: Path, library_dir: Path, revision: str) -> Path:
    """A complete copy of the catalog (WAL included) before it is changed; returns its path.

    Read through a second connection: SQLite's backup cannot read from the connection that
    holds the write lock, and a reader sees every committed page while we hold it (WAL), with
    nobody able to commit in between. Written under a ``.partial`` name first, so a half copy
    is never taken for a backup."""
    folder = library_dir / BACKUPS_DIR
    stamp = time.strftime("%Y%m%dT%H%M%S")
    final = folder / f"catalog.sqlite.bak-{revision}-{stamp}"
    partial = final.with_name(final.name + ".partial")
    try:
        folder.mkdir(exist_ok=True)
        n = 1
        while final.exists():  # two upgrades in one second: never replace a backup
            n += 1
            final = folder / f"catalog.sqlite.bak-{revision}-{stamp}-{n}"
        source, target = sqlite3.connect(db_path), sqlite3.connect(partial)
        try:
            source.backup(target)
            target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        finally:
            target.close()
            source.close()
        os.rename(partial, final)  # free name checked above; we hold the write lock
    except (OSError, sqlite3.Error) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise CatalogError(
            f"Cannot back up the catalog to {folder} before upgrading it ({reason}); nothing was changed."
        ) from exc
    return final
