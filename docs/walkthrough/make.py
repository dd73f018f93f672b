"""The walkthrough: the whole flow driven in the real window on a real X server, with a
screenshot of each step saved as docs/walkthrough/NN-step.png (issue 13, "Must show").

    python docs/walkthrough/make.py            # starts Xvfb itself (xvfb-run) when there is no display

Real photos from ../shared/datasets/scenes (PHOTOSORT_SHARED elsewhere), a real trained sorter,
a temporary home folder (paths read ~/Pictures/...; only the backbone cache is shared). Steps:
create categories, drop examples (a real drag by the X pointer when xdotool is there), train,
move a slider, preview, sort, undo, watch, review, and the sorter then out of date. Each image
is the window (or the dialog) only, saved as an optimised PNG. About 2–4 minutes.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
OUT = Path(__file__).resolve().parent
DATASETS = Path(os.environ.get("PHOTOSORT_SHARED", REPO.parent / "shared")) / "datasets" / "scenes"
CATEGORIES = {"Beach": "sea", "Forest": "forest", "City": "street"}
EXAMPLES = 15
SIZE = (1180, 700)
MAX_COLOURS_PNG_BYTES = 260_000  # above this a shot is saved with 256 colours (dithered)


def _photos(folder: str, start: int, stop: int) -> list[Path]:
    return sorted((DATASETS / folder).glob("*.jpg"))[start:stop]


class Walk:
    def __init__(self, app, window) -> None:
        self.app, self.window, self.step = app, window, 0

    def wait(self, condition: Callable[[], bool], what: str, timeout_s: float = 300) -> None:
        deadline = time.monotonic() + timeout_s
        while not condition():
            if time.monotonic() > deadline:
                raise SystemExit(f"walkthrough: gave up waiting for {what}")
            self.app.processEvents()
            time.sleep(0.02)

    def settle(self, seconds: float = 0.4) -> None:
        from photosort.gui.thumbnails import shared_loader

        self.wait(lambda: not shared_loader().busy(), "the thumbnails")
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self.app.processEvents()
            time.sleep(0.02)

    def shot(self, name: str, widget=None) -> None:
        """Save a widget (the window by default) as the next NN-name.png, cropped to it."""
        from PIL import Image

        self.settle()
        self.step += 1
        path = OUT / f"{self.step:02d}-{name}.png"
        raw = path.with_suffix(".raw.png")
        (widget or self.window).grab().save(str(raw))
        image = Image.open(raw).convert("RGB")
        image.save(path, optimize=True)
        if path.stat().st_size > MAX_COLOURS_PNG_BYTES:
            image.quantize(256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.FLOYDSTEINBERG).save(
                path, optimize=True)
        raw.unlink()
        print(f"  {path.relative_to(REPO)}  ({path.stat().st_size // 1024} KB)", flush=True)


def _real_drag(walk: Walk, files: list[Path], row: int) -> bool:
    """Drag files from a stand-in file manager window onto a category with the X pointer."""
    from PySide6.QtCore import QMimeData, Qt, QTimer, QUrl
    from PySide6.QtGui import QDrag
    from PySide6.QtWidgets import QLabel

    if shutil.which("xdotool") is None or os.environ.get("QT_QPA_PLATFORM") != "xcb":
        return False
    window = walk.window
    source = QLabel(f"  {len(files)} photos (a file manager)  ")
    source.move(window.frameGeometry().right() + 20, 40)
    source.resize(220, 120)
    source.show()
    walk.settle(0.5)
    category = window.categories.list
    target = category.viewport().mapToGlobal(category.visualItemRect(category.item(row)).center())
    start = source.mapToGlobal(source.rect().center())
    done: list[object] = []

    def drag() -> None:
        mime = QMimeData()
        mime.setUrls([QUrl.fromLocalFile(str(f)) for f in files])
        d = QDrag(source)
        d.setMimeData(mime)
        done.append(d.exec(Qt.DropAction.CopyAction | Qt.DropAction.MoveAction, Qt.DropAction.CopyAction))

    pointer = [f"mousemove {start.x()} {start.y()}", "mousedown 1", "sleep 0.6"]
    for i in range(1, 9):
        pointer += [f"mousemove {start.x() + (target.x() - start.x()) * i // 8} "
                    f"{start.y() + (target.y() - start.y()) * i // 8}", "sleep 0.1"]
    pointer += [f"mousemove {target.x() + 1} {target.y()}", "sleep 0.4", "mouseup 1"]
    driver = subprocess.Popen(["xdotool", *" ".join(pointer).split()])
    QTimer.singleShot(300, drag)
    try:
        walk.wait(lambda: bool(done), "the drag", 30)
    finally:
        driver.wait(20)
        source.close()
    return True


def _drop(walk: Walk, files: list[Path], row: int) -> None:
    """The window's own drop handling, fed a file manager's drop (when no real drag is possible)."""
    from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
    from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
    from PySide6.QtWidgets import QApplication

    category = walk.window.categories.list
    point = category.visualItemRect(category.item(row)).center()
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(f)) for f in files])
    args = (mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(category.viewport(), QDragEnterEvent(point, Qt.DropAction.CopyAction, *args))
    QApplication.sendEvent(category.viewport(), QDragMoveEvent(point, Qt.DropAction.CopyAction, *args))
    QApplication.sendEvent(category.viewport(), QDropEvent(QPointF(point), Qt.DropAction.CopyAction, *args))


def _answer_next_dialog(walk: Walk, name: str, button) -> None:
    """When the next modal dialog opens: a screenshot of it, then press ``button``."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    def look() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(100, look)
            return
        walk.shot(name, box)
        box.button(button).click()

    QTimer.singleShot(100, look)


def walk_through(walk: Walk, home: Path) -> None:
    from PySide6.QtWidgets import QMessageBox

    from photosort.gui.category_dialog import CategoryDialog

    window, library = walk.window, walk.window.library
    library.open(home / ".local" / "share" / "photosort" / "library")
    walk.wait(library.is_open, "the library to open")
    walk.shot("start")

    dialog = CategoryDialog(window)  # the folder it will use is written in the field
    dialog.name_edit.setText("Beach")
    dialog.resize(760, dialog.sizeHint().height())  # the whole default folder in view
    dialog.show()
    walk.shot("new-category", dialog)
    dialog.close()
    for name in CATEGORIES:
        window.categories.create_category(name, str(home / "Pictures" / name))

    rows = [window.categories.list.item(r).text() for r in range(window.categories.list.count())]
    for name, folder in CATEGORIES.items():
        files, row = _photos(folder, 0, EXAMPLES), rows.index(name)
        if not (name == "Beach" and _real_drag(walk, files, row)):
            _drop(walk, files, row)
        walk.wait(lambda n=name: library.category(n).positives == EXAMPLES, f"the examples of {name}", 60)
    library.set_current_category("Beach")
    window.tabs.setCurrentWidget(window.examples)
    walk.shot("examples")

    window.tabs.setCurrentWidget(window.training)
    window.training.start_training()
    walk.wait(lambda: window.training.stage.text().startswith("Training:"), "training to start", 600)
    walk.wait(lambda: len(window.training.plot.history.get("loss", [])) >= 3, "a few epochs", 600)
    walk.shot("training")
    walk.wait(lambda: library.model is not None and window.training.worker is None, "training to finish", 600)
    walk.shot("trained")

    roll = home / "Camera roll"
    roll.mkdir()
    for photo in [p for folder in CATEGORIES.values() for p in _photos(folder, 20, 28)] + _photos("glacier", 0, 4):
        shutil.copy2(photo, roll / photo.name)
    window.tabs.setCurrentWidget(window.thresholds)
    window.thresholds.roll.set_folder(str(roll))
    walk.wait(lambda: library.roll_scores is not None, "the camera roll to be scored", 300)
    window.thresholds.rows["Beach"].slider.setValue(350)  # moved by hand
    walk.shot("thresholds")

    sorting = window.sorting
    window.tabs.setCurrentWidget(sorting)
    sorting.preview()
    walk.wait(lambda: sorting.worker is None and sorting.table.rowCount() > 0, "the preview", 300)
    walk.shot("preview")
    sorting.sort_now()
    walk.wait(lambda: sorting.worker is None and sorting.title.text() == "Last sort", "the sort", 300)
    walk.shot("sorted")

    _answer_next_dialog(walk, "undo-confirm", QMessageBox.StandardButton.Yes)
    sorting.undo()
    walk.wait(lambda: sorting.worker is None and sorting.title.text().endswith("undone"), "the undo", 120)
    walk.shot("undone")

    dcim = home / "Phone" / "DCIM"
    dcim.mkdir(parents=True)
    window.tabs.setCurrentWidget(window.watching)
    window.watching.folder.set_folder(str(dcim))
    window.watching.toggle.click()
    walk.wait(lambda: window.watching.status.text().startswith("Watching"), "watching to start", 300)
    arriving = _photos("sea", 28, 32) + _photos("forest", 28, 30) + _photos("mountain", 0, 2)
    for photo in arriving:
        shutil.copy2(photo, dcim / photo.name)
    walk.wait(lambda: window.watching.recent.count() >= len(arriving), "the watched photos", 120)
    walk.shot("watch")
    window.watching.toggle.click()
    walk.wait(lambda: window.watching.worker is None, "watching to stop", 60)

    review = window.review
    window.tabs.setCurrentWidget(review)
    review.category.setCurrentText("Beach")
    walk.wait(lambda: review.worker is None and review.grid.count() > 0, "what Beach received", 60)
    review.grid.item(0).setSelected(True)
    walk.shot("review")
    review.correct_selected("Forest")
    walk.wait(lambda: review.worker is None and window.out_of_date.isVisible(), "the correction", 60)
    walk.shot("out-of-date")


def main() -> int:
    if not os.environ.get("DISPLAY") and shutil.which("xvfb-run"):
        return subprocess.call(["xvfb-run", "-a", "-s", "-screen 0 1600x1000x24", sys.executable, *sys.argv])
    os.environ.setdefault("QT_QPA_PLATFORM", "xcb" if os.environ.get("DISPLAY") else "offscreen")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    sys.path.insert(0, str(REPO))
    from photosort import config

    os.environ.setdefault(config.ENV_CACHE_DIR, str(config.cache_dir()))  # keep the converted weights
    home = Path(tempfile.mkdtemp(prefix="photosort-walkthrough-"))
    for key, value in {"HOME": home, config.ENV_CONFIG_DIR: home / ".config" / "photosort",
                       config.ENV_DATA_DIR: home / ".local" / "share" / "photosort",
                       "XDG_CONFIG_HOME": home / ".config", "XDG_PICTURES_DIR": home / "Pictures"}.items():
        os.environ[key] = str(value)
    for old in OUT.glob("[0-9][0-9]-*.png"):
        old.unlink()
    from photosort.gui.app import application, create_window

    app = application([sys.argv[0]])
    window = create_window()
    window.resize(*SIZE)
    window.move(0, 0)
    window.show()
    try:
        walk_through(Walk(app, window), home)
    finally:
        window.close()
        shutil.rmtree(home, ignore_errors=True)
    total = sum(p.stat().st_size for p in OUT.glob("*.png"))
    print(f"walkthrough: {len(list(OUT.glob('*.png')))} screenshots, {total / 1e6:.1f} MB in {OUT.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
