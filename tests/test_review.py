"""Review and correct (sorting.review) on real photos with a really trained sorter: what a
category received, corrections to another category and to none, each undone as a run of its
own, a changed copy kept, an only copy never deleted, and the review/correct commands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers.sorting import digest, make_camera_roll, snapshot

from photosort.catalog import Catalog
from photosort.cli import main
from photosort.sorting import correct, history, last_undoable_run, received, sort_folder, undo_run

pytestmark = pytest.mark.slow


@pytest.fixture
def catalog(trained_library):
    with Catalog(trained_library) as catalog:
        yield catalog


@pytest.fixture
def roll(tmp_path, datasets_dir) -> Path:
    make_camera_roll(datasets_dir, tmp_path / "DCIM", per_scene=3)
    return tmp_path / "DCIM"


def _busiest(catalog: Catalog) -> tuple[str, list]:
    """The category that received the most copies, and what it received."""
    lists = {c.name: received(catalog, c.name) for c in catalog.categories()}
    name = max(lists, key=lambda n: len(lists[n]))
    assert len(lists[name]) >= 2, lists
    return name, lists[name]


def _labels(catalog: Catalog, photo_id: int) -> dict[str, bool]:
    return next(lp.labels for lp in catalog.labelled_photos() if lp.photo.id == photo_id)


def test_received_lists_copies_on_disk_least_confident_first(catalog, roll):
    sort_folder(catalog, roll)
    name, copies = _busiest(catalog)
    scores = [c.score for c in copies]
    assert None not in scores and scores == sorted(scores)
    assert all(c.dest.parent == catalog.category(name).folder and c.src.parent.is_relative_to(roll) for c in copies)
    copies[0].dest.unlink()  # a copy the person deleted is not listed
    assert [c.dest for c in received(catalog, name)] == [c.dest for c in copies[1:]]


def test_corrections_are_runs_that_undo_restores(catalog, roll, tmp_path):
    sorted_root = tmp_path / "sorted"
    before = snapshot(roll, sorted_root)
    sort_run = sort_folder(catalog, roll).run_id
    after_sort = snapshot(roll, sorted_root)
    wrong, copies = _busiest(catalog)
    right = next(c.name for c in catalog.categories() if c.name != wrong)

    moved = correct(catalog, copies[0], wrong, right)
    new_copy = catalog.category(right).folder / copies[0].dest.name
    assert moved.removed and moved.copy == new_copy and not copies[0].dest.exists()
    assert digest(new_copy) == digest(copies[0].src)  # the original's bytes, not re-encoded
    assert _labels(catalog, copies[0].photo_id) == {wrong: False, right: True}
    assert "removed from" in moved.line() and f"copied to {right}" in moved.line()

    dropped = correct(catalog, copies[1], wrong)
    assert dropped.removed and not copies[1].dest.exists() and copies[1].src.is_file()  # the original stays
    assert _labels(catalog, copies[1].photo_id)[wrong] is False
    assert {c.dest for c in received(catalog, right)} >= {new_copy}
    assert [r.kind for r in history(catalog)][-2:] == ["review", "review"]
    assert last_undoable_run(catalog).id == sort_run  # "undo the last sort" still means the sort

    assert undo_run(catalog, dropped.run_id).restored == 1
    undone = undo_run(catalog, moved.run_id)
    assert (undone.restored, undone.removed) == (1, 1)
    assert snapshot(roll, sorted_root) == after_sort  # exactly as after the sort
    undo_run(catalog, sort_run)
    assert snapshot(roll, sorted_root) == before  # exactly as before it


def test_a_copy_changed_since_sorting_is_kept(catalog, roll):
    sort_folder(catalog, roll)
    wrong, copies = _busiest(catalog)
    right = next(c.name for c in catalog.categories() if c.name != wrong)
    edited = copies[0].dest
    edited.write_bytes(edited.read_bytes() + b"the person edited this copy")
    result = correct(catalog, copies[0], wrong, right)
    assert not result.removed and result.run_id is None and "kept" in result.line()
    assert edited.read_bytes().endswith(b"the person edited this copy")
    assert not (catalog.category(right).folder / edited.name).exists()
    assert _labels(catalog, copies[0].photo_id) == {wrong: False, right: True}  # still a lesson


def test_the_only_copy_of_a_photo_goes_back_to_its_roll(catalog, roll, tmp_path):
    before = snapshot(roll)
    sort_run = sort_folder(catalog, roll, move=True).run_id
    wrong, copies = _busiest(catalog)
    only = next(c for c in copies if not c.src.exists() and sum(
        d.content_hash == c.content_hash for other in catalog.categories() for d in received(catalog, other.name)) == 1)
    result = correct(catalog, only, wrong)
    assert result.put_back and result.copy == only.src and digest(only.src) == digest(result.copy)
    assert not only.dest.exists() and f"put back in {only.src.parent}" in result.line()
    undo_run(catalog, result.run_id)
    assert only.dest.is_file() and not only.src.exists()
    undo_run(catalog, sort_run)
    assert snapshot(roll) == before


def test_review_and_correct_commands(trained_library, roll, tmp_path, capsys):
    lib = ["--library", str(trained_library)]
    assert main([*lib, "sort", str(roll)]) == 0
    capsys.readouterr()
    with Catalog(trained_library) as catalog:
        wrong, copies = _busiest(catalog)
        right = next(c.name for c in catalog.categories() if c.name != wrong)

    assert main([*lib, "review", wrong, "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(Path(c["path"]), c["score"]) for c in listed] == [(c.dest, c.score) for c in copies]
    assert main([*lib, "review", wrong]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"{len(copies)} photos in '{wrong}', least confident first:"
    assert lines[1].split() == [f"{copies[0].score:.3f}", str(copies[0].dest)]

    assert main([*lib, "correct", str(copies[0].dest), "--not", wrong, "--to", right]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(f"{copies[0].dest.name}: removed from {wrong} and copied to {right}")
    run = int(out[1].split()[1].rstrip(";"))
    assert not copies[0].dest.exists() and (tmp_path / "sorted" / right / copies[0].dest.name).is_file()
    assert main([*lib, "undo", str(run)]) == 0
    assert capsys.readouterr().out.startswith(f"Undid run {run}: removed 1 copies, put back 1 originals.")
    assert copies[0].dest.is_file() and not (tmp_path / "sorted" / right / copies[0].dest.name).exists()

    for args, words in [
        (["correct", str(roll / "nowhere.jpg"), "--not", wrong], "is not a photo sorting put into"),
        (["correct", str(copies[0].dest), "--not", wrong, "--to", "kittens"], "No category named 'kittens'"),
        (["correct", str(copies[0].dest), "--not", wrong, "--to", wrong], "pick another category"),
        (["review", "kittens"], "No category named 'kittens'"),
    ]:
        assert main([*lib, *args]) == 1
        err = capsys.readouterr().err
        assert err.startswith("photosort: error: ") and words in err and err.count("\n") == 1, err
