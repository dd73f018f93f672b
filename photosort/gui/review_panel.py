"""Review and correct: what each category's folder received, least confident first, with
scores. A wrong photo is removed from the folder and becomes a "not this category" example —
or is moved to the right category as an example there — in one action."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from photosort.gui import tasks
from photosort.gui.library import Library
from photosort.gui.thumbnails import shared_loader
from photosort.gui.widgets import HintList, hint, set_available
from photosort.gui.workers import Worker

if TYPE_CHECKING:
    from photosort.catalog.records import ReceivedCopy

THUMB = 112
ITEM_ROLE = Qt.ItemDataRole.UserRole


class ReviewPanel(QWidget):
    corrected = Signal(str)  # the status line of a finished correction

    def __init__(self, library: Library):
        super().__init__()
        self.library = library
        self.worker: Worker | None = None
        self._stale = True
        self.loader = shared_loader()
        self.loader.ready.connect(self._on_thumbnail)
        self.category = QComboBox()
        self.category.setObjectName("reviewCategory")
        self.category.currentTextChanged.connect(lambda _: self._mark_stale())
        self.count = QLabel()
        self.count.setProperty("role", "hint")
        header = QHBoxLayout()
        header.addWidget(QLabel("What"))
        header.addWidget(self.category)
        header.addWidget(QLabel("received"))
        header.addSpacing(12)
        header.addWidget(self.count, 1)
        self.grid = HintList()
        self.grid.setObjectName("reviewGrid")
        self.grid.setViewMode(QListView.ViewMode.IconMode)
        self.grid.setIconSize(QSize(THUMB, THUMB))
        self.grid.setGridSize(QSize(THUMB + 16, THUMB + 34))
        self.grid.setResizeMode(QListView.ResizeMode.Adjust)
        self.grid.setMovement(QListView.Movement.Static)
        self.grid.setSelectionMode(QListWidget.SelectionMode.ExtendedSelection)
        self.grid.itemSelectionChanged.connect(self._update_buttons)
        self.wrong_button = QPushButton("Wrong — remove from folder")
        self.wrong_button.setObjectName("reviewWrongButton")
        self.wrong_button.clicked.connect(lambda: self.correct_selected(None))
        self.move_button = QPushButton("Belongs in…")
        self.move_button.setObjectName("reviewMoveButton")
        self.move_menu = QMenu(self)
        self.move_button.setMenu(self.move_menu)
        actions = QHBoxLayout()
        actions.addWidget(self.wrong_button)
        actions.addWidget(self.move_button)
        actions.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self.grid, 1)
        layout.addLayout(actions)
        layout.addWidget(hint("Lowest scores first: that is where mistakes hide. Each correction becomes an "
                              "example, so the next training learns from it."))
        library.categoriesChanged.connect(self._fill_categories)
        library.sortsChanged.connect(self._mark_stale)
        library.currentCategoryChanged.connect(self._follow_category)
        library.opened.connect(self._update_buttons)
        self._update_buttons()

    def _fill_categories(self) -> None:
        names = self.library.category_names()
        if names == [self.category.itemText(i) for i in range(self.category.count())]:
            return
        current = self.category.currentText()
        self.category.blockSignals(True)
        self.category.clear()
        self.category.addItems(names)
        self.category.setCurrentText(current if current in names else self.library.current_category)
        self.category.blockSignals(False)
        self.move_menu.clear()
        for name in names:
            self.move_menu.addAction(name, lambda n=name: self.correct_selected(n))
        self._mark_stale()

    def _follow_category(self, name: str) -> None:
        if name and name != self.category.currentText():
            self.category.setCurrentText(name)

    def _mark_stale(self) -> None:
        self._stale = True
        if self.isVisible():
            self.refresh()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self.refresh()

    def refresh(self) -> None:
        name = self.category.currentText()
        if not name or not self.library.is_open() or self.worker is not None:
            return
        self._stale = False
        catalog = self.library.catalog
        self.worker = Worker(lambda progress, stop: tasks.received_photos(catalog, name, progress, stop), name="review")
        self.worker.finished.connect(lambda found: self._show(name, found))
        self.worker.failed.connect(lambda text: self.library.message.emit("error", text))
        self.worker.ended.connect(self._on_ended)
        self.worker.start()
        self._update_buttons()

    def _on_ended(self) -> None:
        self.worker = None
        self._update_buttons()
        if self._stale:
            self.refresh()

    def _show(self, name: str, found: list[ReceivedCopy]) -> None:
        if name != self.category.currentText():
            self._stale = True  # another category was picked meanwhile
            return
        self.grid.clear()
        for received in found:
            score = f"{received.score:.2f}" if received.score is not None else "—"
            item = QListWidgetItem(self.loader.icon(received.dest, THUMB), score)
            item.setData(ITEM_ROLE, received)
            item.setToolTip(f"{received.dest}\nscore {score}")
            self.grid.addItem(item)
        self.count.setText(f"{len(found)} photo{'s' if len(found) != 1 else ''} in its folder" if found else "")
        self.grid.set_empty_text(f"Nothing sorted into “{name}” yet. Sort your camera roll, then check here "
                                 "what went where.")
        self._update_buttons()

    def _why_not(self) -> str:
        """Why the correction buttons cannot act now, or "" (a grey button says why)."""
        name = self.category.currentText()
        if not self.library.is_open():
            return "The library is still opening"
        if not name:
            return "Create a category and sort your camera roll first"
        if self.worker is not None:
            return "Wait a moment: the last correction (or the list) is still being made"
        if self.grid.count() == 0:
            return f"Nothing to correct: no photo was sorted into “{name}” yet"
        if not self.grid.selectedItems():
            return f"Select the photos that do not belong in “{name}” first"
        return ""

    def _update_buttons(self) -> None:
        why = self._why_not()
        wrong = self.category.currentText()
        set_available(self.wrong_button, why, f"Remove the selected photos from {wrong}'s folder; they become "
                                              f"“not {wrong}” examples")
        others = [n for n in self.library.category_names() if n != wrong]
        set_available(self.move_button, why or ("" if others else "There is no other category to move them to"),
                      "Copy the selected photos to another category's folder and remove them from this one")
        for action in self.move_menu.actions():
            action.setVisible(action.text() != wrong)

    def correct_selected(self, right: str | None) -> None:
        """Remove the selected photos from this category's folder, as negatives; with
        ``right``, copy them into that category's folder as positives there."""
        wrong = self.category.currentText()
        items = [i.data(ITEM_ROLE) for i in self.grid.selectedItems()]
        if not items or right == wrong or self.worker is not None:
            return
        catalog = self.library.catalog
        self.worker = Worker(
            lambda progress, stop: [tasks.correct_copy(catalog, item, wrong, right) for item in items], name="correct"
        )
        self.worker.finished.connect(lambda lines: self._on_corrected(wrong, right, lines))
        self.worker.failed.connect(lambda text: self.library.message.emit("error", text))
        self.worker.ended.connect(self._on_ended)
        self.worker.start()

    def _on_corrected(self, wrong: str, right: str | None, lines: list[str]) -> None:
        text = lines[0] if len(lines) == 1 else f"{len(lines)} photos removed from {wrong}" + (
            f" and copied to {right}" if right else "") + "; they are now examples for the next training."
        self.library.labels_changed(wrong)
        if right:
            self.library.labels_changed(right)
        self.library.message.emit("ok", text)
        self._stale = True
        self.library.sortsChanged.emit()
        self.corrected.emit(text)

    def _on_thumbnail(self, path: str, size: int, icon: QIcon) -> None:
        if size == THUMB:
            for row in range(self.grid.count()):
                if str(self.grid.item(row).data(ITEM_ROLE).dest) == path:
                    self.grid.item(row).setIcon(icon)
