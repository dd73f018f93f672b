"""The catalog's photos table on real photos (files read by photosort.registration)."""

from __future__ import annotations


from photosort import images
from photosort.registration import register_photo


def test_photo_round_trip_and_unchanged_photo_is_not_rehashed(catalog, sea_photos):
    record = register_photo(catalog, sea_photos[0])
    assert record.path == sea_photos[0].absolute()
    assert len(record.content_hash) == 32
    assert (record.width, record.height) == (150, 150)
    assert record.size == sea_photos[0].stat().st_size
    assert catalog.photo(record.id) == record
    assert catalog.photo_by_path(sea_photos[0]) == record
    assert catalog.photos_by_hash(record.content_hash) == [record]
    again = register_photo(catalog, sea_photos[0])
    assert again == record


def test_upsert_photos_in_one_go(catalog, sea_photos):
    entries = [(p, images.content_hash(p), images.photo_info(p)) for p in sea_photos]
    records = catalog.upsert_photos(entries)
    assert [r.path for r in records] == [p.absolute() for p in sea_photos]
    assert catalog.upsert_photos(entries) == records  # idempotent: same ids
    assert catalog.photo_count() == 6
    assert set(catalog.photos_by_paths(sea_photos)) == {p.absolute() for p in sea_photos}
