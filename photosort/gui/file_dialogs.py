"""The window's file pickers, where the system dialogs fall short (issue 13, item 8).

``FolderDialog`` takes a folder that does not exist yet, typed as a path, and creates it after
asking (a category's folder is often new). ``PhotosDialog`` takes photos and folders alike: a
selected folder is added whole instead of being opened. Both are Qt's own dialog (a native one
cannot be taught either), which is also what Linux shows without a desktop theme.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from photosort.gui.widgets import PHOTO_FILTER, short_path


class FolderDialog(QFileDialog):
    def __init__(self, parent: QWidget | None, title: str, start: str = "", allow_new: bool = True):
        super().__init__(parent, title, start)
        self.setOption(QFileDialog.Option.DontUseNativeDialog)
        self.setOption(QFileDialog.Option.ShowDirsOnly)
        self.setFileMode(QFileDialog.FileMode.Directory)
        self.allow_new = allow_new
        if allow_new:
            self.setLabelText(QFileDialog.DialogLabel.FileName, "Folder (a new one is created):")

    def accept(self) -> None:
        chosen = self.selectedFiles()
        path = Path(chosen[0]).expanduser() if chosen else None
        if path is not None and self.allow_new and not path.exists():
            answer = QMessageBox.question(self, "Create folder", f"{short_path(path)} does not exist yet. Create it?")
            if answer != QMessageBox.StandardButton.Yes:
                return
            try:
                path.mkdir(parents=True)
            except OSError as exc:
                QMessageBox.warning(self, "Create folder", f"Cannot create {path}: {exc.strerror or exc}.")
                return
            self.setDirectory(str(path.parent))
            self.selectFile(str(path))
        super().accept()


def pick_folder(parent: QWidget | None, title: str, start: str = "", allow_new: bool = True) -> str:
    """A folder chosen (or typed, and then created after asking), or "" if cancelled."""
    dialog = FolderDialog(parent, title, start or str(Path.home()), allow_new)
    if dialog.exec() and dialog.selectedFiles():
        return str(Path(dialog.selectedFiles()[0]).expanduser())
    return ""


class PhotosDialog(QFileDialog):
    """Photos, or whole folders of them: "Add" on a selected folder takes the folder (a
    double-click still opens it)."""

    def __init__(self, parent: QWidget | None, title: str, start: str = ""):
        super().__init__(parent, title, start, PHOTO_FILTER)
        self.setOption(QFileDialog.Option.DontUseNativeDialog)
        self.setFileMode(QFileDialog.FileMode.ExistingFiles)
        self.setLabelText(QFileDialog.DialogLabel.Accept, "Add")
        self.setLabelText(QFileDialog.DialogLabel.FileName, "Photos or folders:")
        self.chosen: list[Path] = []

    def accept(self) -> None:
        chosen = [Path(p) for p in self.selectedFiles()]
        if chosen and any(p.is_dir() for p in chosen) and all(p.exists() for p in chosen):
            self.chosen = chosen
            self.done(QFileDialog.DialogCode.Accepted)  # Qt's accept() would open the folder instead
            return
        super().accept()
        self.chosen = [Path(p) for p in self.selectedFiles()]


def pick_photos(parent: QWidget | None, title: str, start: str = "") -> list[Path]:
    dialog = PhotosDialog(parent, title, start)
    return dialog.chosen if dialog.exec() else []
