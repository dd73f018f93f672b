"""Make docs/screenshot.png: the main window over a real library, trained for real.

Builds a throwaway library from the shared photos (Beach ← scenes/sea, Forest ← scenes/forest,
City ← scenes/street; 15 examples each), trains it with the real backbone, points the window
at a camera roll of photos it has not seen, previews a sort, and grabs the window offscreen.

    python packaging/make_screenshot.py [--tab thresholds] [--out docs/screenshot.png]

Everything is written under a temporary home folder (so paths read ~/Pictures/...); only
the backbone cache is shared with the real one, to skip converting the weights again.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DATASETS = Path(os.environ.get("PHOTOSORT_SHARED", REPO.parent / "shared")) / "datasets" / "scenes"
CATEGORIES = {"Beach": "sea", "Forest": "forest", "City": "street"}
EXAMPLES = 15
TABS = ("examples", "train", "thresholds", "sort", "watch", "review")


def _photos(folder: str, start: int, stop: int) -> list[Path]:
    return sorted((DATASETS / folder).glob("*.jpg"))[start:stop]


def _wait(app, condition: Callable[[], bool], what: str, timeout_s: float = 300) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"gave up waiting for {what}")
        app.processEvents()
        time.sleep(0.02)


def build_library(home: Path) -> tuple[Path, Path]:
    """A trained library and a camera roll, under ``home``."""
    from photosort.catalog import Catalog
    from photosort.registration import register_photos
    from photosort.training import train

    library = home / ".local" / "share" / "photosort" / "library"
    with Catalog(library) as catalog:
        for name, folder in CATEGORIES.items():
            catalog.add_category(name, home / "Pictures" / name)
            records, _ = register_photos(catalog, _photos(folder, 0, EXAMPLES))
            catalog.label(name, [r.id for r in records])
        print("training the sorter on real photos…", flush=True)
        train(catalog, seed=0)
    roll = home / "Camera roll"
    roll.mkdir()
    picked = [p for folder in CATEGORIES.values() for p in _photos(folder, 20, 28)]
    picked += _photos("glacier", 0, 4) + _photos("buildings", 0, 4)
    for photo in picked:
        shutil.copy2(photo, roll / photo.name)
    return library, roll


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tab", choices=TABS, default="thresholds", help="the tab shown (default: thresholds)")
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshot.png")
    parser.add_argument("--size", default="1200x640", help="window size, WIDTHxHEIGHT")
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    sys.path.insert(0, str(REPO))
    from photosort import config

    os.environ.setdefault(config.ENV_CACHE_DIR, str(config.cache_dir()))  # keep the converted weights
    home = Path(tempfile.mkdtemp(prefix="photosort-screenshot-"))
    os.environ["HOME"] = str(home)
    os.environ[config.ENV_CONFIG_DIR] = str(home / ".config" / "photosort")
    os.environ["XDG_CONFIG_HOME"] = str(home / ".config")
    try:
        library, roll = build_library(home)
        return _grab(library, roll, args)
    finally:
        shutil.rmtree(home, ignore_errors=True)


def _grab(library: Path, roll: Path, args: argparse.Namespace) -> int:
    from photosort.gui.app import application, create_window
    from photosort.gui.thumbnails import shared_loader

    app = application([sys.argv[0]])
    window = create_window()
    width, height = (int(v) for v in args.size.split("x"))
    window.resize(width, height)
    window.show()
    window.library.open(library)
    _wait(app, window.library.is_open, "the library to open")
    window.thresholds.roll.set_folder(str(roll))  # scores the roll: live counts by the sliders
    _wait(app, lambda: window.library.roll_scores is not None, "the camera roll to be scored")
    window.sorting.preview()
    _wait(app, lambda: window.sorting.worker is None and window.sorting.table.rowCount() > 0, "the preview")
    window.library.set_current_category("Beach")
    window.tabs.setCurrentIndex(TABS.index(args.tab))
    _wait(app, lambda: not shared_loader().busy(), "the thumbnails")
    for _ in range(10):
        app.processEvents()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    if not window.grab().save(str(args.out)):
        print(f"could not write {args.out}", file=sys.stderr)
        return 1
    print(f"wrote {args.out}")
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
