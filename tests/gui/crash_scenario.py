"""Issue 13's crash, as a person met it: train 5 + 5 examples with the Train tab shown.

Run as its own process (``python crash_scenario.py LIBRARY DATASETS``) by test_gui_crash.py:
a reference-count error in the Qt binding aborts the whole process ("Fatal Python error:
none_dealloc"), which a test can only see from outside. Exits 0 once the sorter is trained.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QTimer

from photosort.gui.app import application, create_window
from photosort.registration import register_photos

PER_CATEGORY = 5
EPOCHS = None  # the core's default, as the person trained


def main(library: Path, datasets: Path) -> int:
    app = application(sys.argv[:1])
    win = create_window()
    win.resize(1200, 800)
    win.show()
    outcome: list[int] = []

    def finish(code: int) -> None:
        outcome.append(code)
        app.quit()

    def on_opened() -> None:
        for name in ("forest", "sea"):
            win.library.add_category(name, library.parent / "sorted" / name)
        catalog = win.library.catalog
        for name in ("forest", "sea"):
            paths = sorted((datasets / "scenes" / name).glob("*.jpg"))[:PER_CATEGORY]
            records, _ = register_photos(catalog, paths)  # the catalog reads no files itself
            win.library.label(name, [r.id for r in records], True)
        win.tabs.setCurrentWidget(win.training)
        win.training.epochs = EPOCHS
        win.training.trained.connect(lambda _result: finish(0))
        win.training.stopped.connect(lambda why: finish(3))
        win.training.start_training()

    win.library.opened.connect(on_opened)
    win.library.message.connect(lambda kind, text: print(f"{kind}: {text}", flush=True))
    win.library.open(library)
    QTimer.singleShot(240_000, lambda: finish(4))  # never hang a test run
    app.exec()
    win.close()
    return outcome[0] if outcome else 5


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), Path(sys.argv[2])))
