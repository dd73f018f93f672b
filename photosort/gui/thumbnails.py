"""Thumbnails decoded on a thread pool and kept in a small cache.

Photos are decoded with ``images.load_thumbnail`` (EXIF orientation, fast draft decode of
JPEGs) on pool threads and come back as QImages (safe to make off the GUI thread, unlike
QPixmaps). The GUI thread turns each into a QIcon once and keeps the most recent ones, so
scrolling back or switching categories shows them at once.
"""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path

from PySide6.QtCore import QObject, QRunnable, QSize, Qt, QThreadPool, Signal
from PySide6.QtGui import QIcon, QImage, QPainter, QPixmap

from photosort.gui import resources

CACHE_ITEMS = 1500  # ~1500 × 128² × 4 B ≈ 100 MB at most


class _Relay(QObject):
    """Lives in the GUI thread; the pool threads emit through it (queued to the GUI thread)."""

    loaded = Signal(str, int, QImage)


class _Job(QRunnable):
    def __init__(self, path: str, size: int, relay: _Relay):
        super().__init__()
        self.path, self.size, self.relay = path, size, relay

    def run(self) -> None:
        from photosort import images  # OpenCV and Pillow: first used here, off the GUI thread
        from photosort.errors import ImageError

        try:
            thumb = images.load_thumbnail(self.path, self.size)
            data = thumb.tobytes()
            image = QImage(data, thumb.width, thumb.height, 3 * thumb.width, QImage.Format.Format_RGB888).copy()
        except (ImageError, OSError, ValueError):
            image = QImage()  # null: the "unreadable" icon is shown
        try:
            self.relay.loaded.emit(self.path, self.size, image)
        except RuntimeError:  # the relay is gone: the process is exiting, nobody wants the thumbnail
            pass


class ThumbnailLoader(QObject):
    """``icon(path, size)`` returns a cached icon or a placeholder and queues the decode;
    ``ready(path, size, icon)`` follows when it is done."""

    ready = Signal(str, int, QIcon)

    def __init__(self, threads: int = 2):
        super().__init__()
        self._pool = QThreadPool()
        self._pool.setMaxThreadCount(threads)
        self._relay = _Relay()
        self._relay.loaded.connect(self._on_loaded)
        self._cache: OrderedDict[tuple[str, int], QIcon] = OrderedDict()
        self._pending: set[tuple[str, int]] = set()

    def icon(self, path: str | Path, size: int) -> QIcon:
        key = (str(path), size)
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            return cached
        if key not in self._pending:
            self._pending.add(key)
            self._pool.start(_Job(key[0], size, self._relay))
        return resources.icon("placeholder")

    def busy(self) -> bool:
        return bool(self._pending)

    def _on_loaded(self, path: str, size: int, image: QImage) -> None:
        key = (path, size)
        self._pending.discard(key)
        if image.isNull():
            result = resources.icon("broken")
        else:
            # square canvas so every grid cell lines up whatever the photo's shape
            canvas = QPixmap(QSize(size, size))
            canvas.fill(Qt.GlobalColor.transparent)
            painter = QPainter(canvas)
            painter.drawImage((size - image.width()) // 2, (size - image.height()) // 2, image)
            painter.end()
            result = QIcon(canvas)
        self._cache[key] = result
        while len(self._cache) > CACHE_ITEMS:
            self._cache.popitem(last=False)
        self.ready.emit(path, size, result)

    def shutdown(self) -> None:
        self._pool.clear()
        self._pool.waitForDone(3000)


_shared: ThumbnailLoader | None = None


def shared_loader() -> ThumbnailLoader:
    """One loader (one cache, one pool) for every panel."""
    global _shared
    if _shared is None:
        _shared = ThumbnailLoader()
    return _shared
