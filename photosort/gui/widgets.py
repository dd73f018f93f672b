"""Small widgets several panels share."""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QDropEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QTableWidget,
    QWidget,
)

_SUFFIXES = ("jpg", "jpeg", "jpe", "png", "webp", "heic", "heif", "tif", "tiff", "bmp")
# both cases: file dialogs match case-sensitively on Linux, and cameras write IMG_0001.JPG
PHOTO_FILTER = "Photos (" + " ".join(f"*.{s} *.{s.upper()}" for s in _SUFFIXES) + ")"


def local_paths(event: QDropEvent) -> list[Path]:
    """The local files and folders a drag carries (file manager drags are file:// URLs)."""
    return [Path(url.toLocalFile()) for url in event.mimeData().urls() if url.isLocalFile()]


def accept_as_copy(event: QDropEvent) -> bool:
    """Accept a drag of files only as a copy (or else a link), never as the move a file manager
    may propose: the action goes back to the drag's source, and a file manager that is told
    "moved" deletes the originals. Refused (False) if the source offers neither."""
    for action in (Qt.DropAction.CopyAction, Qt.DropAction.LinkAction):
        if event.possibleActions() & action:
            event.setDropAction(action)
            event.accept()
            return True
    event.ignore()
    return False


def set_available(widget: QWidget, reason: str, tip: str = "") -> None:
    """Enable a control, or disable it and say why in its tooltip (a grey button with no
    reason is a dead end): ``reason`` empty means available, and the tooltip is ``tip``."""
    widget.setEnabled(not reason)
    widget.setToolTip(reason or tip)


def heading(text: str) -> QLabel:
    label = QLabel(text)
    label.setProperty("role", "heading")
    return label


def hint(text: str) -> QLabel:
    label = QLabel(text)
    label.setProperty("role", "hint")
    label.setWordWrap(True)
    return label


def short_path(folder: str | Path) -> str:
    """A folder as a person reads it: ~ for the home folder."""
    if not folder:
        return ""
    path = Path(folder)
    try:
        return "~/" + str(path.relative_to(Path.home()))
    except ValueError:
        return str(path)


class FolderField(QWidget):
    """"Caption: ~/folder  [Choose…]" — picks a folder with the system dialog."""

    changed = Signal(str)

    def __init__(self, caption: str, dialog_title: str, empty_text: str = "not chosen yet"):
        super().__init__()
        self._dialog_title = dialog_title
        self._empty_text = empty_text
        self.folder = ""
        self._label = QLabel()
        button = QPushButton("Choose…")
        button.clicked.connect(self.choose)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel(caption))
        layout.addWidget(self._label, 1)
        layout.addWidget(button)
        self.set_folder("", emit=False)

    def choose(self) -> None:
        from photosort.gui.file_dialogs import pick_folder  # it imports this module

        folder = pick_folder(self, self._dialog_title, self.folder or str(Path.home()), allow_new=False)
        if folder:
            self.set_folder(folder)

    def set_folder(self, folder: str, emit: bool = True) -> None:
        changed = folder != self.folder
        self.folder = folder
        self._label.setText(f"<b>{html.escape(short_path(folder))}</b>" if folder else f"<i>{self._empty_text}</i>")
        self._label.setToolTip(folder)
        if emit and changed:
            self.changed.emit(folder)


def fit_rows(table: QTableWidget, max_rows: int = 12) -> None:
    """Size a table to its rows (up to max_rows, then it scrolls): no blank area under a
    short table."""
    shown = min(table.rowCount(), max_rows)
    header = table.horizontalHeader().sizeHint().height()
    rows = sum(table.rowHeight(r) for r in range(shown)) or table.verticalHeader().defaultSectionSize()
    table.setFixedHeight(header + rows + 2 * table.frameWidth() + 2)


class HintList(QListWidget):
    """A list that says what will appear in it while it is empty."""

    def __init__(self, empty_text: str = ""):
        super().__init__()
        self.empty_text = empty_text

    def set_empty_text(self, text: str) -> None:
        self.empty_text = text
        self.viewport().update()

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if self.count() == 0 and self.empty_text:
            painter = QPainter(self.viewport())
            painter.setPen(self.palette().placeholderText().color())
            painter.drawText(self.viewport().rect().adjusted(24, 24, -24, -24),
                             Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self.empty_text)
