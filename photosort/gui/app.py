"""``photosort gui`` / ``photosort-gui``: start the application and show the window.

Only Qt and photosort's light modules load before the window is shown; the library opens in
a worker right after, and TensorFlow loads when training or sorting first needs it.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication

from photosort.gui import resources, system_libs
from photosort.gui.library import Library
from photosort.gui.main_window import MainWindow
from photosort.gui.preferences import APPLICATION, ORGANISATION, Preferences


def create_window() -> MainWindow:
    """The main window, with no library open yet (``window.library.open(path)`` opens one)."""
    return MainWindow(Library(), Preferences())


def application(argv: list[str]) -> QApplication:
    app = QApplication.instance() or QApplication(argv)
    app.setOrganizationName(ORGANISATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName("photosort")
    app.setDesktopFileName("photosort")  # matches packaging/photosort.desktop
    app.setWindowIcon(resources.app_icon())
    app.setStyleSheet(resources.style_sheet())
    return app


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv if argv is None else argv)
    parser = argparse.ArgumentParser(prog="photosort-gui", description="Open the photosort window.")
    parser.add_argument("--library", type=Path, metavar="DIR", help="library folder (default: the last one used)")
    args, qt_args = parser.parse_known_args(argv[1:])  # the rest may be Qt's own (-style, -platform)
    if system_libs.uses_xcb(qt_args=qt_args):  # before Qt, which would abort with a misleading message
        missing = system_libs.missing_libraries()
        if missing:
            print(system_libs.install_hint(missing), file=sys.stderr)
            return 1
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    app = application(argv[:1] + qt_args)
    window = create_window()
    window.show()
    # opened after the window is up: the catalog's imports take about a second
    window.library.open(args.library.expanduser() if args.library else window.preferences.library())
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
