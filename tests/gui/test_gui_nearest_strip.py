"""The "closest to the threshold" strip (issue 13, item 7): it opens on the most borderline
photos, keeps them in view as the threshold moves, and its scrollbar moves with its content."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication

from photosort.gui.nearest_strip import COUNT, NearestStrip


def _visible_rows(strip: NearestStrip) -> list[int]:
    rect = strip.viewport().rect()
    return [r for r in range(strip.count()) if rect.contains(strip.visualItemRect(strip.item(r)).center())]


def test_strip_opens_on_the_borderline_photos_and_scrolls_with_its_content(qtbot, datasets_dir):
    paths = sorted((datasets_dir / "scenes" / "sea").glob("*.jpg"))[:COUNT]
    strip = NearestStrip()
    qtbot.addWidget(strip)
    strip.resize(330, strip.height())  # room for about three photos of twelve
    strip.show()
    qtbot.waitExposed(strip)
    scores = [(str(p), i / (COUNT - 1)) for i, p in enumerate(paths)]

    for threshold in (0.5, 0.2, 0.8):
        strip.show_photos(scores, threshold)
        QApplication.processEvents()
        # the last photo that goes (✓) and the first that stays out (✗) are both in view
        assert strip.boundary - 1 in _visible_rows(strip) and strip.boundary in _visible_rows(strip), threshold
        assert strip.item(strip.boundary - 1).text().endswith("✓") and strip.item(strip.boundary).text().endswith("✗")
        assert abs(strip.boundary_x() - strip.viewport().width() / 2) <= 2  # the threshold line in the middle

    bar = strip.horizontalScrollBar()
    assert bar.maximum() > 0
    positions = []
    for value in (bar.minimum(), bar.maximum() // 2, bar.maximum()):
        bar.setValue(value)
        QApplication.processEvents()
        positions.append(strip.visualItemRect(strip.item(0)).x())
    # scrolling right moves the content left, pixel for pixel
    assert positions[0] - positions[1] == bar.maximum() // 2 and positions[0] - positions[2] == bar.maximum()
