"""What the window remembers between runs.

Window geometry, the last library and the folders picked live in QSettings (organisation and
application "photosort"). The camera roll and watch folder are also written to the user's
``config.Settings`` so the command line offers the same ones; the backbone comes from there.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QMainWindow

from photosort.config import Settings

ORGANISATION = APPLICATION = "photosort"

CAMERA_ROLL = "cameraRoll"
WATCH_FOLDER = "watchFolder"
_SETTINGS_FIELDS = {CAMERA_ROLL: "camera_roll", WATCH_FOLDER: "watch_folder"}


class Preferences:
    def __init__(self) -> None:
        self._qsettings = QSettings(ORGANISATION, APPLICATION)

    def library(self) -> Path:
        stored = self._qsettings.value("library", "", type=str)
        return Path(stored) if stored else Settings.load().library_dir()

    def set_library(self, path: Path) -> None:
        self._qsettings.setValue("library", str(path))
        settings = Settings.load()
        settings.recent_libraries = [str(path)] + [p for p in settings.recent_libraries if p != str(path)][:9]
        settings.save()

    def folder(self, key: str) -> str:
        stored = self._qsettings.value(key, "", type=str)
        if not stored and key in _SETTINGS_FIELDS:
            stored = getattr(Settings.load(), _SETTINGS_FIELDS[key])
        return stored

    def set_folder(self, key: str, folder: str) -> None:
        self._qsettings.setValue(key, folder)
        if key in _SETTINGS_FIELDS:
            settings = Settings.load()
            setattr(settings, _SETTINGS_FIELDS[key], folder)
            settings.save()

    def backbone(self) -> str:
        return Settings.load().backbone

    def restore_window(self, window: QMainWindow) -> bool:
        geometry = self._qsettings.value("window/geometry")
        state = self._qsettings.value("window/state")
        restored = isinstance(geometry, QByteArray) and window.restoreGeometry(geometry)
        if isinstance(state, QByteArray):
            window.restoreState(state)
        return bool(restored)

    def save_window(self, window: QMainWindow) -> None:
        self._qsettings.setValue("window/geometry", window.saveGeometry())
        self._qsettings.setValue("window/state", window.saveState())
        self._qsettings.sync()
