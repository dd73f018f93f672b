"""Training from the window with the real backbone: drops, the Train button, Cancel, the GUI
thread's longest stall, the figures and curves, then live threshold feedback."""

from __future__ import annotations

import time

import pytest
from gui_helpers import copy_photos, drop_files, open_library, photos
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QLabel, QPushButton, QSlider

from photosort.gui.categories_panel import DETAIL_ROLE

PER_CATEGORY = 12
EPOCHS = 8
MAX_GUI_STALL_S = 0.2
CANCEL_WITHIN_S = 2.0
TRAIN_TIMEOUT_MS = 300_000


class StallMeter:
    """A 20 ms timer on the GUI thread; the longest gap between its ticks is the longest time
    the GUI thread could not handle events."""

    def __init__(self) -> None:
        self.ticks: list[float] = []
        self.timer = QTimer(interval=20)
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.timeout.connect(lambda: self.ticks.append(time.monotonic()))

    def __enter__(self) -> StallMeter:
        self.ticks = [time.monotonic()]
        self.timer.start()
        return self

    def __exit__(self, *exc) -> None:
        self.timer.stop()

    @property
    def longest(self) -> float:
        return max(b - a for a, b in zip(self.ticks, self.ticks[1:], strict=False))


def _label_by_dropping(qtbot, window, datasets_dir) -> None:
    category_list = window.categories.list
    for row in range(category_list.count()):
        name = category_list.item(row).text()
        center = category_list.visualItemRect(category_list.item(row)).center()
        with qtbot.waitSignal(window.library.labelsChanged, timeout=30_000):
            assert drop_files(category_list.viewport(), photos(datasets_dir, name, 0, PER_CATEGORY), center)
        assert window.library.category(name).positives == PER_CATEGORY


@pytest.mark.slow
def test_train_cancel_retrain_and_tune_thresholds(window, qtbot, tmp_path, datasets_dir, capsys):
    open_library(qtbot, window, tmp_path / "library")
    for name in ("forest", "sea"):
        window.categories.create_category(name, tmp_path / "sorted" / name)
    _label_by_dropping(qtbot, window, datasets_dir)
    window.tabs.setCurrentWidget(window.training)
    window.training.epochs = EPOCHS
    train_button = window.findChild(QPushButton, "trainButton")
    cancel_button = window.findChild(QPushButton, "cancelButton")
    stages: set[str] = set()
    stage_watch = QTimer(interval=50)
    stage_watch.timeout.connect(lambda: stages.add(window.training.stage.text().split(" (")[0].split(":")[0]))
    stage_watch.start()

    with StallMeter() as meter:
        # first run: cancel it once it is training; it must stop within a couple of seconds
        qtbot.mouseClick(train_button, Qt.MouseButton.LeftButton)
        assert not train_button.isEnabled() and cancel_button.isEnabled()
        qtbot.waitUntil(lambda: window.training.stage.text().startswith("Training:"), timeout=TRAIN_TIMEOUT_MS)
        clicked = time.monotonic()
        with qtbot.waitSignal(window.training.stopped, timeout=10_000) as stopped:
            qtbot.mouseClick(cancel_button, Qt.MouseButton.LeftButton)
        cancel_latency = time.monotonic() - clicked
        assert stopped.args == ["cancelled"]
        qtbot.waitUntil(train_button.isEnabled, timeout=5000)
        assert window.library.model is None

        # second run: to the end (the photos' features are cached now)
        with qtbot.waitSignal(window.training.trained, timeout=TRAIN_TIMEOUT_MS) as trained:
            qtbot.mouseClick(train_button, Qt.MouseButton.LeftButton)
    stage_watch.stop()
    with capsys.disabled():
        print(f"\n[gui] longest GUI-thread stall during training: {meter.longest * 1000:.0f} ms "
              f"({len(meter.ticks)} ticks); cancel took {cancel_latency:.2f} s")
    assert meter.longest < MAX_GUI_STALL_S
    assert cancel_latency < CANCEL_WITHIN_S
    assert {"Reading photos and computing their features", "Training"} <= stages

    # the figures: F1 per category in the sidebar and the table, and the loss curves
    result = trained.args[0]
    assert set(result.metrics["categories"]) == {"forest", "sea"}
    details = [window.categories.list.item(i).data(DETAIL_ROLE) for i in range(2)]
    assert all("F1 " in d for d in details), details
    table = window.training.table
    assert table.rowCount() == 2
    assert {table.item(r, 0).text() for r in range(2)} == {"forest", "sea"}
    assert all(0.0 <= float(table.item(r, 4).text()) <= 1.0 for r in range(2))
    assert "macro F1" in window.training.summary.text()
    assert len(window.training.plot.history["loss"]) >= 1 and len(window.training.plot.history["val_loss"]) >= 1

    _check_thresholds(window, qtbot, tmp_path, datasets_dir, result)


def _check_thresholds(window, qtbot, tmp_path, datasets_dir, result) -> None:
    """Sliders give live counts over the camera roll and held-out precision/recall."""
    roll = tmp_path / "camera-roll"
    copy_photos(photos(datasets_dir, "sea", 30, 34) + photos(datasets_dir, "forest", 30, 34), roll)
    window.tabs.setCurrentWidget(window.thresholds)
    panel = window.thresholds
    with qtbot.waitSignal(window.library.rollScoresChanged, timeout=120_000,
                          check_params_cb=lambda: window.library.roll_scores is not None):
        panel.roll.set_folder(str(roll))
    slider = window.findChild(QSlider, "thresholdSlider_sea")
    count = window.findChild(QLabel, "thresholdCount_sea")
    stats = window.findChild(QLabel, "thresholdStats_sea")
    assert slider is not None and window.findChild(QSlider, "thresholdSlider_forest") is not None

    slider.setValue(0)
    assert count.text() == "→ 8 of 8 photos"
    assert "recall 1.00" in stats.text()
    slider.setValue(slider.maximum())
    assert count.text() == "→ 0 of 8 photos"
    assert "recall 0.00" in stats.text()
    assert panel.strip.count() > 0  # the photos nearest the threshold

    best = result.metrics["categories"]["sea"]["threshold"]
    qtbot.mouseClick(window.findChild(QPushButton, "bestF1Button_sea"), Qt.MouseButton.LeftButton)
    assert slider.value() == round(best * 1000)
    middle = int(count.text().split()[1])
    assert 0 < middle < 8  # a trained sorter splits four sea photos from four forest ones
    qtbot.waitUntil(lambda: abs(window.library.catalog.category("sea").threshold - best) < 1e-3, timeout=3000)


def test_training_error_is_a_message_not_a_traceback(window, qtbot, tmp_path, datasets_dir):
    open_library(qtbot, window, tmp_path / "library")
    window.categories.create_category("sea", tmp_path / "sorted" / "sea")
    window.library.add_examples("sea", photos(datasets_dir, "sea", 0, 2))
    qtbot.waitUntil(lambda: window.library.category("sea").positives == 2, timeout=20_000)
    with qtbot.waitSignal(window.training.stopped, timeout=120_000) as stopped:
        window.training.start_training()
    assert stopped.args == ["failed"]
    assert window.banner.kind == "error"
    assert "at least 5 example photos" in window.banner.text()
    assert "Traceback" not in window.banner.text()
    qtbot.waitUntil(window.findChild(QPushButton, "trainButton").isEnabled, timeout=5000)


def test_cancel_before_training_polls_still_stops_within_two_seconds(window, qtbot, tmp_path, datasets_dir):
    """Cancel while the child is still loading TensorFlow (nothing polls should_stop yet):
    it is terminated after a grace period, so Cancel still answers in time."""
    import multiprocessing

    open_library(qtbot, window, tmp_path / "library")
    qtbot.mouseClick(window.findChild(QPushButton, "trainButton"), Qt.MouseButton.LeftButton)
    clicked = time.monotonic()
    with qtbot.waitSignal(window.training.stopped, timeout=10_000) as stopped:
        qtbot.mouseClick(window.findChild(QPushButton, "cancelButton"), Qt.MouseButton.LeftButton)
    assert stopped.args == ["cancelled"]
    assert time.monotonic() - clicked < CANCEL_WITHIN_S
    qtbot.waitUntil(lambda: not multiprocessing.active_children(), timeout=5000)
