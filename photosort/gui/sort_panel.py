"""Sort the camera roll: preview (a dry run) of how many photos go where, "Sort now" with
progress, photos per second and Cancel, a summary at the end, and "Undo last sort"."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from photosort.gui import tasks
from photosort.gui.library import Library
from photosort.gui.preferences import CAMERA_ROLL, Preferences
from photosort.gui.widgets import (
    FolderField,
    fit_rows,
    heading,
    hint,
    set_available,
    short_path,
)
from photosort.gui.workers import Worker
from photosort.progress import Progress

COLUMNS = ("Category", "Folder", "Photos", "New copies")
PREVIEW_TIP = "See how many photos would go where, without copying anything"
SORT_TIP = "Copy each photo of the camera roll into the folders of the categories it belongs to"


def _plural(n: int, one: str, many: str = "") -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


class SortPanel(QWidget):
    sortFinished = Signal(object)  # SortSummary (a dry run's too)
    undoFinished = Signal(object)  # UndoSummary

    def __init__(self, library: Library, preferences: Preferences):
        super().__init__()
        self.library = library
        self.preferences = preferences
        self.worker: Worker | None = None
        self._plan: tasks.UndoPlan | None = None
        self._last_run = None  # the run "Undo last sort" takes back, looked up when sorts change
        self._confirmed_undo: int | None = None  # the run to undo once the plan's worker has ended
        self.roll = FolderField("Camera roll:", "Camera roll folder")
        self.roll.changed.connect(self._on_roll_chosen)
        self.preview_button = QPushButton("Preview")
        self.preview_button.setObjectName("previewButton")
        self.preview_button.clicked.connect(self.preview)
        self.sort_button = QPushButton("Sort now")
        self.sort_button.setObjectName("sortButton")
        self.sort_button.setProperty("role", "primary")
        self.sort_button.clicked.connect(self.sort_now)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("sortCancelButton")
        self.cancel_button.clicked.connect(lambda: self.worker and self.worker.cancel())
        self.undo_button = QPushButton("Undo last sort")
        self.undo_button.setObjectName("undoButton")
        self.undo_button.clicked.connect(self.undo)
        buttons = QHBoxLayout()
        for button in (self.preview_button, self.sort_button, self.cancel_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.undo_button)
        self.progress = QProgressBar()
        self.progress.setObjectName("sortProgress")
        self.progress.setTextVisible(False)
        self.progress.hide()  # shown while a job runs
        self.speed = QLabel()
        self.speed.setObjectName("sortSpeed")
        self.title = heading("")
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("sortTable")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        fit_rows(self.table)
        self.summary = QLabel()
        self.summary.setObjectName("sortSummary")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.addWidget(self.roll)
        layout.addLayout(buttons)
        layout.addWidget(self.progress)
        layout.addWidget(self.speed)
        layout.addWidget(self.title)
        layout.addWidget(self.table)
        layout.addWidget(self.summary)
        layout.addStretch(1)
        layout.addWidget(hint("Photos are copied into each folder whose threshold they reach; "
                              "the originals stay where they are."))
        library.opened.connect(self._on_opened)
        # the roll may be chosen on the Thresholds tab: the buttons follow it, not only the label
        library.cameraRollChanged.connect(self._on_roll_changed)
        library.categoriesChanged.connect(self._update_buttons)
        library.sortsChanged.connect(self._refresh_last_run)
        library.modelChanged.connect(self._update_buttons)
        self._update_buttons()

    def _on_opened(self) -> None:
        self.roll.set_folder(self.library.camera_roll, emit=False)
        self._refresh_last_run()

    def _refresh_last_run(self) -> None:
        """Only when sorts change: a query over the runs, not redone for every button update
        (a new sorter or category changes nothing here, and training's end must stay light)."""
        self._last_run = self.last_undoable_run()
        self._update_buttons()

    def _on_roll_changed(self, folder: str) -> None:
        self.roll.set_folder(folder, emit=False)
        self._update_buttons()

    def _on_roll_chosen(self, folder: str) -> None:
        self.preferences.set_folder(CAMERA_ROLL, folder)
        self.library.set_camera_roll(folder)
        self._update_buttons()

    def last_undoable_run(self):
        """The run "Undo last sort" takes back (the core's rule), or None."""
        if not self.library.is_open():
            return None
        from photosort.sorting import (
            last_undoable_run,  # the catalog's modules: loaded by now, not at start-up
        )

        return last_undoable_run(self.library.catalog)

    def _busy(self) -> str:
        """Why nothing can start now, or ""."""
        if not self.library.is_open():
            return "The library is still opening"
        if self.worker is not None:
            return "Wait for the current job to finish, or Cancel it"
        return ""

    def _blocked(self) -> str:
        """Why Preview and Sort cannot run now, or "" (a missing sorter is said on click)."""
        if self._busy():
            return self._busy()
        if not self.library.categories:
            return "Create a category first (+ on the left)"
        if not self.library.camera_roll:
            return "Choose the camera roll folder first (Choose… above)"
        return ""

    def _update_buttons(self) -> None:
        blocked = self._blocked()
        set_available(self.preview_button, blocked, PREVIEW_TIP)
        set_available(self.sort_button, blocked, SORT_TIP)
        set_available(self.cancel_button, "" if self.worker is not None else "Nothing is running",
                      "Stop; the photos copied so far stay sorted")
        busy = self._busy()
        last = self._last_run if not busy else None
        if last is not None:
            set_available(self.undo_button, "", f"Take back the sort of {short_path(last.source)}: you are told "
                          "first which of its copies are removed, and why any are not")
        else:
            set_available(self.undo_button, busy or "Nothing to undo: no sort since the last undo")

    # -- running ---------------------------------------------------------------------------

    def preview(self) -> None:
        self._start(dry_run=True)

    def sort_now(self) -> None:
        self._start(dry_run=False)

    def _start(self, dry_run: bool) -> None:
        if self.worker is not None or not self.library.camera_roll:
            return
        catalog, folder = self.library.catalog, self.library.camera_roll
        self.worker = Worker(
            lambda progress, stop: tasks.sort_camera_roll(catalog, folder, dry_run, progress, stop),
            name="preview" if dry_run else "sort",
        )
        self.worker.progress.connect(self._on_progress)
        self.worker.finished.connect(self._on_sorted)
        self.worker.failed.connect(self._on_failed)
        self.worker.cancelled.connect(lambda: self.speed.setText("Cancelled: the photos copied so far stay sorted."))
        self.worker.ended.connect(self._on_ended)
        self.progress.setRange(0, 0)
        self.progress.show()
        self.speed.setText("Starting…")
        self.worker.start()
        self._update_buttons()

    def _on_progress(self, p: Progress) -> None:
        if p.total:
            self.progress.setRange(0, p.total)
            self.progress.setValue(p.done)
            rate = p.metrics.get("photos_per_s")
            self.speed.setText(f"{p.done} of {_plural(p.total, 'photo')}" + (f" · {rate:.1f} photos/s" if rate else ""))
        else:
            self.speed.setText(p.message or p.stage)

    def _on_sorted(self, summary) -> None:
        self._show_summary(summary)
        if not summary.dry_run:
            self.library.sortsChanged.emit()
            self.library.message.emit("error" if summary.errors else "ok", self.summary.text())
        self.sortFinished.emit(summary)

    def _on_failed(self, text: str) -> None:
        self.speed.setText("Stopped: see the message above.")  # not a "Loading the sorter" left for good
        self.library.message.emit("error", text)

    def _on_ended(self) -> None:
        self.worker = None
        self.progress.hide()
        self._update_buttons()
        run_id, self._confirmed_undo = self._confirmed_undo, None
        if run_id is not None:
            self._start_undo(run_id)

    def _start_undo(self, run_id: int) -> None:
        catalog = self.library.catalog
        self._run(Worker(lambda progress, stop: tasks.undo_last_sort(catalog, run_id, progress, stop), name="undo"),
                  self._on_undone)

    def _show_summary(self, summary) -> None:
        self.title.setText("Preview — nothing copied yet" if summary.dry_run else "Last sort")
        new = {}
        for placement in summary.placements:
            for name in placement.copied:
                new[name] = new.get(name, 0) + 1
        folders = {c.name: str(c.folder) for c in self.library.categories}
        untrained = sorted(n for n in folders if n not in summary.per_category and self.library.untrained(n))
        self.table.setRowCount(0)
        for name in sorted(set(summary.per_category) | set(folders)):
            row = self.table.rowCount()
            self.table.insertRow(row)
            cells = (name, short_path(folders.get(name, "")), str(summary.per_category.get(name, 0)),
                     str(new.get(name, 0)))
            if name in untrained:  # not a silent 0: the sorter cannot score it at all
                cells = (name, short_path(folders.get(name, "")), "not trained yet", "—")
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if name in untrained:
                    item.setToolTip("The sorter was trained before this category existed: retrain to sort into it")
                if column >= 2:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(row, column, item)
        fit_rows(self.table)
        verb = "would make" if summary.dry_run else "made"
        parts = [f"{_plural(summary.scanned, 'photo')} looked at in {summary.seconds:.1f} s "
                 f"({summary.photos_per_s:.1f} photos/s)",
                 f"{summary.sorted} sorted: {verb} {_plural(summary.copies, 'new copy', 'new copies')}"]
        if summary.unsorted:
            parts.append(f"{summary.unsorted} matched no category and stay where they are")
        if summary.already_sorted:
            parts.append(f"{summary.already_sorted} already sorted before")
        problems = summary.skipped + summary.errors
        if problems:
            shown = "; ".join(f"{p.name}: {why}" for p, why in problems[:3])
            parts.append(f"{len(problems)} problem(s) — {shown}")
        notes = list(summary.notes)
        if untrained:
            notes.append(f"Not trained yet: {', '.join(untrained)} — the sorter has never seen "
                         f"{'it' if len(untrained) == 1 else 'them'}, so no photo goes there until you retrain.")
        self.summary.setText("\n".join([". ".join(parts) + "."] + notes))

    # -- undo ------------------------------------------------------------------------------

    def undo(self) -> None:
        """First what undo will do (a look at the copies, in a worker), then ask, then undo."""
        if self.worker is not None or self._last_run is None:
            return
        catalog = self.library.catalog
        self._run(Worker(lambda progress, stop: tasks.undo_plan(catalog, progress, stop), name="undo-plan"),
                  self._confirm_undo)

    def _run(self, worker: Worker, on_finished) -> None:
        self.worker = worker
        worker.progress.connect(self._on_progress)
        worker.finished.connect(on_finished)
        worker.failed.connect(lambda text: self.library.message.emit("error", text))
        worker.ended.connect(self._on_ended)
        worker.start()
        self._update_buttons()

    def _confirm_undo(self, plan: tasks.UndoPlan) -> None:
        lines = [f"The sort of {short_path(plan.source)} made {_plural(plan.copies, 'copy', 'copies')}."]
        lines.append(f"Undo removes {_plural(plan.remove, 'copy', 'copies')}"
                     + (f" and puts back {_plural(plan.restore, 'original')}" if plan.restore else "") + ".")
        lines += _not_removed(plan.changed, plan.gone)
        lines.append("Your originals are not touched.")
        self._plan = plan
        answer = QMessageBox.question(self, "Undo last sort", "\n\n".join(lines))
        if answer != QMessageBox.StandardButton.Yes:
            self.speed.setText("Undo cancelled: nothing was changed.")
            return
        if self.worker is None:  # the plan's worker ended while the question was open
            self._start_undo(plan.run_id)
        else:
            self._confirmed_undo = plan.run_id  # started by _on_ended, once the plan's worker is gone

    def _on_undone(self, summary) -> None:
        plan = self._plan
        text = f"Undone: removed {_plural(summary.removed, 'copy', 'copies')} of the {plan.copies} the sort made"
        if summary.restored:
            text += f", put back {_plural(summary.restored, 'original')}"
        text += ". " + " ".join(_not_removed([p for p, _ in summary.kept], plan.gone))
        if summary.errors:
            text += f" {_plural(len(summary.errors), 'copy', 'copies')} could not be removed ({summary.errors[0][1]})."
        text = " ".join([text.strip(), *summary.notes])
        self.speed.setText(text)
        if self.title.text() == "Last sort":  # its copies are gone: the table no longer says what is on disk
            self.title.setText("Last sort — undone")
            self.table.setRowCount(0)
            fit_rows(self.table)
            self.summary.setText("")
        self.library.sortsChanged.emit()
        self.library.message.emit("error" if summary.errors else "ok", text)
        self.undoFinished.emit(summary)


def _not_removed(changed: list, gone: list) -> list[str]:
    """The copies undo leaves alone, and why, in a sentence each."""
    lines = []
    if changed:
        lines.append(f"{_plural(len(changed), 'copy', 'copies')} changed since the sort "
                     f"{'is' if len(changed) == 1 else 'are'} kept ({', '.join(p.name for p in changed[:3])}).")
    if gone:
        shown = "; ".join(f"{p.name}: {why}" for p, why in gone[:3]) + (f"; {len(gone) - 3} more" if len(gone) > 3 else "")
        lines.append(f"{_plural(len(gone), 'copy', 'copies')} {'is' if len(gone) == 1 else 'are'} no longer there "
                     f"— {shown}.")
    return lines
