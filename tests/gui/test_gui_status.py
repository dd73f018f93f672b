"""Status that is true, in plain words (issue 13, items 6 and 11)."""

from __future__ import annotations

from gui_helpers import open_library, photos

from photosort.gui.training_panel import plain_words


def test_a_training_that_never_started_does_not_say_it_did_not_finish(window, qtbot, tmp_path, datasets_dir):
    open_library(qtbot, window, tmp_path / "library")
    window.categories.create_category("sea", tmp_path / "sorted" / "sea")
    window.library.add_examples("sea", photos(datasets_dir, "sea", 0, 2))
    qtbot.waitUntil(lambda: window.library.category("sea").positives == 2, timeout=20_000)
    with qtbot.waitSignal(window.training.stopped, timeout=120_000):
        window.training.start_training()
    assert window.training.stage.text() == "Training could not start."


def test_figures_in_plain_words():
    text = plain_words("sea", {"precision": 0.91, "recall": 0.78, "f1": 0.84})
    assert text == "<b>sea</b>: right 9 times in 10, finds 8 in 10 of its photos"
