"""Labelled photo sets on disk: a folder-per-category tree or a ``file,labels`` CSV.

Used by ``photosort import`` (as labels) and ``photosort evaluate`` (as ground truth).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from photosort import images
from photosort.errors import DatasetError


@dataclass(frozen=True)
class DatasetItem:
    path: Path
    labels: frozenset[str]  # empty: a photo of none of the categories


@dataclass(frozen=True)
class Dataset:
    categories: list[str]
    items: list[DatasetItem]
    problems: list[tuple[Path, str]]  # entries that could not be used, with a reason

    def label_matrix(self, categories: list[str]):
        """(N, C) 0/1 array of the items' labels in the given category order."""
        import numpy as np

        index = {name: i for i, name in enumerate(categories)}
        matrix = np.zeros((len(self.items), len(categories)), dtype=np.float32)
        for row, item in enumerate(self.items):
            for name in item.labels:
                if name in index:
                    matrix[row, index[name]] = 1.0
        return matrix


def read_dataset(source: str | Path) -> Dataset:
    source = Path(source).expanduser()
    if source.is_dir():
        return _read_folders(source)
    if source.is_file() and source.suffix.lower() == ".csv":
        return _read_csv(source)
    if not source.exists():
        raise DatasetError(f"{source} does not exist.")
    raise DatasetError(f"{source} is neither a folder of category folders nor a .csv file.")


def _read_folders(root: Path) -> Dataset:
    """Each sub-folder is a category; the same file (same content) in two folders has both
    labels; photos directly in ``root`` have no label."""
    folders = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    if not folders:
        raise DatasetError(f"{root} has no category folders (expected one sub-folder per category).")
    by_content: dict[str, tuple[Path, set[str]]] = {}
    problems: list[tuple[Path, str]] = []

    def add(path: Path, label: str | None) -> None:
        try:
            digest = images.content_hash(path)
        except Exception as exc:  # unreadable file: report it, keep going
            problems.append((path, str(getattr(exc, "reason", exc))))
            return
        entry = by_content.setdefault(digest, (path, set()))
        if label:
            entry[1].add(label)

    for folder in folders:
        for path in images.iter_photos(folder):
            add(path, folder.name)
    for path in sorted(p for p in root.iterdir() if p.is_file() and images.is_photo_path(p)):
        add(path, None)
    items = [DatasetItem(path, frozenset(labels)) for path, labels in by_content.values()]
    return Dataset([f.name for f in folders], items, problems)


def _read_csv(csv_path: Path) -> Dataset:
    base = csv_path.parent
    items: list[DatasetItem] = []
    problems: list[tuple[Path, str]] = []
    categories: set[str] = set()
    try:
        with csv_path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            if reader.fieldnames is None or not {"file", "labels"} <= set(reader.fieldnames):
                raise DatasetError(f"{csv_path}: the first line must be the header 'file,labels'.")
            for line, row in enumerate(reader, start=2):
                name = (row.get("file") or "").strip()
                if not name:
                    problems.append((csv_path, f"line {line}: no file name"))
                    continue
                path = (base / name).resolve()
                if not path.is_file():
                    problems.append((path, f"line {line}: file not found"))
                    continue
                labels = frozenset(x.strip() for x in (row.get("labels") or "").split(";") if x.strip())
                categories |= labels
                items.append(DatasetItem(path, labels))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise DatasetError(f"Cannot read {csv_path}: {exc}") from exc
    if not items:
        raise DatasetError(f"{csv_path} lists no readable photos.")
    return Dataset(sorted(categories), items, problems)
