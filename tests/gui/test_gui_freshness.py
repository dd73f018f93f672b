""""The sorter is out of date" (issue 13, item 9): after new examples, a correction or a new
category the window says the sorter no longer matches the examples and offers to retrain; a
category the sorter was never trained on is "not trained yet" in the preview, not a silent 0."""

from __future__ import annotations

import pytest
from gui_helpers import copy_photos, open_library, photos

from photosort.registration import register_photos

WAIT_MS = 30_000


def _fresh_again(qtbot, window, change) -> list[str]:
    with qtbot.waitSignal(window.library.freshnessChanged, timeout=WAIT_MS):
        change()
    qtbot.waitUntil(lambda: window.library._freshness_worker is None, timeout=WAIT_MS)
    return window.library.freshness.reasons


@pytest.mark.slow
def test_the_window_says_when_the_sorter_is_out_of_date(window, qtbot, trained_library, tmp_path, datasets_dir):
    with qtbot.waitSignal(window.library.freshnessChanged, timeout=WAIT_MS):
        open_library(qtbot, window, trained_library)
    library = window.library
    assert library.freshness.reasons == [] and window.out_of_date.isHidden()

    # a new example
    new, _ = register_photos(library.catalog, photos(datasets_dir, "sea", 40, 41))
    reasons = _fresh_again(qtbot, window, lambda: library.label("sea", [new[0].id], True))
    assert reasons == ["1 new example"]
    assert window.out_of_date.isVisible() and "no longer matches" in window.out_of_date.label.text()
    assert window.out_of_date.button.isEnabled()

    # a trained example corrected (now "not sea"), another forgotten
    sea = [p.id for p in library.catalog.examples("sea")]
    _fresh_again(qtbot, window, lambda: library.label("sea", [sea[0]], False))
    reasons = _fresh_again(qtbot, window, lambda: library.unlabel("sea", [sea[1]]))
    assert reasons == ["1 new example", "1 example corrected or moved", "1 example removed"]

    # a new category: said, and "not trained yet" in the preview rather than 0
    reasons = _fresh_again(qtbot, window, lambda: window.categories.create_category("beach", tmp_path / "beach"))
    assert reasons[0] == "new category beach"
    roll = tmp_path / "roll"
    copy_photos(photos(datasets_dir, "sea", 30, 32), roll)
    library.set_camera_roll(str(roll))
    with qtbot.waitSignal(window.sorting.sortFinished, timeout=120_000):
        window.sorting.preview()
    table = window.sorting.table
    rows = {table.item(r, 0).text(): table.item(r, 2).text() for r in range(table.rowCount())}
    assert rows["beach"] == "not trained yet"
    assert "Not trained yet: beach" in window.sorting.summary.text()
    assert window.thresholds.rows["beach"].count.text() == "→ not trained yet"
