"""The open library as the panels see it: one catalog, a few cached facts, and signals.

Panels never talk to each other: they change the library through these methods (quick
catalog calls, fine on the GUI thread) and redraw when its signals say something changed.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from photosort.gui import tasks
from photosort.gui.workers import Worker

if TYPE_CHECKING:  # the catalog pulls in SQLAlchemy and OpenCV: imported in a worker instead
    from photosort.catalog import Catalog, CategoryRecord, ModelVersionRecord


class Library(QObject):
    opened = Signal()
    categoriesChanged = Signal()  # names, folders, thresholds or example counts
    labelsChanged = Signal(str)  # a category's examples changed
    modelChanged = Signal()  # a new sorter was trained
    currentCategoryChanged = Signal(str)
    cameraRollChanged = Signal(str)
    rollScoresChanged = Signal()
    sortsChanged = Signal()  # a sort, undo or correction touched the folders
    examplesPending = Signal(str, bool, list)  # (category, positive, paths) dropped, being read
    message = Signal(str, str)  # (kind: "error" | "info" | "ok", text) for the banner
    freshnessChanged = Signal()  # whether the sorter still matches the examples was re-checked

    def __init__(self) -> None:
        super().__init__()
        self.catalog: Catalog | None = None
        self.path: Path | None = None
        self.categories: list[CategoryRecord] = []
        self.model: ModelVersionRecord | None = None
        self.current_category = ""
        self.camera_roll = ""
        self.roll_scores: tasks.RollScores | None = None
        self.freshness: tasks.Freshness | None = None
        self._freshness_worker: Worker | None = None
        self._freshness_again = False
        for signal in (self.opened, self.labelsChanged, self.modelChanged, self.categoriesChanged):
            signal.connect(self.check_freshness)

    # -- opening ---------------------------------------------------------------------------

    def open(self, path: Path) -> Worker:
        """Open (or create) a library in a worker; ``opened`` follows, or an error message."""
        worker = Worker(lambda progress, stop: tasks.open_catalog(path), name="open-library")
        worker.finished.connect(self._on_opened)
        worker.failed.connect(lambda text: self.message.emit("error", text))
        return worker.start()

    def _on_opened(self, catalog: Catalog) -> None:
        if self.catalog is not None:
            self.catalog.close()
        self.catalog = catalog
        self.path = catalog.library_dir
        self.roll_scores = None
        self.refresh_model()
        self.refresh_categories()
        names = self.category_names()
        self.current_category = names[0] if names else ""
        self.opened.emit()
        self.currentCategoryChanged.emit(self.current_category)

    def is_open(self) -> bool:
        return self.catalog is not None

    # -- cached facts ----------------------------------------------------------------------

    def refresh_categories(self) -> None:
        self.categories = self.catalog.categories() if self.catalog else []
        self.categoriesChanged.emit()

    def refresh_model(self) -> None:
        self.model = self.catalog.current_model() if self.catalog else None

    def category_names(self) -> list[str]:
        return [c.name for c in self.categories]

    def category(self, name: str) -> CategoryRecord | None:
        return next((c for c in self.categories if c.name == name), None)

    def model_column(self, name: str) -> int | None:
        """The current sorter's column for a category, found by id (a category renamed since
        training keeps its column); None if it was not trained on it."""
        record = self.category(name)
        if self.model is None or record is None or record.id not in self.model.category_ids:
            return None
        return self.model.category_ids.index(record.id)

    def trained_metrics(self, name: str) -> dict | None:
        """Held-out figures of the current sorter for a category it was trained on (its
        metrics name the categories as they were at training: found by column)."""
        column = self.model_column(name)
        if column is None:
            return None
        return self.model.metrics.get("categories", {}).get(self.model.categories[column])

    # -- changes ---------------------------------------------------------------------------

    def set_current_category(self, name: str) -> None:
        if name != self.current_category:
            self.current_category = name
            self.currentCategoryChanged.emit(name)

    def add_category(self, name: str, folder: str | Path) -> None:
        record = self.catalog.add_category(name, folder)
        self.refresh_categories()
        self.set_current_category(record.name)

    def rename_category(self, old: str, new: str) -> None:
        record = self.catalog.rename_category(old, new)
        self.refresh_categories()
        if self.current_category == old:
            self.current_category = ""
            self.set_current_category(record.name)

    def remove_category(self, name: str) -> None:
        self.catalog.remove_category(name)
        self.refresh_categories()
        if self.current_category == name:
            names = self.category_names()
            self.set_current_category(names[0] if names else "")

    def set_folder(self, name: str, folder: str | Path) -> None:
        self.catalog.set_folder(name, folder)
        self.refresh_categories()

    def set_threshold(self, name: str, value: float) -> None:
        self.catalog.set_threshold(name, value)
        self.categories = self.catalog.categories()  # no signal: the sliders already show it

    def label(self, name: str, photo_ids: list[int], positive: bool) -> None:
        self.catalog.label(name, photo_ids, positive)
        self.labels_changed(name)

    def unlabel(self, name: str, photo_ids: list[int]) -> None:
        self.catalog.unlabel(name, photo_ids)
        self.labels_changed(name)

    def add_examples(self, name: str, paths: list[Path], positive: bool = True) -> Worker:
        """Register dropped photos or folders and label them, in a worker."""
        self.examplesPending.emit(name, positive, paths)
        catalog = self.catalog
        worker = Worker(lambda progress, stop: tasks.add_examples(catalog, name, paths, positive, progress, stop),
                        name="add-examples")
        worker.finished.connect(self._on_examples_added)
        worker.failed.connect(lambda text: self.message.emit("error", text))
        worker.failed.connect(lambda _: self.labels_changed(name))
        return worker.start()

    def _on_examples_added(self, result: tasks.AddResult) -> None:
        self.labels_changed(result.category)
        kind = "examples of" if result.positive else "“not” examples for"
        added = f"Added {result.labelled} photo{'s' if result.labelled != 1 else ''} as {kind} {result.category}"
        if result.skipped:
            shown = "; ".join(f"{p.name}: {why}" for p, why in result.skipped[:3])
            more = f" and {len(result.skipped) - 3} more" if len(result.skipped) > 3 else ""
            count = len(result.skipped)
            self.message.emit("error", f"{added}; skipped {count} file(s) that are not readable photos — "
                                       f"{shown}{more}.")
        else:
            self.message.emit("ok", added + ".")

    def labels_changed(self, name: str) -> None:
        self.refresh_categories()
        self.labelsChanged.emit(name)

    def model_trained(self) -> None:
        self.refresh_model()
        self.roll_scores = None  # scored by the previous sorter
        self.refresh_categories()  # training chose new thresholds
        self.modelChanged.emit()
        self.rollScoresChanged.emit()

    def set_camera_roll(self, folder: str) -> None:
        if folder != self.camera_roll:
            self.camera_roll = folder
            self.roll_scores = None
            self.cameraRollChanged.emit(folder)
            self.rollScoresChanged.emit()

    def set_roll_scores(self, scores: tasks.RollScores) -> None:
        if scores.folder == self.camera_roll:  # not a late answer for a folder since replaced
            self.roll_scores = scores
            self.rollScoresChanged.emit()

    # -- is the sorter out of date? ---------------------------------------------------------

    def check_freshness(self) -> None:
        """Compare the sorter with the examples again, in a worker (it reads the held-out file
        and every label); one at a time, the last request always answered."""
        if self.catalog is None:
            return
        if self._freshness_worker is not None:
            self._freshness_again = True
            return
        catalog = self.catalog
        self._freshness_again = False
        self._freshness_worker = Worker(lambda progress, stop: tasks.sorter_freshness(catalog, progress, stop),
                                        name="freshness")
        self._freshness_worker.finished.connect(self._on_freshness)
        self._freshness_worker.ended.connect(self._on_freshness_ended)
        self._freshness_worker.start()

    def _on_freshness(self, freshness: tasks.Freshness) -> None:
        if self.catalog is not None:
            self.freshness = freshness
            self.freshnessChanged.emit()

    def _on_freshness_ended(self) -> None:
        self._freshness_worker = None
        if self._freshness_again:
            self.check_freshness()

    def untrained(self, name: str) -> bool:
        """A category the current sorter was not trained on (it scores nothing for it)."""
        return self.model is not None and name not in self.model.categories

    def close(self) -> None:
        if self.catalog is not None:
            self.catalog.close()
            self.catalog = None
