"""Registering real photos: each file read once, unchanged files not read at all."""

from __future__ import annotations

import os

import pytest

from photosort import images, registration
from photosort.errors import Cancelled, ImageError
from photosort.registration import register_photo, register_photos


@pytest.fixture
def reads(monkeypatch):
    """Counts the files images reads for registration, by kind of read."""
    counts = {"read_photo": 0, "photo_info": 0, "content_hash": 0}

    def counting(name):
        real = getattr(images, name)

        def wrapper(path, *args, **kwargs):
            counts[name] += 1
            return real(path, *args, **kwargs)

        monkeypatch.setattr(images, name, wrapper)

    for name in counts:
        counting(name)
    return counts


def test_photos_are_read_once_and_unchanged_photos_not_at_all(catalog, sea_photos, reads):
    records, skipped = register_photos(catalog, sea_photos)
    assert skipped == []
    assert [r.path for r in records] == [p.absolute() for p in sea_photos]
    assert reads == {"read_photo": 6, "photo_info": 0, "content_hash": 0}
    for path, record in zip(sea_photos, records):
        assert record.content_hash == images.hash_bytes(path.read_bytes())
        assert (record.width, record.height) == (150, 150)
        assert (record.size, record.mtime) == (path.stat().st_size, path.stat().st_mtime)

    again, _ = register_photos(catalog, sea_photos)
    assert again == records
    assert register_photo(catalog, sea_photos[0]) == records[0]
    assert reads == {"read_photo": 6, "photo_info": 0, "content_hash": 0}  # nothing read again


def test_changed_photo_is_refreshed(catalog, sea_photos, tmp_path):
    path = tmp_path / "p.jpg"
    path.write_bytes(sea_photos[0].read_bytes())
    first = register_photo(catalog, path)
    path.write_bytes(sea_photos[1].read_bytes())
    second = register_photo(catalog, path)
    assert second.id == first.id
    assert second.content_hash != first.content_hash


def test_only_the_changed_photo_is_read_again(catalog, sea_photos, tmp_path, reads):
    copies = []
    for source in sea_photos[:3]:
        copies.append(tmp_path / source.name)
        copies[-1].write_bytes(source.read_bytes())
    first, _ = register_photos(catalog, copies)
    copies[1].write_bytes(sea_photos[4].read_bytes())
    stat = copies[1].stat()
    os.utime(copies[1], ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))  # a coarse clock
    reads["read_photo"] = 0
    second, _ = register_photos(catalog, copies)
    assert reads["read_photo"] == 1
    assert [r.id for r in second] == [r.id for r in first]
    assert second[1].content_hash == images.hash_bytes(sea_photos[4].read_bytes())
    assert (second[0], second[2]) == (first[0], first[2])


def test_add_photos_skips_bad_files_with_reasons(catalog, sea_photos, tmp_path):
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    added, skipped = register_photos(catalog, [sea_photos[0], empty, tmp_path / "missing.jpg"])
    assert [r.path for r in added] == [sea_photos[0].absolute()]
    assert {p.name for p, _ in skipped} == {"empty.jpg", "missing.jpg"}
    assert all(reason for _, reason in skipped)
    with pytest.raises(ImageError):
        register_photo(catalog, empty)


def test_unreadable_files_are_skipped_with_the_reason_and_the_path_given(catalog, sea_photos, tmp_path):
    text = tmp_path / "notes.jpg"
    text.write_text("not a photo at all")
    truncated = tmp_path / "cut.jpg"
    truncated.write_bytes(sea_photos[0].read_bytes()[:200])
    records, skipped = register_photos(catalog, [text, tmp_path / "missing.jpg", tmp_path, sea_photos[1]])
    assert [r.path for r in records] == [sea_photos[1].absolute()]
    reasons = dict(skipped)
    assert reasons[text].startswith("not an image")
    assert reasons[tmp_path / "missing.jpg"] == "no such file"
    assert reasons[tmp_path] == "is a folder"
    assert catalog.photo_count() == 1


def test_big_files_are_streamed_not_read_whole(catalog, sea_photos, reads, monkeypatch):
    monkeypatch.setattr(images, "READ_WHOLE_LIMIT", 1000)  # every test photo is "big"
    records, _ = register_photos(catalog, sea_photos[:2])
    assert reads == {"read_photo": 0, "photo_info": 2, "content_hash": 2}
    assert [r.content_hash for r in records] == [images.hash_bytes(p.read_bytes()) for p in sea_photos[:2]]
    assert [(r.width, r.height) for r in records] == [(150, 150)] * 2


def test_rows_are_written_one_transaction_per_batch(catalog, sea_photos, monkeypatch):
    monkeypatch.setattr(registration, "BATCH", 4)
    batches = []
    upsert = catalog.upsert_photos
    monkeypatch.setattr(catalog, "upsert_photos", lambda entries: batches.append(len(entries)) or upsert(entries))
    records, _ = register_photos(catalog, sea_photos)
    assert batches == [4, 2]
    assert len({r.id for r in records}) == 6


def test_progress_and_cancellation_keep_what_was_read(catalog, sea_photos):
    seen = []
    records, _ = register_photos(catalog, sea_photos[:3], on_progress=seen.append)
    assert [(p.stage, p.done, p.total) for p in seen] == [("reading", i, 3) for i in (1, 2, 3)]
    assert seen[0].message == f"Reading {sea_photos[0].name}"

    progress = []
    with pytest.raises(Cancelled):
        register_photos(catalog, sea_photos[3:], on_progress=progress.append, should_stop=lambda: len(progress) >= 2)
    assert len(progress) == 2
    assert catalog.photo_count() == 5  # the three above and the two read before stopping
    assert catalog.photo_by_path(sea_photos[5]) is None
