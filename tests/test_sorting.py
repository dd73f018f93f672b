"""Sorting on real photos with a really trained sorter: multi-label copies, every score recorded,
dry run, re-run, undo, --move, and every kind of bad input and failing destination."""

from __future__ import annotations

import builtins
import errno
import os
import shutil
from pathlib import Path

import pytest
from helpers.sorting import (
    digest,
    expected_categories,
    folder_files,
    make_camera_roll,
    scene_photo,
    snapshot,
    temp_files,
    thresholds_for_two_and_none,
)

from photosort import images
from photosort.catalog import Catalog
from photosort.errors import NoModelError, PhotosortError
from photosort.predictor import Sorter
from photosort.registration import register_photo
from photosort.sorting import (
    SortRun, choose_folders, files, history, last_undoable_run, recover, sort_folder, sort_paths, undo_run,
)

pytestmark = pytest.mark.slow


@pytest.fixture
def catalog(trained_library):
    with Catalog(trained_library) as catalog:
        yield catalog


@pytest.fixture
def roll(tmp_path, datasets_dir) -> Path:
    make_camera_roll(datasets_dir, tmp_path / "DCIM")
    return tmp_path / "DCIM"


def folders(catalog: Catalog) -> dict[str, Path]:
    return {c.name: c.folder for c in catalog.categories()}


def real_scores(catalog: Catalog, photos: list[Path]) -> tuple[dict[Path, int], dict[int, dict[str, float]]]:
    """Photo ids and their recorded scores (after a sort or dry run has predicted them)."""
    ids = {p: catalog.photo_by_path(p).id for p in photos}
    return ids, catalog.scores(catalog.current_model().id, list(ids.values()))


def two_and_none(catalog: Catalog, roll: Path):
    """Dry-run once for real scores, then set thresholds that send one photo to two folders and
    one to none. Returns (photos, ids, expected categories by photo, two, none)."""
    photos = sorted(roll.rglob("*.jpg"))
    sort_folder(catalog, roll, dry_run=True)
    ids, scores = real_scores(catalog, photos)
    two, none, thresholds = thresholds_for_two_and_none(scores)
    catalog.set_thresholds(thresholds)
    by_id = expected_categories(scores, thresholds)
    by_path = {p: by_id[ids[p]] for p in photos}
    path_of = {i: p for p, i in ids.items()}
    return photos, by_path, path_of[two], path_of[none]


def placed_tree(catalog: Catalog) -> dict[str, set[str]]:
    return {name: {p.name for p in folder_files(folder)} for name, folder in folders(catalog).items()}


def expected_tree(catalog: Catalog, expected: dict[Path, set[str]]) -> dict[str, set[str]]:
    return {name: {p.name for p, cats in expected.items() if name in cats} for name in folders(catalog)}


# -- pure parts ----------------------------------------------------------------------------


def test_choose_folders_takes_every_category_reaching_its_threshold():
    cats = ["forest", "sea", "street"]
    assert choose_folders([0.9, 0.5, 0.1], cats, {"forest": 0.5, "sea": 0.5, "street": 0.5}) == ["forest", "sea"]
    assert choose_folders([0.2, 0.3, 0.1], cats, {"forest": 0.5, "sea": 0.5, "street": 0.5}) == []
    # a category removed since training has no threshold and gets nothing
    assert choose_folders([0.9, 0.9, 0.9], cats, {"sea": 0.95, "street": 0.2}) == ["street"]


def test_names_get_numbered_and_cut_to_255_bytes_keeping_non_ascii():
    names = files.candidate_names("Été à Kyōto.jpg")
    assert [next(names) for _ in range(3)] == ["Été à Kyōto.jpg", "Été à Kyōto (1).jpg", "Été à Kyōto (2).jpg"]
    long_stem = "фото-" * 40  # 360 bytes of UTF-8
    first, numbered = list(zip(range(2), files.candidate_names(long_stem + ".jpg")))
    for _, name in (first, numbered):
        assert len(name.encode()) <= 255 and name.startswith("фото-фото") and name.encode().decode() == name
    assert numbered[1].endswith(" (1).jpg")


# -- the sort ------------------------------------------------------------------------------


def test_multi_label_sort_then_rerun_then_undo(catalog, roll, tmp_path):
    sorted_root = tmp_path / "sorted"
    before = snapshot(roll)
    originals = {p: digest(p) for p in roll.rglob("*.jpg")}

    photos, expected, two, none = two_and_none(catalog, roll)
    # the dry runs recorded every score of every photo and touched nothing, not even a mkdir
    ids, scores = real_scores(catalog, photos)
    assert all(set(scores[ids[p]]) == {"forest", "sea", "street"} for p in photos)
    assert snapshot(roll) == before and not sorted_root.exists()
    dry = sort_folder(catalog, roll, dry_run=True)
    assert {(p.source, c) for p in dry.placements for c in p.copied} == {(p, c) for p, cs in expected.items() for c in cs}
    assert dry.to_json()["would_copy"] and not sorted_root.exists() and snapshot(roll) == before

    summary = sort_folder(catalog, roll)
    assert len(expected[two]) == 2 and not expected[none]
    assert placed_tree(catalog) == expected_tree(catalog, expected)
    for photo, categories in expected.items():
        for name in categories:
            copy = folders(catalog)[name] / photo.name
            assert digest(copy) == originals[photo]
            assert copy.stat().st_mtime_ns == photo.stat().st_mtime_ns  # the original's timestamps
    assert {p: digest(p) for p in originals} == originals  # originals byte-identical
    assert summary.scanned == len(photos) and summary.copies == sum(len(c) for c in expected.values())
    assert summary.sorted == sum(1 for c in expected.values() if c)
    assert summary.unsorted == sum(1 for c in expected.values() if not c) >= 1
    assert summary.per_category == {n: len(names) for n, names in expected_tree(catalog, expected).items() if names}
    data = summary.to_json()
    assert {"scanned", "sorted", "copies", "unsorted", "skipped", "errors", "per_category"} <= set(data)
    assert data["skipped"] == [] and data["errors"] == []
    assert not temp_files(roll, sorted_root)

    sorted_state = snapshot(roll, sorted_root)
    again = sort_folder(catalog, roll)
    assert again.copies == 0 and again.already_sorted == len(photos) and again.batches == 0
    assert snapshot(roll, sorted_root) == sorted_state

    # new thresholds sort again: only the new copies are made, none twice
    catalog.set_threshold("street", 0.0)
    widened = sort_folder(catalog, roll)
    assert widened.copies == sum(1 for c in expected.values() if "street" not in c)
    assert placed_tree(catalog)["street"] == {p.name for p in photos}

    assert undo_run(catalog).removed == widened.copies
    assert undo_run(catalog).removed == summary.copies
    assert snapshot(roll) == before and not sorted_root.exists()  # the folders it created are gone too
    statuses = [(run.status, run.copies) for run in history(catalog) if not run.dry_run]
    assert statuses == [("undone", summary.copies), ("done", 0), ("undone", widened.copies)]


def test_move_removes_originals_after_verified_copies_and_undo_puts_them_back(catalog, roll, tmp_path):
    before = snapshot(roll)
    originals = {p: digest(p) for p in roll.rglob("*.jpg")}
    photos, expected, two, none = two_and_none(catalog, roll)

    summary = sort_folder(catalog, roll, move=True)
    assert summary.moved == summary.sorted == sum(1 for c in expected.values() if c)
    for photo, categories in expected.items():
        assert photo.exists() == (not categories)  # unsorted photos stay where they are
        for name in categories:
            assert digest(folders(catalog)[name] / photo.name) == originals[photo]

    undone = undo_run(catalog)
    assert undone.restored == summary.moved and undone.removed == summary.copies
    assert snapshot(roll) == before  # same bytes, same timestamps
    assert not (tmp_path / "sorted").exists()


def test_undo_keeps_a_copy_changed_since_and_says_so(catalog, roll):
    summary = sort_folder(catalog, roll)
    copies = [dest for p in summary.placements for dest in p.dests.values()]
    edited = copies[0]
    edited.write_bytes(b"the person edited this copy")
    undone = undo_run(catalog, summary.run_id)
    assert undone.kept == [(edited, "changed since the sort: kept")]
    assert undone.removed == len(copies) - 1
    assert [p for p in copies if p.exists()] == [edited]


def test_no_trained_sorter_yet(tmp_path, roll):
    with Catalog(tmp_path / "fresh") as catalog:
        catalog.add_category("sea", tmp_path / "sea")
        with pytest.raises(NoModelError, match=r"^No trained sorter yet: label examples and run 'photosort train' first\.$"):
            sort_folder(catalog, roll)
    assert not (tmp_path / "sea").exists()


# -- bad input -----------------------------------------------------------------------------


def test_bad_files_are_skipped_with_one_reason_each(catalog, roll, datasets_dir, monkeypatch):
    real = scene_photo(datasets_dir, "sea", 30).read_bytes()
    bad = {
        "empty.jpg": b"",
        "notes.jpg": b"shopping list: milk, eggs\n",
        "truncated.jpg": real[: len(real) // 2],
        "corrupt.JPG": real[:600] + bytes(range(256)) * 8,
        "locked.jpeg": real,
    }
    for name, data in bad.items():
        (roll / name).write_bytes(data)
    (roll / ".hidden.jpg").write_bytes(real)  # hidden: not even looked at
    long_name = _fit("Été à Kyōto – фото с моря ", ".jpg")
    (roll / long_name).write_bytes(real)
    locked = roll / "locked.jpeg"
    real_open = builtins.open

    def refuse_locked(file, *args, **kwargs):  # the honest stand-in for chmod 000 (tests run as root)
        if str(file) == str(locked):
            raise PermissionError(errno.EACCES, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", refuse_locked)
    summary = sort_folder(catalog, roll)
    reasons = {p.name: r for p, r in summary.skipped}
    assert set(reasons) == set(bad)
    assert reasons["empty.jpg"] == "empty file (0 bytes)"
    assert reasons["locked.jpeg"] == "permission denied"
    assert reasons["notes.jpg"].startswith("not an image")
    assert reasons["truncated.jpg"] == reasons["corrupt.JPG"] == "truncated or corrupt image data"
    assert summary.scanned == len(list(roll.rglob("*_*.jpg"))) + len(bad) + 1 and not summary.errors
    placed = {p.source.name: p for p in summary.placements}
    assert ".hidden.jpg" not in placed and long_name in placed  # the long non-ASCII name is kept
    assert all(dest.name == long_name for dest in placed[long_name].dests.values())


def test_pipes_and_broken_links_are_reported_not_read(catalog, roll):
    pipe, broken = roll / "pipe.jpg", roll / "gone.jpg"
    os.mkfifo(pipe)  # opening it would block forever
    broken.symlink_to(roll / "deleted-long-ago.jpg")
    sorter = Sorter.load(catalog)
    run = SortRun(catalog, sorter, roll)
    summary = sort_paths(catalog, sorter, [pipe, broken], run)
    run.finish("done", summary)
    assert dict(summary.skipped) == {pipe: "not a regular file", broken: "broken link (the file it points to is missing)"}
    # a folder scan passes over them without reading them, says so, and sorts the rest
    scan = sort_folder(catalog, roll)
    assert scan.scanned == len(list(roll.rglob("*_*.jpg"))) + 2
    assert dict(scan.skipped) == dict(summary.skipped)
    assert scan.sorted + scan.unsorted + scan.already_sorted == scan.scanned - 2


@pytest.mark.parametrize("error", [errno.ENOSPC, errno.EROFS], ids=["disk-full", "read-only"])
def test_failing_destination_is_reported_and_the_rerun_completes(catalog, roll, tmp_path, monkeypatch, error):
    originals = {p: digest(p) for p in roll.rglob("*.jpg")}
    photos, expected, two, _ = two_and_none(catalog, roll)
    failing_name = sorted(expected[two])[0]
    failing = folders(catalog)[failing_name]
    real_write = files.write_bytes

    def write_or_fail(src: Path, tmp: Path) -> None:  # the disk fills up (or is read-only) half-way
        if tmp.parent == failing:
            tmp.write_bytes(src.read_bytes()[:1000])
            raise OSError(error, os.strerror(error), str(tmp))
        real_write(src, tmp)

    monkeypatch.setattr(files, "write_bytes", write_or_fail)
    summary = sort_folder(catalog, roll)
    hit = sorted(p for p, cats in expected.items() if failing_name in cats)
    assert sorted(summary.errors) == [(p, f"not copied to '{failing_name}': {os.strerror(error)}") for p in hit]
    assert not temp_files(tmp_path / "sorted") and not folder_files(failing)
    assert {p: digest(p) for p in originals} == originals
    tree = placed_tree(catalog)
    assert tree == {**expected_tree(catalog, expected), failing_name: set()}  # the other folders got theirs
    assert two.name in tree[sorted(expected[two])[1]]

    monkeypatch.undo()  # space freed
    again = sort_folder(catalog, roll)
    assert again.copies == len(hit) and not again.errors
    assert placed_tree(catalog) == expected_tree(catalog, expected)


def test_destination_inside_the_source_is_not_sorted_again(catalog, roll):
    for name in folders(catalog):
        catalog.set_folder(name, roll / "Sorted" / name)
    count = len(list(roll.rglob("*.jpg")))
    first = sort_folder(catalog, roll)
    second = sort_folder(catalog, roll)
    assert first.copies > 0 and first.scanned == second.scanned == count
    assert second.copies == 0 and second.already_sorted == count


def test_a_deleted_category_folder_is_recreated_and_reported_once(catalog, roll):
    sort_folder(catalog, roll)
    street = folders(catalog)["street"]
    shutil.rmtree(street)
    catalog.set_threshold("street", 0.0)  # new rules: every photo now goes to street too

    dry = sort_folder(catalog, roll, dry_run=True)
    assert dry.notes == [f"The folder {street} of 'street' does not exist; sorting would create it."]
    assert not street.exists()
    summary = sort_folder(catalog, roll)
    assert summary.notes == [f"Created the missing folder {street} of 'street'."]
    assert len(folder_files(street)) == summary.scanned


def test_taken_names_get_a_number_and_the_same_photo_is_not_copied_twice(catalog, roll, datasets_dir):
    for name in ("forest", "sea"):
        catalog.set_threshold(name, 1.0)
    catalog.set_threshold("street", 0.0)  # real scores, but every photo goes to street alone
    street = folders(catalog)["street"]
    street.mkdir(parents=True)
    photos = sorted(roll.rglob("*.jpg"))
    long_name = _fit("Été à Kyōto – фото с моря ", ".jpg")
    long_photo = Path(shutil.copy2(scene_photo(datasets_dir, "sea", 40), roll / long_name))
    (street / photos[1].name).write_bytes(b"someone else's file with the same name")
    (street / long_name).write_bytes(b"and another one")
    shutil.copy2(photos[2], street / photos[2].name)  # the same photo is already there

    summary = sort_folder(catalog, roll)
    dests = {p.source: p.dests["street"] for p in summary.placements}
    assert dests[photos[1]].name == f"{photos[1].stem} (1).jpg"
    assert dests[photos[2]] == street / photos[2].name  # already there: not copied again
    assert photos[2] not in {p.source for p in summary.placements if p.copied}
    numbered = dests[long_photo].name
    assert numbered.endswith(" (1).jpg") and len(numbered.encode()) <= 255 and numbered.startswith("Été à Kyōto")
    assert digest(dests[long_photo]) == digest(long_photo)
    assert summary.sorted == len(photos) + 1 and summary.copies == len(photos)  # all but photos[2]


# -- resume --------------------------------------------------------------------------------


def test_recovery_finishes_a_dead_runs_copy_and_leaves_a_live_run_alone(catalog, roll):
    sorter = Sorter.load(catalog)
    photo = register_photo(catalog, sorted(roll.rglob("*.jpg"))[0])
    sea = folders(catalog)["sea"]
    sea.mkdir(parents=True)
    live = SortRun(catalog, sorter, roll)
    tmp = files.temp_path(sea)
    tmp.write_bytes(b"half a photo")
    op = catalog.journal(live.id, "copy", photo.path, sea / photo.path.name, tmp, photo.id,
                         catalog.category("sea").id, photo.content_hash, photo.size)
    stray = sea / ".photosort-lost-in-a-power-cut.tmp"
    stray.write_bytes(b"x")

    assert recover(catalog) == []  # the run is alive: its files are not touched
    assert tmp.exists() and stray.exists() and catalog.file_ops(live.id)[0].state == "pending"
    with pytest.raises(PhotosortError, match=rf"^Run {live.id} is still in progress; stop it before undoing it\.$"):
        undo_run(catalog, live.id)
    assert last_undoable_run(catalog) is None

    live._lock.release()  # what the kernel does when the process dies (kill -9)
    notes = recover(catalog)
    assert notes == [f"Run {live.id} was interrupted; its unfinished copies were completed."]
    assert not tmp.exists() and not stray.exists()
    assert [(o.id == op.id, o.state) for o in catalog.file_ops(live.id)] == [(True, "failed"), (False, "done")]
    assert folder_files(sea) == [sea / photo.path.name] and digest(sea / photo.path.name) == digest(photo.path)
    assert catalog.run(live.id).status == "interrupted"


def _fit(stem: str, suffix: str) -> str:
    """A name of 240-255 bytes of UTF-8: stem repeated, cut on a character boundary."""
    name = ""
    for char in stem * 20:
        if len((name + char + suffix).encode()) > 255:
            break
        name += char
    return name + suffix


@pytest.mark.parametrize("with_mtime", [True, False], ids=["compare", "hash"])
def test_write_temp_proves_the_copy(datasets_dir, tmp_path, monkeypatch, with_mtime):
    """Both proofs of a copy (byte comparison with an unchanged original; the copy's hash)
    refuse a copy that differs, and the comparison refuses an original edited since it was read."""
    src = tmp_path / "IMG_0001.jpg"
    shutil.copyfile(scene_photo(datasets_dir, "sea", 0), src)
    size, mtime, content = src.stat().st_size, src.stat().st_mtime, images.content_hash(src)
    when = mtime if with_mtime else None

    files.write_temp(src, good := tmp_path / "good.tmp", content, size, when)
    assert good.read_bytes() == src.read_bytes()

    def flip_a_byte(source: Path, tmp: Path) -> None:  # a bad disk or cable, same size
        data = bytearray(source.read_bytes())
        data[len(data) // 2] ^= 0xFF
        tmp.write_bytes(bytes(data))

    monkeypatch.setattr(files, "write_bytes", flip_a_byte)
    with pytest.raises(files.CopyError, match="did not match"):
        files.write_temp(src, bad := tmp_path / "bad.tmp", content, size, when)
    assert not bad.exists()
    monkeypatch.undo()

    if with_mtime:
        os.utime(src, ns=(src.stat().st_atime_ns, src.stat().st_mtime_ns + 1_000_000_000))  # edited
        with pytest.raises(files.CopyError, match="changed after it was read"):
            files.write_temp(src, late := tmp_path / "late.tmp", content, size, mtime)
        assert not late.exists()


@pytest.mark.parametrize("move", [False, True], ids=["copy", "move"])
def test_a_really_full_destination_loses_nothing_says_so_once_and_the_rerun_finishes(catalog, roll, tmp_path, move):
    from helpers.sorting import mount_small_tmpfs, unmount

    card = tmp_path / "card"
    why = mount_small_tmpfs(card, "64k")  # room for a few of these ~15-KB photos
    if why:
        pytest.skip(f"cannot mount a small tmpfs here: {why}")
    try:
        for name in folders(catalog):
            catalog.set_folder(name, card / name)
        originals = {digest(p) for p in roll.rglob("*.jpg")}
        first = sort_folder(catalog, roll, move=move)
        full = [n for n in first.notes if n.startswith("Nothing more was copied to")]
        assert first.errors and len(full) >= 1 and all(os.strerror(errno.ENOSPC) in n for n in full)
        assert not temp_files(card) and not temp_files(roll)
        on_disk = {digest(p) for root in (roll, card) for p in root.rglob("*.jpg")}
        assert originals <= on_disk  # nothing lost, no original removed without its copies
        assert all(p.stat().st_size > 0 for p in card.rglob("*.jpg"))  # no partial file

        import subprocess

        grown = subprocess.run(["mount", "-o", "remount,size=50m", str(card)], capture_output=True, text=True)
        assert grown.returncode == 0, grown.stderr
        again = sort_folder(catalog, roll, move=move)  # the cause fixed: the re-run finishes the job
        assert not again.errors and again.copies == len(first.errors)
        assert originals <= {digest(p) for root in (roll, card) for p in root.rglob("*.jpg")}
        undo_run(catalog, again.run_id)
        undo_run(catalog, first.run_id)
        assert {digest(p) for p in roll.rglob("*.jpg")} == originals and not list(card.rglob("*.jpg"))
    finally:
        unmount(card)
