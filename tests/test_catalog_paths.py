"""Any file name the OS allows (catalog/paths.py): real photos copied under names that are not
valid UTF-8, hold a newline, are very long, or come in NFC and NFD forms are registered,
listed by category and journaled, and come back byte for byte."""

from __future__ import annotations

import os
import shutil
import sqlite3
import unicodedata

import pytest

from photosort.catalog import Catalog
from photosort.catalog.paths import ENCODED_PREFIX, decode_path, encode_path
from photosort.errors import CategoryError
from photosort.registration import register_photos

ODD_NAMES = [
    os.fsdecode(b"IMG_\xff\xfe_latin1_caf\xe9.jpg"),  # not UTF-8: surrogate-escaped by the OS layer
    "two\nlines.jpg",
    "x" * 240 + ".jpg",  # near the 255-byte name limit
    unicodedata.normalize("NFC", "café.jpg"),
    unicodedata.normalize("NFD", "café.jpg"),  # a different file on Linux
]


@pytest.fixture
def odd_photos(tmp_path, datasets_dir):
    folder = tmp_path / os.fsdecode(b"roll_\xe9t\xe9")  # the folder's name is not UTF-8 either
    folder.mkdir()
    sources = sorted((datasets_dir / "scenes" / "sea").glob("*.jpg"))[: len(ODD_NAMES)]
    paths = []
    for source, name in zip(sources, ODD_NAMES):
        shutil.copyfile(source, folder / name)
        paths.append(folder / name)
    assert len(set(os.listdir(os.fsencode(folder)))) == len(ODD_NAMES)
    return paths


def same_bytes(a, b) -> bool:
    return os.fsencode(a) == os.fsencode(b)


def test_stored_form_is_unchanged_for_utf8_and_injective_otherwise():
    for name in ODD_NAMES[1:]:
        assert encode_path("/p/" + name) == "/p/" + name  # rows of older photosorts stay valid
    odd = "/p/" + ODD_NAMES[0]
    stored = encode_path(odd)
    assert stored.startswith(ENCODED_PREFIX) and stored.isascii()
    assert same_bytes(decode_path(stored), odd)
    assert encode_path("/p/" + os.fsdecode(b"\xff")) != encode_path("/p/" + os.fsdecode(b"\xfe"))


def test_odd_names_register_and_round_trip(library_dir, odd_photos):
    with Catalog(library_dir) as catalog:
        records, skipped = register_photos(catalog, odd_photos)
        assert skipped == []
        assert [r.location for r in records] == [str(p) for p in odd_photos]
        found = catalog.photos_by_paths(odd_photos)
        assert sorted(map(os.fsencode, found)) == sorted(map(os.fsencode, odd_photos))
        for path in odd_photos:
            record = catalog.photo_by_path(path)
            assert same_bytes(record.location, path) and record.path.read_bytes() == path.read_bytes()
        again, _ = register_photos(catalog, odd_photos)  # unchanged files: same rows
        assert [r.id for r in again] == [r.id for r in records]
        assert catalog.photo_count() == len(odd_photos)
    with sqlite3.connect(library_dir / "catalog.sqlite") as conn:
        stored = [p for (p,) in conn.execute("select path from photos order by id")]
    assert all(s.startswith(ENCODED_PREFIX) for s in stored)  # all under the non-UTF-8 folder


def test_odd_names_in_category_listing_examples_and_predictions(library_dir, odd_photos, tmp_path):
    with Catalog(library_dir) as catalog:
        folder = tmp_path / os.fsdecode(b"sorted_\xe9")
        catalog.add_category("sea", folder)
        assert same_bytes(catalog.category("sea").folder, folder)
        records, _ = register_photos(catalog, odd_photos)
        catalog.label("sea", [r.id for r in records])
        assert sorted(os.fsencode(p.location) for p in catalog.examples("sea")) == sorted(map(os.fsencode, odd_photos))
        model = catalog.add_model_version("test", ["sea"], {"sea": 0.5}, {}, "m.keras")
        catalog.record_predictions(model.id, ["sea"], {r.id: [0.5 + i / 10] for i, r in enumerate(records)})
        listed = catalog.photos_in_category("sea")  # raw cursor: decoded by hand
        assert [os.fsencode(p.location) for p, _ in listed] == [os.fsencode(p) for p in reversed(odd_photos)]
        assert [p.path.read_bytes() for p, _ in listed] == [p.read_bytes() for p in reversed(odd_photos)]


def test_odd_names_in_the_journal_round_trip(library_dir, odd_photos, tmp_path):
    with Catalog(library_dir) as catalog:
        catalog.add_category("sea", tmp_path / "sea")
        sea = catalog.category("sea")
        records, _ = register_photos(catalog, odd_photos)
        run = catalog.start_run("sort", source=odd_photos[0].parent)
        ops = []
        for record, path in zip(records, odd_photos):
            dest = sea.folder / path.name
            op = catalog.journal(run.id, "copy", path, tmp=sea.folder / (".tmp-" + path.name),
                                 photo_id=record.id, category_id=sea.id, content_hash=record.content_hash)
            catalog.update_file_op(op.id, state="done", dest=dest, error=f"{path}: a note quoting it")
            ops.append((op.id, path, dest))
        assert same_bytes(catalog.run(run.id).source, odd_photos[0].parent)
        by_id = {op.id: op for op in catalog.file_ops(run_id=run.id)}
        for op_id, path, dest in ops:
            entry = by_id[op_id]
            assert same_bytes(entry.src, path) and same_bytes(entry.dest, dest)
            assert same_bytes(entry.tmp, sea.folder / (".tmp-" + path.name))
            assert same_bytes(entry.error, f"{path}: a note quoting it")
        received = catalog.received("sea")
        assert sorted(os.fsencode(r.dest) for r in received) == sorted(os.fsencode(d) for _, _, d in ops)
        assert sorted(os.fsencode(r.src) for r in received) == sorted(map(os.fsencode, odd_photos))


def test_category_names_must_be_text():
    from photosort.catalog.categories import valid_name

    assert valid_name(" café ") == "café"
    for bad in (os.fsdecode(b"caf\xe9"), "two\nlines"):
        with pytest.raises(CategoryError, match="readable text"):
            valid_name(bad)
