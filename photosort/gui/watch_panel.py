"""Watch a DCIM folder: a toggle, a status line, and a live list of the photos just sorted
(thumbnail, name, the folders each went to). Errors are listed and shown, not swallowed.

The core's FolderWatcher calls back from its own thread; ``WatchBridge`` re-emits those calls
as signals handled here, in the GUI thread. Starting (it loads the sorter) and stopping (it
finishes the photo in hand) run in workers, so the toggle never freezes the window.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from photosort.gui import resources, tasks, watch_log
from photosort.gui.library import Library
from photosort.gui.preferences import WATCH_FOLDER, Preferences
from photosort.gui.thumbnails import shared_loader
from photosort.gui.widgets import FolderField, HintList, hint, set_available, short_path
from photosort.gui.workers import WatchBridge, Worker

if TYPE_CHECKING:
    from photosort.watcher import FolderWatcher

THUMB = 48
RECENT = watch_log.KEPT  # rows kept in the list (and in the log file)
GONE_CHECK_MS = 1000  # how often a watched folder is looked for (a card pulled out, a share unmounted)
PATH_ROLE = Qt.ItemDataRole.UserRole
START_TIP = "Sort each new photo that appears in this folder as soon as it is completely written"
STOP_TIP = "Stop sorting new photos (the ones sorted stay sorted)"


class WatchPanel(QWidget):
    photoSorted = Signal(object)  # Placement, after the list shows it

    def __init__(self, library: Library, preferences: Preferences):
        super().__init__()
        self.library = library
        self.preferences = preferences
        self.watcher: FolderWatcher | None = None
        self.worker: Worker | None = None
        self.sorted_count = 0
        self.unsorted_count = 0
        self.error_count = 0
        self._since = ""
        self.bridge = WatchBridge()
        self.bridge.sorted.connect(self._on_sorted)
        self.bridge.error.connect(self._on_error)
        self.bridge.died.connect(self._on_died)
        self.loader = shared_loader()
        self.loader.ready.connect(self._on_thumbnail)
        self.folder = FolderField("Watch:", "Folder to watch", "choose a folder, e.g. your phone's DCIM")
        self.folder.changed.connect(lambda folder: self.preferences.set_folder(WATCH_FOLDER, folder))
        self.toggle = QPushButton("Start watching")
        self.toggle.setObjectName("watchToggle")
        self.toggle.setCheckable(True)
        self.toggle.setProperty("role", "primary")
        self.toggle.setToolTip(START_TIP)
        self.toggle.toggled.connect(self._on_toggled)
        row = QHBoxLayout()
        row.addWidget(self.folder, 1)
        row.addWidget(self.toggle)
        self.status = QLabel("Not watching.")
        self.status.setObjectName("watchStatus")
        self.recent = HintList("Photos sorted while watching appear here, with the folders they went to.")
        self.recent.setObjectName("watchRecent")
        self.recent.setIconSize(QSize(THUMB, THUMB))
        self.recent.setAlternatingRowColors(True)
        self.recent.setSelectionMode(QListWidget.SelectionMode.NoSelection)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.status)
        layout.addWidget(self.recent, 1)
        layout.addWidget(hint("New photos are sorted once they are completely written, e.g. while a phone syncs. "
                              "Photos that arrived while photosort was closed are caught up when watching starts."))
        library.opened.connect(self._on_opened)
        self.lines: list[watch_log.LogLine] = []
        self._save_timer = QTimer(self, singleShot=True, interval=2000)  # one write per burst of photos
        self._save_timer.timeout.connect(lambda: watch_log.save(self.lines))
        self._gone_timer = QTimer(self, interval=GONE_CHECK_MS)
        self._gone_timer.timeout.connect(self._check_folder)
        self._gone = False
        self._restore_log()

    def _on_opened(self) -> None:
        self.folder.set_folder(self.preferences.folder(WATCH_FOLDER), emit=False)
        if self.preferences.watching() and self.folder.folder and self.watcher is None:
            # it was on when photosort closed: offer it, one click away (never silently resumed)
            self.toggle.setText("Resume watching")
            self.status.setText(f"You were watching {short_path(self.folder.folder)} when photosort was closed. "
                                "Resume watching to sort what arrived meanwhile.")
            self.library.message.emit("info", f"Watching {short_path(self.folder.folder)} was on when photosort "
                                              "closed: Resume watching on the Watch tab.")

    def _restore_log(self) -> None:
        self.lines = watch_log.load()
        for line in reversed(self.lines):
            icon = resources.icon("error") if line.error else self.loader.icon(line.thumb, THUMB) if line.thumb \
                else QIcon()
            self._insert_item(icon, f"{line.when[-8:] if line.when[:10] == time.strftime('%Y-%m-%d') else line.when}"
                                    f"   {line.text}", line.tooltip, line.thumb)

    def is_watching(self) -> bool:
        return self.watcher is not None

    def _on_toggled(self, on: bool) -> None:
        if on and self.watcher is None:
            self.start()
        elif not on and self.watcher is not None:
            self.stop()

    def start(self) -> None:
        folder = self.folder.folder
        if not folder or not self.library.is_open():
            self.library.message.emit("error", "Choose the folder to watch first.")
            self._set_toggle(False)
            return
        if self.worker is not None:  # still stopping the previous watch
            self._set_toggle(False)
            return
        from photosort.watcher import FolderWatcher

        self.watcher = FolderWatcher(self.library.catalog, folder, on_sorted=self.bridge.on_sorted,
                                     on_error=self.bridge.on_error, on_stopped=self.bridge.on_stopped)
        watcher = self.watcher
        self.worker = Worker(lambda progress, stop: tasks.start_watcher(watcher, progress, stop), name="watch-start")
        self.worker.finished.connect(self._on_started)
        self.worker.failed.connect(self._on_start_failed)
        self.worker.ended.connect(self._on_worker_ended)
        self.status.setText("Loading the sorter…")
        self.toggle.setText("Stop watching")
        set_available(self.toggle, "Loading the sorter; a few seconds")
        self.worker.start()

    def _on_started(self, _result: object) -> None:
        self.sorted_count = self.unsorted_count = self.error_count = 0
        self._since = time.strftime("%H:%M")
        set_available(self.toggle, "", STOP_TIP)
        self.preferences.set_watching(True)
        self._gone = False
        self._gone_timer.start()
        self._update_status()

    def _check_folder(self) -> None:
        """Say when the watched folder disappears, and when it is back (the watcher waits for it)."""
        if self.watcher is None:
            self._gone_timer.stop()
            return
        gone = not Path(self.watcher.folder).is_dir()
        if gone == self._gone:
            return
        self._gone = gone
        where = short_path(self.watcher.folder)
        if gone:
            self.library.message.emit("error", f"The watched folder {where} has disappeared (a card or phone "
                                               "unplugged, a drive unmounted?). Watching resumes when it is back.")
        else:
            self.library.message.emit("ok", f"{where} is back: watching it again, and sorting what arrived.")
        self._update_status()

    def _on_start_failed(self, text: str) -> None:
        self.watcher = None
        self.status.setText("Not watching.")
        self.library.message.emit("error", text)
        self._set_toggle(False)

    def _on_died(self, reason: str) -> None:
        """The watcher stopped by itself: say so, and show the toggle off (not a silent stop)."""
        if self.watcher is None:
            return
        self.watcher = None
        self._gone_timer.stop()
        self.status.setText(f"Not watching: it stopped ({reason}). {self._counts()}")
        self.library.message.emit("error", f"Watching stopped by itself: {reason}. Start it again when that is fixed.")
        self._set_toggle(False)
        set_available(self.toggle, "", START_TIP)
        self.library.sortsChanged.emit()

    def stop(self) -> None:
        watcher, self.watcher = self.watcher, None
        if watcher is None:
            return
        self.preferences.set_watching(False)  # stopped by the person: not offered at the next start
        self._gone_timer.stop()
        watcher.stop()
        self.status.setText("Stopping…")
        set_available(self.toggle, "Stopping the watch; a moment")
        self.worker = Worker(lambda progress, stop: watcher.join(30), name="watch-stop")
        self.worker.ended.connect(self._on_worker_ended)
        self.worker.ended.connect(lambda: self.status.setText(f"Stopped. {self._counts()}"))
        self.worker.start()

    def _on_worker_ended(self) -> None:
        self.worker = None
        set_available(self.toggle, "", STOP_TIP if self.watcher is not None else START_TIP)
        self._set_toggle(self.watcher is not None)
        if self.watcher is None:
            self.library.sortsChanged.emit()

    def _set_toggle(self, on: bool) -> None:
        self.toggle.blockSignals(True)
        self.toggle.setChecked(on)
        self.toggle.setText("Stop watching" if on else "Start watching")
        self.toggle.blockSignals(False)

    def shutdown(self) -> None:
        """The window is closing: stop and wait briefly (the watcher finishes its photo)."""
        if self._save_timer.isActive():
            self._save_timer.stop()
            watch_log.save(self.lines)
        if self.watcher is not None:  # still on: remembered ("watching"), offered at the next start
            self.watcher.stop()
            self.watcher.join(10)
            self.watcher = None

    # -- what the watcher reports ----------------------------------------------------------

    def _counts(self) -> str:
        text = f"{self.sorted_count} photo{'s' if self.sorted_count != 1 else ''} sorted"
        if self.unsorted_count:  # matched no category: not "sorted", though the watcher handled them
            text += f", {self.unsorted_count} matched no category"
        return text + (f", {self.error_count} problem(s)" if self.error_count else "") + "."

    def _update_status(self) -> None:
        if self.watcher is not None and self._gone:
            self.status.setText(f"⚠ {short_path(self.watcher.folder)} has disappeared: waiting for it to come back "
                                f"— {self._counts()}")
        elif self.watcher is not None:
            self.status.setText(f"Watching {short_path(self.watcher.folder)} since {self._since} — {self._counts()}")

    def _on_sorted(self, placement) -> None:
        if placement.dests:
            self.sorted_count += 1
        else:
            self.unsorted_count += 1
        names = ", ".join(placement.dests) if placement.dests else "no category: left where it is"
        shown = placement.source if not placement.moved else next(iter(placement.dests.values()))
        self._add_row(self.loader.icon(shown, THUMB), f"{placement.source.name}  →  {names}",
                      "\n".join(f"{n}: {p}" for n, p in placement.dests.items()) or str(placement.source), str(shown))
        self._update_status()
        self.photoSorted.emit(placement)

    def _on_error(self, path: str, reason: str) -> None:
        self.error_count += 1
        self._add_row(resources.icon("error"), f"{Path(path).name}: {reason}", path, "", error=True)
        self._update_status()

    def _add_row(self, icon: QIcon, text: str, tooltip: str, thumb_path: str, error: bool = False) -> None:
        self._insert_item(icon, f"{time.strftime('%H:%M:%S')}   {text}", tooltip, thumb_path)
        self.lines.insert(0, watch_log.LogLine(time.strftime("%Y-%m-%d %H:%M:%S"), text, tooltip, thumb_path, error))
        del self.lines[RECENT:]
        self._save_timer.start()

    def _insert_item(self, icon: QIcon, text: str, tooltip: str, thumb_path: str) -> None:
        item = QListWidgetItem(icon, text)
        item.setToolTip(tooltip)
        item.setData(PATH_ROLE, thumb_path)
        self.recent.insertItem(0, item)
        while self.recent.count() > RECENT:
            self.recent.takeItem(self.recent.count() - 1)

    def _on_thumbnail(self, path: str, size: int, icon: QIcon) -> None:
        if size == THUMB:
            for row in range(self.recent.count()):
                if self.recent.item(row).data(PATH_ROLE) == path:
                    self.recent.item(row).setIcon(icon)
