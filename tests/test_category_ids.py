"""Categories are identities, not names: a trained sorter, its thresholds, its runs' rules and
the journal refer to category ids, so renaming a category keeps sorting into its folder, a
rename between two sorts keeps "already sorted", a category removed during a sort lets the sort
finish the others with a note, and a model saved before ids (category_ids NULL) still sorts."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from helpers.sorting import folder_files, scene_photo

from photosort.catalog import Catalog
from photosort.cli import main
from photosort.predictor import Sorter
from photosort.progress import Progress
from photosort.sorting import sort_folder
from photosort.sorting.states import COPY, DONE

pytestmark = pytest.mark.slow

UNSEEN = range(20, 24)  # photos of each scene the shared trained library never saw


def make_roll(datasets_dir: Path, folder: Path, scenes=("forest", "sea", "street")) -> list[Path]:
    """Unseen photos, scenes interleaved (00-forest, 01-sea, 02-street, 03-forest, ...), so every
    batch of a sort holds every scene."""
    folder.mkdir(parents=True)
    photos = []
    for n, (index, scene) in enumerate((i, s) for i in UNSEEN for s in scenes):
        photos.append(Path(shutil.copy2(scene_photo(datasets_dir, scene, index), folder / f"{n:02d}-{scene}.jpg")))
    return photos


def received(catalog: Catalog, name: str) -> set[str]:
    return {p.name for p in folder_files(catalog.category(name).folder)}


def null_category_ids(library: Path) -> None:
    """Make the library's models look saved by photosort before category ids (NULL)."""
    with sqlite3.connect(library / "catalog.sqlite") as db:
        db.execute("UPDATE model_versions SET category_ids = NULL")
    db.close()


def test_rename_after_training_sorts_into_the_renamed_category(trained_library, datasets_dir, tmp_path):
    roll = make_roll(datasets_dir, tmp_path / "DCIM")
    with Catalog(trained_library) as catalog:
        sea = catalog.category("sea")
        ids_before = Sorter.load(catalog).category_ids
    # the sequence: train, 'photosort category rename', sort
    assert main(["--library", str(trained_library), "category", "rename", "sea", "ocean"]) == 0
    with Catalog(trained_library) as catalog:
        sorter = Sorter.load(catalog)
        assert sorter.category_ids == ids_before and "ocean" in sorter.categories and "sea" not in sorter.categories
        assert catalog.current_model().categories == ["forest", "sea", "street"]  # as named at training
        assert sorter.thresholds(catalog)[sea.id] == pytest.approx(catalog.category("ocean").threshold)
        summary = sort_folder(catalog, tmp_path / "DCIM")
        assert summary.errors == [] and summary.skipped == [] and not any("was removed during" in n for n in summary.notes)
        got = received(catalog, "ocean")
        assert catalog.category("ocean").folder == sea.folder  # the folder bound to that id
        assert sum(name.endswith("-sea.jpg") for name in got) >= 3  # its photos went there
        assert summary.per_category["ocean"] == len(got)
        copies = [op for op in catalog.file_ops(run_id=summary.run_id, state=DONE) if op.op == COPY]
        assert {op.category_id for op in copies if op.dest.parent == sea.folder} == {sea.id}
        # every score recorded, under the category's id
        scores = catalog.scores(sorter.version.id, [catalog.photo_by_path(p).id for p in roll])
        assert all(set(s) == {"forest", "ocean", "street"} for s in scores.values())


def test_rename_between_two_sorts_keeps_already_sorted(trained_library, datasets_dir, tmp_path):
    roll = make_roll(datasets_dir, tmp_path / "DCIM")
    with Catalog(trained_library) as catalog:
        first = sort_folder(catalog, tmp_path / "DCIM")
        assert first.copies >= len(roll) - 2
        placed = {name: received(catalog, name) for name in ("forest", "sea", "street")}
        catalog.rename_category("street", "city")
        catalog.rename_category("forest", "woods")
        again = sort_folder(catalog, tmp_path / "DCIM")
        assert again.already_sorted == len(roll) and again.copies == 0 and again.batches == 0
        assert {"woods": received(catalog, "woods"), "sea": received(catalog, "sea"),
                "city": received(catalog, "city")} == {"woods": placed["forest"], "sea": placed["sea"],
                                                       "city": placed["street"]}


def test_category_removed_during_a_sort_lets_the_others_finish(trained_library, datasets_dir, tmp_path):
    roll = make_roll(datasets_dir, tmp_path / "DCIM")
    removed = []

    def remove_street_after_first_batch(progress: Progress) -> None:
        # another window (its own connection) removes 'street' while this sort goes on
        if progress.done and not removed:
            with Catalog(trained_library) as other:
                other.remove_category("street")
            removed.append(progress.done)

    with Catalog(trained_library) as catalog:
        street_folder = catalog.category("street").folder
        summary = sort_folder(catalog, tmp_path / "DCIM", batch_size=3, on_progress=remove_street_after_first_batch)
        assert removed == [3]
        assert summary.errors == [] and summary.skipped == []
        notes = [n for n in summary.notes if "was removed during" in n]
        assert len(notes) == 1 and "'street' was removed during this sort" in notes[0]
        after = {p.name for p in roll[3:]}
        assert not ({p.name for p in folder_files(street_folder)} & after)  # nothing more into 'street'
        later_forest = received(catalog, "forest") & after
        later_sea = received(catalog, "sea") & after
        assert sum(n.endswith("-forest.jpg") for n in later_forest) >= 2  # the others finished
        assert sum(n.endswith("-sea.jpg") for n in later_sea) >= 2
        assert catalog.runs()[-1].status == DONE
        assert summary.scanned == len(roll)


def test_model_saved_before_ids_still_sorts_and_keeps_working_after_a_rename(trained_library, datasets_dir, tmp_path):
    roll = make_roll(datasets_dir, tmp_path / "DCIM")
    null_category_ids(trained_library)
    with Catalog(trained_library) as catalog:  # mapped by name at load, once, and written back
        by_name = {c.name: c.id for c in catalog.categories()}
        model = catalog.current_model()
        assert model.category_ids == [by_name[n] for n in model.categories]
    with sqlite3.connect(trained_library / "catalog.sqlite") as db:
        stored = json.loads(db.execute("SELECT category_ids FROM model_versions").fetchone()[0])
    db.close()
    assert stored == [by_name[n] for n in model.categories]

    with Catalog(trained_library) as catalog:
        null_category_ids(trained_library)  # NULLed behind an open catalog: mapped when loaded
        assert Sorter.load(catalog).category_ids == [by_name[n] for n in model.categories]
        catalog.rename_category("sea", "ocean")
        summary = sort_folder(catalog, tmp_path / "DCIM")
        assert summary.errors == [] and not any("was removed during" in n for n in summary.notes)
        assert sum(n.endswith("-sea.jpg") for n in received(catalog, "ocean")) >= 3
        # a run recorded by older code keyed its rules by name: it still counts as sorted
        run = catalog.runs()[-1]
        legacy = dict(run.options)
        legacy.pop("keyed_by")
        names = {str(c.id): c.name for c in catalog.categories()}
        for key in ("thresholds", "folders"):
            legacy[key] = {names[cid]: value for cid, value in legacy[key].items()}
    with sqlite3.connect(trained_library / "catalog.sqlite") as db:
        db.execute("UPDATE runs SET options = ? WHERE id = ?", (json.dumps(legacy), run.id))
    db.close()
    with Catalog(trained_library) as catalog:
        again = sort_folder(catalog, tmp_path / "DCIM")
        assert again.already_sorted == len(roll) and again.copies == 0


def test_renamed_starter_category_still_sorts(datasets_dir, tmp_path):
    roll = tmp_path / "roll"
    roll.mkdir()
    for p in sorted((datasets_dir / "pets" / "cats").iterdir())[:3] + sorted((datasets_dir / "pets" / "dogs").iterdir())[:3]:
        shutil.copy(p, roll / f"{p.parent.name}-{p.name}")
    lib, dest = tmp_path / "lib", tmp_path / "sorted"
    assert main(["--library", str(lib), "starter", "add", "cats", "dogs", "--dest", str(dest)]) == 0
    assert main(["--library", str(lib), "category", "rename", "cats", "kittens"]) == 0
    assert main(["--library", str(lib), "sort", str(roll)]) == 0
    kittens_got = {p.name for p in (dest / "cats").iterdir()}  # the folder bound to that category
    assert sum(n.startswith("cats-") for n in kittens_got) >= 2 and not any(n.startswith("dogs-") for n in kittens_got)
    with Catalog(lib) as catalog:
        assert "kittens" in Sorter.load(catalog).categories
