"""Messages that neither move the layout nor vanish unread (issue 13, item 5)."""

from __future__ import annotations

from gui_helpers import open_library
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QApplication, QLabel, QPushButton

LONG = "The folder ~/Pictures/Sea cannot be written: permission denied. " * 6


def _where(window, widget) -> QRect:
    return QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())


def test_banner_does_not_move_buttons_and_stays_until_dismissed(window, qtbot, tmp_path):
    open_library(qtbot, window, tmp_path / "library")
    window.tabs.setCurrentWidget(window.sorting)
    qtbot.wait(50)
    preview = window.findChild(QPushButton, "previewButton")
    before = _where(window, preview)

    for kind, text in (("error", "Short error."), ("error", LONG), ("ok", "Sorted 3 photos.")):
        window.banner.dismiss()
        window.library.message.emit(kind, text)
        QApplication.processEvents()
        assert window.banner.text() == text
        assert _where(window, preview) == before, (kind, text[:20])
    label = window.findChild(QLabel, "bannerText")
    assert label.toolTip() == "Sorted 3 photos."

    window.library.message.emit("error", LONG)
    QApplication.processEvents()
    assert label.text().endswith("…") and len(label.text()) < len(LONG)  # cut to the slot, whole in the tooltip
    assert label.toolTip() == LONG
    assert label.geometry().bottom() <= window.banner.frame.height()

    # a success does not replace an unread error: it goes to the status line
    window.library.message.emit("ok", "Your sorter is trained.")
    assert window.banner.kind == "error" and window.banner.text() == LONG
    assert window.statusBar().currentMessage() == "Your sorter is trained."

    qtbot.wait(300)  # nothing times out
    assert window.banner.text() == LONG
    qtbot.mouseClick(window.banner.close_button, Qt.MouseButton.LeftButton)
    assert window.banner.text() == "" and window.banner.kind == ""
    QApplication.processEvents()
    assert _where(window, preview) == before
