"""Plain, immutable copies of catalog rows handed to the rest of photosort.

Callers never hold SQLAlchemy objects, so nothing outside ``catalog/`` depends on sessions,
and records can cross threads (GUI workers) safely.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import NamedTuple


class PhotoRecord(NamedTuple):
    """A photo as the catalog knows it. A named tuple rather than a frozen dataclass: listing a
    category of a big camera roll builds tens of thousands of these, three times faster so."""

    id: int
    location: str  # the absolute path as stored; use .path
    content_hash: str
    size: int
    mtime: float
    taken_at: datetime | None
    width: int | None
    height: int | None

    @property
    def path(self) -> Path:
        return Path(self.location)


@dataclass(frozen=True)
class CategoryRecord:
    id: int
    name: str
    folder: Path
    threshold: float
    positives: int = 0  # labelled examples
    negatives: int = 0  # explicit "not this category"
    person: bool = False  # scored from its examples' faces (a person), not by the head
    faces: str = "keep"  # its copies' faces: keep | blur | pixelate


@dataclass(frozen=True)
class ModelVersionRecord:
    id: int
    created_at: datetime
    backbone: str
    fine_tuned: bool
    categories: list[str]  # the sigmoid head's columns, as named at training (for display)
    thresholds: dict[str, float]  # its best-F1 choice per column, keyed by the name at training
    metrics: dict
    file: Path  # absolute
    # the same columns as category ids: a model refers to its categories by id, so a renamed
    # category keeps its column. None: a category gone before the ids were recorded.
    category_ids: list[int | None] = field(default_factory=list)

    def chosen_thresholds(self) -> dict[int, float]:
        """The model's own best-F1 thresholds by category id (read by column, not by name)."""
        return {
            cid: float(self.thresholds[name])
            for cid, name in zip(self.category_ids, self.categories)
            if cid is not None and name in self.thresholds
        }


@dataclass(frozen=True)
class LabelledPhoto:
    photo: PhotoRecord
    labels: dict[str, bool] = field(default_factory=dict)  # category name -> positive?


class PersonExample(NamedTuple):
    """A person category's labelled photo: positive (them) or not, and the face a user clicked."""

    photo: PhotoRecord
    positive: bool
    face: int | None


@dataclass(frozen=True)
class RunRecord:
    id: int
    kind: str
    source: str
    started_at: datetime
    finished_at: datetime | None
    status: str
    model_version_id: int | None
    options: dict
    summary: dict


@dataclass(frozen=True)
class FileOpRecord:
    id: int
    run_id: int
    op: str
    photo_id: int | None
    category_id: int | None
    src: Path
    dest: Path | None
    tmp: Path | None
    content_hash: str
    size: int
    state: str
    error: str


class ReceivedCopy(NamedTuple):
    """A copy a sort (or review) put into a category's folder, with the score that sent it there."""

    file_op_id: int
    run_id: int
    dest: Path
    src: Path
    photo_id: int | None
    content_hash: str
    size: int
    score: float | None  # the category's score under the model of the run that made the copy
