"""Render resources/photosort.svg to bitmaps for platforms and launchers that want one.

    QT_QPA_PLATFORM=offscreen python packaging/render_icon.py            # resources/photosort.png (256 px)
    QT_QPA_PLATFORM=offscreen python packaging/render_icon.py --hicolor DIR
        # DIR/<N>x<N>/apps/photosort.png for the hicolor theme's sizes, and DIR/scalable/apps/photosort.svg

Run the first after editing the SVG; packaging/build.sh runs the second into the bundle.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

RESOURCES = Path(__file__).resolve().parents[1] / "resources"
SVG = RESOURCES / "photosort.svg"
SIZE = 256
HICOLOR_SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)  # the sizes launchers and panels ask for


def render(renderer: QSvgRenderer, size: int, target: Path) -> bool:
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    target.parent.mkdir(parents=True, exist_ok=True)
    if not image.save(str(target)):
        print(f"could not write {target}", file=sys.stderr)
        return False
    return True


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hicolor", type=Path, metavar="DIR", help="write the hicolor theme's sizes under DIR")
    args = parser.parse_args()
    app = QGuiApplication(sys.argv[:1])  # noqa: F841 (QPainter needs an application)
    renderer = QSvgRenderer(str(SVG))
    if not renderer.isValid():
        print(f"could not read {SVG}", file=sys.stderr)
        return 1
    if args.hicolor is None:
        target = RESOURCES / "photosort.png"
        if not render(renderer, SIZE, target):
            return 1
        print(f"wrote {target}")
        return 0
    for size in HICOLOR_SIZES:
        if not render(renderer, size, args.hicolor / f"{size}x{size}" / "apps" / "photosort.png"):
            return 1
    scalable = args.hicolor / "scalable" / "apps" / "photosort.svg"
    scalable.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SVG, scalable)
    print(f"wrote {len(HICOLOR_SIZES)} sizes and the SVG under {args.hicolor}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
