"""Long work off the GUI thread, reported through Qt signals.

A task is a plain function ``task(on_progress, should_stop) -> result`` over the core (see
``tasks.py``). :class:`Worker` runs it in a ``QThread`` and turns the core's callables into
signals: ``progress(Progress)``, ``finished(result)``, ``failed(message)``, ``cancelled()``,
then ``ended()`` in every case. ``should_stop`` reads a thread-safe flag that :meth:`cancel`
sets. The Worker object itself lives in the GUI thread, so every slot connected to it — bound
method or lambda — runs in the GUI thread; widgets are never touched from the task's thread.

:class:`WatchBridge` does the same for callbacks the folder watcher calls from its own thread.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal

from photosort.errors import Cancelled, PhotosortError
from photosort.progress import Progress, ProgressFn, StopFn

log = logging.getLogger(__name__)

Task = Callable[[ProgressFn, StopFn], Any]

PROGRESS_INTERVAL_S = 0.05  # at most ~20 progress signals a second: the GUI thread stays free

_running: set[Worker] = set()  # keeps running workers alive until their thread ends


class _TaskThread(QThread):
    def __init__(self, worker: Worker):
        super().__init__()
        self._worker = worker

    def run(self) -> None:
        self._worker._run()


class Worker(QObject):
    progress = Signal(object)  # photosort.progress.Progress
    finished = Signal(object)  # the task's result
    failed = Signal(str)  # a message for the person, never a traceback
    cancelled = Signal()
    ended = Signal()  # after finished, failed or cancelled, once the thread is done

    def __init__(self, task: Task, name: str = "task"):
        super().__init__()
        self.name = name
        self._task = task
        self._stop = threading.Event()
        self._last_emit = 0.0
        self._last_stage = ""
        self._thread = _TaskThread(self)
        self._thread.setObjectName(f"photosort-{name}")
        self._thread.finished.connect(self._on_thread_finished)

    def start(self) -> Worker:
        _running.add(self)
        self._thread.start()
        return self

    def cancel(self) -> None:
        """Ask the task to stop; it raises Cancelled at its next should_stop() poll."""
        self._stop.set()

    def wait(self, timeout_ms: int) -> bool:
        return self._thread.wait(timeout_ms)

    def _should_stop(self) -> bool:
        return self._stop.is_set()

    def _report(self, progress: Progress) -> None:
        """on_progress for the core, called in the task's thread. Throttled, except stage
        changes, the last step, and training epochs (each one is a point of the loss plot)."""
        now = time.monotonic()
        keep = (
            progress.stage != self._last_stage
            or (progress.total is not None and progress.done >= progress.total)
            or "loss" in progress.metrics
            or now - self._last_emit >= PROGRESS_INTERVAL_S
        )
        if keep:
            self._last_emit = now
            self._last_stage = progress.stage
            self.progress.emit(progress)

    def _run(self) -> None:
        try:
            result = self._task(self._report, self._should_stop)
        except Cancelled:
            self.cancelled.emit()
        except (PhotosortError, MemoryError) as exc:
            self.failed.emit(message_for(exc))
        except Exception as exc:  # a bug must reach the person as a message, not kill the app
            log.exception("%s failed", self.name)
            self.failed.emit(message_for(exc))
        else:
            self.finished.emit(result)

    def _on_thread_finished(self) -> None:
        _running.discard(self)
        self.ended.emit()


def message_for(exc: BaseException) -> str:
    """What the person reads about a failure: a PhotosortError's own line (a busy or damaged
    catalog is a CatalogError), else a short note; the traceback goes to the log only."""
    if isinstance(exc, PhotosortError):
        return str(exc)
    if isinstance(exc, MemoryError):
        return "photosort ran out of memory; close other programs and try again."
    return f"Something went wrong ({type(exc).__name__}: {exc})."


def guard_slots(report: Callable[[str], None]) -> None:
    """Route any exception escaping a slot run on the GUI thread (e.g. a quick catalog call
    when a sort holds the library past the busy timeout) to ``report(message)`` instead of a
    traceback on stderr. PySide6 hands such exceptions to ``sys.excepthook``."""

    def hook(kind, exc, tb) -> None:
        if not isinstance(exc, PhotosortError):
            log.error("unexpected error in the window", exc_info=(kind, exc, tb))
        if isinstance(exc, KeyboardInterrupt):
            sys.__excepthook__(kind, exc, tb)
            return
        report(message_for(exc))

    sys.excepthook = hook


def running_workers() -> list[Worker]:
    return list(_running)


def stop_all(timeout_ms: int = 5000) -> None:
    """Cancel every running task and wait for it, e.g. when the window closes."""
    workers = running_workers()
    for worker in workers:
        worker.cancel()
    deadline = time.monotonic() + timeout_ms / 1000
    for worker in workers:
        worker.wait(max(0, int((deadline - time.monotonic()) * 1000)))


class WatchBridge(QObject):
    """Callbacks for the folder watcher's thread that re-emit as signals in the GUI thread."""

    sorted = Signal(object)  # photosort.sorting.Placement
    error = Signal(str, str)  # (path, reason)
    died = Signal(str)  # why the watcher stopped by itself

    def on_stopped(self, reason: str | None) -> None:
        if reason is not None:  # None: stopped on purpose
            self.died.emit(reason)

    def on_sorted(self, placement: object) -> None:
        self.sorted.emit(placement)

    def on_error(self, path: object, reason: str) -> None:
        self.error.emit(str(path), reason)
