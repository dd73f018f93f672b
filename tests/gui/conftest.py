"""Fixtures for the window's tests: isolated settings and a shown main window.

Qt runs offscreen, or on a real X server (Xvfb via pytest-xvfb) when QT_QPA_PLATFORM=xcb
(tests/conftest.py); ``real_x`` marks a test that only means something on a real one. QSettings and photosort's settings file go to each
test's temporary folder, so tests never see each other's (or a person's) remembered folders.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QSettings

from photosort.gui.app import application, create_window
from photosort.gui.main_window import MainWindow


@pytest.fixture(scope="session", autouse=True)
def _display() -> None:
    """A clear stop, not Qt's abort, when a real X server was asked for and none is there."""
    if os.environ.get("QT_QPA_PLATFORM") == "xcb" and not os.environ.get("DISPLAY"):
        pytest.exit("QT_QPA_PLATFORM=xcb needs an X server: install Xvfb (apt-get install xvfb) "
                    "and pytest-xvfb (pip install -e '.[test]')", returncode=4)


@pytest.fixture
def real_x() -> None:
    """Skip unless the window runs on a real X server (real drags, real window managers)."""
    if os.environ.get("QT_QPA_PLATFORM") != "xcb":
        pytest.skip("needs a real X server: run with QT_QPA_PLATFORM=xcb (Xvfb via pytest-xvfb)")


@pytest.fixture(autouse=True)
def _isolated_settings(tmp_path, monkeypatch) -> None:
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(tmp_path / "qsettings"))
    monkeypatch.setenv("PHOTOSORT_CONFIG_DIR", str(tmp_path / "config"))


@pytest.fixture
def window(qapp, qtbot) -> Iterator[MainWindow]:
    """The main window, shown (offscreen), with no library open yet."""
    application(["pytest"])  # names, icon and style sheet on pytest-qt's QApplication
    win = create_window()
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.close()
