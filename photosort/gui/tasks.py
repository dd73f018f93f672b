"""The slow jobs the window runs in workers: plain functions over the core, no Qt.

Each takes ``on_progress`` and ``should_stop`` last, as the core does, so ``workers.Worker``
can run it. Heavy modules (the catalog's SQLAlchemy, TensorFlow) are imported inside, in the
worker's thread, so the window opens fast and stays responsive.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from photosort.gui.tensorflow_loader import preload_tensorflow
from photosort.progress import Progress, ProgressFn, StopFn, check_stop

NO_MODEL = "No trained sorter yet: give each category a few example photos and click Train my sorter."

if TYPE_CHECKING:
    import numpy as np

    from photosort.catalog import Catalog
    from photosort.catalog.records import ReceivedCopy
    from photosort.predictor import Sorter
    from photosort.sorting import SortSummary, UndoSummary
    from photosort.training import TrainResult
    from photosort.watcher import FolderWatcher


def open_catalog(path: Path) -> Catalog:
    from photosort.catalog import Catalog

    return Catalog(path)


@dataclass(frozen=True)
class AddResult:
    category: str
    positive: bool
    labelled: int
    skipped: list[tuple[Path, str]] = field(default_factory=list)  # (path, reason)


def add_examples(
    catalog: Catalog, category: str, paths: list[Path], positive: bool, on_progress: ProgressFn, should_stop: StopFn
) -> AddResult:
    """Register dropped photos (folders are searched) and label them for one category."""
    from photosort import images
    from photosort.errors import ImageError
    from photosort.registration import register_photos

    photos: list[Path] = []
    skipped: list[tuple[Path, str]] = []
    for path in paths:
        if path.is_dir():
            try:
                photos += images.iter_photos(path)
            except ImageError as exc:
                skipped.append((path, exc.reason))
        elif images.is_photo_path(path):
            photos.append(path)
        else:
            skipped.append((path, "not a photo"))
    records, unreadable = register_photos(catalog, photos, on_progress=on_progress, should_stop=should_stop)
    check_stop(should_stop)
    catalog.label(category, [r.id for r in records], positive)
    return AddResult(category, positive, len(records), skipped + unreadable)


def train_library(
    library_dir: Path, backbone: str | None, epochs: int | None, on_progress: ProgressFn, should_stop: StopFn
) -> TrainResult:
    """Train the library's sorter; meant for a child process (``child_process.in_child``)."""
    on_progress(Progress("loading", 0, None, "Loading the neural network"))
    from photosort.catalog import Catalog
    from photosort.training import train

    check_stop(should_stop)
    with Catalog(library_dir) as catalog:
        return train(catalog, backbone=backbone, epochs=epochs, on_progress=on_progress, should_stop=should_stop)


@dataclass(frozen=True)
class RollScores:
    """Every camera-roll photo's scores under one sorter, so threshold sliders can count
    photos in memory as they move."""

    folder: str
    paths: list[Path]
    scores: np.ndarray  # (len(paths), len(categories))
    categories: list[str]  # names when scored, for display
    version_id: int
    category_ids: list[int] = field(default_factory=list)  # the columns' categories

    def column(self, category_id: int | None) -> np.ndarray | None:
        """A category's scores, by id (a name may have changed since they were scored)."""
        if category_id not in self.category_ids:
            return None
        return self.scores[:, self.category_ids.index(category_id)]


_sorters: dict[tuple[Path, int], Sorter] = {}
_sorters_lock = threading.Lock()


def load_sorter(catalog: Catalog) -> Sorter:
    """The current sorter, loaded once per model version (loading takes seconds)."""
    preload_tensorflow()
    from photosort.errors import NoModelError
    from photosort.predictor import Sorter

    version = catalog.current_model()
    if version is None:
        raise NoModelError(NO_MODEL)
    key = (catalog.library_dir, version.id)
    with _sorters_lock:
        if key not in _sorters:
            _sorters.clear()  # one model in memory at a time
            _sorters[key] = Sorter.load(catalog, version.id)
        return _sorters[key]


def score_folder(catalog: Catalog, folder: str, on_progress: ProgressFn, should_stop: StopFn) -> RollScores:
    """Score (and record) every photo in a folder, skipping the category folders in it."""
    import numpy as np

    from photosort import images
    from photosort.errors import ImageError, PhotosortError
    from photosort.predictor import predict_paths

    on_progress(Progress("loading", 0, None, "Loading the sorter"))
    sorter = load_sorter(catalog)
    try:
        paths = list(images.iter_photos(folder, exclude=[c.folder for c in catalog.categories()]))
    except ImageError as exc:
        raise PhotosortError(f"Cannot read the camera roll {folder}: {exc.reason}.") from exc
    kept: list[Path] = []
    rows: list[np.ndarray] = []
    for batch in predict_paths(catalog, sorter, paths, on_progress=on_progress, should_stop=should_stop):
        for scored in batch:
            if scored.scores is not None:
                kept.append(scored.path)
                rows.append(scored.scores)
    scores = np.array(rows, dtype=np.float32).reshape(len(rows), len(sorter.categories))
    return RollScores(folder, kept, scores, list(sorter.categories), sorter.version.id, list(sorter.category_ids))


def sort_camera_roll(
    catalog: Catalog, folder: str, dry_run: bool, on_progress: ProgressFn, should_stop: StopFn
) -> SortSummary:
    """Sort (or with dry_run, preview sorting) a folder into the category folders."""
    from photosort.errors import NoModelError
    from photosort.sorting import sort_folder

    if catalog.current_model() is None:
        raise NoModelError(NO_MODEL)
    on_progress(Progress("loading", 0, None, "Loading the sorter"))
    preload_tensorflow()
    check_stop(should_stop)

    return sort_folder(catalog, folder, dry_run=dry_run, on_progress=on_progress, should_stop=should_stop)


def start_watcher(watcher: FolderWatcher, on_progress: ProgressFn, should_stop: StopFn) -> None:
    """Start watching (it loads the sorter first, which takes seconds)."""
    from photosort.errors import NoModelError

    if watcher.catalog.current_model() is None:
        raise NoModelError(NO_MODEL)
    preload_tensorflow()
    watcher.start()


def undo_last_sort(catalog: Catalog, on_progress: ProgressFn, should_stop: StopFn) -> UndoSummary:
    from photosort.sorting import undo_run

    on_progress(Progress("undoing", 0, None, "Removing the copies the last sort made"))
    return undo_run(catalog)


def received_photos(catalog: Catalog, category: str, on_progress: ProgressFn,
                    should_stop: StopFn) -> list[ReceivedCopy]:
    """The copies sorting made into a category's folder that are still there, least
    confident first (where mistakes are likeliest)."""
    from photosort.sorting.review import received

    return received(catalog, category)


def correct_copy(catalog: Catalog, item: ReceivedCopy, wrong: str, right: str | None) -> str:
    """A photo sorted into the wrong folder: the core's journaled correction (undoable with
    'photosort undo'). Returns a line for the status bar."""
    from photosort.sorting.review import correct

    return correct(catalog, item, wrong, right).line()
