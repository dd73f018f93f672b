"""The teach loop: ask about the camera-roll photos whose answer should help the sorter most,
turn each answer into a label, retrain on demand and say how the held-out F1 moved.

Front ends (the CLI's one question per line, a GUI view) drive it: next_questions(), answer(),
retrain(). Scores and embeddings come through the predictor (cached by content hash), so a
round of questions after a retraining costs the head, not the backbone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from photosort.catalog import Catalog, PhotoRecord
from photosort.errors import PhotosortError
from photosort.images.scanning import iter_photos
from photosort.predictor import Sorter, predict_paths
from photosort.progress import ProgressFn, StopFn
from photosort.teaching.questions import margin_questions


@dataclass(frozen=True)
class Question:
    photo: PhotoRecord
    category: str
    score: float
    threshold: float


@dataclass
class Retrained:
    before: float | None  # the previous sorter's held-out macro F1 (None: it had no head)
    after: float
    version_id: int
    result: object = None  # training.TrainResult


@dataclass
class TeachLoop:
    catalog: Catalog
    source: Path
    on_progress: ProgressFn | None = None
    should_stop: StopFn | None = None
    views: int | None = None  # augmented views per example when retraining (None: training's default)
    asked: set[tuple[int, str]] = field(default_factory=set)  # (photo id, category) answered or skipped

    def __post_init__(self) -> None:
        self.source = Path(self.source).expanduser().absolute()
        self.paths = list(iter_photos(self.source))
        if not self.paths:
            raise PhotosortError(f"No photos in {self.source}.")
        self.rescore()

    def rescore(self) -> None:
        """Score every photo of the source with the current sorter (starters included)."""
        sorter = Sorter.load(self.catalog)
        scored = [s for batch in predict_paths(self.catalog, sorter, self.paths, on_progress=self.on_progress,
                                               should_stop=self.should_stop) for s in batch if s.error is None]
        self.categories = list(sorter.categories)
        self.photos = [s.record for s in scored]
        self.scores = np.stack([s.scores for s in scored]) if scored else np.zeros((0, len(self.categories)))
        thresholds = sorter.thresholds(self.catalog)
        self.thresholds = np.array([thresholds[cid] for cid in sorter.category_ids], np.float32)  # by id
        cached = self.catalog.get_embeddings([p.content_hash for p in self.photos], sorter.embedding_key, 0)
        self.embeddings = (np.stack([cached[p.content_hash] for p in self.photos])
                           if self.photos and all(p.content_hash in cached for p in self.photos) else None)

    def next_questions(self, k: int = 10) -> list[Question]:
        """k questions "is this photo X?": the photos torn most between their two leading
        categories (scores measured from each threshold), each asked about its leading one,
        categories in turn (measured best in bench/teach.py); never a photo already labelled for
        X nor a pair asked before, never two near-duplicates in one round."""
        labelled = {(item.photo.id, name) for item in self.catalog.labelled_photos() for name in item.labels}
        row_of = {p.id: i for i, p in enumerate(self.photos)}
        col_of = {name: j for j, name in enumerate(self.categories)}
        exclude = {(row_of[pid], col_of[name]) for pid, name in self.asked | labelled if pid in row_of and name in col_of}
        pairs = margin_questions(self.scores, self.thresholds, k, exclude, self.embeddings)
        return [Question(self.photos[i], self.categories[j], float(self.scores[i, j]), float(self.thresholds[j]))
                for i, j in pairs]

    def answer(self, question: Question, yes: bool | None) -> None:
        """yes/no: the photo becomes a positive / explicit negative example; None: skipped."""
        self.asked.add((question.photo.id, question.category))
        if yes is not None:
            self.catalog.label(question.category, [question.photo.id], positive=yes)

    def retrain(self, seed: int = 0) -> Retrained:
        """Train on every label (embeddings are cached), then rescore the source."""
        from photosort.training import train

        previous = self.catalog.current_model()
        before = previous.metrics.get("macro_f1") if previous else None
        kwargs = {} if self.views is None else {"views": self.views}
        result = train(self.catalog, on_progress=self.on_progress, should_stop=self.should_stop, seed=seed, **kwargs)
        self.rescore()
        return Retrained(before, float(result.metrics["macro_f1"]), result.version.id, result)
