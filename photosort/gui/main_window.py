"""The main window: lays out the panels and the menus, nothing else.

Categories on the left; on the right, one tab per step (examples → train → thresholds → sort
→ watch → review) under an inline message banner.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from photosort import __version__
from photosort.gui import resources, workers
from photosort.gui.banner import Banner
from photosort.gui.categories_panel import CategoriesPanel
from photosort.gui.example_grid import ExamplesPanel
from photosort.gui.library import Library
from photosort.gui.preferences import Preferences
from photosort.gui.review_panel import ReviewPanel
from photosort.gui.sort_panel import SortPanel
from photosort.gui.thresholds_panel import ThresholdsPanel
from photosort.gui.thumbnails import shared_loader
from photosort.gui.training_panel import TrainingPanel
from photosort.gui.watch_panel import WatchPanel
from photosort.gui.widgets import short_path


class _Follow(QObject):
    """Keeps menu actions as available as the buttons they stand for, with the same reason in
    their tooltips: a menu never offers what the button would refuse."""

    def __init__(self, parent: QObject):
        super().__init__(parent)
        self._actions: dict[QWidget, list[QAction | QWidget]] = {}

    def add(self, action: QAction | QWidget, button: QWidget) -> None:
        self._actions.setdefault(button, []).append(action)
        button.installEventFilter(self)
        self._sync(button)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.EnabledChange, QEvent.Type.ToolTipChange) and watched in self._actions:
            self._sync(watched)
        return False

    def _sync(self, button: QWidget) -> None:
        for action in self._actions[button]:
            action.setEnabled(button.isEnabled())
            action.setToolTip(button.toolTip())
            action.setStatusTip(button.toolTip())


class OutOfDate(QWidget):
    """"The sorter is out of date: …  [Retrain now]" in the status bar (issue 13, item 9): on
    every tab, and showing or hiding it moves nothing else."""

    def __init__(self, library: Library, retrain) -> None:
        super().__init__()
        self.setObjectName("outOfDate")
        self.library = library
        self.label = QLabel()
        self.label.setObjectName("outOfDateText")
        self.button = QPushButton("Retrain now")
        self.button.setObjectName("retrainButton")
        self.button.clicked.connect(retrain)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 8, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.button)
        library.freshnessChanged.connect(self.refresh)
        self.hide()

    def refresh(self) -> None:
        fresh = self.library.freshness
        if fresh is None or not fresh.stale:
            self.hide()
            return
        self.label.setText("⚠ The sorter no longer matches your examples (" + "; ".join(fresh.reasons) + ").")
        self.label.setToolTip("Sorting still uses the sorter as it was trained; retrain so it learns from the "
                              "examples as they are now.")
        self.show()


class MainWindow(QMainWindow):
    def __init__(self, library: Library, preferences: Preferences):
        super().__init__()
        self.library = library
        self.preferences = preferences
        self.setWindowTitle("photosort")
        self.setWindowIcon(resources.app_icon())
        self.banner = Banner()
        self.categories = CategoriesPanel(library)
        self.examples = ExamplesPanel(library)
        self.training = TrainingPanel(library, preferences.backbone())
        self.thresholds = ThresholdsPanel(library, preferences)
        self.sorting = SortPanel(library, preferences)
        self.watching = WatchPanel(library, preferences)
        self.review = ReviewPanel(library)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("tabs")
        self.tabs.setDocumentMode(True)
        for panel, title in ((self.examples, "Examples"), (self.training, "Train"), (self.thresholds, "Thresholds"),
                             (self.sorting, "Sort"), (self.watching, "Watch"), (self.review, "Review")):
            self.tabs.addTab(panel, title)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(6, 0, 0, 0)
        right_layout.addWidget(self.banner)
        right_layout.addWidget(self.tabs, 1)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.categories)
        split.addWidget(right)
        split.setStretchFactor(1, 1)
        split.setSizes([270, 900])
        split.setChildrenCollapsible(False)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(12, 10, 12, 6)
        layout.addWidget(split)
        self.setCentralWidget(central)
        self.library_label = QLabel("Opening library…")
        self.out_of_date = OutOfDate(library, self.retrain)
        self.statusBar().addPermanentWidget(self.out_of_date)
        self.statusBar().addPermanentWidget(self.library_label)
        self._follow = _Follow(self)
        self._build_menus()
        library.message.connect(self.banner.show_message)
        self.banner.overflow.connect(lambda text: self.statusBar().showMessage(text))
        library.opened.connect(self._on_opened)
        for signal in (library.opened, library.categoriesChanged, library.currentCategoryChanged):
            signal.connect(self._update_actions)
        self._update_actions()
        if not preferences.restore_window(self):
            self.resize(1180, 760)

    def _on_opened(self) -> None:
        self.preferences.set_library(self.library.path)
        self.library_label.setText(f"Library: {short_path(self.library.path)}")
        self.setWindowTitle(f"photosort — {self.library.path.name}")

    # -- menus -----------------------------------------------------------------------------

    def _action(self, menu, text: str, slot, shortcut: str | QKeySequence.StandardKey | None = None,
                tab: QWidget | None = None) -> QAction:
        def run() -> None:
            if tab is not None:
                self.tabs.setCurrentWidget(tab)
            slot()

        action = menu.addAction(text)
        action.triggered.connect(run)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file = bar.addMenu("&File")
        self._action(file, "&Open library…", self.open_library_dialog, "Ctrl+Shift+O")
        file.addSeparator()
        self._action(file, "&Quit", self.close, QKeySequence.StandardKey.Quit)
        cats = bar.addMenu("&Categories")
        self.new_action = self._action(cats, "&New category…", self.categories.new_category,
                                       QKeySequence.StandardKey.New)
        self.category_actions = [  # these act on the selected category
            self._action(cats, "&Add example photos…", self.categories.add_photos_dialog,
                         QKeySequence.StandardKey.Open, self.examples),
            self._action(cats, "&Rename…", self.categories.rename_current, "F2"),
            self._action(cats, "Change &folder…", self.categories.choose_folder),
            self._action(cats, "Re&move", self.categories.remove_current),
        ]
        sorter = bar.addMenu("&Sorter")
        follow = self._follow.add
        follow(self._action(sorter, "&Train my sorter", self.training.start_training, "Ctrl+T", self.training),
               self.training.train_button)
        follow(self.out_of_date.button, self.training.train_button)  # "Retrain now" can run when Train can
        follow(self._action(sorter, "&Cancel training", self.training.cancel, "Esc"), self.training.cancel_button)
        sort = bar.addMenu("S&ort")
        self._action(sort, "Choose &camera roll…", self.sorting.roll.choose, None, self.sorting)
        follow(self._action(sort, "&Preview", self.sorting.preview, "Ctrl+P", self.sorting),
               self.sorting.preview_button)
        follow(self._action(sort, "&Sort now", self.sorting.sort_now, "Ctrl+R", self.sorting),
               self.sorting.sort_button)
        follow(self._action(sort, "&Undo last sort", self.sorting.undo, "Ctrl+U", self.sorting),
               self.sorting.undo_button)
        sort.addSeparator()
        watch = self._action(sort, "&Watch folder", self.watching.toggle.toggle, "Ctrl+Shift+W", self.watching)
        follow(watch, self.watching.toggle)
        watch.setCheckable(True)
        self.watching.toggle.toggled.connect(watch.setChecked)
        view = bar.addMenu("&View")
        for index in range(self.tabs.count()):
            self._action(view, self.tabs.tabText(index), lambda i=index: self.tabs.setCurrentIndex(i),
                         f"Ctrl+{index + 1}")
        help_menu = bar.addMenu("&Help")
        self._action(help_menu, "&About photosort", self.about)

    def _update_actions(self) -> None:
        """Category actions need a selected category; a new one needs an open library."""
        opened = self.library.is_open()
        self.new_action.setEnabled(opened)
        self.new_action.setToolTip("" if opened else "The library is still opening")
        selected = opened and self.library.category(self.library.current_category) is not None
        for action in self.category_actions:
            action.setEnabled(selected)
            action.setToolTip("" if selected else "Select a category first (or create one)")
        self.categories.set_selection_available(selected)

    # -- actions ---------------------------------------------------------------------------

    def open_library_dialog(self) -> None:
        start = str(self.library.path or Path.home())
        if workers.running_workers() or self.watching.is_watching():
            self.library.message.emit("error", "Wait for the current work to finish (or stop watching) "
                                               "before opening another library.")
            return
        folder = QFileDialog.getExistingDirectory(self, "Open or create a photosort library", start)
        if folder:
            self.library.open(Path(folder))

    def retrain(self) -> None:
        self.tabs.setCurrentWidget(self.training)
        self.training.start_training()

    def about(self) -> None:
        QMessageBox.about(self, "About photosort",
                          f"<h3>photosort {__version__}</h3><p>Teach it your photo categories from examples, "
                          "and it files your camera roll into your folders.</p>")

    def closeEvent(self, event: QCloseEvent) -> None:
        self.preferences.save_window(self)
        self.thresholds.save()
        self.watching.shutdown()
        workers.stop_all()
        shared_loader().shutdown()
        self.library.close()
        super().closeEvent(event)
