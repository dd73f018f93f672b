"""Progress reporting and cancellation for long work, as plain callables.

Core functions that take a while accept ``on_progress`` (called with a :class:`Progress`) and
``should_stop`` (polled; True means stop soon and raise :class:`~photosort.errors.Cancelled`).
The CLI turns them into a progress bar, the GUI into Qt signals (``gui/workers.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from photosort.errors import Cancelled


@dataclass(frozen=True)
class Progress:
    stage: str  # short machine name: "reading", "embedding", "training", "sorting", ...
    done: int
    total: int | None = None  # None when unknown
    message: str = ""  # human text for a status line
    metrics: dict[str, float] = field(default_factory=dict)  # e.g. loss, val_loss, photos_per_s

    @property
    def fraction(self) -> float | None:
        if not self.total:
            return None
        return min(1.0, self.done / self.total)


ProgressFn = Callable[[Progress], None]
StopFn = Callable[[], bool]


def no_progress(progress: Progress) -> None:
    """Default on_progress: ignore."""


def never_stop() -> bool:
    """Default should_stop: never."""
    return False


def check_stop(should_stop: StopFn | None) -> None:
    """Raise Cancelled if the caller asked to stop."""
    if should_stop is not None and should_stop():
        raise Cancelled()
