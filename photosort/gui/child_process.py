"""Run a task in a child process, as a ``workers.Task``: for training.

TensorFlow spends long stretches in C++ calls that hold Python's GIL (converting the backbone
to TFLite, tracing graphs, instantiating functions), up to a second each on a small machine;
in the window's process those would freeze the GUI thread however the work is threaded. In a
child process they cannot. The child also runs at lower CPU priority, so the desktop stays
snappy, and Cancel is certain: if the child does not stop by itself within ``GRACE_S`` of
the request (it polls only between batches), it is terminated, which is safe because the
catalog commits atomically and models are written to a temporary name first.

Qt-free, so the child never loads Qt; ``function`` must be importable (a module-level
function) and its arguments and result picklable.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import time
import traceback
from collections.abc import Callable
from typing import Any

from photosort.errors import Cancelled, PhotosortError
from photosort.progress import ProgressFn, StopFn

GRACE_S = 1.5  # after Cancel, how long the child gets to stop by itself
CHILD_NICENESS = 10
POLL_S = 0.05
_context = multiprocessing.get_context("spawn")  # fork would copy the GUI's threads and Qt state


def in_child(function: Callable[..., Any], *args: Any) -> Callable[[ProgressFn, StopFn], Any]:
    """A task that runs ``function(*args, on_progress, should_stop)`` in a child process and
    relays its progress, result, cancellation and errors as if it ran here."""

    def task(on_progress: ProgressFn, should_stop: StopFn) -> Any:
        receiver, sender = _context.Pipe(duplex=False)
        stop = _context.Event()
        process = _context.Process(target=_child_main, args=(sender, stop, function, args),
                                   name=f"photosort-{function.__name__}", daemon=True)
        process.start()
        sender.close()  # ours is closed, so the pipe reports EOF when the child exits
        try:
            return _relay(process, receiver, stop, on_progress, should_stop)
        finally:
            if process.is_alive():
                process.terminate()
            process.join(5)
            receiver.close()

    return task


def _relay(process, receiver, stop, on_progress: ProgressFn, should_stop: StopFn) -> Any:
    asked_at: float | None = None
    while True:
        if asked_at is None and should_stop():
            stop.set()
            asked_at = time.monotonic()
        if asked_at is not None and time.monotonic() - asked_at > GRACE_S:
            raise Cancelled()  # the caller's finally terminates the child
        if not receiver.poll(POLL_S):
            continue
        try:
            kind, payload = receiver.recv()
        except EOFError:
            raise PhotosortError(
                f"The background process stopped unexpectedly (exit code {process.exitcode}); "
                "see the terminal for details."
            ) from None
        if kind == "progress":
            on_progress(payload)
        elif kind == "result":
            return payload
        elif kind == "cancelled":
            raise Cancelled(payload)
        elif kind == "error":
            raise PhotosortError(payload)
        else:  # "crash": a bug in the child, already logged there with its traceback
            raise RuntimeError(payload)


def _child_main(sender, stop, function: Callable[..., Any], args: tuple) -> None:
    try:
        os.nice(CHILD_NICENESS)
    except (AttributeError, OSError):  # Windows has no nice(); a lower priority is a nicety
        pass
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")
    try:
        result = function(*args, lambda progress: sender.send(("progress", progress)), stop.is_set)
        sender.send(("result", result))
    except Cancelled as exc:
        sender.send(("cancelled", str(exc)))
    except PhotosortError as exc:
        sender.send(("error", str(exc)))
    except BaseException as exc:  # noqa: BLE001 - reported to the parent, which shows it
        traceback.print_exc()
        sender.send(("crash", f"{type(exc).__name__}: {exc}"))
    finally:
        sender.close()
