"""Watch a folder (a phone's DCIM, a memory card) and sort each photo that arrives, once it is
completely written.

A watchdog observer notes arrivals (new files, renames and moves into the folder, whole folders
moved in); one worker thread polls them and sorts, in batches through the same path as
``photosort sort``, every photo whose size and modification time have stood still for
``settle_seconds`` (or that the platform reports closed after writing). On start, and whenever
the folder comes back after disappearing, what arrived while nobody watched is caught up.
Plain Python: callbacks come from the watcher's own threads (never the caller's); the GUI
re-emits them as Qt signals.
"""

from __future__ import annotations

import logging
import os
import stat
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from watchdog.events import (
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
    FileClosedEvent,
    FileCreatedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer

from photosort import images
from photosort.catalog import Catalog
from photosort.errors import Cancelled, ImageError, PhotosortError
from photosort.predictor import Sorter
from photosort.sorting import Placement, SortRun, SortSummary, recover, sort_paths
from photosort.sorting.journal import LibraryBusy, library_lock, sort_rules
from photosort.sorting.states import DONE, FAILED

log = logging.getLogger(__name__)

# What counts as an arrival; opens and reads (ours included) are not even delivered.
_EVENTS = [
    FileCreatedEvent, FileModifiedEvent, FileMovedEvent, FileClosedEvent,
    DirCreatedEvent, DirMovedEvent, DirDeletedEvent,
]


@dataclass
class _Arrival:
    size: int = -1
    mtime_ns: int = -1
    stable_since: float = 0.0
    closed: bool = False  # the writer closed it (close-write), so it is complete


class FolderWatcher:
    """Sorts photos arriving in ``folder`` until stop(). start() raises NoModelError at once
    if there is no trained sorter; everything after that is reported, never raised:
    ``on_sorted(placement)`` per sorted photo, ``on_error(path, reason)`` per photo skipped,
    and ``on_stopped(reason)`` once when the worker ends: reason None after stop(), else one
    line saying why the watch died (``stopped_because`` keeps it)."""

    def __init__(
        self,
        catalog: Catalog,
        folder: str | Path,
        on_sorted: Callable[[Placement], None] | None = None,
        on_error: Callable[[Path, str], None] | None = None,
        on_stopped: Callable[[str | None], None] | None = None,
        settle_seconds: float = 1.0,
        batch_size: int = 32,
        poll_seconds: float = 0.25,
    ):
        self.catalog = catalog
        self.folder = Path(folder).expanduser().absolute()
        self.on_sorted = on_sorted
        self.on_error = on_error
        self.on_stopped = on_stopped
        self.stopped_because: str | None = None  # why the worker died by itself (None: stopped, or running)
        self.settle_seconds = settle_seconds
        self.batch_size = batch_size
        self.poll_seconds = poll_seconds
        self.totals = SortSummary()  # counts over the whole session (batches = model calls)
        self._pending: dict[Path, _Arrival] = {}
        self._pending_lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._observer: Observer | None = None
        self._watched: tuple[int, int] | None = None  # identity of the folder being observed
        self._lost = False  # the observed folder was deleted
        self._watch_problem = ""
        self._sorter: Sorter | None = None
        self._run: SortRun | None = None
        self._run_summary = SortSummary()

    # -- control ---------------------------------------------------------------------------

    def start(self) -> None:
        """Load the sorter, finish any interrupted sort, then watch (and catch up) in a worker."""
        if self._thread is not None:
            raise RuntimeError("this watcher was already started")
        self._sorter = Sorter.load(self.catalog)
        with library_lock(self.catalog, wait=30):
            for note in recover(self.catalog):
                log.warning(note)
        self._run = SortRun(self.catalog, self._sorter, self.folder, kind="watch")
        self._thread = threading.Thread(target=self._work, name="photosort-watcher", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Ask the worker to stop; it finishes the photo it is copying, then exits."""
        self._stop.set()

    def should_stop(self) -> bool:
        return self._stop.is_set()

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the worker; True once it has exited."""
        if self._thread is None:
            return True
        self._thread.join(timeout)
        return not self._thread.is_alive()

    # -- the worker ------------------------------------------------------------------------

    def _work(self) -> None:
        reason: str | None = None
        try:
            while not self._stop.is_set():
                self._keep_watching()
                ready = self._settled()
                if ready:
                    self._sort(ready)
                self._stop.wait(self.poll_seconds)
        except Cancelled:
            pass
        except Exception as exc:  # the watch cannot go on (its catalog is gone, ...): say so
            log.exception("the watcher stopped")
            reason = _one_line(exc)
        finally:
            self._stop_observer()
            try:
                self._run.finish(FAILED if reason else DONE, self._run_summary)
            except Exception as exc:
                log.exception("could not record the end of the watch")
                reason = reason or _one_line(exc)
            self.stopped_because = reason
            if self.on_stopped is not None:
                _call_safely(self.on_stopped, reason)

    def _sort(self, paths: list[Path]) -> None:
        """Sort one poll's settled photos; a failing batch is reported, and the watch goes on."""
        try:
            with library_lock(self.catalog, wait=self.poll_seconds):  # a sort or undo at work: next poll
                summary = sort_paths(self.catalog, self._sorter, paths, self._current_run(),
                                     should_stop=self.should_stop, batch_size=self.batch_size,
                                     on_placed=self._placed)
        except Cancelled:
            raise
        except LibraryBusy:
            for path in paths:
                self.arrived(path, closed=True)
            return
        except Exception as exc:  # e.g. the model file went missing: say so and keep watching
            log.exception("sorting %d new photos failed", len(paths))
            why = _one_line(exc)
            for path in paths:
                self._report_error(path, why)
            return
        for path, why in summary.skipped + summary.errors:
            self._report_error(path, why)
        for note in summary.notes:
            log.warning(note)
        summary.placements.clear()  # already reported; a long watch must not hoard them
        self._run_summary.merge(summary)
        self.totals.merge(summary)

    def _current_run(self) -> SortRun:
        """The run new photos go into: a new model, thresholds or folders start a new one."""
        current = self.catalog.current_model()
        if current is None or current.id != self._sorter.version.id:
            self._sorter = Sorter.load(self.catalog)
        if sort_rules(self.catalog, self._sorter) != self._run.rules:
            self._run.finish(DONE, self._run_summary)
            self._run_summary = SortSummary()
            self._run = SortRun(self.catalog, self._sorter, self.folder, kind="watch")
        return self._run

    def _placed(self, placement: Placement) -> None:
        if self.on_sorted is not None:
            _call_safely(self.on_sorted, placement)

    def _report_error(self, path: Path, why: str) -> None:
        log.warning("%s: %s", path, why)
        if self.on_error is not None:
            _call_safely(self.on_error, path, why)

    # -- observing -------------------------------------------------------------------------

    def _keep_watching(self) -> None:
        """(Re)start the observer when the folder appears or comes back, then catch up."""
        identity = _identity(self.folder)
        alive = identity is None or (self._observer is not None and self._observer.is_alive())
        if identity == self._watched and not self._lost and alive:
            return
        self._stop_observer()
        self._watched, self._lost = identity, False
        if identity is None:
            return  # gone (a card pulled out): poll until it is back
        try:
            observer = Observer()
            observer.schedule(_Arrivals(self), str(self.folder), recursive=True, event_filter=_EVENTS)
            observer.start()
        except OSError as exc:  # e.g. the system's limit of inotify watches
            self._watched = None  # try again next poll
            self._report_watch_problem(f"cannot watch this folder: {exc.strerror or exc}")
            return
        self._observer = observer
        self._watch_problem = ""
        self.enqueue_tree(self.folder)  # whatever arrived while nobody watched

    def _report_watch_problem(self, why: str) -> None:
        if why != self._watch_problem:  # once, not every poll
            self._watch_problem = why
            self._report_error(self.folder, why)

    def _stop_observer(self) -> None:
        if self._observer is not None:
            self._observer.stop()
            self._observer.join(timeout=5)
            self._observer = None

    def enqueue_tree(self, folder: Path) -> None:
        """Queue every photo under folder (a catch-up, a folder moved in)."""
        try:
            for path in images.iter_photos(folder, exclude=self._excluded()):
                self.arrived(path)
        except ImageError as exc:
            self._report_error(folder, exc.reason)

    def arrived(self, path: Path, closed: bool = False) -> None:
        """Note a file that appeared or changed (closed: its writer has finished)."""
        if not self._wanted(path):
            return
        with self._pending_lock:
            self._pending.setdefault(path, _Arrival()).closed = closed

    def folder_deleted(self) -> None:
        self._lost = True

    def _wanted(self, path: Path) -> bool:
        if not images.is_photo_path(path) or not path.is_relative_to(self.folder):
            return False
        if any(part.startswith(".") for part in path.relative_to(self.folder).parts):
            return False
        return not any(path.is_relative_to(folder) for folder in self._excluded())

    def _excluded(self) -> list[Path]:
        """Category folders inside the watched one (our own copies land there)."""
        return [f for f in self._run.folders.values() if f != self.folder and f.is_relative_to(self.folder)]

    def _settled(self) -> list[Path]:
        """Take the photos that are completely written: closed by their writer, or unchanged
        in size and modification time for settle_seconds. Vanished ones are dropped."""
        now = time.monotonic()
        ready = []
        with self._pending_lock:
            for path, arrival in list(self._pending.items()):
                try:
                    st = os.stat(path)
                except OSError:
                    if os.path.islink(path):  # a broken link: let the sort report it
                        ready.append(path)
                    del self._pending[path]
                    continue
                if (st.st_size, st.st_mtime_ns) != (arrival.size, arrival.mtime_ns):
                    arrival.size, arrival.mtime_ns, arrival.stable_since = st.st_size, st.st_mtime_ns, now
                if arrival.closed or now - arrival.stable_since >= self.settle_seconds:
                    ready.append(path)
                    del self._pending[path]
        return sorted(ready)


class _Arrivals(FileSystemEventHandler):
    """Turns watchdog's events (on its own thread) into arrivals; deletions are ignored."""

    def __init__(self, watcher: FolderWatcher):
        self.watcher = watcher

    def on_created(self, event: FileSystemEvent) -> None:
        self._arrived(Path(os.fsdecode(event.src_path)), event.is_directory)

    def on_moved(self, event: FileSystemEvent) -> None:
        self._arrived(Path(os.fsdecode(event.dest_path)), event.is_directory)

    def on_modified(self, event: FileSystemEvent) -> None:
        if not event.is_directory:
            self.watcher.arrived(Path(os.fsdecode(event.src_path)))

    def on_closed(self, event: FileSystemEvent) -> None:
        self.watcher.arrived(Path(os.fsdecode(event.src_path)), closed=True)

    def on_deleted(self, event: FileSystemEvent) -> None:
        if Path(os.fsdecode(event.src_path)) == self.watcher.folder:
            self.watcher.folder_deleted()

    def _arrived(self, path: Path, is_directory: bool) -> None:
        if is_directory:  # files written before its own watch began are seen this way
            self.watcher.enqueue_tree(path)
        else:
            self.watcher.arrived(path)


def _identity(folder: Path) -> tuple[int, int] | None:
    """(device, inode) of the folder, or None while it is not there."""
    try:
        st = folder.stat()
    except OSError:
        return None
    return (st.st_dev, st.st_ino) if stat.S_ISDIR(st.st_mode) else None


def _one_line(exc: BaseException) -> str:
    return str(exc) if isinstance(exc, PhotosortError) else f"unexpected error: {exc!r}"


def _call_safely(callback: Callable, *args) -> None:
    """A front end's callback that raises must not stop the watch."""
    try:
        callback(*args)
    except Exception:
        log.exception("a watcher callback failed")
