"""photosort.images.scanning: which names are photos, and walking folders for them."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from helpers.images import scene_photo  # noqa: F401 (pytest fixtures)

from photosort.errors import ImageError
from photosort.images import is_photo_path, iter_photos


# --- finding photos -----------------------------------------------------------------------


def test_is_photo_path():
    assert is_photo_path("IMG_001.JPG") and is_photo_path("a/b/c.HeIc") and is_photo_path("x.tiff")
    assert not is_photo_path(".IMG_001.jpg")  # macOS resource forks, hidden files
    assert not any(map(is_photo_path, ["notes.txt", "jpg", "movie.mov", "photo.jpg.part"]))


def test_iter_photos(tmp_path, scene_photo):
    root = tmp_path / "roll"

    def photo(relative: str) -> Path:
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(scene_photo, path)
        return path

    wanted = [
        photo("2023/IMG_002.JPG"),
        photo("2023/b.HeIc"),
        photo("2023/trip/c.png"),
        photo("A.jpeg"),
        photo("z.jpg"),
    ]
    photo(".hidden.jpg")
    photo(".thumbnails/d.jpg")
    photo("2023/.trash/e.jpg")
    photo("sorted/Beach/f.jpg")
    (root / "notes.txt").write_text("not a photo")
    (root / "broken.jpg").symlink_to(root / "nowhere.jpg")
    os.mkfifo(root / "pipe.jpg")
    (root / "2023" / "trip" / "loop").symlink_to(root)  # a link back up the tree

    excluded = root / "2023" / ".." / "sorted"  # compared after resolving
    passed_over = []
    found = list(iter_photos(root, exclude=[excluded], on_skip=lambda p, why: passed_over.append((p, why))))
    assert found == wanted == sorted(found)
    assert passed_over == [
        (root / "broken.jpg", "broken link (the file it points to is missing)"),
        (root / "pipe.jpg", "not a regular file"),
    ]
    everything = ["IMG_002.JPG", "b.HeIc", "c.png", "A.jpeg", "f.jpg", "z.jpg"]
    assert [p.name for p in iter_photos(root)] == everything


def test_iter_photos_on_a_missing_folder(tmp_path):
    with pytest.raises(ImageError, match="no such folder"):
        list(iter_photos(tmp_path / "nope"))
