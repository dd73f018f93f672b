"""A row of the photos whose scores are nearest a category's threshold: the borderline
calls that moving the slider changes.

Highest score on the left; a line marks the threshold between the photos that go to the
folder (✓) and those that stay out (✗), and the strip keeps that line in the middle of its
view as the slider moves, so the most borderline photos are the ones in sight, and the
scrollbar, which scrolls by pixels, moves with the content.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPointF, QSize, Qt
from PySide6.QtGui import QIcon, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QAbstractItemView, QListView, QListWidget, QListWidgetItem

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
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.boundary = 0  # items before this row reach the threshold
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
        self.boundary = sum(1 for _, score in nearest if score >= threshold)
        self.center_on_threshold()

    def boundary_x(self) -> float | None:
        """The threshold line's x in the viewport: between the last ✓ and the first ✗."""
        if self.count() == 0:
            return None
        if self.boundary == 0:
            return float(self.visualItemRect(self.item(0)).left())
        left = self.visualItemRect(self.item(self.boundary - 1))
        if self.boundary >= self.count():
            return float(left.right())
        return (left.right() + self.visualItemRect(self.item(self.boundary)).left()) / 2

    def center_on_threshold(self) -> None:
        """Scroll so the threshold line is in the middle of the view."""
        self.doItemsLayout()  # item positions now, not at the next paint
        x = self.boundary_x()
        if x is not None:
            bar = self.horizontalScrollBar()
            bar.setValue(round(bar.value() + x - self.viewport().width() / 2))

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        x = self.boundary_x()
        if x is None:
            return
        painter = QPainter(self.viewport())
        pen = QPen(self.palette().color(QPalette.ColorRole.Highlight), 2, Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.drawLine(QPointF(x, 2), QPointF(x, self.viewport().height() - 2))
        painter.end()

    def _on_thumbnail(self, path: str, size: int, icon: QIcon) -> None:
        if size == THUMB:
            for row in range(self.count()):
                if self.item(row).data(PATH_ROLE) == path:
                    self.item(row).setIcon(icon)
