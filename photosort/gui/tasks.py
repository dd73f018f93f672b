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


def undo_last_sort(catalog: Catalog, run_id: int | None, on_progress: ProgressFn, should_stop: StopFn) -> UndoSummary:
    """Undo a sort (the one its confirmation described, or the last one)."""
    from photosort.sorting import undo_run

    on_progress(Progress("undoing", 0, None, "Removing the copies the last sort made"))
    return undo_run(catalog, run_id)


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


@dataclass(frozen=True)
class Freshness:
    """Whether the current sorter still matches the examples (issue 13, item 9)."""

    version_id: int | None
    untrained: list[str] = field(default_factory=list)  # categories the sorter has never seen
    reasons: list[str] = field(default_factory=list)  # what changed since training, in plain words

    @property
    def stale(self) -> bool:
        return bool(self.reasons)


def _plural(n: int, one: str, many: str = "") -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def sorter_freshness(catalog: Catalog, on_progress: ProgressFn, should_stop: StopFn) -> Freshness:
    """Compare the current sorter with the examples now: new or removed categories, and each
    labelled photo against what the sorter was trained on (its held-out file lists every
    training photo with its categories), so new examples, forgotten ones and corrections in
    Review all count. Reads a file and the labels: run it in a worker."""
    from photosort.training import load_held_out

    version = catalog.current_model()
    if version is None:
        return Freshness(None)
    names = [c.name for c in catalog.categories()]
    untrained = [n for n in names if n not in version.categories]
    reasons = [f"new categor{'y' if len(untrained) == 1 else 'ies'} {', '.join(untrained)}"] if untrained else []
    removed = [n for n in version.categories if n not in names]
    if removed:
        reasons.append(f"removed {', '.join(removed)}")
    held = load_held_out(version)
    if held is not None:
        trained = {pid: frozenset(c for c, on in zip(held.categories, row, strict=True) if on)
                   for pid, row in zip(held.photo_ids, held.labels, strict=True)}
        now = {lp.photo.id: frozenset(n for n, positive in lp.labels.items() if positive and n in version.categories)
               for lp in catalog.labelled_photos()}
        new = sum(1 for pid in now if pid not in trained)
        changed = sum(1 for pid, cats in trained.items() if pid in now and now[pid] != cats)
        gone = sum(1 for pid in trained if pid not in now)
        if new:
            reasons.append(f"{_plural(new, 'new example')}")
        if changed:
            reasons.append(f"{_plural(changed, 'example')} corrected or moved")
        if gone:
            reasons.append(f"{_plural(gone, 'example')} removed")
    return Freshness(version.id, untrained, reasons)


@dataclass(frozen=True)
class UndoPlan:
    """What "Undo last sort" will do, said before it does it (issue 13, item 6): every copy the
    sort made is either removed, kept (changed since), or already gone (and why)."""

    run_id: int
    source: str
    copies: int  # copies the sort made
    remove: int  # still exactly as written: removed
    restore: int  # originals a --move sort removed: put back
    changed: list[Path] = field(default_factory=list)  # changed since the sort: kept
    gone: list[tuple[Path, str]] = field(default_factory=list)  # no longer there, with why


def undo_plan(catalog: Catalog, on_progress: ProgressFn, should_stop: StopFn) -> UndoPlan:
    """Look at the copies the last sort made (reads them: run it in a worker)."""
    import os

    from photosort.errors import PhotosortError
    from photosort.sorting import files, last_undoable_run
    from photosort.sorting.states import COPY_OPS, DONE, REMOVE, REVIEW

    run = last_undoable_run(catalog)
    if run is None:
        raise PhotosortError("There is no sort to undo.")
    ops = catalog.file_ops(run.id)
    copies = [op for op in ops if op.op in COPY_OPS and op.state == DONE]  # derived ones too
    missing = [op for op in copies if not os.path.lexists(op.dest)]
    changed = [op.dest for op in copies
               if os.path.lexists(op.dest) and not files.has_content(op.dest, op.content_hash, op.size)]
    corrected = {}
    for op in catalog.file_ops_for_hashes({m.content_hash for m in missing}, op=REMOVE, state=DONE):
        review = catalog.run(op.run_id)
        if review is not None and review.kind == REVIEW:
            right = review.options.get("right")
            corrected[op.src] = "corrected in Review" + (f" (moved to {right})" if right else " (taken out)")
    gone = [(op.dest, corrected.get(op.dest, "deleted or moved since the sort")) for op in missing]
    restore = sum(1 for op in ops if op.op == REMOVE and op.state == DONE)
    return UndoPlan(run.id, run.source, len(copies), len(copies) - len(missing) - len(changed), restore,
                    changed, gone)


@dataclass(frozen=True)
class HeldOutView:
    """A sorter's held-out scores with their photos' paths, for the threshold sliders."""

    version_id: int
    held_out: object  # training.HeldOut, or None for a sorter saved without them
    paths: dict[int, str]  # photo id -> path


def held_out_view(catalog: Catalog, version) -> HeldOutView:
    """Read the held-out file and the photos' paths (a file and a query: in a worker)."""
    from photosort.training import load_held_out

    held = load_held_out(version)
    paths = {p.id: str(p.path) for p in catalog.photos(held.photo_ids)} if held is not None else {}
    return HeldOutView(version.id, held, paths)
