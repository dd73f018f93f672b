"""Catalog round-trips on real photos."""

from __future__ import annotations

import sqlite3

import numpy as np
import pytest

from photosort.catalog import SCHEMA_VERSION, Catalog
from photosort.errors import CategoryError, ImageError


@pytest.fixture
def catalog(library_dir):
    with Catalog(library_dir) as cat:
        yield cat


@pytest.fixture
def sea_photos(datasets_dir):
    return sorted((datasets_dir / "scenes" / "sea").glob("*.jpg"))[:6]


def test_new_library_has_schema_wal_and_foreign_keys(catalog, library_dir):
    assert catalog.schema_version() == SCHEMA_VERSION
    assert (library_dir / "catalog.sqlite").is_file()
    assert (library_dir / "models").is_dir()
    with catalog.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_photo_round_trip_and_unchanged_photo_is_not_rehashed(catalog, sea_photos):
    record = catalog.add_photo(sea_photos[0])
    assert record.path == sea_photos[0].absolute()
    assert len(record.content_hash) == 32
    assert (record.width, record.height) == (150, 150)
    assert record.size == sea_photos[0].stat().st_size
    assert catalog.photo(record.id) == record
    assert catalog.photo_by_path(sea_photos[0]) == record
    assert catalog.photos_by_hash(record.content_hash) == [record]
    again = catalog.add_photo(sea_photos[0])
    assert again == record


def test_changed_photo_is_refreshed(catalog, sea_photos, tmp_path):
    path = tmp_path / "p.jpg"
    path.write_bytes(sea_photos[0].read_bytes())
    first = catalog.add_photo(path)
    path.write_bytes(sea_photos[1].read_bytes())
    second = catalog.add_photo(path)
    assert second.id == first.id
    assert second.content_hash != first.content_hash


def test_add_photos_skips_bad_files_with_reasons(catalog, sea_photos, tmp_path):
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    added, skipped = catalog.add_photos([sea_photos[0], empty, tmp_path / "missing.jpg"])
    assert [r.path for r in added] == [sea_photos[0].absolute()]
    assert {p.name for p, _ in skipped} == {"empty.jpg", "missing.jpg"}
    assert all(reason for _, reason in skipped)
    with pytest.raises(ImageError):
        catalog.add_photo(empty)


def test_categories_labels_and_counts(catalog, sea_photos, tmp_path):
    catalog.add_category("sea", tmp_path / "out" / "sea")
    catalog.add_category("sky", tmp_path / "out" / "sky")
    with pytest.raises(CategoryError, match="already exists"):
        catalog.add_category("sea", tmp_path)
    with pytest.raises(CategoryError, match="No category named 'lake'"):
        catalog.label("lake", [1])
    ids = [r.id for r in catalog.add_photos(sea_photos)[0]]
    assert catalog.label("sea", ids) == 6
    catalog.label("sky", ids[:2])
    catalog.label("sky", ids[2:3], positive=False)
    counts = {c.name: (c.positives, c.negatives) for c in catalog.categories()}
    assert counts == {"sea": (6, 0), "sky": (2, 1)}
    labelled = {item.photo.id: item.labels for item in catalog.labelled_photos()}
    assert labelled[ids[0]] == {"sea": True, "sky": True}
    assert labelled[ids[2]] == {"sea": True, "sky": False}
    catalog.label("sky", ids[2:3])  # a negative turned positive, not duplicated
    assert catalog.category("sky").positives == 3
    catalog.unlabel("sea", ids[:1])
    assert [p.id for p in catalog.examples("sea")] == sorted(ids[1:], key=lambda i: catalog.photo(i).path)

    catalog.rename_category("sky", "heaven")
    assert catalog.category("heaven").positives == 3
    catalog.set_threshold("heaven", 0.3)
    assert catalog.category("heaven").threshold == pytest.approx(0.3)
    with pytest.raises(CategoryError):
        catalog.set_threshold("heaven", 1.5)
    catalog.remove_category("heaven")
    assert [c.name for c in catalog.categories()] == ["sea"]
    assert all("heaven" not in item.labels for item in catalog.labelled_photos())


def test_embeddings_round_trip(catalog):
    vectors = {"a" * 32: np.arange(1280, dtype=np.float32), "b" * 32: np.ones(1280, dtype=np.float32)}
    catalog.put_embeddings("efficientnet_lite0", 0, vectors)
    catalog.put_embeddings("efficientnet_lite0", 1, {"a" * 32: -np.ones(1280, dtype=np.float32)})
    got = catalog.get_embeddings(["a" * 32, "b" * 32, "c" * 32], "efficientnet_lite0", 0)
    assert set(got) == {"a" * 32, "b" * 32}
    np.testing.assert_array_equal(got["a" * 32], vectors["a" * 32])
    assert catalog.get_embeddings(["a" * 32], "efficientnet_lite0", 1)["a" * 32][0] == -1
    assert catalog.get_embeddings(["a" * 32], "mobilenet_v2", 0) == {}
    assert catalog.embedding_count("efficientnet_lite0") == 3
    # One at a time, as the sorting threads ask:
    np.testing.assert_array_equal(catalog.embedding("b" * 32, "efficientnet_lite0"), vectors["b" * 32])
    assert catalog.embedding("a" * 32, "efficientnet_lite0", 1)[0] == -1
    assert catalog.embedding("c" * 32, "efficientnet_lite0") is None
    assert catalog.embedding("a" * 32, "mobilenet_v2") is None


def test_model_versions_predictions_and_category_query(catalog, sea_photos, tmp_path):
    assert catalog.current_model() is None
    catalog.add_category("sea", tmp_path / "sea")
    catalog.add_category("boat", tmp_path / "boat")
    model_file = catalog.models_dir / "m.keras"
    model_file.write_bytes(b"x")
    version = catalog.add_model_version(
        "efficientnet_lite0", ["sea", "boat"], {"sea": 0.4, "boat": 0.6},
        {"macro_f1": np.float32(0.9)}, model_file,
    )
    assert catalog.current_model() == version
    assert version.file == model_file and version.metrics["macro_f1"] == pytest.approx(0.9)
    photos = catalog.add_photos(sea_photos)[0]
    scores = {p.id: [0.1 * i, 1 - 0.1 * i] for i, p in enumerate(photos)}
    catalog.record_predictions(version.id, ["sea", "boat"], scores)
    assert catalog.predictions(photos[2].id) == pytest.approx({"sea": 0.2, "boat": 0.8})
    assert set(catalog.scores(version.id)) == {p.id for p in photos}
    catalog.set_threshold("sea", 0.25)
    best_first = catalog.photos_in_category("sea")
    assert [p.id for p, _ in best_first] == [photos[i].id for i in (5, 4, 3)]
    assert [round(s, 2) for _, s in catalog.photos_in_category("sea", min_score=0.45)] == [0.5]
    # re-recording replaces, never duplicates
    catalog.record_predictions(version.id, ["sea", "boat"], {photos[0].id: [0.9, 0.9]})
    assert catalog.predictions(photos[0].id)["sea"] == pytest.approx(0.9)
    # forgetting a photo takes its predictions and labels with it (foreign keys cascade)
    catalog.remove_photos([photos[0].id])
    assert photos[0].id not in catalog.scores(version.id)


def test_runs_and_journal(catalog, tmp_path):
    run = catalog.start_run("sort", tmp_path, options={"dry_run": False})
    op = catalog.journal(run.id, "copy", tmp_path / "a.jpg", tmp_path / "out" / "a.jpg", content_hash="h", size=3)
    assert catalog.file_ops(run.id, state="pending") == [op]
    catalog.update_file_op(op.id, state="done", tmp="")
    assert catalog.file_ops(run.id)[0].state == "done"
    with pytest.raises(ValueError):
        catalog.update_file_op(op.id, src="elsewhere")
    finished = catalog.finish_run(run.id, "done", {"copies": 1})
    assert finished.summary == {"copies": 1} and finished.finished_at is not None
    assert [r.id for r in catalog.runs("sort")] == [run.id]


def test_catalog_reopens_with_data_and_is_plain_sqlite(library_dir, sea_photos, tmp_path):
    with Catalog(library_dir) as catalog:
        catalog.add_category("sea", tmp_path / "sea")
        catalog.label("sea", [r.id for r in catalog.add_photos(sea_photos)[0]])
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


def test_upsert_photos_in_one_go(catalog, sea_photos):
    from photosort import images

    entries = [(p, images.content_hash(p), images.photo_info(p)) for p in sea_photos]
    records = catalog.upsert_photos(entries)
    assert [r.path for r in records] == [p.absolute() for p in sea_photos]
    assert catalog.upsert_photos(entries) == records  # idempotent: same ids
    assert catalog.photo_count() == 6
    assert set(catalog.photos_by_paths(sea_photos)) == {p.absolute() for p in sea_photos}
