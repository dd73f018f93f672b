"""The catalog's engine: a fresh library's schema and pragmas, reopening, newer schemas."""

from __future__ import annotations

import sqlite3

import pytest

from photosort.catalog import SCHEMA_VERSION, Catalog
from photosort.registration import register_photos


def test_new_library_has_schema_wal_and_foreign_keys(catalog, library_dir):
    assert catalog.schema_version() == SCHEMA_VERSION
    assert (library_dir / "catalog.sqlite").is_file()
    assert (library_dir / "models").is_dir()
    with catalog.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_catalog_reopens_with_data_and_is_plain_sqlite(library_dir, sea_photos, tmp_path):
    with Catalog(library_dir) as catalog:
        catalog.add_category("sea", tmp_path / "sea")
        catalog.label("sea", [r.id for r in register_photos(catalog, sea_photos)[0]])
    with Catalog(library_dir) as catalog:
        assert catalog.category("sea").positives == 6
    with sqlite3.connect(library_dir / "catalog.sqlite") as conn:
        assert conn.execute("select count(*) from labels").fetchone()[0] == 6


def test_newer_schema_is_refused(library_dir):
    Catalog(library_dir).close()
    with sqlite3.connect(library_dir / "catalog.sqlite") as conn:
        conn.execute("update meta set value='999' where key='schema_version'")
    with pytest.raises(Exception, match="newer photosort"):
        Catalog(library_dir)
