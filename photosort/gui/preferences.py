"""What the window remembers between runs.

What a person chose (the last library, the camera roll, the watch folder, the backbone) lives
in the readable settings file, ``config.Settings``, which the command line reads too: both
open the same library by default and offer the same folders. QSettings (organisation and
application "photosort") keeps only the window's own geometry and layout.
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
_OLD_QSETTINGS_KEYS = {"library": "library", **_SETTINGS_FIELDS}  # before settings.json held them


class Preferences:
    def __init__(self) -> None:
        self._qsettings = QSettings(ORGANISATION, APPLICATION)
        self._adopt_old_keys()

    def library(self) -> Path:
        return Settings.load().library_dir()

    def set_library(self, path: Path) -> None:
        settings = Settings.load()
        settings.library = str(path)
        settings.recent_libraries = [str(path)] + [p for p in settings.recent_libraries if p != str(path)][:9]
        settings.save()

    def folder(self, key: str) -> str:
        return getattr(Settings.load(), _SETTINGS_FIELDS[key])

    def set_folder(self, key: str, folder: str) -> None:
        settings = Settings.load()
        setattr(settings, _SETTINGS_FIELDS[key], folder)
        settings.save()

    def watching(self) -> bool:
        """Whether a watch was on when photosort last closed (the window offers to resume it)."""
        return bool(Settings.load().watching)

    def set_watching(self, on: bool) -> None:
        settings = Settings.load()
        if settings.watching != on:
            settings.watching = on
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

    def _adopt_old_keys(self) -> None:
        """Earlier versions kept the library and folders in QSettings: move them to the settings
        file once (where it says nothing yet), so an upgrade forgets nothing."""
        old = {key: self._qsettings.value(key, "", type=str) for key in _OLD_QSETTINGS_KEYS}
        if not any(old.values()):
            return
        settings = Settings.load()
        for key, value in old.items():
            if value and not getattr(settings, _OLD_QSETTINGS_KEYS[key]):
                setattr(settings, _OLD_QSETTINGS_KEYS[key], value)
        settings.save()
        for key in old:
            self._qsettings.remove(key)
        self._qsettings.sync()
