"""One library used by several photosorts at once (catalog/engine.py): writers take the write
lock up front and wait for each other; readers never wait; a lock held past the busy timeout
is one clear line through the CLI, never a traceback."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from photosort.catalog import Catalog
from photosort.catalog.errors import CatalogError
from photosort.cli import main
from tests.helpers.photos import scene_photos

REPO = Path(__file__).resolve().parents[1]

# a person's "photosort label" run, again and again: open, register, read the category, label
LABEL_LOOP = """
import sys
from photosort.cli import main
library, category, rounds, paths = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]
for i in range(rounds):
    negative = ["--negative"] if i % 2 else []
    code = main(["--library", library, "label", category, *negative, *paths])
    if code:
        sys.exit(code)
"""


@pytest.fixture
def held_write_lock(library_dir):
    """Another photosort in the middle of a write: BEGIN IMMEDIATE on the catalog."""
    Catalog(library_dir).close()
    conn = sqlite3.connect(library_dir / "catalog.sqlite", isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    yield conn
    conn.execute("ROLLBACK")
    conn.close()


def test_two_processes_labelling_one_library_at_once_both_finish(library_dir, datasets_dir, tmp_path):
    with Catalog(library_dir) as catalog:
        for name in ("sea", "forest"):
            catalog.add_category(name, tmp_path / name)
    photos = {name: scene_photos(datasets_dir, name, 0, 6) for name in ("sea", "forest")}
    procs = [
        subprocess.Popen([sys.executable, "-c", LABEL_LOOP, str(library_dir), name, "12", *map(str, paths)],
                         cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for name, paths in photos.items()
    ]
    results = [(p.wait(timeout=300), p.stderr.read()) for p in procs]
    assert results == [(0, ""), (0, "")]
    with Catalog(library_dir) as catalog:
        for name in ("sea", "forest"):  # 12 rounds, the last one negative
            record = catalog.category(name)
            assert (record.positives, record.negatives) == (0, 6)
        assert catalog.photo_count() == 12


def test_reads_do_not_wait_for_a_writer(library_dir, held_write_lock, tmp_path):
    with Catalog(library_dir, busy_timeout=5) as catalog:
        started = time.monotonic()
        assert catalog.categories() == []
        assert catalog.current_model() is None
        assert catalog.embedding("0" * 64, "any") is None
        assert time.monotonic() - started < 1


def test_a_write_waits_for_the_lock_then_gives_one_clear_error(library_dir, held_write_lock, tmp_path):
    with Catalog(library_dir, busy_timeout=0.5) as catalog:
        started = time.monotonic()
        with pytest.raises(CatalogError, match="is busy: another photosort") as caught:
            catalog.add_category("sea", tmp_path / "sea")
        assert time.monotonic() - started >= 0.4  # it waited for the lock first
        assert str(library_dir) in str(caught.value)
    held_write_lock.execute("ROLLBACK")
    held_write_lock.execute("BEGIN IMMEDIATE")  # (the fixture rolls back again)


def test_cli_on_a_locked_library_says_so_in_one_line(library_dir, held_write_lock, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("PHOTOSORT_BUSY_TIMEOUT", "0.5")
    code = main(["--library", str(library_dir), "category", "add", "sea", "--folder", str(tmp_path / "sea")])
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("photosort: error: The library") and "busy" in err
    assert err.count("\n") == 1 and "Traceback" not in err
    held_write_lock.execute("ROLLBACK")
    with Catalog(library_dir) as catalog:
        assert catalog.categories() == []  # nothing half-written
    held_write_lock.execute("BEGIN IMMEDIATE")
