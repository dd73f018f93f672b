"""The example grid: thumbnails of the current category's examples (or of the photos marked
"not this category"). Drop photos or folders on it to add examples; Delete unlabels the
selection; the context menu turns a photo into a negative example or labels it elsewhere too.
Thumbnails can be dragged onto another category in the sidebar (multi-label)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData, QPoint, QSize, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QDragEnterEvent, QDropEvent, QKeyEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QListView,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from photosort.gui.file_dialogs import pick_photos
from photosort.gui.library import Library
from photosort.gui.thumbnails import shared_loader
from photosort.gui.widgets import HintList, accept_as_copy, heading, hint, local_paths

THUMB = 112
ID_ROLE = Qt.ItemDataRole.UserRole
PATH_ROLE = Qt.ItemDataRole.UserRole + 1


class ExampleGrid(HintList):
    photosDropped = Signal(list)  # [Path]
    deleteRequested = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("exampleGrid")
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setIconSize(QSize(THUMB, THUMB))
        self.setGridSize(QSize(THUMB + 14, THUMB + 14))
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setMovement(QListView.Movement.Static)
        self.setUniformItemSizes(True)
        self.setSelectionMode(QListWidget.SelectionMode.ExtendedSelection)
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.viewport().setAcceptDrops(True)  # a Static QListView turns its viewport's drops off
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)

    def mimeData(self, items: list[QListWidgetItem]) -> QMimeData:
        # file URLs, so a thumbnail dropped on another category labels that photo there too
        data = QMimeData()
        data.setUrls([QUrl.fromLocalFile(item.data(PATH_ROLE)) for item in items])
        return data

    def startDrag(self, supported: Qt.DropAction) -> None:
        # a thumbnail dragged out is copied (labelled) elsewhere, never moved out of this grid
        super().startDrag(Qt.DropAction.CopyAction)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.source() is not self and local_paths(event):
            accept_as_copy(event)  # never acceptProposedAction(): it may be a move
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:
        if event.source() is not self:
            accept_as_copy(event)
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = local_paths(event)
        if event.source() is self or not paths or not accept_as_copy(event):
            event.ignore()
            return
        self.photosDropped.emit(paths)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and self.selectedItems():
            self.deleteRequested.emit()
        else:
            super().keyPressEvent(event)


class ExamplesPanel(QWidget):
    def __init__(self, library: Library):
        super().__init__()
        self.library = library
        self.positive = True
        self.loader = shared_loader()
        self.loader.ready.connect(self._on_thumbnail)
        self._title = heading("")
        self._show_positive = QPushButton("Examples")
        self._show_negative = QPushButton("Not this category")
        group = QButtonGroup(self)
        for button, positive in ((self._show_positive, True), (self._show_negative, False)):
            button.setCheckable(True)
            button.setFlat(True)
            group.addButton(button)
            button.clicked.connect(lambda _=False, p=positive: self.show_examples(p))
        self._show_positive.setChecked(True)
        add = QPushButton("Add photos…")
        add.clicked.connect(self._add_photos)
        header = QHBoxLayout()
        header.addWidget(self._title)
        header.addStretch(1)
        header.addWidget(self._show_positive)
        header.addWidget(self._show_negative)
        header.addSpacing(12)
        header.addWidget(add)
        self.grid = ExampleGrid()
        self.grid.photosDropped.connect(self._on_dropped)
        self.grid.deleteRequested.connect(self.unlabel_selected)
        self.grid.customContextMenuRequested.connect(self._show_menu)
        self.grid.itemActivated.connect(lambda item: QDesktopServices.openUrl(QUrl.fromLocalFile(item.data(PATH_ROLE))))
        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self.grid, 1)
        layout.addWidget(hint("Select photos and press Delete to forget them as examples; "
                              "right-click to mark a photo as not belonging here."))
        library.currentCategoryChanged.connect(lambda _: self.refresh())
        library.labelsChanged.connect(self._on_labels_changed)
        library.categoriesChanged.connect(self._update_header)
        library.examplesPending.connect(self._on_pending)

    # -- showing ---------------------------------------------------------------------------

    def show_examples(self, positive: bool) -> None:
        self.positive = positive
        (self._show_positive if positive else self._show_negative).setChecked(True)
        self.refresh()

    def refresh(self) -> None:
        name = self.library.current_category
        self.grid.clear()
        self._update_header()
        if not name or not self.library.is_open():
            self.grid.set_empty_text("Create a category on the left to start.")
            return
        self.grid.set_empty_text(
            f"Drop photos or folders here to show photosort what “{name}” looks like."
            if self.positive else
            f"No photos marked as not “{name}”. Right-click an example to mark it, or drop photos here."
        )
        for photo in self.library.catalog.examples(name, self.positive):
            self._add_item(str(photo.path), photo.id)

    def _add_item(self, path: str, photo_id: int | None) -> None:
        item = QListWidgetItem(self.loader.icon(path, THUMB), "")
        item.setData(ID_ROLE, photo_id)
        item.setData(PATH_ROLE, path)
        item.setToolTip(Path(path).name)
        item.setSizeHint(QSize(THUMB + 10, THUMB + 10))
        self.grid.addItem(item)

    def _update_header(self) -> None:
        record = self.library.category(self.library.current_category)
        self._title.setText(record.name if record else "Examples")
        self._show_positive.setText(f"Examples ({record.positives})" if record else "Examples")
        self._show_negative.setText(f"Not this category ({record.negatives})" if record else "Not this category")

    def _on_thumbnail(self, path: str, size: int, icon) -> None:
        if size != THUMB:
            return
        for row in range(self.grid.count()):
            item = self.grid.item(row)
            if item.data(PATH_ROLE) == path:
                item.setIcon(icon)

    def _on_labels_changed(self, name: str) -> None:
        if name == self.library.current_category:
            self.refresh()

    def _on_pending(self, name: str, positive: bool, paths: list[Path]) -> None:
        # dropped files show at once; the catalog's view replaces them when they are read
        if name == self.library.current_category and positive == self.positive:
            for path in paths:
                if path.is_file():
                    self._add_item(str(path), None)

    # -- actions ---------------------------------------------------------------------------

    def _on_dropped(self, paths: list[Path]) -> None:
        name = self.library.current_category
        if not name:
            self.library.message.emit("error", "Create a category first, then drop its example photos here.")
            return
        self.library.add_examples(name, paths, self.positive)

    def _add_photos(self) -> None:
        if self.library.current_category:
            chosen = pick_photos(self, "Add photos (photos or whole folders)")
            if chosen:
                self._on_dropped(chosen)

    def selected_ids(self) -> list[int]:
        return [i.data(ID_ROLE) for i in self.grid.selectedItems() if i.data(ID_ROLE) is not None]

    def unlabel_selected(self) -> None:
        ids = self.selected_ids()
        if ids:
            self.library.unlabel(self.library.current_category, ids)

    def mark_selected(self, positive: bool, category: str | None = None) -> None:
        """Label the selection for a category: ``positive=False`` is "not this category"."""
        ids = self.selected_ids()
        if ids:
            self.library.label(category or self.library.current_category, ids, positive)

    def _show_menu(self, pos: QPoint) -> None:
        if not self.selected_ids():
            return
        name = self.library.current_category
        menu = QMenu(self)
        if self.positive:
            menu.addAction(f"Not “{name}”", lambda: self.mark_selected(False))
        else:
            menu.addAction(f"Is “{name}” after all", lambda: self.mark_selected(True))
        menu.addAction("Forget (Delete)", self.unlabel_selected)
        others = [n for n in self.library.category_names() if n != name]
        if others:
            also = menu.addMenu("Also an example of")
            for other in others:
                also.addAction(other, lambda o=other: self.mark_selected(True, o))
        menu.exec(self.grid.viewport().mapToGlobal(pos))
