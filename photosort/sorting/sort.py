"""Sorting photos: scores → folders (pure), and the sort itself, the one code path the command
line, the window and the watcher share.

Per batch: predict (every score recorded in the catalog) → choose the categories whose
threshold each photo reaches → a verified, journaled copy into each category's folder (never
replacing anything, never copying the same bytes into a folder twice) → with --move, remove the
original once all its copies are verified → record the photo as decided under this run's rules.
"""

from __future__ import annotations

import errno
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import closing
from pathlib import Path

from photosort import images
from photosort.catalog import Catalog, PhotoRecord
from photosort.errors import Cancelled, CategoryError, ImageError, PhotosortError
from photosort.predictor import Scored, Sorter, predict_paths
from photosort.progress import Progress, ProgressFn, StopFn, check_stop
from photosort.sorting import files
from photosort.sorting.summary import Placement, SortSummary
from photosort.sorting.copying import journaled_copy, journaled_derive, journaled_mkdir, journaled_remove
from photosort.sorting.journal import RunLock, library_lock, recover, runs_with_rules, sort_rules
from photosort.sorting.states import CANCELLED, COPY, DECIDE, DONE, DRY_RUN, FAILED

# What scores the photos: predict_paths's signature (catalog, sorter, paths, batch_size=,
# should_stop=) yielding batches of Scored whose scores are already recorded in the catalog.
Scorer = Callable[..., Iterator[list[Scored]]]


def choose_folders(scores: Sequence[float], categories: Sequence, thresholds: Mapping) -> list:
    """The categories (hence folders) a photo goes to: each whose score reaches its threshold —
    several, or none. A category without a threshold (removed since training) gets nothing.
    Categories are keys of ``thresholds``: sorting uses category ids."""
    return [name for name, score in zip(categories, scores) if name in thresholds and score >= thresholds[name]]


class SortRun:
    """One sort (or watch session) carried out by this process: its catalog row, the rules it
    sorts by, and the lock that tells other processes it is alive. Finish it with finish()."""

    def __init__(self, catalog: Catalog, sorter: Sorter, source: str | Path, kind: str = "sort",
                 dry_run: bool = False, move: bool = False):
        self.catalog = catalog
        self.sorter = sorter
        self.rules = sort_rules(catalog, sorter)
        self.dry_run = dry_run
        self.move = move and not dry_run
        # by category id: a category renamed since training (or during this run) keeps its folder
        self.folders = {int(cid): Path(folder) for cid, folder in self.rules["folders"].items()}
        self.thresholds = {int(cid): value for cid, value in self.rules["thresholds"].items()}
        self.names = {c.id: c.name for c in catalog.categories()}  # for summaries and notes
        self.face_modes = {c.id: c.faces for c in catalog.categories() if c.faces != "keep"}  # blur, pixelate
        self._lock = RunLock(catalog)
        self._lock.acquire()  # a fresh lock: always free
        options = {**self.rules, "dry_run": dry_run, "move": self.move, "lock": self._lock.token}
        self.record = catalog.start_run(kind, source, sorter.version.id, options)
        self._decided_by = runs_with_rules(catalog, self.rules, self.move)  # this run included
        self.placed: dict[tuple[Path, str], Path] = {}  # (folder, content hash) -> file, this run
        self.promised: set[Path] = set()  # names a dry run would use
        self.noted: set[Path] = set()  # folders already reported missing
        self.unusable: dict[Path, str] = {}  # folders full, read-only or gone: why, said once

    @property
    def id(self) -> int:
        return self.record.id

    def drop_removed(self, summary: SortSummary) -> None:
        """Stop sorting into categories removed since this run began (another window, a CLI):
        the run goes on with the others, with one note for each."""
        present = {c.id for c in self.catalog.categories()}
        for cid in [cid for cid in self.thresholds if cid not in present]:
            del self.thresholds[cid]
            summary.notes.append(f"The category '{self.names.get(cid, cid)}' was removed during this sort; "
                                 "the photos after that were not sorted into it (the other categories were).")

    def decided(self, hashes: Iterable[str]) -> set[str]:
        """Which of these contents were already sorted under this run's rules."""
        ops = self.catalog.file_ops_for_hashes(hashes, op=DECIDE, state=DONE, run_ids=self._decided_by)
        return {op.content_hash for op in ops}

    def finish(self, status: str, summary: SortSummary | None = None) -> None:
        self.catalog.finish_run(self.id, status, summary.to_json(plan=False) if summary else None)
        self._lock.release()


def sort_paths(
    catalog: Catalog,
    sorter: Sorter,
    paths: Iterable[str | Path],
    run: SortRun,
    on_progress: ProgressFn | None = None,
    should_stop: StopFn | None = None,
    batch_size: int = 32,
    on_placed: Callable[[Placement], None] | None = None,
    scorer: Scorer = predict_paths,
) -> SortSummary:
    """Sort these photos under run's rules, in batches; on_placed hears about each photo as
    soon as its copies are made. Unreadable photos and failed copies are reported in the
    summary, never raised; Cancelled is raised if should_stop() turns True. on_placed and
    on_progress are called from the copying thread. scorer: predict_paths, or another source
    of recorded Scored batches with its signature (a Ray cluster: photosort.cluster)."""
    started = time.monotonic()
    paths = [Path(p).absolute() for p in paths]
    summary = SortSummary(run_id=run.id, dry_run=run.dry_run, scanned=len(paths))
    todo = _needing_sort(run, paths, summary)
    done = len(paths) - len(todo)

    def place(batch: list[Scored]) -> None:
        nonlocal done
        _sort_batch(run, batch, summary, should_stop, on_placed)
        done += len(batch)
        summary.seconds = time.monotonic() - started
        if on_progress:
            rate = done / summary.seconds if summary.seconds else 0.0
            on_progress(Progress("sorting", done, len(paths), batch[-1].path.name, {"photos_per_s": rate}))

    with (
        closing(scorer(catalog, sorter, todo, batch_size=batch_size, should_stop=should_stop)) as batches,
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="photosort-copy") as copier,
    ):
        placing: Future | None = None
        for batch in batches:
            summary.batches += 1
            if placing is not None:
                placing.result()  # one batch of copies at a time, in order
            # this batch's copies overlap with the network scoring the next one
            placing = copier.submit(place, batch)
        if placing is not None:
            placing.result()
    summary.seconds = time.monotonic() - started
    return summary


def sort_folder(
    catalog: Catalog,
    source: str | Path,
    dry_run: bool = False,
    move: bool = False,
    on_progress: ProgressFn | None = None,
    should_stop: StopFn | None = None,
    batch_size: int = 32,
    scorer: Scorer = predict_paths,
) -> SortSummary:
    """Sort every photo under source (recursively; hidden files and the category folders
    skipped) into the category folders. Raises NoModelError before any training."""
    source = Path(source).expanduser().absolute()
    if not source.is_dir():
        raise PhotosortError(f"{source} is not a folder." if source.exists() else f"There is no folder {source}.")
    sorter = Sorter.load(catalog)

    def waiting(why: str) -> None:
        if on_progress:
            on_progress(Progress("waiting", 0, None, why))

    with library_lock(catalog, on_wait=waiting):  # one sort, undo or correction at a time
        return _sort_folder(catalog, sorter, source, dry_run, move, on_progress, should_stop, batch_size, scorer)


def _sort_folder(catalog: Catalog, sorter: Sorter, source: Path, dry_run: bool, move: bool,
                 on_progress: ProgressFn | None, should_stop: StopFn | None, batch_size: int,
                 scorer: Scorer) -> SortSummary:
    notes = [] if dry_run else recover(catalog)  # a dry run touches no folder, not even to clean up
    run = SortRun(catalog, sorter, source, dry_run=dry_run, move=move)
    try:
        inside = [f for f in [*run.folders.values(), catalog.library_dir] if f.is_relative_to(source)]
        passed_over: list[tuple[Path, str]] = []  # broken links, pipes, unreadable folders
        paths = list(images.iter_photos(source, exclude=inside, on_skip=lambda p, why: passed_over.append((p, why))))
        summary = sort_paths(catalog, sorter, paths, run, on_progress, should_stop, batch_size, scorer=scorer)
        summary.scanned += len(passed_over)
        summary.skipped[:0] = passed_over
    except BaseException as exc:
        run.finish(CANCELLED if isinstance(exc, (Cancelled, KeyboardInterrupt)) else FAILED)
        raise
    summary.notes[:0] = notes
    run.finish(DRY_RUN if dry_run else DONE, summary)
    return summary


def _needing_sort(run: SortRun, paths: list[Path], summary: SortSummary) -> list[Path]:
    """The paths still to sort. A photo unchanged since it was sorted under these rules is
    skipped without reading it; one whose file is gone or a broken link is reported."""
    known = run.catalog.photos_by_paths(paths)
    decided = run.decided(r.content_hash for r in known.values())
    todo = []
    for path in paths:
        try:
            st = path.stat()
        except OSError as exc:
            why = "broken link (the file it points to is missing)" if path.is_symlink() else files.reason(exc)
            summary.skipped.append((path, why))
            continue
        record = known.get(path)
        if record and record.content_hash in decided and (record.size, record.mtime) == (st.st_size, st.st_mtime):
            summary.already_sorted += 1
        else:
            todo.append(path)
    return todo


def _sort_batch(run: SortRun, batch: list[Scored], summary: SortSummary, should_stop: StopFn | None,
                on_placed: Callable[[Placement], None] | None) -> None:
    good = [s for s in batch if s.error is None]
    summary.skipped += [(s.path, s.error) for s in batch if s.error is not None]
    run.drop_removed(summary)
    decided = run.decided(s.record.content_hash for s in good)  # e.g. a renamed copy of a sorted photo
    known = _known_copies(run, good)
    finished: list[PhotoRecord] = []
    try:
        for scored in good:
            check_stop(should_stop)
            if scored.record.content_hash in decided:
                summary.already_sorted += 1
                continue
            placement, complete = _sort_photo(run, scored, summary, known)
            if complete:
                finished.append(scored.record)
            if on_placed:
                on_placed(placement)
    finally:  # a stop part-way still records the photos that were finished
        if not run.dry_run:
            run.catalog.journal_done(run.id, DECIDE, [
                {"src": str(r.path), "photo_id": r.id, "content_hash": r.content_hash, "size": r.size}
                for r in finished
            ])


def _known_copies(run: SortRun, batch: list[Scored]) -> dict[tuple[Path, str], list[Path]]:
    """Where earlier runs copied these photos, by (folder, content hash)."""
    ops = run.catalog.file_ops_for_hashes((s.record.content_hash for s in batch), op=COPY, state=DONE)
    known: dict[tuple[Path, str], list[Path]] = {}
    for op in ops:
        known.setdefault((op.dest.parent, op.content_hash), []).append(op.dest)
    return known


def _sort_photo(run: SortRun, scored: Scored, summary: SortSummary, known) -> tuple[Placement, bool]:
    """Copy one photo into each chosen folder; returns its placement and whether every copy
    (and, with --move, the removal) succeeded."""
    chosen = choose_folders(scored.scores, run.sorter.category_ids, run.thresholds)
    dests: dict[str, Path] = {}  # by name, for people; the journal records the id
    copied: list[str] = []
    for cid in chosen:
        name = run.names.get(cid, str(cid))
        folder = run.folders[cid]
        try:
            if folder in run.unusable:  # don't hammer a full or read-only disk photo after photo
                raise files.CopyError(run.unusable[folder])
            dest, new = _put(run, scored, cid, known, summary)
        except (OSError, files.CopyError) as exc:
            summary.errors.append((scored.path, f"not copied to '{name}': {files.reason(exc)}"))
            _note_unusable(run, name, folder, exc, summary)
            continue
        except CategoryError:  # the journal refused: the category was removed just now
            run.drop_removed(summary)
            if cid in run.thresholds:
                raise
            continue
        dests[name] = dest
        if new:
            copied.append(name)
        summary.per_category[name] = summary.per_category.get(name, 0) + 1
    complete = len(dests) == len(chosen)
    moved = False
    if run.move and dests and complete:
        try:
            _remove_original(run, scored.record, next(iter(dests.values())))
            moved = True
        except (OSError, files.CopyError) as exc:
            summary.errors.append((scored.path, f"original kept: {files.reason(exc)}"))
            complete = False
    summary.sorted += bool(dests)
    summary.unsorted += not chosen
    summary.copies += len(copied)
    summary.moved += moved
    placement = Placement(scored.path, dests, tuple(copied), moved)
    summary.placements.append(placement)
    return placement, complete


# the destination itself cannot take files: no point trying it again for every photo
_FULL = {errno.ENOSPC, errno.EROFS, errno.EDQUOT}
_REFUSED = {errno.EACCES, errno.EPERM, errno.ENODEV, errno.EIO, errno.ENOENT}  # if about the folder


def _note_unusable(run: SortRun, name: str, folder: Path, exc: BaseException, summary: SortSummary) -> None:
    if folder in run.unusable or not isinstance(exc, OSError):
        return
    about_folder = exc.filename is not None and Path(exc.filename).is_relative_to(folder)
    if exc.errno not in _FULL and not (exc.errno in _REFUSED and about_folder):
        return
    run.unusable[folder] = files.reason(exc)
    summary.notes.append(f"Nothing more was copied to '{name}' ({folder}): {files.reason(exc)}. The photos "
                         "already sorted are safe; fix that and sort again to finish.")


def _put(run: SortRun, scored: Scored, cid: int, known, summary: SortSummary) -> tuple[Path, bool]:
    """The photo's file in category ``cid``'s folder, and whether it is a new copy. The same
    bytes already there (this run, an earlier one, or under the same name) are not copied again."""
    record, folder = scored.record, run.folders[cid]
    key = (folder, record.content_hash)
    if key in run.placed:
        return run.placed[key], False
    for path in known.get(key, ()):
        if files.has_content(path, record.content_hash, record.size):
            return path, False
    dest, present = files.pick_name(folder, scored.path.name, record.content_hash, record.size, run.promised)
    if not present:
        _ensure_folder(run, cid, folder, summary)
        if run.dry_run:
            run.promised.add(dest)
        else:
            dest = _copy(run, scored, cid, dest)
    run.placed[key] = dest
    return dest, not present


def _ensure_folder(run: SortRun, cid: int, folder: Path, summary: SortSummary) -> None:
    """Create a category's missing folder (journaled, so undo removes it), saying so once."""
    if folder.is_dir() or (run.dry_run and folder in run.noted):
        return
    name = run.names.get(cid, str(cid))
    run.noted.add(folder)
    if run.dry_run:
        summary.notes.append(f"The folder {folder} of '{name}' does not exist; sorting would create it.")
        return
    journaled_mkdir(run.catalog, run.id, folder, cid)
    summary.notes.append(f"Created the missing folder {folder} of '{name}'.")


def _copy(run: SortRun, scored: Scored, cid: int, dest: Path) -> Path:
    record = scored.record
    if cid in run.face_modes:  # its copies are new JPEGs with faces obscured
        return _derive_obscured(run, scored, cid, dest, run.face_modes[cid])
    return journaled_copy(run.catalog, run.id, scored.path, dest, record.content_hash, record.size,
                          mtime=record.mtime, photo_id=record.id, category_id=cid)


def _remove_original(run: SortRun, record: PhotoRecord, copy: Path) -> None:
    """--move: remove the original, only while it and its verified copy hold the same bytes."""
    journaled_remove(run.catalog, run.id, record.path, copy, record.content_hash, record.size, record.id)


def _derive_obscured(run: SortRun, scored: Scored, cid: int, dest: Path, mode: str) -> Path:
    """A category that shares photos: its copy has every face blurred or pixelated (a new
    JPEG, journaled as derived from the original, which is only read)."""
    from photosort.faces import obscured_photo

    try:
        data = obscured_photo(scored.path, mode)
    except ImageError as exc:
        raise files.CopyError(exc.reason) from exc
    if dest.suffix.lower() not in (".jpg", ".jpeg"):
        dest = dest.with_name(dest.name + ".jpg")
    return journaled_derive(run.catalog, run.id, scored.path, dest, data, photo_id=scored.record.id,
                            category_id=cid)
