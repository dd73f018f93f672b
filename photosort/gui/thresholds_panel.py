"""One threshold slider per category, with live feedback and no retraining.

As a slider moves: how many camera-roll photos would go to the folder (the roll is scored
once in a worker, then counted in memory), precision and recall at that threshold on the
held-out examples (training recorded their scores), and a strip of the photos nearest the
threshold. A mark on each slider shows where the current sorter found its best F1 (retraining
keeps a threshold moved by hand), and "Best F1" moves the slider there. Thresholds are saved to the
library a moment after a slider stops moving.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QGridLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from photosort.gui import tasks
from photosort.gui.library import Library
from photosort.gui.nearest_strip import NearestStrip
from photosort.gui.preferences import CAMERA_ROLL, Preferences
from photosort.gui.threshold_slider import ThresholdSlider
from photosort.gui.widgets import FolderField, heading, hint, set_available
from photosort.gui.workers import Worker

STEPS = 1000  # slider resolution: thresholds to 0.001
SAVE_DELAY_MS = 400
ROWS_MAX_HEIGHT = 420


def slider_name(category: str) -> str:
    return f"thresholdSlider_{category}"


class _Row:
    """The widgets of one category's line."""

    def __init__(self, panel: ThresholdsPanel, name: str, threshold: float):
        self.name = name
        self.label = QLabel(f"<b>{name}</b>")
        self.slider = ThresholdSlider(STEPS)
        self.slider.setObjectName(slider_name(name))
        self.slider.setValue(round(threshold * STEPS))
        self.slider.setMinimumWidth(160)
        self.value = QLabel()
        self.count = QLabel()
        self.count.setObjectName(f"thresholdCount_{name}")
        self.stats = QLabel()
        self.stats.setObjectName(f"thresholdStats_{name}")
        self.best = QPushButton("Best F1")
        self.best.setObjectName(f"bestF1Button_{name}")
        self.slider.valueChanged.connect(lambda _: panel.on_slider_moved(name))
        self.best.clicked.connect(lambda: panel.reset_to_best(name))

    def threshold(self) -> float:
        return self.slider.value() / STEPS

    def widgets(self) -> tuple[QWidget, ...]:
        return self.label, self.slider, self.value, self.count, self.stats, self.best


class ThresholdsPanel(QWidget):
    def __init__(self, library: Library, preferences: Preferences):
        super().__init__()
        self.library = library
        self.preferences = preferences
        self.rows: dict[str, _Row] = {}
        self.focus = ""  # the category whose nearest photos the strip shows
        self.worker: Worker | None = None
        self._scoring = ""  # the folder being scored
        self._validation: tasks.HeldOutView | None = None  # the current sorter's held-out scores and paths
        self._validation_worker: Worker | None = None
        self._unsaved: set[str] = set()
        self._save_timer = QTimer(self, singleShot=True, interval=SAVE_DELAY_MS)
        self._save_timer.timeout.connect(self.save)
        self.roll = FolderField("Count photos in:", "Camera roll folder", "choose your camera roll to see counts")
        self.roll.changed.connect(self._on_roll_chosen)
        self.status = QLabel()
        self.status.setObjectName("rollStatus")
        self.status.setProperty("role", "hint")
        self.grid = QGridLayout()
        self.grid.setHorizontalSpacing(14)
        self.grid.setVerticalSpacing(10)
        self.grid.setColumnStretch(1, 1)
        self._rows_holder = QWidget()
        holder_layout = QVBoxLayout(self._rows_holder)
        holder_layout.setContentsMargins(0, 8, 0, 8)
        holder_layout.addLayout(self.grid)
        self.scroll = QScrollArea()
        self.scroll.setWidget(self._rows_holder)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.strip_title = heading("")
        self.strip = NearestStrip()
        layout = QVBoxLayout(self)
        layout.addWidget(self.roll)
        layout.addWidget(self.status)
        layout.addWidget(self.scroll)
        layout.addSpacing(8)
        layout.addWidget(self.strip_title)
        layout.addWidget(self.strip)
        layout.addStretch(1)
        layout.addWidget(hint("Higher threshold: fewer photos, fewer mistakes. Lower: more photos, more mistakes. "
                              "Precision and recall are measured on held-out example photos."))
        library.opened.connect(self._on_opened)
        library.categoriesChanged.connect(self.rebuild)
        library.modelChanged.connect(self._on_model_changed)
        library.rollScoresChanged.connect(self.update_all)
        library.cameraRollChanged.connect(lambda folder: self.roll.set_folder(folder, emit=False))
        library.currentCategoryChanged.connect(self._focus)

    # -- building --------------------------------------------------------------------------

    def _on_opened(self) -> None:
        folder = self.preferences.folder(CAMERA_ROLL)
        if folder:
            self.library.set_camera_roll(folder)
        self.rebuild()

    def rebuild(self) -> None:
        """One row per category; rebuilt only when the set of categories changes."""
        self.save()  # a slider moved a moment ago keeps its value
        names = self.library.category_names()
        if names == list(self.rows) and all(self._threshold_of(n) == r.threshold() for n, r in self.rows.items()):
            return self.update_all()
        for row in self.rows.values():
            for widget in row.widgets():
                self.grid.removeWidget(widget)
                widget.deleteLater()
        self.rows = {}
        for i, record in enumerate(self.library.categories):
            row = _Row(self, record.name, record.threshold)
            for column, widget in enumerate(row.widgets()):
                self.grid.addWidget(widget, i, column)
            self.rows[record.name] = row
        # as tall as its rows, up to a limit past which it scrolls
        self.scroll.setFixedHeight(min(self._rows_holder.sizeHint().height() + 4, ROWS_MAX_HEIGHT))
        self._focus(self.library.current_category)
        self.update_all()

    def _threshold_of(self, name: str) -> float:
        record = self.library.category(name)
        return round(record.threshold * STEPS) / STEPS if record else 0.5

    def _on_model_changed(self) -> None:
        self.rebuild()
        self.ensure_scores()

    # -- live feedback ---------------------------------------------------------------------

    def on_slider_moved(self, name: str) -> None:
        self._unsaved.add(name)
        self._save_timer.start()
        self.focus = name
        self.update_row(name)
        self.update_strip()

    def update_all(self) -> None:
        for name in self.rows:
            self.update_row(name)
        self._update_status()
        self.update_strip()

    def update_row(self, name: str) -> None:
        row = self.rows[name]
        t = row.threshold()
        row.value.setText(f"{t:.2f}")
        row.count.setText(self._count_text(name, t))
        self._update_best(row)
        precision_recall = self._held_out(name, t)
        if precision_recall is None and self._validation_worker is not None:
            row.stats.setText("reading precision and recall…")
        elif precision_recall is None:
            row.stats.setText("train to see precision and recall")
        else:
            row.stats.setText(f"precision {precision_recall[0]:.2f} · recall {precision_recall[1]:.2f}")

    def _category_id(self, name: str) -> int | None:
        record = self.library.category(name)
        return record.id if record else None

    def _count_text(self, name: str, t: float) -> str:
        scores = self.library.roll_scores
        column = scores.column(self._category_id(name)) if scores else None
        if column is None:
            return "→ not trained yet" if self.library.untrained(name) else "→ — photos"
        return f"→ {int((column >= t).sum())} of {len(column)} photos"

    def _held_out(self, name: str, t: float) -> tuple[float, float] | None:
        from photosort import metrics  # numpy: not at the top, it would delay the first paint

        held_out = self._held_out_scores()
        i = self.library.model_column(name)  # held-out columns are the model's, by id
        if held_out is None or i is None or i >= held_out.scores.shape[1]:
            return None
        precision, recall, _ = metrics.prf(held_out.labels[:, i], held_out.scores[:, i] >= t)
        return precision, recall

    def _held_out_scores(self):
        """The current sorter's held-out scores (a training.HeldOut), or None until they are read:
        the file and the photos' paths are read in a worker once per sorter (on the GUI thread
        they stalled the window as training finished), then every row is updated."""
        model = self.library.model
        if model is None:
            return None
        if self._validation is not None and self._validation.version_id == model.id:
            return self._validation.held_out
        if self._validation_worker is None:
            catalog = self.library.catalog
            self._validation_worker = Worker(lambda progress, stop: tasks.held_out_view(catalog, model),
                                             name="held-out")
            self._validation_worker.finished.connect(self._on_validation)
            self._validation_worker.failed.connect(  # not asked again for this sorter
                lambda _text, v=model.id: self._on_validation(tasks.HeldOutView(v, None, {})))
            self._validation_worker.ended.connect(self._on_validation_ended)
            self._validation_worker.start()
        return None

    def _on_validation(self, view: tasks.HeldOutView) -> None:
        self._validation = view
        if self.rows:
            self.update_all()

    def _on_validation_ended(self) -> None:
        self._validation_worker = None
        model = self.library.model
        if model is not None and (self._validation is None or self._validation.version_id != model.id):
            QTimer.singleShot(0, self.update_all)  # a newer sorter arrived meanwhile: read its own

    def _update_best(self, row: _Row) -> None:
        """The slider's mark and the Best F1 button follow the current sorter's choice."""
        trained = self.library.trained_metrics(row.name)
        best = trained.get("threshold") if trained else None
        row.slider.set_mark(best)
        if best is None:
            set_available(row.best, "Train the sorter first (Train tab) to find the best threshold")
            row.slider.setToolTip("")
        else:
            set_available(row.best, "", f"Move the threshold to {best:.2f} (the mark), where the sorter "
                          "balances right and missed photos best on held-out examples")
            row.slider.setToolTip(f"The mark: {best:.2f}, the current sorter's best balance (Best F1)")

    def reset_to_best(self, name: str) -> None:
        if name in self.rows and self.rows[name].slider.mark_value() is not None:
            self.rows[name].slider.setValue(self.rows[name].slider.mark_value())

    def save(self) -> None:
        for name in list(self._unsaved):
            if name in self.rows and self.library.category(name) is not None:
                self.library.set_threshold(name, self.rows[name].threshold())
        self._unsaved.clear()

    # -- the strip of nearest photos -------------------------------------------------------

    def _focus(self, name: str) -> None:
        if name in self.rows:
            self.focus = name
            self.update_strip()

    def update_strip(self) -> None:
        name = self.focus if self.focus in self.rows else next(iter(self.rows), "")
        if not name:
            self.strip_title.setText("")
            self.strip.show_photos([], 0.5)
            return
        t = self.rows[name].threshold()
        self.strip_title.setText(f"Closest to the threshold — {name}")
        self.strip.show_photos(self._candidates(name), t)

    def _candidates(self, name: str) -> list[tuple[str, float]]:
        """(path, score) of the camera roll's photos, or else the held-out examples."""
        scores = self.library.roll_scores
        column = scores.column(self._category_id(name)) if scores else None
        if column is not None:
            return [(str(p), float(s)) for p, s in zip(scores.paths, column, strict=True)]
        held_out = self._held_out_scores()
        i = self.library.model_column(name)
        if held_out is None or i is None or i >= held_out.scores.shape[1]:
            return []
        by_id = self._validation.paths
        pairs = zip(held_out.photo_ids, held_out.scores, strict=True)
        return [(by_id[pid], float(row[i])) for pid, row in pairs if pid in by_id]

    # -- scoring the camera roll -----------------------------------------------------------

    def _on_roll_chosen(self, folder: str) -> None:
        self.preferences.set_folder(CAMERA_ROLL, folder)
        self.library.set_camera_roll(folder)
        self.ensure_scores()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.ensure_scores()

    def ensure_scores(self) -> None:
        """Score the camera roll once per sorter (in a worker) if counts are wanted."""
        lib = self.library
        stale = lib.roll_scores is None or lib.model is None or lib.roll_scores.version_id != lib.model.id
        if self.worker is not None or not lib.camera_roll or lib.model is None or not stale:
            self._update_status()
            return
        catalog, folder = lib.catalog, lib.camera_roll
        self._scoring = folder
        self.worker = Worker(lambda progress, stop: tasks.score_folder(catalog, folder, progress, stop), name="score")
        self.worker.progress.connect(lambda p: self.status.setText(
            f"Scoring the camera roll… {p.done}/{p.total}" if p.total else "Loading the sorter…"))
        self.worker.finished.connect(self.library.set_roll_scores)
        self.worker.failed.connect(lambda text: self.library.message.emit("error", text))
        self.worker.ended.connect(self._on_scored)
        self.worker.start()

    def _on_scored(self) -> None:
        self.worker = None
        self._update_status()
        if self._scoring != self.library.camera_roll:
            QTimer.singleShot(0, self.ensure_scores)  # another folder was chosen meanwhile

    def _update_status(self) -> None:
        if self.worker is not None:
            return
        scores = self.library.roll_scores
        if scores is not None:
            self.status.setText(f"{len(scores.paths)} photos scored by the current sorter.")
        elif self.library.model is None:
            self.status.setText("Train the sorter to see how many photos each threshold lets through.")
        else:
            self.status.setText("")
