"""A row of the photos whose scores are nearest a category's threshold: the borderline
calls that moving the slider changes."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QListView, QListWidget, QListWidgetItem

from photosort.gui.thumbnails import shared_loader

THUMB = 84
COUNT = 12
PATH_ROLE = Qt.ItemDataRole.UserRole


class NearestStrip(QListWidget):
    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("nearestStrip")
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setFlow(QListView.Flow.LeftToRight)
        self.setWrapping(False)
        self.setMovement(QListView.Movement.Static)
        self.setIconSize(QSize(THUMB, THUMB))
        self.setGridSize(QSize(THUMB + 16, THUMB + 30))
        self.setFixedHeight(THUMB + 52)
        self.setSelectionMode(QListWidget.SelectionMode.NoSelection)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.loader = shared_loader()
        self.loader.ready.connect(self._on_thumbnail)

    def show_photos(self, candidates: list[tuple[str, float]], threshold: float) -> None:
        nearest = sorted(candidates, key=lambda c: abs(c[1] - threshold))[:COUNT]
        self.clear()
        for path, score in sorted(nearest, key=lambda c: -c[1]):
            goes = score >= threshold
            item = QListWidgetItem(self.loader.icon(path, THUMB), f"{score:.2f} {'✓' if goes else '✗'}")
            item.setData(PATH_ROLE, path)
            item.setToolTip(f"{Path(path).name}: score {score:.3f} — "
                            + ("goes to the folder" if goes else "stays out"))
            self.addItem(item)

    def _on_thumbnail(self, path: str, size: int, icon: QIcon) -> None:
        if size == THUMB:
            for row in range(self.count()):
                if self.item(row).data(PATH_ROLE) == path:
                    self.item(row).setIcon(icon)
