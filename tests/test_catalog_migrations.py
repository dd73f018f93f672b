"""Catalog upgrades (catalog/migrate.py, catalog/migrations/): a new library at the head
revision with no drift from the models, a library of the code at c985203 stamped, backed up
and upgraded with its data, newer libraries refused, unreadable catalogs reported with
their latest backup, and an up-to-date open that does not even import Alembic."""

from __future__ import annotations

import importlib.util
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from photosort.catalog import SCHEMA_VERSION, Catalog
from photosort.catalog.errors import CatalogError
from photosort.catalog.migrate import BASELINE, HEAD, script_location
from photosort.catalog.schema import Base
from photosort.cli import main

REPO = Path(__file__).resolve().parents[1]


def revision_of(db: Path) -> str | None:
    with sqlite3.connect(db) as conn:
        tables = {n for (n,) in conn.execute("select name from sqlite_master where type='table'")}
        if "alembic_version" not in tables:
            return None
        return conn.execute("select version_num from alembic_version").fetchone()[0]


def backups(library: Path) -> list[Path]:
    return sorted(p for p in (library / "backups").glob("catalog.sqlite.bak-*") if p.name[-4:] not in {"-wal", "-shm"})


def make_c985203_library(library: Path, photos: list[Path]) -> None:
    """A library as the code at c985203 left it: its exact DDL (the frozen baseline revision),
    WAL, schema_version 1, no alembic_version; a category, its labelled photos, a sort run and
    its journal (a copy and its decision)."""
    spec = importlib.util.spec_from_file_location("baseline", script_location() / "versions" / "0001_baseline.py")
    baseline = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(baseline)
    library.mkdir(parents=True)
    (library / "models").mkdir()
    conn = sqlite3.connect(library / "catalog.sqlite")
    conn.execute("PRAGMA journal_mode=WAL")
    for statement in baseline.DDL:
        conn.execute(statement)
    now = "2025-01-01 10:00:00.000000"
    conn.execute("insert into meta values ('schema_version', '1')")
    conn.execute("insert into categories values (1, 'sea', ?, 0.5, ?)", (str(library.parent / "sorted" / "sea"), now))
    for i, photo in enumerate(photos, 1):
        conn.execute("insert into photos values (?, ?, ?, ?, ?, null, 10, 10, ?)",
                     (i, str(photo), f"hash{i}", photo.stat().st_size, photo.stat().st_mtime, now))
        conn.execute("insert into labels values (?, 1, 1, ?)", (i, now))
    conn.execute("insert into runs values (1, 'sort', ?, ?, ?, 'done', null, '{}', '{}')", (str(photos[0].parent), now, now))
    conn.execute("insert into file_ops values (1, 1, 'copy', 1, 1, ?, ?, '', 'hash1', 5, 'done', '', ?, ?)",
                 (str(photos[0]), str(library.parent / "sorted" / "sea" / photos[0].name), now, now))
    conn.commit()
    conn.close()


@pytest.fixture
def sea_photos(datasets_dir):
    return sorted((datasets_dir / "scenes" / "sea").glob("*.jpg"))[:4]


def test_head_constant_is_the_newest_revision_and_schema_version_counts_revisions():
    scripts = ScriptDirectory.from_config(_config())
    assert scripts.get_current_head() == HEAD
    assert scripts.get_base() == BASELINE
    assert len(list(scripts.walk_revisions())) == SCHEMA_VERSION


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(script_location()))
    return config


def test_new_library_is_at_head_and_its_schema_is_exactly_the_models(library_dir):
    Catalog(library_dir).close()
    db = library_dir / "catalog.sqlite"
    assert revision_of(db) == HEAD
    assert backups(library_dir) == []  # nothing to lose in a new catalog
    with sqlite3.connect(db) as conn:
        assert conn.execute("select value from meta where key='schema_version'").fetchone()[0] == str(SCHEMA_VERSION)
        # a schema change in schema.py without its revision shows up here
        assert compare_metadata(MigrationContext.configure(conn_for(db)), Base.metadata) == []


def conn_for(db: Path):
    from sqlalchemy import create_engine

    return create_engine(f"sqlite:///{db}").connect()


def test_c985203_library_is_stamped_backed_up_upgraded_and_keeps_its_data(tmp_path, sea_photos):
    library = tmp_path / "old"
    make_c985203_library(library, sea_photos)
    with sqlite3.connect(library / "catalog.sqlite") as conn:
        before = conn.execute("select * from file_ops").fetchall()

    with Catalog(library) as catalog:
        assert catalog.schema_version() == SCHEMA_VERSION
        assert catalog.category("sea").positives == len(sea_photos)
        assert [p.path for p in catalog.examples("sea")] == sorted(sea_photos)
        [op] = catalog.file_ops(run_id=1)
        assert (op.src, op.state) == (sea_photos[0], "done")
        assert catalog.runs()[0].source == str(sea_photos[0].parent)
    db = library / "catalog.sqlite"
    assert revision_of(db) == HEAD
    with sqlite3.connect(db) as conn:
        assert conn.execute("select * from file_ops").fetchall() == before
        indexes = {row[1] for row in conn.execute("pragma index_list(file_ops)")}
        assert {"ix_file_ops_photo_id", "ix_file_ops_category_id"} <= indexes
        assert compare_metadata(MigrationContext.configure(conn_for(db)), Base.metadata) == []

    [copy] = backups(library)  # taken before anything changed: the old catalog, as it was
    assert copy.name.startswith(f"catalog.sqlite.bak-{BASELINE}-")
    assert revision_of(copy) is None
    with sqlite3.connect(copy) as conn:
        assert conn.execute("select value from meta").fetchone()[0] == "1"
        assert conn.execute("select * from file_ops").fetchall() == before

    Catalog(library).close()  # up to date now: no second backup
    assert len(backups(library)) == 1


def test_two_processes_opening_an_old_library_at_once_upgrade_it_once(tmp_path, sea_photos):
    library = tmp_path / "old"
    make_c985203_library(library, sea_photos)
    code = ("import sys; from photosort.catalog import Catalog; c = Catalog(sys.argv[1]); "
            "print(c.category('sea').positives); c.close()")
    procs = [subprocess.Popen([sys.executable, "-c", code, str(library)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, cwd=REPO) for _ in range(2)]
    results = [p.communicate(timeout=120) + (p.returncode,) for p in procs]
    assert [(out.strip(), rc) for out, _err, rc in results] == [(str(len(sea_photos)), 0)] * 2, results
    assert len(backups(library)) == 1
    assert revision_of(library / "catalog.sqlite") == HEAD


def test_library_of_a_newer_photosort_is_refused_and_left_alone(library_dir):
    Catalog(library_dir).close()
    db = library_dir / "catalog.sqlite"
    with sqlite3.connect(db) as conn:
        conn.execute("update alembic_version set version_num = '0099_from_the_future'")
    before = db.read_bytes()
    with pytest.raises(CatalogError, match="newer photosort.*0099_from_the_future"):
        Catalog(library_dir)
    assert db.read_bytes() == before
    assert backups(library_dir) == []


def test_unreadable_catalog_is_reported_with_its_path_and_latest_backup(tmp_path, sea_photos, capsys):
    library = tmp_path / "old"
    make_c985203_library(library, sea_photos)
    Catalog(library).close()  # the upgrade leaves a backup
    [copy] = backups(library)
    db = library / "catalog.sqlite"
    for name in ("catalog.sqlite-wal", "catalog.sqlite-shm"):
        (library / name).unlink(missing_ok=True)
    db.write_bytes(b"this is not a database, whatever its name says" * 100)

    with pytest.raises(CatalogError) as caught:
        Catalog(library)
    assert str(db) in str(caught.value) and str(copy) in str(caught.value)

    assert main(["--library", str(library), "category", "list"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert str(db) in err and str(copy) in err


def test_garbage_catalog_without_backup_says_so(library_dir):
    library_dir.mkdir(parents=True, exist_ok=True)
    (library_dir / "catalog.sqlite").write_bytes(b"\x00garbage" * 1000)
    with pytest.raises(CatalogError, match="cannot be opened.*no backup"):
        Catalog(library_dir)


def test_opening_an_up_to_date_library_does_not_load_alembic(library_dir):
    Catalog(library_dir).close()
    code = ("import sys; from photosort.catalog import Catalog; Catalog(sys.argv[1]).close(); "
            "print('alembic' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code, str(library_dir)], capture_output=True, text=True,
                          cwd=REPO, timeout=120)
    assert (done.stdout.strip(), done.returncode) == ("False", 0), done.stderr
