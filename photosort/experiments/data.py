"""The photos of an experiment: read once, split once (seeded, stratified), shared by every
configuration so all are scored on the same test photos.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from photosort import images
from photosort.datasets import read_dataset
from photosort.errors import DatasetError
from photosort.training import stratified_folds

SPLITS = ("train", "val", "test")
SPLIT_NAMES = {"train": "train", "training": "train", "val": "val", "valid": "val",
               "validation": "val", "test": "test", "testing": "test"}
MIN_PER_SPLIT = 1  # positives of each category each split needs (else its F1 means nothing)


@dataclass
class ExperimentData:
    source: str
    categories: list[str]
    paths: list[Path]
    hashes: list[str]  # content hashes: the embedding cache's keys
    labels: np.ndarray  # (N, C) 0/1 float32
    split: np.ndarray  # (N,) "train" | "val" | "test"
    problems: list[tuple[Path, str]]

    def rows(self, name: str) -> np.ndarray:
        return np.flatnonzero(self.split == name)

    @property
    def single_label(self) -> bool:
        """Every photo has exactly one category: top-k accuracy and a confusion matrix apply."""
        return bool(len(self.labels)) and bool(np.all(self.labels.sum(axis=1) == 1))

    def counts(self) -> dict:
        return {name: {c: int(self.labels[self.rows(name), i].sum()) for i, c in enumerate(self.categories)}
                | {"photos": int(len(self.rows(name)))} for name in SPLITS}

    def without(self, dropped: list[str]) -> "ExperimentData":
        """The same photos and split without some categories; photos left with no label that
        had one are removed (they belonged only to dropped categories)."""
        keep = [i for i, c in enumerate(self.categories) if c not in dropped]
        labels = self.labels[:, keep]
        rows = np.flatnonzero((labels.sum(axis=1) > 0) | (self.labels.sum(axis=1) == 0))
        return ExperimentData(
            self.source, [self.categories[i] for i in keep], [self.paths[r] for r in rows],
            [self.hashes[r] for r in rows], labels[rows], self.split[rows], self.problems,
        )


def load_data(source: str | Path, seed: int = 0, split_column: str = "split") -> ExperimentData:
    """Read a dataset (folder tree or file,labels CSV) and split it 60/20/20, stratified by
    category (multi-label aware), reproducibly by seed; a CSV's ``split`` column, when present,
    decides instead (train / val / test)."""
    data = read_dataset(source)
    problems = list(data.problems)
    paths, hashes, kept = [], [], []
    for item in data.items:
        try:
            hashes.append(images.content_hash(item.path))
        except Exception as exc:  # unreadable: reported with the dataset's own problems
            problems.append((item.path, str(getattr(exc, "reason", exc))))
            continue
        paths.append(item.path)
        kept.append(item)
    if not kept:
        raise DatasetError(f"{source}: no readable photos.")
    categories = list(data.categories)
    labels = np.array([[1.0 if c in item.labels else 0.0 for c in categories] for item in kept], np.float32)
    given = _split_column(Path(source), split_column)
    if given:
        split = np.array([given.get(p.resolve(), "") for p in paths])
        if not set(split) <= set(SPLITS):
            raise DatasetError(f"{source}: every row's '{split_column}' must be train, val or test.")
    else:
        fold = stratified_folds(labels, 5, seed)
        split = np.where(fold == 0, "test", np.where(fold == 1, "val", "train"))
    result = ExperimentData(str(source), categories, paths, hashes, labels, split, problems)
    for name in SPLITS:
        short = [c for c, n in result.counts()[name].items() if c != "photos" and n < MIN_PER_SPLIT]
        if short:
            raise DatasetError(f"{source}: the {name} photos have none of {', '.join(short)}; add photos.")
    return result


def _split_column(source: Path, column: str) -> dict[Path, str]:
    """{resolved path: split} from a CSV that has the column; {} otherwise."""
    if not (source.is_file() and source.suffix.lower() == ".csv"):
        return {}
    with source.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        if column not in (reader.fieldnames or []):
            return {}
        return {
            (source.parent / row["file"].strip()).resolve(): SPLIT_NAMES.get((row[column] or "").strip().lower(), "?")
            for row in reader if (row.get("file") or "").strip()
        }
