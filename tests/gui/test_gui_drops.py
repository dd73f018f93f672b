"""Drops are copies (issue 13, item 12): a drag from a file manager must end as a copy or a
link, never a move, since a file manager told "moved" deletes the originals; and that holds
for the answers while hovering too (XdndStatus), which some file managers act on.

The real-drag test runs only on a real X server: a real QDrag (file URLs, Copy|Move|Link
offered, Move proposed as file managers do for the same disk), the pointer driven by xdotool
through the X server, and the action Qt reports back to the drag's source checked.
"""

from __future__ import annotations

import shutil
import subprocess

import pytest
from gui_helpers import copy_photos, open_library, photos
from PySide6.QtCore import QMimeData, QPointF, Qt, QTimer, QUrl
from PySide6.QtGui import QDrag, QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QLabel

COPY, MOVE, LINK = Qt.DropAction.CopyAction, Qt.DropAction.MoveAction, Qt.DropAction.LinkAction


def _offer(target, paths, possible, proposed) -> tuple[bool, Qt.DropAction]:
    """Synthetic enter/move/drop with the given actions: (accepted, action reported back)."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    point, buttons, keys = target.rect().center(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(point, possible, mime, buttons, keys)
    enter.setDropAction(proposed)
    QApplication.sendEvent(target, enter)
    move = QDragMoveEvent(point, possible, mime, buttons, keys)
    move.setDropAction(proposed)
    QApplication.sendEvent(target, move)
    if not move.isAccepted():
        return False, Qt.DropAction.IgnoreAction
    assert move.dropAction() in (COPY, LINK)  # what the source is told while hovering
    drop = QDropEvent(QPointF(point), possible, mime, buttons, keys)
    drop.setDropAction(proposed)
    QApplication.sendEvent(target, drop)
    return drop.isAccepted(), drop.dropAction()


def test_a_proposed_move_is_answered_as_a_copy(window, qtbot, tmp_path, datasets_dir):
    open_library(qtbot, window, tmp_path / "library")
    window.categories.create_category("sea", tmp_path / "sorted" / "sea")
    files = copy_photos(photos(datasets_dir, "sea", 0, 2), tmp_path / "from-file-manager")
    for target in (window.categories.list.viewport(), window.examples.grid.viewport()):
        accepted, action = _offer(target, files, COPY | MOVE | LINK, MOVE)
        assert accepted and action == COPY
        accepted, action = _offer(target, files, MOVE | LINK, MOVE)
        assert accepted and action == LINK
        accepted, _ = _offer(target, files, MOVE, MOVE)  # a source that can only move: refused
        assert not accepted
    qtbot.waitUntil(lambda: window.library.category("sea").positives == 2, timeout=30_000)
    assert all(f.is_file() for f in files)


@pytest.mark.skipif(shutil.which("xdotool") is None, reason="needs xdotool to drive the X pointer")
def test_real_drag_from_a_file_manager_ends_as_a_copy(window, qtbot, tmp_path, datasets_dir, real_x):
    open_library(qtbot, window, tmp_path / "library")
    window.categories.create_category("sea", tmp_path / "sorted" / "sea")
    files = copy_photos(photos(datasets_dir, "sea", 0, 3), tmp_path / "from-file-manager")
    window.move(0, 0)
    source = QLabel("a file manager")  # the drag's source: a plain window of its own
    qtbot.addWidget(source)
    source.resize(200, 120)
    source.move(window.frameGeometry().right() + 20, 40)
    source.show()
    qtbot.waitExposed(source)
    qtbot.waitExposed(window)
    QApplication.processEvents()
    category = window.categories.list
    target = category.viewport().mapToGlobal(category.visualItemRect(category.item(0)).center())
    start = source.mapToGlobal(source.rect().center())
    results: list[Qt.DropAction] = []
    hovering: list[Qt.DropAction] = []  # what the target answered while the pointer was over it

    def drag() -> None:
        mime = QMimeData()
        mime.setUrls([QUrl.fromLocalFile(str(f)) for f in files])
        d = QDrag(source)
        d.setMimeData(mime)
        d.actionChanged.connect(hovering.append)
        results.append(d.exec(COPY | MOVE | LINK, MOVE))

    # Shift held: the drag proposes a move, as a file manager does within one disk
    pointer = [f"mousemove {start.x()} {start.y()}", "keydown shift", "mousedown 1", "sleep 0.6"]
    for i in range(1, 9):  # a path through the window to the category, as a hand moves
        x = start.x() + (target.x() - start.x()) * i // 8
        y = start.y() + (target.y() - start.y()) * i // 8
        pointer += [f"mousemove {x} {y}", "sleep 0.1"]
    pointer += [f"mousemove {target.x() + 1} {target.y()}", "sleep 0.4", "mouseup 1", "keyup shift"]
    driver = subprocess.Popen(["xdotool", *" ".join(pointer).split()])
    QTimer.singleShot(300, drag)  # the drag starts while the button is down
    try:
        qtbot.waitUntil(lambda: bool(results), timeout=20_000)
    finally:
        driver.wait(20)
    assert results[0] in (COPY, LINK), results[0]
    # a file manager may act on the answers it got while hovering (XdndStatus), not only the last
    assert MOVE not in hovering and (COPY in hovering or LINK in hovering), hovering
    qtbot.waitUntil(lambda: window.library.category("sea").positives == 3, timeout=30_000)
    assert all(f.is_file() for f in files)  # the originals are where they were
