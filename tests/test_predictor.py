"""predict_paths, the one fast path sorting, the watcher, evaluation and the GUI use: scores
equal to the model's on the same pixels, each file read once, unchanged and renamed photos
answered from the embedding cache without decoding, bad files reported."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from PIL import Image

from helpers.photos import TRAIN_CATEGORIES, scene_photos
from photosort import images, predictor
from photosort.catalog import Catalog
from photosort.predictor import Sorter, predict_paths


@pytest.fixture
def catalog(trained_library):
    with Catalog(trained_library) as catalog:
        yield catalog


@pytest.fixture
def roll(datasets_dir, tmp_path):
    """Unseen scene photos, one of them as a 12-MP phone JPEG turned by its EXIF tag, plus a
    file that is no photo."""
    folder = tmp_path / "roll"
    folder.mkdir()
    photos = [p for name in TRAIN_CATEGORIES for p in scene_photos(datasets_dir, name, 40, 42)]
    for path in photos:
        shutil.copyfile(path, folder / path.name)
    with Image.open(photos[0]) as img:
        exif = Image.Exif()
        exif[0x0112] = 6
        big = img.convert("RGB").resize((4032, 3024), Image.Resampling.BILINEAR)
        big.transpose(Image.Transpose.ROTATE_90).save(folder / "IMG_0001.JPG", quality=90, exif=exif)
    (folder / "notes.jpg").write_text("not a photo")
    return sorted(folder.iterdir())


def _reads(monkeypatch) -> dict[str, int]:
    """Count the real file reads and decodes predict_paths makes (they still run)."""
    counts = {"read_photo": 0, "load_rgb": 0}
    for name in counts:
        real = getattr(images, name)

        def counted(*args, _real=real, _name=name, **kwargs):
            counts[_name] += 1
            return _real(*args, **kwargs)

        monkeypatch.setattr(images, name, counted)
    return counts


def _scores(catalog, paths, **options):
    sorter = Sorter.load(catalog)
    results = [r for batch in predict_paths(catalog, sorter, paths, batch_size=4, **options) for r in batch]
    return sorter, {r.path: r for r in results}


def test_scores_are_the_models_on_the_same_pixels(catalog, roll, monkeypatch):
    counts = _reads(monkeypatch)
    sorter, results = _scores(catalog, roll)
    photos = [p for p in roll if p.name != "notes.jpg"]
    assert counts == {"read_photo": len(roll), "load_rgb": len(photos)}  # each file read once

    expected = sorter.scores_from_embeddings(sorter.embed(np.stack([images.load_rgb(p) for p in photos])))
    np.testing.assert_allclose(np.stack([results[p].scores for p in photos]), expected, atol=1e-5)
    bad = results[next(p for p in roll if p.name == "notes.jpg")]
    assert bad.scores is None and bad.record is None and bad.error.startswith("not an image")

    big = results[next(p for p in roll if p.name == "IMG_0001.JPG")]
    assert (big.record.width, big.record.height) == (4032, 3024)  # stored on its side, shown upright
    assert big.record.content_hash == images.content_hash(big.path)
    # every score of every photo recorded, against this model version
    recorded = catalog.predictions(big.record.id, sorter.version.id)
    assert recorded == pytest.approx(dict(zip(sorter.categories, big.scores.tolist())), abs=1e-6)


def test_unchanged_and_renamed_photos_come_from_the_embedding_cache(catalog, roll, tmp_path, monkeypatch):
    sorter, first = _scores(catalog, roll)
    renamed = tmp_path / "renamed.jpg"
    shutil.copyfile(roll[0], renamed)

    counts = _reads(monkeypatch)
    _, again = _scores(catalog, [*roll, renamed])
    # unchanged files: nothing read at all; the renamed copy: hashed, but not decoded
    assert counts == {"read_photo": 2, "load_rgb": 0}  # the renamed copy, and the bad file again
    for path in roll:
        if first[path].scores is not None:
            np.testing.assert_allclose(again[path].scores, first[path].scores, atol=1e-6)
    np.testing.assert_allclose(again[renamed].scores, first[roll[0]].scores, atol=1e-6)
    assert again[renamed].record.content_hash == first[roll[0]].record.content_hash


def test_without_the_cache_every_photo_is_decoded(catalog, roll, monkeypatch):
    _scores(catalog, roll)
    counts = _reads(monkeypatch)
    _, results = _scores(catalog, roll, cache_embeddings=False, record=False)
    assert counts["load_rgb"] == len(roll) - 1
    assert all(r.scores is not None for r in results.values() if r.path.name != "notes.jpg")


def test_a_file_bigger_than_read_whole_limit_is_streamed(catalog, roll, monkeypatch):
    monkeypatch.setattr(images, "READ_WHOLE_LIMIT", 1)  # every file counts as huge
    counts = _reads(monkeypatch)
    sorter, results = _scores(catalog, roll)
    assert counts["read_photo"] == 0
    photos = [p for p in roll if p.name != "notes.jpg"]
    expected = sorter.scores_from_embeddings(sorter.embed(np.stack([images.load_rgb(p) for p in photos])))
    np.testing.assert_allclose(np.stack([results[p].scores for p in photos]), expected, atol=1e-5)
    assert predictor.READ_AHEAD >= 1
