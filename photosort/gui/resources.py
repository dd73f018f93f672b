"""Icons and the style sheet, from the repository's ``resources/`` folder.

Looked up under the bundle root in a PyInstaller build (the spec copies ``resources/`` there),
next to the package in a source checkout, and in ``<prefix>/share/photosort/resources`` where
pip installed them (pyproject's data-files).
"""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

from PySide6.QtGui import QIcon


def resources_dir() -> Path:
    bundle = getattr(sys, "_MEIPASS", None)
    candidates = [Path(bundle) / "resources"] if bundle else []
    candidates.append(Path(__file__).resolve().parents[2] / "resources")  # a source checkout
    candidates.append(Path(sys.prefix) / "share" / "photosort" / "resources")  # pip install
    return next((c for c in candidates if c.is_dir()), candidates[-1])


def resource_path(name: str) -> Path:
    return resources_dir() / name


@cache
def icon(name: str) -> QIcon:
    """An icon by file stem (``icon("error")`` → resources/error.svg); empty if missing."""
    path = resource_path(f"{name}.svg")
    return QIcon(str(path)) if path.is_file() else QIcon()


@cache
def app_icon() -> QIcon:
    """The app icon: the SVG scales to any size, the PNG serves platforms without SVG support."""
    result = QIcon()
    for name in ("photosort.svg", "photosort.png"):
        if resource_path(name).is_file():
            result.addFile(str(resource_path(name)))
    return result


def style_sheet() -> str:
    try:
        return resource_path("style.qss").read_text(encoding="utf-8")
    except OSError:
        return ""  # unstyled but fully usable
