"""A terminal progress bar fed by the core's on_progress callable."""

from __future__ import annotations

import sys
import time

from photosort.progress import Progress


class ProgressBar:
    """Draws one updating line on a terminal; prints stage changes only when not a TTY."""

    def __init__(self, stream=None, width: int = 30):
        self.stream = stream or sys.stderr
        self.width = width
        self.is_tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self._stage = None
        self._last_draw = 0.0

    def __call__(self, progress: Progress) -> None:
        now = time.monotonic()
        stage_changed = progress.stage != self._stage
        finished = progress.total is not None and progress.done >= progress.total
        if not self.is_tty:
            if stage_changed or finished:
                self.stream.write(f"{progress.stage}: {progress.done}/{progress.total or '?'} {progress.message}\n")
                self.stream.flush()
            self._stage = progress.stage
            return
        if not (stage_changed or finished or now - self._last_draw > 0.1):
            return  # redraw at most ten times a second
        if stage_changed and self._stage is not None:
            self.stream.write("\n")
        self._stage = progress.stage
        self._last_draw = now
        fraction = progress.fraction
        bar = ""
        if fraction is not None:
            filled = int(self.width * fraction)
            bar = "[" + "#" * filled + "-" * (self.width - filled) + f"] {progress.done}/{progress.total} "
        extras = " ".join(f"{k}={v:.3g}" for k, v in progress.metrics.items())
        line = f"\r{progress.stage:<10} {bar}{progress.message[:40]:<40} {extras}"
        self.stream.write(line[:160])
        self.stream.flush()

    def close(self) -> None:
        if self.is_tty and self._stage is not None:
            self.stream.write("\n")
            self.stream.flush()
