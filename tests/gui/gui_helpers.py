"""Helpers for the window's tests: opening a library, real photos, real file drops."""

from __future__ import annotations

import shutil
from pathlib import Path

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QWidget

from photosort.gui.main_window import MainWindow

LOAD_TIMEOUT_MS = 30_000


def open_library(qtbot, win: MainWindow, library: Path) -> None:
    with qtbot.waitSignal(win.library.opened, timeout=LOAD_TIMEOUT_MS):
        win.library.open(library)


def photos(datasets_dir: Path, category: str, start: int, stop: int) -> list[Path]:
    """A stable slice of one scenes category (sorted by name)."""
    return sorted((datasets_dir / "scenes" / category).glob("*.jpg"))[start:stop]


def copy_photos(paths: list[Path], folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return [Path(shutil.copy2(p, folder / p.name)) for p in paths]


def drop_files(target: QWidget, paths: list[Path], pos: QPoint | None = None) -> bool:
    """Drag file URLs over ``target`` and drop them, as a file manager does; True if accepted.

    Item views get drag events on their viewport, so pass ``view.viewport()``."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    point = pos or target.rect().center()
    buttons, keys = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(point, Qt.DropAction.CopyAction, mime, buttons, keys)
    QApplication.sendEvent(target, enter)
    if not enter.isAccepted():
        return False
    QApplication.sendEvent(target, QDragMoveEvent(point, Qt.DropAction.CopyAction, mime, buttons, keys))
    drop = QDropEvent(QPointF(point), Qt.DropAction.CopyAction, mime, buttons, keys)
    QApplication.sendEvent(target, drop)
    return drop.isAccepted()
