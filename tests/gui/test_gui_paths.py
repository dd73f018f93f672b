"""The main path is never blocked (issue 13, item 3): the camera roll chosen on the Thresholds
tab enables Preview and Sort on the Sort tab; a disabled button says why; the menus offer only
what can apply."""

from __future__ import annotations

from gui_helpers import copy_photos, open_library, photos
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QAbstractButton, QMenu, QPushButton, QTabBar


def _actions(window) -> dict[str, QAction]:
    return {a.text().replace("&", ""): a for menu in window.menuBar().findChildren(QMenu)
            for a in menu.actions() if a.text()}


def _disabled_without_reason(window) -> list[str]:
    """Disabled buttons with no tooltip, on every tab (the Review tab's included)."""
    return [b.objectName() or b.text() for b in window.findChildren(QAbstractButton)
            if not b.isEnabled() and not b.toolTip()
            and not isinstance(b.parent(), QTabBar)]  # Qt's own tab-scrolling arrows


def test_roll_chosen_on_the_thresholds_tab_enables_preview_and_sort(window, qtbot, tmp_path, datasets_dir):
    open_library(qtbot, window, tmp_path / "library")
    preview = window.findChild(QPushButton, "previewButton")
    sort = window.findChild(QPushButton, "sortButton")
    assert not preview.isEnabled() and "category" in preview.toolTip().lower()
    window.categories.create_category("sea", tmp_path / "sorted" / "sea")
    assert not sort.isEnabled() and "camera roll" in sort.toolTip()
    assert _disabled_without_reason(window) == []
    actions = _actions(window)
    assert not actions["Preview"].isEnabled() and actions["Preview"].toolTip() == preview.toolTip()
    assert not actions["Cancel training"].isEnabled()

    roll = tmp_path / "roll"
    copy_photos(photos(datasets_dir, "sea", 0, 2), roll)
    window.tabs.setCurrentWidget(window.thresholds)
    window.thresholds.roll.set_folder(str(roll))  # what its Choose… dialog does
    window.tabs.setCurrentWidget(window.sorting)
    assert window.sorting.roll.folder == str(roll)
    assert preview.isEnabled() and sort.isEnabled()
    assert actions["Preview"].isEnabled() and actions["Sort now"].isEnabled()
    assert _disabled_without_reason(window) == []


def test_category_actions_need_a_selected_category(window, qtbot, tmp_path):
    open_library(qtbot, window, tmp_path / "library")
    actions = _actions(window)
    assert actions["New category…"].isEnabled()
    for text in ("Add example photos…", "Rename…", "Change folder…", "Remove"):
        assert not actions[text].isEnabled() and "Select a category" in actions[text].toolTip()
    assert not window.categories.more_button.isEnabled()
    window.categories.create_category("sea", tmp_path / "sorted" / "sea")
    for text in ("Add example photos…", "Rename…", "Change folder…", "Remove"):
        assert actions[text].isEnabled()
    assert window.categories.more_button.isEnabled()
    assert _disabled_without_reason(window) == []


def test_review_buttons_say_why_they_are_disabled(window, qtbot, tmp_path):
    wrong = window.findChild(QPushButton, "reviewWrongButton")
    move = window.findChild(QPushButton, "reviewMoveButton")
    assert not wrong.isEnabled() and "still opening" in wrong.toolTip()
    open_library(qtbot, window, tmp_path / "library")
    window.tabs.setCurrentWidget(window.review)
    assert "Create a category" in wrong.toolTip()
    window.categories.create_category("sea", tmp_path / "sorted" / "sea")
    qtbot.waitUntil(lambda: window.review.worker is None and "Nothing to correct" in wrong.toolTip(), timeout=10_000)
    assert not move.isEnabled() and move.toolTip() == wrong.toolTip()
    assert _disabled_without_reason(window) == []
