"""Watching a folder from the window: a photo written into it is sorted and listed with the
folder it went to; a damaged one is listed as a problem; stopping is clean."""

from __future__ import annotations

import pytest
from gui_helpers import open_library, photos
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton


@pytest.mark.slow
def test_watch_sorts_a_newly_written_photo(window, qtbot, tmp_path, datasets_dir, trained_library):
    open_library(qtbot, window, trained_library)
    dcim = tmp_path / "DCIM"
    dcim.mkdir()
    window.tabs.setCurrentWidget(window.watching)
    panel = window.watching
    panel.folder.set_folder(str(dcim))
    toggle = window.findChild(QPushButton, "watchToggle")

    qtbot.mouseClick(toggle, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.status.text().startswith("Watching"), timeout=120_000)
    assert toggle.isChecked() and toggle.text() == "Stop watching"

    source = photos(datasets_dir, "sea", 40, 41)[0]
    with qtbot.waitSignal(panel.photoSorted, timeout=60_000) as sorted_signal:
        with open(dcim / "IMG_0001.jpg", "wb") as out:  # written in two steps, as a sync would
            data = source.read_bytes()
            out.write(data[: len(data) // 2])
            out.flush()
            qtbot.wait(300)
            out.write(data[len(data) // 2:])
    placement = sorted_signal.args[0]
    assert placement.source == dcim / "IMG_0001.jpg"
    assert placement.dests, "a clear sea photo goes to at least one folder"
    assert all(copy.read_bytes() == data for copy in placement.dests.values())
    row = panel.recent.item(0).text()
    assert "IMG_0001.jpg" in row and "→" in row and "1 photo sorted" in panel.status.text()

    with qtbot.waitSignal(panel.bridge.error, timeout=60_000):
        (dcim / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    assert "broken.jpg" in panel.recent.item(0).text()
    assert "1 problem" in panel.status.text()

    qtbot.mouseClick(toggle, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.status.text().startswith("Stopped"), timeout=60_000)
    assert not toggle.isChecked() and toggle.text() == "Start watching"


def test_watch_without_a_folder_or_sorter_is_a_message(window, qtbot, tmp_path):
    open_library(qtbot, window, tmp_path / "library")
    toggle = window.findChild(QPushButton, "watchToggle")
    qtbot.mouseClick(toggle, Qt.MouseButton.LeftButton)
    assert window.banner.kind == "error" and "folder to watch" in window.banner.text()
    assert not toggle.isChecked()

    window.watching.folder.set_folder(str(tmp_path))
    with qtbot.waitSignal(window.library.message, timeout=60_000):
        qtbot.mouseClick(toggle, Qt.MouseButton.LeftButton)
    assert "No trained sorter yet" in window.banner.text()
    qtbot.waitUntil(lambda: not toggle.isChecked() and toggle.isEnabled(), timeout=10_000)


def test_a_watcher_that_dies_says_so_in_the_window(window, qtbot, tmp_path, trained_library, monkeypatch):
    """Whatever kills the watcher's thread (here: the folder scan failing), the window says why,
    and the toggle shows it is off: never a silent stop that still reads "Watching"."""
    from photosort.watcher import FolderWatcher

    open_library(qtbot, window, trained_library)
    dcim = tmp_path / "DCIM"
    dcim.mkdir()
    window.tabs.setCurrentWidget(window.watching)
    panel = window.watching
    panel.folder.set_folder(str(dcim))
    toggle = window.findChild(QPushButton, "watchToggle")

    def failing_scan(self):
        raise OSError(5, "Input/output error", str(self.folder))

    monkeypatch.setattr(FolderWatcher, "_settled", failing_scan)
    messages: list[tuple[str, str]] = []
    window.library.message.connect(lambda kind, text: messages.append((kind, text)))
    with qtbot.waitSignal(panel.bridge.died, timeout=120_000):
        qtbot.mouseClick(toggle, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not toggle.isChecked(), timeout=10_000)
    assert toggle.text() == "Start watching" and toggle.isEnabled()
    assert "Not watching: it stopped" in panel.status.text() and "Input/output error" in panel.status.text()
    assert any(kind == "error" and "Watching stopped by itself" in text for kind, text in messages)
