"""Thresholds and retraining (issue 13, item 4): each slider shows the current sorter's
best-F1 position as a mark; a threshold moved by hand survives retraining; "Best F1" moves
the slider onto the new mark."""

from __future__ import annotations

import pytest
from gui_helpers import open_library
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QPushButton

from photosort.gui.threshold_slider import ThresholdSlider
from photosort.gui.thresholds_panel import slider_name

HAND_MOVED = 0.35
TRAIN_TIMEOUT_MS = 300_000


def _mark_is_drawn(slider: ThresholdSlider) -> bool:
    """Highlight-coloured pixels under the groove at the mark, as the person sees them."""
    image = slider.grab().toImage()
    x = round(slider.mark_x() * image.width() / slider.width())
    highlight = slider.palette().color(QPalette.ColorRole.Highlight)
    column = [QColor(image.pixel(x, y)) for y in range(image.height() - 6, image.height())]
    return any(abs(c.red() - highlight.red()) + abs(c.green() - highlight.green()) + abs(c.blue() - highlight.blue())
               < 40 for c in column)


@pytest.mark.slow
def test_hand_moved_threshold_survives_retraining_and_best_f1_takes_the_mark(window, qtbot, trained_library):
    open_library(qtbot, window, trained_library)
    window.tabs.setCurrentWidget(window.thresholds)
    slider = window.findChild(ThresholdSlider, slider_name("sea"))
    best_button = window.findChild(QPushButton, "bestF1Button_sea")
    first_best = window.library.trained_metrics("sea")["threshold"]
    assert slider.mark == pytest.approx(first_best)
    assert best_button.isEnabled() and f"{first_best:.2f}" in best_button.toolTip()
    qtbot.waitExposed(slider)
    assert _mark_is_drawn(slider)

    slider.setValue(round(HAND_MOVED * 1000))  # the person's own choice
    qtbot.waitUntil(lambda: window.library.catalog.category("sea").threshold == pytest.approx(HAND_MOVED),
                    timeout=3000)

    window.tabs.setCurrentWidget(window.training)
    window.training.epochs = 4
    with qtbot.waitSignal(window.training.trained, timeout=TRAIN_TIMEOUT_MS):
        qtbot.mouseClick(window.findChild(QPushButton, "trainButton"), Qt.MouseButton.LeftButton)
    window.tabs.setCurrentWidget(window.thresholds)
    slider = window.thresholds.rows["sea"].slider  # the rows may have been rebuilt
    new_best = window.library.trained_metrics("sea")["threshold"]
    assert slider.mark == pytest.approx(new_best)  # the new sorter's choice, shown as the mark
    assert window.library.catalog.category("sea").threshold == pytest.approx(HAND_MOVED)
    assert slider.value() == round(HAND_MOVED * 1000)  # the person's threshold is kept

    qtbot.mouseClick(window.thresholds.rows["sea"].best, Qt.MouseButton.LeftButton)
    assert slider.value() == round(new_best * 1000)
    qtbot.waitUntil(lambda: window.library.catalog.category("sea").threshold == pytest.approx(new_best, abs=1e-3),
                    timeout=3000)


def test_best_f1_says_why_it_is_disabled_before_training(window, qtbot, tmp_path):
    open_library(qtbot, window, tmp_path / "library")
    window.categories.create_category("sea", tmp_path / "sorted" / "sea")
    button = window.findChild(QPushButton, "bestF1Button_sea")
    assert not button.isEnabled() and "Train the sorter first" in button.toolTip()
    assert window.findChild(ThresholdSlider, slider_name("sea")).mark is None
