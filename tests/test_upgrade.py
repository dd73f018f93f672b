"""A library made by an older photosort (commit c985203) still works with today's code.

tests/data/library_c985203/ holds that library's catalog and model as the old code wrote them
(see tests/data/make_old_library.py), and a manifest of every photo file the old runs made or
relied on, each a byte copy of a shared photo. The test rebuilds that tree at the fixed root
the catalog names, then, with today's code: lists the model, sorts new photos with it, and
undoes every run, old and new, newest first, until the folders are as they were before the
old code ever ran.
"""

from __future__ import annotations

import filecmp
import json
import shutil
from pathlib import Path

import pytest

from photosort import sorting
from photosort.catalog import Catalog

FIXTURE = Path(__file__).resolve().parent / "data" / "library_c985203"
MANIFEST = json.loads((FIXTURE / "manifest.json").read_text(encoding="utf-8"))
ROOT = Path(MANIFEST["root"])
NEW_ROLL = [("forest", 10), ("sea", 10), ("street", 10)]  # past every photo the old runs used


def _photo_files(root: Path) -> dict[str, Path]:
    return {
        str(p.relative_to(root)): p
        for p in root.rglob("*")
        if p.is_file() and p.relative_to(root).parts[0] != MANIFEST["library"]
    }


def _assert_tree(root: Path, expected: dict[str, str], shared_dir: Path) -> None:
    found = _photo_files(root)
    assert sorted(found) == sorted(expected)
    for rel, shared in expected.items():
        assert filecmp.cmp(found[rel], shared_dir / shared, shallow=False), rel


@pytest.fixture
def old_library(shared_dir) -> Path:
    """The tree as the old code left it, at the root its catalog's absolute paths name."""
    shutil.rmtree(ROOT, ignore_errors=True)
    for rel, shared in MANIFEST["photos_after_runs"].items():
        (ROOT / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shared_dir / shared, ROOT / rel)
    shutil.copytree(FIXTURE / MANIFEST["library"], ROOT / MANIFEST["library"])
    yield ROOT / MANIFEST["library"]
    shutil.rmtree(ROOT, ignore_errors=True)


def test_fixture_is_small_and_complete():
    files = [p for p in FIXTURE.rglob("*") if p.is_file()]
    assert sum(p.stat().st_size for p in files) < 5_000_000
    listed = {FIXTURE / rel for rel in MANIFEST["library_files"]}
    assert listed == {p for p in files if p.name != "manifest.json"}


@pytest.mark.slow
def test_old_library_lists_its_model_sorts_and_undoes_its_old_runs(old_library, shared_dir, datasets_dir):
    with Catalog(old_library) as catalog:
        versions = catalog.model_versions()
        assert len(versions) == 1
        model = catalog.current_model()
        assert model.id == versions[0].id and model.file.is_file()
        assert model.backbone == "efficientnet_lite0"
        assert list(model.categories) == MANIFEST["categories"]
        assert [c.name for c in catalog.categories()] == MANIFEST["categories"]
        assert [r.kind for r in sorting.history(catalog)] == ["sort", "sort"]
        old_runs = [r.id for r in sorting.history(catalog)]

        # new photos, sorted by the old model
        roll = ROOT / "new-roll"
        roll.mkdir()
        for folder, index in NEW_ROLL:
            photo = sorted((datasets_dir / "scenes" / folder).iterdir(), key=lambda p: p.name)[index]
            shutil.copyfile(photo, roll / f"{folder}-{photo.name}")
        summary = sorting.sort_folder(catalog, roll)
        assert summary.errors == [] and summary.skipped == []
        assert summary.scanned == len(NEW_ROLL) and summary.sorted >= 2
        for placement in summary.placements:
            for name in placement.copied:
                assert filecmp.cmp(placement.source, placement.dests[name], shallow=False)
        undo_new = sorting.undo_run(catalog, summary.run_id)
        assert undo_new.errors == [] and undo_new.removed == summary.copies
        shutil.rmtree(roll)
        _assert_tree(ROOT, MANIFEST["photos_after_runs"], shared_dir)

        # the old runs, newest first: the --move run puts its originals back
        for run_id in reversed(old_runs):
            undone = sorting.undo_run(catalog, run_id)
            assert undone.errors == [] and undone.kept == []
        _assert_tree(ROOT, MANIFEST["photos_before_runs"], shared_dir)
