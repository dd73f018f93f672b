"""Runs, their rules and their journal: telling a live run from a crashed one, and finishing
what a crashed one left half done.

Every file operation is written to the catalog's journal (pending) before it starts and marked
done (or failed) after. A run holds a lock file while it works; the operating system drops
that lock when the process dies, however it dies, so a later process knows which pending
operations belong to nobody and may be completed.
"""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from filelock import FileLock, Timeout

from photosort.catalog import Catalog, FileOpRecord, RunRecord
from photosort.errors import PhotosortError
from photosort.sorting import files
from photosort.sorting.copying import journaled_copy
from photosort.sorting.states import (
    COPY, DERIVE, DONE, DRY_RUN, FAILED, INTERRUPTED, MKDIR, PENDING, PLACEHOLDER, REMOVE, RESTORE, RUN_KINDS,
    RUNNING, SORT_KINDS, UNDOING, UNDONE,
)

log = logging.getLogger(__name__)


class RunLock:
    """A lock file in the library, held for as long as this process works on a run. The
    operating system's own lock (filelock: flock on Linux and macOS, LockFileEx on Windows), so
    it is dropped when the process dies however it dies, and a live run is never taken for a
    crashed one on any platform."""

    def __init__(self, catalog: Catalog, token: str | None = None):
        self.token = token or uuid.uuid4().hex
        self.path = catalog.library_dir / "locks" / f"{self.token}.lock"
        self._lock: FileLock | None = None

    def acquire(self) -> bool:
        """Take the lock without waiting; False if a live process holds it."""
        self.path.parent.mkdir(exist_ok=True)
        lock = FileLock(self.path, is_singleton=False, fallback_to_soft=False)
        try:
            lock.acquire(blocking=False)
        except Timeout:
            return False
        self._lock = lock
        return True

    def release(self) -> None:
        if self._lock is None:
            return
        self.path.unlink(missing_ok=True)
        self._lock.release()
        self._lock = None


class LibraryBusy(PhotosortError):
    """Another process (or thread) is changing files of this library and did not finish in time."""


WAITING = "Another photosort run is changing files of this library; waiting for it to finish..."


@contextmanager
def library_lock(catalog: Catalog, wait: float | None = None,
                 on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
    """Held while this process changes files for the library (a sort, an undo, a correction,
    a watcher's batch), so two of them never decide about the same photo at once: a second
    one waits (``on_wait`` hears why, once) or, after ``wait`` seconds, is refused with one
    clear line. None waits for as long as it takes."""
    path = catalog.library_dir / "locks" / "library.lock"
    path.parent.mkdir(exist_ok=True)
    lock = FileLock(path, is_singleton=False, fallback_to_soft=False)
    try:
        lock.acquire(blocking=False)
    except Timeout:
        if on_wait is not None:
            on_wait(WAITING)
        try:
            lock.acquire(timeout=-1 if wait is None else wait, poll_interval=0.1)
        except Timeout:
            raise LibraryBusy("Another photosort run is still changing files of this library; "
                                 "try again when it has finished.") from None
    try:
        yield
    finally:
        lock.release()


def run_lock(catalog: Catalog, run: RunRecord) -> RunLock:
    return RunLock(catalog, run.options.get("lock"))


RULES_BY_ID = "category_id"  # rules["keyed_by"]: thresholds and folders keyed by category id


def sort_rules(catalog: Catalog, sorter) -> dict:
    """What a sort decides by: model version, and each category's threshold and folder, keyed
    by category id (as text: the rules are stored as JSON), so a rename changes no rule. A
    photo sorted under the same rules is not sorted again; new rules sort it again."""
    thresholds = sorter.thresholds(catalog)
    folders = {c.id: str(c.folder) for c in catalog.categories()}
    ids = [cid for cid in sorter.category_ids if cid in folders]
    return {
        "model_version": sorter.version.id,
        "keyed_by": RULES_BY_ID,
        "thresholds": {str(cid): float(thresholds[cid]) for cid in ids},
        "folders": {str(cid): folders[cid] for cid in ids},
    }


def runs_with_rules(catalog: Catalog, rules: dict, move: bool) -> list[int]:
    """Runs whose decisions still stand under these rules (a --move sort needs --move ones)."""
    ids_by_name = {c.name: str(c.id) for c in catalog.categories()}
    return [
        run.id
        for run in catalog.runs()
        if run.kind in SORT_KINDS
        and run.status not in (UNDONE, DRY_RUN)
        and all(_by_id(run.options, ids_by_name).get(key) == value for key, value in rules.items())
        and (run.options.get("move", False) or not move)
    ]


def _by_id(options: dict, ids_by_name: dict[str, str]) -> dict:
    """A run's rules keyed by category id; a run made before ids keyed them by the names of
    the day, read here as the categories bearing those names now."""
    if options.get("keyed_by") == RULES_BY_ID:
        return options

    def keyed(rule) -> dict | None:
        if not isinstance(rule, dict) or any(name not in ids_by_name for name in rule):
            return None  # a category gone since: those rules no longer hold
        return {ids_by_name[name]: value for name, value in rule.items()}

    return {**options, "keyed_by": RULES_BY_ID,
            "thresholds": keyed(options.get("thresholds")), "folders": keyed(options.get("folders"))}


def recover(catalog: Catalog) -> list[str]:
    """Finish what crashed runs left half done: remove their temporary files, complete the
    operations that got far enough, redo the copies that did not, and clean leftover
    temporary files out of the category folders. Live runs (another window, a watcher) are
    left alone. Returns one note per crashed run."""
    pending: dict[int, list[FileOpRecord]] = {}
    for op in catalog.file_ops(state=PENDING):
        pending.setdefault(op.run_id, []).append(op)
    any_live = False
    notes = []
    for run in catalog.runs():
        if run.kind not in RUN_KINDS or (run.status not in (RUNNING, UNDOING) and run.id not in pending):
            continue
        lock = run_lock(catalog, run)
        if not lock.acquire():
            any_live = True
            continue
        try:
            for op in pending.get(run.id, []):
                try:
                    _finish(catalog, op)
                except (OSError, files.CopyError) as exc:  # e.g. its folder is now read-only
                    catalog.update_file_op(op.id, state=FAILED, error=files.reason(exc))
            if run.status in (RUNNING, UNDOING):
                catalog.finish_run(run.id, INTERRUPTED)
                notes.append(_interrupted_note(run))
        finally:
            lock.release()
    if not any_live:  # a live run's temporary file may be mid-write: sweep another time
        _sweep_temps(catalog)
    return notes


def _interrupted_note(run: RunRecord) -> str:
    if run.status == UNDOING:
        return f"Undoing run {run.id} was interrupted; run 'photosort undo {run.id}' again to finish it."
    return f"Run {run.id} was interrupted; its unfinished copies were completed."


def _finish(catalog: Catalog, op: FileOpRecord) -> None:
    """Complete or redo one operation a crashed run left pending."""
    if op.tmp:
        op.tmp.unlink(missing_ok=True)
    if op.error == PLACEHOLDER and op.dest and files.is_placeholder(op.dest, op.size):
        op.dest.unlink()  # the name it reserved, still empty: ours (files.publish), never a photo
    if op.op in (COPY, DERIVE, RESTORE) and op.dest and files.has_content(op.dest, op.content_hash, op.size):
        catalog.update_file_op(op.id, state=DONE)  # it was renamed into place just before the crash
    elif op.op == COPY:
        catalog.update_file_op(op.id, state=FAILED, error="interrupted; copied again")
        _copy_again(catalog, op)
    elif op.op == DERIVE:  # made from the original: not redone here; the photo is sorted again next time
        catalog.update_file_op(op.id, state=FAILED, error="interrupted")
    elif op.op == REMOVE:
        _remove_again(catalog, op)
    elif op.op == MKDIR:
        catalog.update_file_op(op.id, state=DONE if op.dest and op.dest.is_dir() else FAILED)
    else:  # a restore: the next undo of this run puts the original back
        catalog.update_file_op(op.id, state=FAILED, error="interrupted")


def _copy_again(catalog: Catalog, op: FileOpRecord) -> None:
    """Redo an interrupted copy into the same folder, unless those bytes are already there."""
    if not files.has_content(op.src, op.content_hash, op.size):
        log.warning("not redoing the copy of %s: it changed or is gone", op.src)
        return
    dest, present = files.pick_name(op.dest.parent, op.src.name, op.content_hash, op.size)
    if present:
        return
    try:
        journaled_copy(catalog, op.run_id, op.src, dest, op.content_hash, op.size,
                       photo_id=op.photo_id, category_id=op.category_id)
    except (OSError, files.CopyError) as exc:  # journaled as failed: the run's note stands
        log.warning("could not copy %s again: %s", op.src, files.reason(exc))


def _remove_again(catalog: Catalog, op: FileOpRecord) -> None:
    """A --move's removal of an original: finish it only if the verified copy is still there."""
    if not os.path.lexists(op.src):
        catalog.update_file_op(op.id, state=DONE)
    elif op.dest and files.has_content(op.dest, op.content_hash, op.size) and files.has_content(
        op.src, op.content_hash, op.size
    ):
        files.remove_file(op.src)
        catalog.update_file_op(op.id, state=DONE)
    else:
        catalog.update_file_op(op.id, state=FAILED, error="original kept: its copy could not be verified")


def _sweep_temps(catalog: Catalog) -> None:
    """Temporary files nobody will finish (e.g. a journal entry lost to a power cut)."""
    for category in catalog.categories():
        for tmp in files.leftover_temps(category.folder):
            tmp.unlink(missing_ok=True)
