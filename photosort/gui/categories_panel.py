"""The categories sidebar: each category with its folder, example count and, once trained,
its F1. Photos or folders dropped on a category become its examples."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import (
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QFont,
    QPainter,
    QPalette,
)
from PySide6.QtWidgets import (
    QHBoxLayout,
    QInputDialog,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QMessageBox,
    QPushButton,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from photosort.errors import PhotosortError
from photosort.gui.category_dialog import CategoryDialog
from photosort.gui.file_dialogs import pick_folder, pick_photos
from photosort.gui.library import Library
from photosort.gui.widgets import (
    accept_as_copy,
    heading,
    hint,
    local_paths,
    set_available,
    short_path,
)

NAME_ROLE = Qt.ItemDataRole.UserRole
DETAIL_ROLE = Qt.ItemDataRole.UserRole + 1
FOLDER_ROLE = Qt.ItemDataRole.UserRole + 2


class _Delegate(QStyledItemDelegate):
    """Name in bold; counts and F1, then the folder, underneath in the placeholder colour."""

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:
        return QSize(option.rect.width(), 3 * option.fontMetrics.height() + 18)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        self.initStyleOption(option, index)
        option.text = ""
        widget = option.widget
        style = widget.style() if widget else None
        if style:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, widget)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        rect = option.rect.adjusted(10, 6, -8, -6)
        line = option.fontMetrics.height()
        painter.save()
        bold = QFont(option.font)
        bold.setBold(True)
        painter.setFont(bold)
        painter.setPen(option.palette.color(role))
        painter.drawText(QRect(rect.left(), rect.top(), rect.width(), line), Qt.AlignmentFlag.AlignVCenter,
                         index.data(NAME_ROLE))
        painter.setFont(option.font)
        if not selected:
            painter.setPen(option.palette.color(QPalette.ColorRole.PlaceholderText))
        for number, role in ((1, DETAIL_ROLE), (2, FOLDER_ROLE)):
            text = option.fontMetrics.elidedText(index.data(role), Qt.TextElideMode.ElideMiddle, rect.width())
            painter.drawText(QRect(rect.left(), rect.top() + number * (line + 2), rect.width(), line),
                             Qt.AlignmentFlag.AlignVCenter, text)
        if index.row() == getattr(widget, "drop_row", -1):
            painter.setPen(option.palette.color(QPalette.ColorRole.Highlight))
            painter.drawRoundedRect(option.rect.adjusted(1, 1, -2, -2), 4, 4)
        painter.restore()


class CategoryList(QListWidget):
    """The list itself: accepts drops of files and folders onto a category."""

    photosDropped = Signal(str, list)  # (category name, [Path])

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("categoryList")
        self.setAcceptDrops(True)
        self.setItemDelegate(_Delegate(self))
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.drop_row = -1

    def _target(self, pos: QPoint) -> QListWidgetItem | None:
        # a drop between or below rows goes to the category being shown
        return self.itemAt(pos) or self.currentItem()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if local_paths(event) and event.source() is not self:
            accept_as_copy(event)  # never acceptProposedAction(): it may be a move
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        item = self._target(event.position().toPoint())
        if item is None or not accept_as_copy(event):
            event.ignore()
            return
        if self.row(item) != self.drop_row:
            self.drop_row = self.row(item)
            self.viewport().update()

    def dragLeaveEvent(self, event) -> None:
        self.drop_row = -1
        self.viewport().update()

    def dropEvent(self, event: QDropEvent) -> None:
        item = self._target(event.position().toPoint())
        paths = local_paths(event)
        self.drop_row = -1
        self.viewport().update()
        if item is None or not paths or not accept_as_copy(event):
            event.ignore()
            return
        self.photosDropped.emit(item.data(NAME_ROLE), paths)


class CategoriesPanel(QWidget):
    def __init__(self, library: Library):
        super().__init__()
        self.library = library
        self.list = CategoryList()
        self.list.currentItemChanged.connect(self._on_current_changed)
        self.list.photosDropped.connect(lambda name, paths: self.library.add_examples(name, paths, True))
        self.list.customContextMenuRequested.connect(self._show_menu)
        self.list.itemDoubleClicked.connect(lambda _: self.rename_current())
        add = QPushButton("New category…")
        add.setObjectName("addCategoryButton")
        add.clicked.connect(self.new_category)
        more = self.more_button = QToolButton()
        more.setObjectName("categoryMoreButton")
        more.setText("⋯")
        more.setToolTip("More actions for this category")
        more.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        more.setMenu(self._menu())
        buttons = QHBoxLayout()
        buttons.addWidget(add, 1)
        buttons.addWidget(more)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(heading("Categories"))
        layout.addWidget(self.list, 1)
        layout.addLayout(buttons)
        layout.addWidget(hint("Drop photos or folders on a category to teach photosort what belongs there."))
        library.categoriesChanged.connect(self.refresh)
        library.modelChanged.connect(self.refresh)
        library.currentCategoryChanged.connect(self._select)

    def set_selection_available(self, selected: bool) -> None:
        """The "⋯" button acts on the selected category: disabled, with why, when there is none."""
        set_available(self.more_button, "" if selected else "Select a category first (or create one)",
                      "More actions for this category")

    def _menu(self) -> QMenu:
        menu = QMenu(self)
        menu.addAction("Add example photos…", self.add_photos_dialog)
        menu.addAction("Rename…", self.rename_current)
        menu.addAction("Change folder…", self.choose_folder)
        menu.addSeparator()
        menu.addAction("Remove", self.remove_current)
        return menu

    def _show_menu(self, pos: QPoint) -> None:
        if self.list.itemAt(pos) is not None:
            self._menu().exec(self.list.viewport().mapToGlobal(pos))

    def _detail(self, name: str) -> str:
        record = self.library.category(name)
        parts = [f"{record.positives} example{'s' if record.positives != 1 else ''}"]
        trained = self.library.trained_metrics(name)
        if trained is not None:
            parts.append(f"F1 {trained['f1']:.2f}")
        elif self.library.model is not None:
            parts.append("not trained yet")
        return " · ".join(parts)

    def refresh(self) -> None:
        self.list.blockSignals(True)
        self.list.clear()
        for record in self.library.categories:
            item = QListWidgetItem(record.name)
            item.setData(NAME_ROLE, record.name)
            item.setData(DETAIL_ROLE, self._detail(record.name))
            item.setData(FOLDER_ROLE, f"→ {short_path(record.folder)}")
            item.setToolTip(f"{record.name}\nPhotos are copied to {record.folder}")
            self.list.addItem(item)
        self.list.blockSignals(False)
        self._select(self.library.current_category)

    def _select(self, name: str) -> None:
        for row in range(self.list.count()):
            if self.list.item(row).data(NAME_ROLE) == name:
                self.list.blockSignals(True)
                self.list.setCurrentRow(row)
                self.list.blockSignals(False)
                return

    def _on_current_changed(self, item: QListWidgetItem | None, _previous: QListWidgetItem | None) -> None:
        self.library.set_current_category(item.data(NAME_ROLE) if item else "")

    def _try(self, action, *args) -> bool:
        try:
            action(*args)
        except PhotosortError as exc:
            self.library.message.emit("error", str(exc))
            return False
        return True

    # -- actions (also in the window's Categories menu) ------------------------------------

    def new_category(self) -> None:
        dialog = CategoryDialog(self)
        while dialog.exec():
            name, folder = dialog.values()
            if not folder:
                self.library.message.emit("error", "Choose the folder this category's photos go to.")
            elif self.create_category(name, folder):
                return

    def create_category(self, name: str, folder: str) -> bool:
        return self._try(self.library.add_category, name, folder)

    def rename_current(self) -> None:
        old = self.library.current_category
        if old:
            new, ok = QInputDialog.getText(self, "Rename category", "New name:", text=old)
            if ok and new.strip() and new.strip() != old:
                self._try(self.library.rename_category, old, new)

    def choose_folder(self) -> None:
        record = self.library.category(self.library.current_category)
        if record is not None:
            folder = pick_folder(self, f"Folder for {record.name} (type a new one to create it)", str(record.folder))
            if folder:
                self._try(self.library.set_folder, record.name, folder)

    def remove_current(self) -> None:
        name = self.library.current_category
        if not name:
            return
        answer = QMessageBox.question(
            self, "Remove category",
            f"Remove the category “{name}”?\n\nIts examples are forgotten; its folder and the photos in it are kept.",
        )
        if answer == QMessageBox.StandardButton.Yes:
            self._try(self.library.remove_category, name)

    def add_photos_dialog(self) -> None:
        name = self.library.current_category
        if not name:
            self.library.message.emit("error", "Create a category first, then add example photos to it.")
            return
        chosen = pick_photos(self, f"Example photos of {name} (photos or whole folders)")
        if chosen:
            self.library.add_examples(name, chosen, True)
