"""Render resources/photosort.svg to resources/photosort.png (256 px) for platforms and
launchers that want a bitmap icon. Run after editing the SVG:

    QT_QPA_PLATFORM=offscreen python packaging/render_icon.py
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

RESOURCES = Path(__file__).resolve().parents[1] / "resources"
SIZE = 256


def main() -> int:
    app = QGuiApplication(sys.argv[:1])  # noqa: F841 (QPainter needs an application)
    renderer = QSvgRenderer(str(RESOURCES / "photosort.svg"))
    image = QImage(SIZE, SIZE, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    target = RESOURCES / "photosort.png"
    if not image.save(str(target)):
        print(f"could not write {target}", file=sys.stderr)
        return 1
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
