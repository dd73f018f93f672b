"""Start photosort's window the way ``photosort gui`` does and report when it first appears.

Run by startup.py in a fresh process (offscreen Qt). Before photosort.gui.app is imported,
QApplication is replaced by a subclass that watches every event: at the first Expose of a
top-level window (the platform has mapped it and asks it to paint) it prints one JSON line —
seconds since PHOTOSORT_BENCH_LAUNCHED (the launcher's time.time() just before starting this
process), the process's CPU time so far, and whether TensorFlow was imported by then — and
ends the process at once.

    QT_QPA_PLATFORM=offscreen PHOTOSORT_BENCH_LAUNCHED=$(date +%s.%N) python bench/gui_first_window.py
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time

LAUNCHED = float(os.environ.get("PHOTOSORT_BENCH_LAUNCHED") or time.time())

import common  # noqa: E402,F401 - after the clock is read; puts the checkout on sys.path


def _report(**fields) -> None:
    print(json.dumps(fields), flush=True)
    os._exit(0)  # now: don't wait for the app's worker threads (e.g. TensorFlow loading)


def _watch_for_first_window() -> None:
    from PySide6 import QtWidgets
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtGui import QWindow

    class FirstWindow(QObject):
        def eventFilter(self, watched, event):  # noqa: N802 - Qt's name
            # Expose goes to the QWindow behind each top-level widget once it is on screen
            if event.type() == QEvent.Type.Expose and isinstance(watched, QWindow) and watched.isExposed():
                usage = resource.getrusage(resource.RUSAGE_SELF)
                _report(
                    shown_s=time.time() - LAUNCHED,
                    cpu_s=usage.ru_utime + usage.ru_stime,  # all threads, since this process began
                    window=watched.title() or watched.objectName(),
                    tensorflow_loaded="tensorflow" in sys.modules,
                )
            return False

    class WatchedApplication(QtWidgets.QApplication):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._first_window = FirstWindow()
            self.installEventFilter(self._first_window)  # an app filter sees every object's events

    QtWidgets.QApplication = WatchedApplication


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Time photosort's first window (prints JSON; used by startup.py).")
    parser.add_argument("--library", help="library folder passed to the app")
    parser.add_argument("--timeout", type=float, default=60.0, help="give up after this many seconds")
    args = parser.parse_args(argv)
    _watch_for_first_window()
    try:
        from photosort.gui import app
    except ImportError as exc:
        _report(error=f"photosort.gui.app cannot be imported ({exc})")
    import threading

    threading.Timer(args.timeout, lambda: _report(error=f"no window within {args.timeout:.0f} s")).start()
    app.main(["photosort-gui"] + (["--library", args.library] if args.library else []))
    _report(error="the app returned without showing a window")
    return 1


if __name__ == "__main__":
    sys.exit(main())
