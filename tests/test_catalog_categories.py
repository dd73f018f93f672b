"""The catalog's categories and labels on real photos."""

from __future__ import annotations

import pytest

from photosort.errors import CategoryError
from photosort.registration import register_photos


def test_categories_labels_and_counts(catalog, sea_photos, tmp_path):
    catalog.add_category("sea", tmp_path / "out" / "sea")
    catalog.add_category("sky", tmp_path / "out" / "sky")
    with pytest.raises(CategoryError, match="already exists"):
        catalog.add_category("sea", tmp_path)
    with pytest.raises(CategoryError, match="No category named 'lake'"):
        catalog.label("lake", [1])
    ids = [r.id for r in register_photos(catalog, sea_photos)[0]]
    assert catalog.label("sea", ids) == 6
    catalog.label("sky", ids[:2])
    catalog.label("sky", ids[2:3], positive=False)
    counts = {c.name: (c.positives, c.negatives) for c in catalog.categories()}
    assert counts == {"sea": (6, 0), "sky": (2, 1)}
    labelled = {item.photo.id: item.labels for item in catalog.labelled_photos()}
    assert labelled[ids[0]] == {"sea": True, "sky": True}
    assert labelled[ids[2]] == {"sea": True, "sky": False}
    catalog.label("sky", ids[2:3])  # a negative turned positive, not duplicated
    assert catalog.category("sky").positives == 3
    catalog.unlabel("sea", ids[:1])
    assert [p.id for p in catalog.examples("sea")] == sorted(ids[1:], key=lambda i: catalog.photo(i).path)

    catalog.rename_category("sky", "heaven")
    assert catalog.category("heaven").positives == 3
    catalog.set_threshold("heaven", 0.3)
    assert catalog.category("heaven").threshold == pytest.approx(0.3)
    with pytest.raises(CategoryError):
        catalog.set_threshold("heaven", 1.5)
    catalog.remove_category("heaven")
    assert [c.name for c in catalog.categories()] == ["sea"]
    assert all("heaven" not in item.labels for item in catalog.labelled_photos())


@pytest.mark.parametrize("bad", ["", "   ", ".", "..", "a/b", "a\\b", " .. "])
def test_adding_and_renaming_refuse_the_same_names(catalog, tmp_path, bad):
    """A name becomes a folder name: one rule for adding and renaming."""
    catalog.add_category("sea", tmp_path / "sea")
    with pytest.raises(CategoryError) as added:
        catalog.add_category(bad, tmp_path / "x")
    with pytest.raises(CategoryError) as renamed:
        catalog.rename_category("sea", bad)
    assert str(added.value) == str(renamed.value)
    assert [c.name for c in catalog.categories()] == ["sea"]


def test_names_are_stripped_when_added_and_renamed(catalog, tmp_path):
    assert catalog.add_category("  sea ", tmp_path / "sea").name == "sea"
    assert catalog.rename_category("sea", " beach  ").name == "beach"
    assert [c.name for c in catalog.categories()] == ["beach"]
