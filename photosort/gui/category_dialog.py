"""The "New category" dialog: a name and the folder its photos are copied to."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QWidget,
)

from photosort.gui.file_dialogs import pick_folder


def pictures_dir() -> Path:
    location = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.PicturesLocation)
    return Path(location) if location else Path.home() / "Pictures"


class CategoryDialog(QDialog):
    def __init__(self, parent: QWidget | None = None, name: str = "", folder: str = ""):
        super().__init__(parent)
        self.setWindowTitle("New category" if not name else "Category")
        self.name_edit = QLineEdit(name)
        self.name_edit.setPlaceholderText("e.g. Beach, Kids, Receipts")
        self.folder_edit = QLineEdit(folder)
        self._folder_touched = bool(folder)
        self.folder_edit.textEdited.connect(lambda _: setattr(self, "_folder_touched", True))
        self.name_edit.textChanged.connect(self._suggest_folder)
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.folder_edit, 1)
        row.addWidget(browse)
        form = QFormLayout(self)
        form.addRow("Name:", self.name_edit)
        form.addRow("Copy its photos to:", row)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.setMinimumWidth(460)

    def default_folder(self) -> str:
        """A folder named after the category in Pictures: shown in the field, never assumed unseen."""
        name = self.name_edit.text().strip()
        return str(pictures_dir() / name) if name else ""

    def _suggest_folder(self, _name: str) -> None:
        # the default is written in the field until the person picks one themselves; cleared,
        # the field still shows it (placeholder), and that is the folder used
        default = self.default_folder()
        self.folder_edit.setPlaceholderText(f"{default} (default)" if default else "a folder, e.g. in Pictures")
        if not self._folder_touched:
            self.folder_edit.setText(default)

    def _browse(self) -> None:
        start = self.folder_edit.text() or str(pictures_dir())
        folder = pick_folder(self, "Folder for this category (type a new one to create it)", start)
        if folder:
            self._folder_touched = True
            self.folder_edit.setText(folder)

    def values(self) -> tuple[str, str]:
        return self.name_edit.text().strip(), self.folder_edit.text().strip() or self.default_folder()
