"""A trained sorter, loaded and ready to score photos: the one fast path that sorting, the
watcher, evaluation and the GUI all use.

CONTRACT (implementation in progress; names and signatures are fixed).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from photosort.catalog import Catalog, ModelVersionRecord, PhotoRecord
from photosort.progress import ProgressFn, StopFn


@dataclass(frozen=True)
class Scored:
    """One photo's result from predict_paths: scores (aligned with Sorter.categories), or
    error (a one-line reason) when the file could not be read; record is None then."""

    path: Path
    record: PhotoRecord | None
    scores: np.ndarray | None
    error: str | None = None


class Sorter:
    """One model version: backbone embedder + sigmoid head, with its categories and the
    catalog's current per-category thresholds."""

    version: ModelVersionRecord
    categories: list[str]  # head output order
    backbone: str
    input_size: int
    embedding_key: str  # key of this sorter's embeddings in the catalog cache

    @classmethod
    def load(cls, catalog: Catalog, version_id: int | None = None) -> "Sorter":
        """The current (or given) model version; raises NoModelError if none is trained."""
        raise NotImplementedError

    def embed(self, batch: np.ndarray) -> np.ndarray:
        """uint8 (N, S, S, 3) -> float32 (N, D)."""
        raise NotImplementedError

    def scores_from_embeddings(self, embeddings: np.ndarray) -> np.ndarray:
        """float32 (N, D) -> sigmoid scores (N, C) in 0..1."""
        raise NotImplementedError

    def thresholds(self, catalog: Catalog) -> dict[str, float]:
        """The thresholds in force now (the catalog's, which a person may have moved)."""
        raise NotImplementedError


def predict_paths(
    catalog: Catalog,
    sorter: Sorter,
    paths: Iterable[str | Path],
    batch_size: int = 32,
    on_progress: ProgressFn | None = None,
    should_stop: StopFn | None = None,
    record: bool = True,
) -> Iterator[list[Scored]]:
    """Score photos in batches, yielding each batch's results as soon as it is done.

    Registers each photo in the catalog (hash, size, EXIF), reuses cached embeddings by content
    hash, decodes in a thread pool overlapping inference, and (record=True) records every score
    of every photo in the catalog in one transaction per batch. Unreadable files come back with
    ``error`` set; the run goes on.
    """
    raise NotImplementedError
