import shutil

import pytest

from photosort.datasets import read_dataset
from photosort.errors import DatasetError


def test_folder_tree_with_a_file_in_two_folders(datasets_dir, tmp_path):
    root = tmp_path / "ds"
    for name in ("sea", "glacier"):
        (root / name).mkdir(parents=True)
        for src in sorted((datasets_dir / "scenes" / name).glob("*.jpg"))[:3]:
            shutil.copy(src, root / name / src.name)
    both = sorted((datasets_dir / "scenes" / "sea").glob("*.jpg"))[0]
    shutil.copy(both, root / "glacier" / "also-sea.jpg")
    shutil.copy(sorted((datasets_dir / "scenes" / "forest").glob("*.jpg"))[0], root / "loose.jpg")
    data = read_dataset(root)
    assert data.categories == ["glacier", "sea"]
    labels = {item.path.name: item.labels for item in data.items}
    assert len(data.items) == 7  # 3 + 3 + the loose one; the shared file counted once
    shared = [item for item in data.items if item.labels == {"sea", "glacier"}]
    assert len(shared) == 1
    assert labels["loose.jpg"] == frozenset()
    matrix = data.label_matrix(["sea", "glacier"])
    assert matrix.sum() == 7  # 3 sea + 3 glacier + 1 extra label
    assert data.problems == []


def test_csv_with_multi_labels_and_none(datasets_dir):
    data = read_dataset(datasets_dir / "miml" / "labels.csv")
    assert data.categories == ["desert", "mountains", "sea", "sunset", "trees"]
    assert len(data.items) == 1000
    assert any(len(item.labels) >= 2 for item in data.items)
    assert all(item.path.is_file() for item in data.items)


def test_csv_problems_are_reported(datasets_dir, tmp_path):
    photo = sorted((datasets_dir / "scenes" / "sea").glob("*.jpg"))[0]
    shutil.copy(photo, tmp_path / "a.jpg")
    (tmp_path / "set.csv").write_text("file,labels\na.jpg,sea;boat\nmissing.jpg,sea\nb.jpg,\n,sea\n")
    shutil.copy(photo, tmp_path / "b.jpg")
    data = read_dataset(tmp_path / "set.csv")
    assert data.categories == ["boat", "sea"]
    assert [(i.path.name, sorted(i.labels)) for i in data.items] == [("a.jpg", ["boat", "sea"]), ("b.jpg", [])]
    assert len(data.problems) == 2


def test_bad_sources(tmp_path):
    with pytest.raises(DatasetError, match="does not exist"):
        read_dataset(tmp_path / "nope")
    (tmp_path / "empty").mkdir()
    with pytest.raises(DatasetError, match="no category folders"):
        read_dataset(tmp_path / "empty")
    (tmp_path / "bad.csv").write_text("name,tags\nx.jpg,a\n")
    with pytest.raises(DatasetError, match="header"):
        read_dataset(tmp_path / "bad.csv")
