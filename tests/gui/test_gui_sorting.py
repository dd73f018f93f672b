"""Sorting from the window with a real trained library (tests/conftest.py trains it once per
session): preview, Sort now, review and correct, undo; and the errors a person can meet."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from gui_helpers import copy_photos, open_library, photos
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QPushButton

SORT_TIMEOUT_MS = 180_000


def _camera_roll(tmp_path, datasets_dir):
    """Photos the sorter has not seen: 4 sea, 4 forest, 2 street, 2 glacier (no category)."""
    picked = (photos(datasets_dir, "sea", 20, 24) + photos(datasets_dir, "forest", 20, 24)
              + photos(datasets_dir, "street", 20, 22) + photos(datasets_dir, "glacier", 0, 2))
    return copy_photos(picked, tmp_path / "camera-roll")


def _sorted_files(tmp_path):
    return sorted(p for p in (tmp_path / "sorted").rglob("*") if p.is_file())


@pytest.mark.slow
def test_preview_sort_review_correct_and_undo(window, qtbot, tmp_path, datasets_dir, trained_library, capsys,
                                              monkeypatch):
    open_library(qtbot, window, trained_library)
    originals = {p: p.read_bytes() for p in _camera_roll(tmp_path, datasets_dir)}
    window.tabs.setCurrentWidget(window.sorting)
    panel = window.sorting
    undo = window.findChild(QPushButton, "undoButton")
    assert not undo.isEnabled()  # nothing sorted yet
    panel.roll.set_folder(str(tmp_path / "camera-roll"))
    assert window.library.camera_roll == str(tmp_path / "camera-roll")

    # preview: counts per folder, nothing copied
    with qtbot.waitSignal(panel.sortFinished, timeout=SORT_TIMEOUT_MS) as preview:
        qtbot.mouseClick(panel.preview_button, Qt.MouseButton.LeftButton)
    planned = preview.args[0]
    assert planned.dry_run and planned.scanned == 12 and planned.copies > 0
    assert _sorted_files(tmp_path) == []
    assert panel.title.text().startswith("Preview")
    assert panel.table.rowCount() == 3

    # sort now: the copies appear, the originals are untouched, the summary has the speed
    sort_button = window.findChild(QPushButton, "sortButton")
    qtbot.waitUntil(sort_button.isEnabled, timeout=5000)  # the preview's worker has ended
    started = time.monotonic()
    with qtbot.waitSignal(panel.sortFinished, timeout=SORT_TIMEOUT_MS) as done:
        qtbot.mouseClick(sort_button, Qt.MouseButton.LeftButton)
    with capsys.disabled():
        print(f"\n[gui] sort of 12 photos took {time.monotonic() - started:.1f} s from the click")
    summary = done.args[0]
    copies = _sorted_files(tmp_path)
    assert not summary.dry_run and summary.copies == planned.copies == len(copies)
    assert {"sea", "forest"} <= {p.parent.name for p in copies}
    assert all(p.read_bytes() == data for p, data in originals.items())
    assert "photos/s" in panel.summary.text()
    qtbot.waitUntil(undo.isEnabled, timeout=5000)

    moved = _review_and_correct(window, qtbot, tmp_path)

    # undo: every copy the sort made (and still unchanged) goes away; the confirmation says
    # exactly how many, and why the two corrected in Review are not among them
    asked: list[str] = []
    monkeypatch.setattr(QMessageBox, "question",
                        lambda parent, title, text, *a: asked.append(text) or QMessageBox.StandardButton.Yes)
    with qtbot.waitSignal(panel.undoFinished, timeout=60_000) as undone:
        qtbot.mouseClick(undo, Qt.MouseButton.LeftButton)
    assert undone.args[0].removed >= 1
    assert set(_sorted_files(tmp_path)) <= {moved}  # the correction is the person's, not the sort's
    qtbot.waitUntil(lambda: not undo.isEnabled(), timeout=5000)
    removed = undone.args[0].removed
    assert removed == summary.copies - 2
    assert f"made {summary.copies} copies" in asked[0] and f"Undo removes {removed} copies" in asked[0]
    assert "2 copies are no longer there" in asked[0] and "corrected in Review (moved to street)" in asked[0]
    said = window.banner.text()
    assert f"removed {removed} copies of the {summary.copies}" in said and "corrected in Review" in said


def _review_and_correct(window, qtbot, tmp_path) -> Path:
    """A photo in the wrong folder: removed and made a negative; another moved to street."""
    review = window.review
    window.library.set_current_category("sea")
    window.tabs.setCurrentWidget(review)
    qtbot.waitUntil(lambda: review.grid.count() > 1, timeout=30_000)
    first = review.grid.item(0).data(Qt.ItemDataRole.UserRole)
    assert first.score is not None and first.dest.parent.name == "sea"
    negatives_before = window.library.category("sea").negatives

    wrong_button = window.findChild(QPushButton, "reviewWrongButton")
    assert not wrong_button.isEnabled() and "Select the photos" in wrong_button.toolTip()
    review.grid.item(0).setSelected(True)
    with qtbot.waitSignal(review.corrected, timeout=30_000):
        qtbot.mouseClick(wrong_button, Qt.MouseButton.LeftButton)
    assert not first.dest.exists()
    assert window.library.category("sea").negatives == negatives_before + 1

    qtbot.waitUntil(lambda: review.worker is None and review.grid.count() >= 1, timeout=30_000)
    second = review.grid.item(0).data(Qt.ItemDataRole.UserRole)
    review.grid.clearSelection()
    review.grid.item(0).setSelected(True)
    with qtbot.waitSignal(review.corrected, timeout=30_000):
        review.correct_selected("street")
    moved = tmp_path / "sorted" / "street" / second.dest.name
    assert not second.dest.exists() and moved.is_file()
    assert window.library.category("street").positives >= 1
    return moved


def test_sorting_without_a_sorter_says_so(window, qtbot, tmp_path, datasets_dir):
    open_library(qtbot, window, tmp_path / "library")
    window.categories.create_category("sea", tmp_path / "sorted" / "sea")
    copy_photos(photos(datasets_dir, "sea", 0, 2), tmp_path / "roll")
    window.sorting.roll.set_folder(str(tmp_path / "roll"))
    with qtbot.waitSignal(window.library.message, timeout=30_000) as message:
        qtbot.mouseClick(window.findChild(QPushButton, "sortButton"), Qt.MouseButton.LeftButton)
    assert message.args[0] == "error"
    assert "No trained sorter yet" in window.banner.text()
    qtbot.waitUntil(window.findChild(QPushButton, "sortButton").isEnabled, timeout=5000)


@pytest.mark.slow
def test_unwritable_destination_is_reported(window, qtbot, tmp_path, datasets_dir, trained_library):
    open_library(qtbot, window, trained_library)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the sea folder should be")
    window.library.set_folder("sea", blocker / "sea")
    copy_photos(photos(datasets_dir, "sea", 20, 23), tmp_path / "roll")
    window.sorting.roll.set_folder(str(tmp_path / "roll"))
    with qtbot.waitSignal(window.sorting.sortFinished, timeout=SORT_TIMEOUT_MS) as done:
        window.sorting.sort_now()
    assert done.args[0].errors
    assert window.banner.kind == "error"
    assert "problem" in window.sorting.summary.text() and "sea" in window.sorting.summary.text()
