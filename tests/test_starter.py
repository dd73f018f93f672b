"""Starter categories on real photos: no example at all, the backbone's own ImageNet top."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from photosort import images
from photosort.cli import main
from photosort.catalog import Catalog
from photosort.starter import STARTER_NAMES, find_starter, starter_ids, starter_kinds, starter_scores
from photosort.starter.kinds import class_rows, membership


def test_mapping_covers_every_class_once_with_its_wordnet_reason():
    rows = class_rows()
    assert len(rows) == 1000
    assert membership().sum(axis=1).max() == 1  # no class counts towards two kinds
    for row in rows:
        assert (row["kind"] is None) == (row["via"] is None)
    assert rows[281]["kind"] == "cats" and rows[207]["kind"] == "dogs"  # tabby, golden retriever
    assert set(r["kind"] for r in rows if r["kind"]) == set(STARTER_NAMES)


def test_find_starter_ignores_case_and_rejects_unknown():
    assert find_starter("  Cats ").name == "cats"
    assert find_starter("unicorns") is None


@pytest.mark.slow
def test_cats_and_dogs_scored_apart_from_pixels(datasets_dir):
    cats = sorted((datasets_dir / "pets" / "cats").iterdir())[:8]
    dogs = sorted((datasets_dir / "pets" / "dogs").iterdir())[:8]
    batch = np.stack([images.load_rgb(p, 224) for p in cats + dogs])
    scores = starter_scores(batch)
    assert scores.shape == (16, len(STARTER_NAMES)) and scores.min() >= 0 and scores.max() <= 1
    cat, dog = STARTER_NAMES.index("cats"), STARTER_NAMES.index("dogs")
    said_cat = scores[:, cat] >= 0.5
    said_dog = scores[:, dog] >= 0.5
    assert said_cat[:8].sum() >= 7 and said_dog[8:].sum() >= 7
    assert not (said_cat[8:].any() or said_dog[:8].any())


@pytest.mark.slow
def test_starter_add_then_sort_with_no_example(datasets_dir, tmp_path, capsys):
    roll = tmp_path / "roll"
    roll.mkdir()
    for p in sorted((datasets_dir / "pets" / "cats").iterdir())[:4] + sorted((datasets_dir / "pets" / "dogs").iterdir())[:4]:
        shutil.copy(p, roll / f"{p.parent.name}-{p.name}")
    lib, dest = tmp_path / "lib", tmp_path / "sorted"
    assert main(["--library", str(lib), "starter", "add", "cats", "dogs", "--dest", str(dest)]) == 0
    with Catalog(lib) as catalog:
        assert starter_kinds(lib, catalog.categories()) == {"cats": "cats", "dogs": "dogs"}
    assert main(["--library", str(lib), "starter", "add", "unicorns", "--dest", str(dest)]) == 1
    assert "not a starter category" in capsys.readouterr().err
    assert main(["--library", str(lib), "sort", str(roll)]) == 0
    cats_got = {p.name for p in (dest / "cats").iterdir()}
    dogs_got = {p.name for p in (dest / "dogs").iterdir()}
    assert sum(n.startswith("cats-") for n in cats_got) >= 3 and not any(n.startswith("dogs-") for n in cats_got)
    assert sum(n.startswith("dogs-") for n in dogs_got) >= 3 and not any(n.startswith("cats-") for n in dogs_got)


@pytest.mark.slow
def test_renamed_starter_keeps_sorting(datasets_dir, tmp_path):
    """starters.json is keyed by category id: renaming a starter category keeps it a starter."""
    roll = tmp_path / "roll"
    roll.mkdir()
    for p in sorted((datasets_dir / "pets" / "cats").iterdir())[:3] + sorted((datasets_dir / "pets" / "dogs").iterdir())[:3]:
        shutil.copy(p, roll / f"{p.parent.name}-{p.name}")
    lib, dest = tmp_path / "lib", tmp_path / "sorted"
    assert main(["--library", str(lib), "starter", "add", "cats", "dogs", "--dest", str(dest)]) == 0
    assert main(["--library", str(lib), "category", "rename", "cats", "Our cats"]) == 0
    with Catalog(lib) as catalog:
        ids = {c.name: c.id for c in catalog.categories()}
        assert starter_ids(lib) == {ids["Our cats"]: "cats", ids["dogs"]: "dogs"}
        assert starter_kinds(lib, catalog.categories()) == {"Our cats": "cats", "dogs": "dogs"}
    assert main(["--library", str(lib), "sort", str(roll)]) == 0
    got = {p.name for p in (dest / "cats").iterdir()}
    assert sum(n.startswith("cats-") for n in got) >= 2 and not any(n.startswith("dogs-") for n in got)


def test_first_format_by_name_still_read(tmp_path):
    (tmp_path / "starters.json").write_text('["cats"]', encoding="utf-8")

    class Rec:
        def __init__(self, id, name):
            self.id, self.name = id, name

    assert starter_kinds(tmp_path, [Rec(1, "cats"), Rec(2, "dogs")]) == {"cats": "cats"}
    assert starter_ids(tmp_path) == {}
