"""Fixtures for the window's tests: isolated settings and a shown main window.

Qt runs offscreen (tests/conftest.py). QSettings and photosort's settings file go to each
test's temporary folder, so tests never see each other's (or a person's) remembered folders.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QSettings

from photosort.gui.app import application, create_window
from photosort.gui.main_window import MainWindow


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
