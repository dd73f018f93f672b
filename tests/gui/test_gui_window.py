"""The window without training: start-up, object names, categories, labelling by real drops,
thumbnails, Delete and "not this category", and threads delivering to the GUI thread."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

from gui_helpers import drop_files, open_library, photos
from PySide6.QtCore import Qt, QThread
from PySide6.QtWidgets import QApplication, QListWidget, QProgressBar, QPushButton

from photosort.gui import resources
from photosort.gui.example_grid import ID_ROLE
from photosort.gui.workers import Worker

REPO = Path(__file__).resolve().parents[2]

FIRST_WINDOW = """
import json, sys, time
started = time.perf_counter()
from photosort.gui.app import application, create_window
app = application(sys.argv[:1])
window = create_window()
window.show()
app.processEvents()
print(json.dumps({"shown_s": time.perf_counter() - started, "tensorflow": "tensorflow" in sys.modules}))
"""


def test_first_window_in_under_two_seconds_without_tensorflow():
    env = dict(os.environ)  # the suite's platform: offscreen, or xcb on Xvfb
    out = subprocess.run([sys.executable, "-c", FIRST_WINDOW], capture_output=True, text=True, env=env,
                         cwd=REPO, timeout=60, check=True).stdout
    result = json.loads(out.strip().splitlines()[-1])
    assert result["shown_s"] < 2.0
    assert not result["tensorflow"]


def test_main_widgets_have_stable_names(window):
    for name, kind in [("categoryList", QListWidget), ("exampleGrid", QListWidget), ("trainButton", QPushButton),
                       ("trainProgress", QProgressBar), ("cancelButton", QPushButton), ("sortButton", QPushButton),
                       ("undoButton", QPushButton), ("watchToggle", QPushButton)]:
        assert window.findChild(kind, name) is not None, name
    assert not window.windowIcon().isNull()
    assert resources.resource_path("photosort.svg").is_file() and resources.resource_path("photosort.png").is_file()


def test_categories_add_rename_remove_and_errors_in_banner(window, qtbot, tmp_path):
    open_library(qtbot, window, tmp_path / "library")
    panel = window.categories
    assert panel.create_category("Sea", tmp_path / "out" / "sea")
    assert panel.create_category("Forest", tmp_path / "out" / "forest")
    names = [panel.list.item(i).text() for i in range(panel.list.count())]
    assert names == ["Forest", "Sea"]
    assert window.library.current_category == "Forest"  # the new one is selected

    assert not panel.create_category("Sea", tmp_path / "elsewhere")  # duplicate: a message, no exception
    assert window.banner.kind == "error" and "already exists" in window.banner.text()

    window.library.rename_category("Sea", "Beach")
    window.library.set_folder("Beach", tmp_path / "out" / "beach")
    assert window.library.category("Beach").folder == tmp_path / "out" / "beach"
    window.library.remove_category("Forest")
    assert [panel.list.item(i).text() for i in range(panel.list.count())] == ["Beach"]
    assert window.library.current_category == "Beach"


def _wait_for_thumbnails(qtbot, grid: QListWidget, count: int) -> None:
    placeholder = resources.icon("placeholder").cacheKey()

    def loaded() -> None:
        assert grid.count() == count
        assert all(grid.item(i).data(ID_ROLE) is not None for i in range(count))  # read into the catalog
        assert all(grid.item(i).icon().cacheKey() != placeholder for i in range(count))

    qtbot.waitUntil(loaded, timeout=20_000)


def test_drop_photos_on_category_and_grid_then_unlabel_and_mark_negative(window, qtbot, tmp_path, datasets_dir):
    open_library(qtbot, window, tmp_path / "library")
    window.categories.create_category("sea", tmp_path / "out" / "sea")
    window.categories.create_category("forest", tmp_path / "out" / "forest")
    category_list = window.categories.list
    grid = window.examples.grid

    # onto the "sea" row of the category list (not the current one: forest is selected)
    sea_row = next(i for i in range(category_list.count()) if category_list.item(i).text() == "sea")
    sea_center = category_list.visualItemRect(category_list.item(sea_row)).center()
    with qtbot.waitSignal(window.library.labelsChanged, timeout=20_000):
        assert drop_files(category_list.viewport(), photos(datasets_dir, "sea", 0, 4), sea_center)
    assert window.library.category("sea").positives == 4
    assert window.library.category("forest").positives == 0

    # a whole folder onto the example grid of the current category (forest)
    folder = tmp_path / "forest-photos"
    folder.mkdir()
    for p in photos(datasets_dir, "forest", 0, 5):
        (folder / p.name).write_bytes(p.read_bytes())
    with qtbot.waitSignal(window.library.labelsChanged, timeout=20_000):
        assert drop_files(grid.viewport(), [folder])
    assert window.library.category("forest").positives == 5
    _wait_for_thumbnails(qtbot, grid, 5)

    # select two and press Delete: they stop being examples
    grid.item(0).setSelected(True)
    grid.item(1).setSelected(True)
    qtbot.keyClick(grid, Qt.Key.Key_Delete)
    assert window.library.category("forest").positives == 3
    assert grid.count() == 3

    # "not this category" on one: it becomes a negative example, shown under the other toggle
    grid.clearSelection()
    grid.item(0).setSelected(True)
    window.examples.mark_selected(False)
    record = window.library.category("forest")
    assert (record.positives, record.negatives) == (2, 1)
    window.examples.show_examples(False)
    assert grid.count() == 1

    # a drop of something that is not a photo is reported, not raised
    junk = tmp_path / "notes.txt"
    junk.write_text("not a photo")
    with qtbot.waitSignal(window.library.labelsChanged, timeout=20_000):
        drop_files(category_list.viewport(), [junk], sea_center)
    assert window.banner.kind == "error" and "notes.txt" in window.banner.text()


def test_worker_reports_on_the_gui_thread(qapp, qtbot):
    seen: dict[str, object] = {}
    gui_thread = QApplication.instance().thread()

    def task(progress, should_stop):
        seen["task_thread"] = threading.current_thread()
        from photosort.progress import Progress

        progress(Progress("step", 1, 1))
        return 42

    worker = Worker(task)
    worker.progress.connect(lambda p: seen.setdefault("progress_on_gui", QThread.currentThread() == gui_thread))
    worker.finished.connect(lambda value: seen.setdefault("result", value))
    with qtbot.waitSignal(worker.ended, timeout=5000):
        worker.start()
    assert seen["task_thread"] is not threading.main_thread()
    assert seen["progress_on_gui"] is True
    assert seen["result"] == 42


def test_worker_cancel_and_failure_become_signals(qapp, qtbot):
    from photosort.errors import NotEnoughExamples
    from photosort.progress import check_stop

    def slow(progress, should_stop):
        while True:
            check_stop(should_stop)
            QThread.msleep(10)

    worker = Worker(slow)
    with qtbot.waitSignal(worker.cancelled, timeout=5000):
        worker.start()
        worker.cancel()
    worker.wait(2000)

    def failing(progress, should_stop):
        raise NotEnoughExamples("Each category needs at least 5 example photos.")

    worker = Worker(failing)
    with qtbot.waitSignal(worker.failed, timeout=5000) as blocker:
        worker.start()
    assert blocker.args == ["Each category needs at least 5 example photos."]
    worker.wait(2000)


def test_remembers_library_geometry_and_folders(qapp, qtbot, tmp_path):
    from photosort.config import Settings
    from photosort.gui.app import create_window

    first = create_window()
    qtbot.addWidget(first)
    first.show()
    open_library(qtbot, first, tmp_path / "library")
    first.resize(first.minimumSizeHint().width() + 2, 560)  # fits the offscreen screen (800×600)
    size = first.size()
    first.sorting.roll.set_folder(str(tmp_path / "roll"))
    first.watching.folder.set_folder(str(tmp_path / "DCIM"))
    first.close()

    second = create_window()
    qtbot.addWidget(second)
    assert second.size() == size
    assert second.preferences.library() == (tmp_path / "library").resolve()
    second.show()
    open_library(qtbot, second, second.preferences.library())
    assert second.library.camera_roll == str(tmp_path / "roll")
    assert second.watching.folder.folder == str(tmp_path / "DCIM")
    assert Settings.load().camera_roll == str(tmp_path / "roll")  # the command line offers the same folder
    second.close()
