"""The last-copy rule (sorting/survivors.py) on real photos with a really trained sorter: undo
of any run, in any order, never deletes the last copy of a photo's bytes, says what it kept or
put back, and undoing every run newest first restores the camera roll byte for byte."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from helpers.sorting import digest, make_camera_roll, snapshot, temp_files

from photosort.catalog import Catalog
from photosort.sorting import correct, history, received, sort_folder, undo_run

pytestmark = pytest.mark.slow


@pytest.fixture
def catalog(trained_library):
    with Catalog(trained_library) as catalog:
        yield catalog


@pytest.fixture
def roll(tmp_path, datasets_dir) -> Path:
    make_camera_roll(datasets_dir, tmp_path / "DCIM", per_scene=1)
    return tmp_path / "DCIM"


def contents(*roots: Path) -> Counter:
    """How many files hold each content, under these folders (photosort's temp files excluded)."""
    return Counter(digest(p) for root in roots if root.exists() for p in root.rglob("*")
                   if p.is_file() and not p.name.startswith(".photosort-"))


def undo_all_newest_first(catalog: Catalog) -> None:
    for run in reversed(history(catalog)):
        if run.status not in ("undone", "dry-run"):
            undo_run(catalog, run.id)


def assert_restored(roll: Path, before: dict, sorted_root: Path) -> None:
    assert snapshot(roll) == before  # same names, bytes and timestamps
    assert contents(sorted_root) == Counter() and not temp_files(roll, sorted_root)


def test_undoing_a_copy_sort_that_a_later_move_relied_on_puts_the_originals_back(catalog, roll, tmp_path):
    sorted_root = tmp_path / "sorted"
    before, originals = snapshot(roll), contents(roll)
    first = sort_folder(catalog, roll)
    moved = sort_folder(catalog, roll, move=True)
    assert first.sorted and moved.moved == first.sorted and moved.copies == 0  # it relied on run 1's copies

    undone = undo_run(catalog, first.run_id)  # the sequence that used to delete every sorted photo
    assert set(contents(roll, sorted_root)) >= set(originals)  # no photo lost
    assert undone.restored == moved.moved and undone.removed == first.copies
    assert len(undone.notes) == moved.moved and all("back first" in n and f"run {moved.run_id}'s --move" in n
                                                    for n in undone.notes)
    assert contents(roll) == originals and contents(sorted_root) == Counter()

    again = sort_folder(catalog, roll, move=True)  # the put-back photos are sorted again, not skipped
    assert again.moved == first.sorted
    undo_all_newest_first(catalog)
    assert_restored(roll, before, sorted_root)


def test_any_order_of_undos_never_loses_a_photo_and_newest_first_restores_the_roll(catalog, roll, tmp_path):
    sorted_root = tmp_path / "sorted"
    before, originals = snapshot(roll), contents(roll)
    first = sort_folder(catalog, roll, move=True)
    second = sort_folder(catalog, roll)  # a re-run: nothing left to sort
    review = None
    copy = next(c for name in ("forest", "sea", "street") for c in received(catalog, name))
    wrong = next(name for name in ("forest", "sea", "street") if copy in received(catalog, name))
    right = next(name for name in ("forest", "sea", "street") if name != wrong)
    review = correct(catalog, copy, wrong, right)  # keeps its new copy as the surviving one
    assert review.removed and second.run_id

    undone = undo_run(catalog, first.run_id)  # oldest first: the review's copy is one it must not need
    assert set(contents(roll, sorted_root)) >= set(originals)
    assert contents(roll) == originals  # every moved original back, from whichever copy was left
    undo_run(catalog, review.run_id)
    assert set(contents(roll, sorted_root)) >= set(originals)
    assert_restored(roll, before, sorted_root)
    assert not undone.errors


def test_a_last_copy_whose_original_cannot_go_back_is_kept_and_released_later(catalog, roll, tmp_path):
    sorted_root = tmp_path / "sorted"
    before, originals = snapshot(roll), contents(roll)
    first = sort_folder(catalog, roll)
    moved = sort_folder(catalog, roll, move=True)
    gone = next(p.source for p in moved.placements if p.moved)
    gone.write_bytes(b"a new file took the moved photo's name")  # so it cannot be put back there

    undone = undo_run(catalog, first.run_id)
    held = [(path, why) for path, why in undone.kept if "last copy" in why]
    assert len(held) == 1 and f"run {moved.run_id}" in held[0][1]
    assert set(contents(roll, sorted_root)) >= set(originals)

    gone.unlink()  # the person clears the name; undoing the --move puts the photo back and
    undo_run(catalog, moved.run_id)  # the held copy, no longer the last one, goes
    assert not held[0][0].exists()
    assert_restored(roll, before, sorted_root)
