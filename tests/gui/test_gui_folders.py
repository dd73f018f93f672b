"""Folders (issue 13, item 8): the category dialog shows the folder it will use, the folder
picker takes a new folder typed as a path (created after asking), and "Add photos…" takes
folders too and says how many photos it added."""

from __future__ import annotations

from gui_helpers import copy_photos, open_library, photos
from PySide6.QtWidgets import QMessageBox

from photosort.gui.category_dialog import CategoryDialog, pictures_dir
from photosort.gui.file_dialogs import FolderDialog, PhotosDialog


def test_category_dialog_shows_the_default_folder_and_uses_only_what_it_shows(window):
    dialog = CategoryDialog(window)
    dialog.name_edit.setText("Beach")
    assert dialog.folder_edit.text() == str(pictures_dir() / "Beach")
    dialog.folder_edit.clear()  # emptied: the default is still written there, as a placeholder
    assert str(pictures_dir() / "Beach") in dialog.folder_edit.placeholderText()
    assert dialog.values() == ("Beach", str(pictures_dir() / "Beach"))
    dialog.folder_edit.setText("/elsewhere/beach")
    assert dialog.values() == ("Beach", "/elsewhere/beach")


def _answer(monkeypatch, answer):
    asked: list[str] = []

    def question(parent, title, text, *args, **kwargs):
        asked.append(text)
        return answer

    monkeypatch.setattr(QMessageBox, "question", question)
    return asked


def test_folder_picker_creates_a_typed_new_folder_after_asking(window, tmp_path, monkeypatch):
    new = tmp_path / "sorted" / "beach"
    asked = _answer(monkeypatch, QMessageBox.StandardButton.No)
    dialog = FolderDialog(window, "Folder", str(tmp_path))
    dialog.selectFile(str(new))
    dialog.accept()
    assert asked and "does not exist yet" in asked[0]
    assert not new.exists() and dialog.result() != FolderDialog.DialogCode.Accepted  # said no: nothing made

    _answer(monkeypatch, QMessageBox.StandardButton.Yes)
    dialog.accept()
    assert new.is_dir()
    assert dialog.result() == FolderDialog.DialogCode.Accepted
    assert [str(p) for p in dialog.selectedFiles()] == [str(new)]


def test_add_photos_takes_a_folder_and_says_how_many_were_added(window, qtbot, tmp_path, datasets_dir):
    folder = tmp_path / "examples" / "beach"
    copy_photos(photos(datasets_dir, "sea", 0, 6), folder)
    (folder / "notes.txt").write_text("not a photo")
    dialog = PhotosDialog(window, "Example photos", str(folder.parent))
    dialog.selectFile("beach")
    dialog.accept()  # "Add" on a selected folder takes the folder instead of opening it
    assert dialog.result() == PhotosDialog.DialogCode.Accepted
    assert dialog.chosen == [folder]

    open_library(qtbot, window, tmp_path / "library")
    window.categories.create_category("sea", tmp_path / "sorted" / "sea")
    with qtbot.waitSignal(window.library.labelsChanged, timeout=30_000):
        window.library.add_examples("sea", dialog.chosen)
    assert window.library.category("sea").positives == 6
    assert window.banner.kind == "ok" and "Added 6 photos as examples of sea" in window.banner.text()
