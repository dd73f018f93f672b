"""A model's held-out scores, in a file beside the model (models/<stem>.heldout.npz).

Every example's score from the fold head that never saw it, so the threshold sliders can show
precision and recall at any position. They used to sit in the model version's metrics JSON,
parsed again on every ``current_model()``; models saved by older versions still have them only
there, and ``load_held_out`` reads them from there.
"""

from __future__ import annotations

import logging
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from photosort.atomic import write_atomically
from photosort.catalog import ModelVersionRecord

log = logging.getLogger(__name__)

SUFFIX = ".heldout.npz"


@dataclass(frozen=True)
class HeldOut:
    photo_ids: list[int]
    labels: np.ndarray  # (N, C) bool
    scores: np.ndarray  # (N, C) float32
    categories: list[str]

    def column(self, name: str) -> np.ndarray | None:
        return self.scores[:, self.categories.index(name)] if name in self.categories else None


def held_out_path(model_file: Path) -> Path:
    return model_file.with_name(model_file.stem + SUFFIX)


def write_held_out(model_file: Path, held_out: HeldOut) -> Path:
    """Write beside the model, atomically."""

    def write(partial: Path) -> None:
        with open(partial, "wb") as out:  # a file object: np.savez would append ".npz" to a name
            np.savez(
                out,
                photo_ids=np.asarray(held_out.photo_ids, dtype=np.int64),
                labels=np.asarray(held_out.labels, dtype=bool),
                scores=np.asarray(held_out.scores, dtype=np.float32),
                categories=np.asarray(held_out.categories, dtype=str),  # unicode, not objects: no pickle
            )

    return write_atomically(held_out_path(model_file), write)


def load_held_out(version: ModelVersionRecord) -> HeldOut | None:
    """The version's held-out scores, or None when it has none (or its file is unreadable)."""
    path = held_out_path(version.file)
    if path.is_file():
        try:
            with np.load(path, allow_pickle=False) as data:
                return HeldOut(
                    photo_ids=[int(i) for i in data["photo_ids"]],
                    labels=data["labels"].astype(bool),
                    scores=data["scores"].astype(np.float32),
                    categories=[str(c) for c in data["categories"]],
                )
        except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
            log.warning("cannot read the held-out scores %s: %s", path, exc)
    legacy = version.metrics.get("validation")  # written by photosort before the .heldout.npz file
    if not legacy:
        return None
    count = len(version.categories)
    return HeldOut(
        photo_ids=[int(i) for i in legacy["photo_ids"]],
        labels=np.asarray(legacy["labels"], dtype=bool).reshape(-1, count),
        scores=np.asarray(legacy["scores"], dtype=np.float32).reshape(-1, count),
        categories=list(version.categories),
    )
