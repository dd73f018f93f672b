"""Watch (issue 13, item 10): a watched folder that disappears is said (and its return), a
watch still on at closing is offered again at the next start, and the recent log is kept."""

from __future__ import annotations

import shutil

import pytest
from gui_helpers import open_library, photos

from photosort.config import Settings
from photosort.gui.app import create_window


@pytest.mark.slow
def test_watch_warns_when_the_folder_goes_and_offers_to_resume_with_its_log(window, qtbot, tmp_path,
                                                                           datasets_dir, trained_library):
    open_library(qtbot, window, trained_library)
    dcim = tmp_path / "DCIM"
    dcim.mkdir()
    panel = window.watching
    panel.folder.set_folder(str(dcim))
    panel.toggle.click()
    qtbot.waitUntil(lambda: panel.status.text().startswith("Watching"), timeout=120_000)
    assert Settings.load().watching

    with qtbot.waitSignal(panel.photoSorted, timeout=60_000):
        shutil.copy(photos(datasets_dir, "sea", 40, 41)[0], dcim / "IMG_0001.jpg")

    shutil.rmtree(dcim)  # the card is pulled out
    qtbot.waitUntil(lambda: "has disappeared" in window.banner.text(), timeout=5000)
    assert window.banner.kind == "error" and "has disappeared" in panel.status.text()
    dcim.mkdir()
    qtbot.waitUntil(lambda: panel.status.text().startswith("Watching"), timeout=5000)

    window.close()  # closed while watching: remembered, with the log
    assert Settings.load().watching and Settings.load().watch_folder == str(dcim)

    again = create_window()
    qtbot.addWidget(again)
    again.show()
    open_library(qtbot, again, trained_library)
    assert again.watching.toggle.text() == "Resume watching" and not again.watching.is_watching()
    assert "when photosort was closed" in again.watching.status.text()
    assert "IMG_0001.jpg" in again.watching.recent.item(0).text()
    again.watching.toggle.click()
    qtbot.waitUntil(lambda: again.watching.status.text().startswith("Watching"), timeout=120_000)
    again.watching.toggle.click()  # stopped by hand: not offered next time
    qtbot.waitUntil(lambda: again.watching.status.text().startswith("Stopped"), timeout=60_000)
    assert not Settings.load().watching
    again.close()
