""""Train my sorter": one button, a progress bar with stages, Cancel, then the held-out
precision / recall / F1 per category and the loss curves."""

from __future__ import annotations

import time
from datetime import UTC

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from photosort.gui import tasks
from photosort.gui.child_process import in_child
from photosort.gui.library import Library
from photosort.gui.loss_plot import LossPlot
from photosort.gui.widgets import fit_rows, heading, hint, set_available
from photosort.gui.workers import Worker
from photosort.progress import Progress

COLUMNS = ("Category", "Examples", "Precision", "Recall", "F1")
TRAIN_TIP = "Teach the sorter your categories from their example photos (takes seconds to minutes)"
CANCEL_TIP = "Stop training; the previous sorter stays in use"
NOT_TRAINING = "Nothing to cancel: no training is running"


def in_ten(share: float) -> int:
    return round(10 * share)


def plain_words(name: str, m: dict) -> str:
    """A category's held-out figures as a person says them (precision and recall in the table)."""
    return (f"<b>{name}</b>: right {in_ten(m['precision'])} times in 10, "
            f"finds {in_ten(m['recall'])} in 10 of its photos")


class TrainingPanel(QWidget):
    trained = Signal(object)  # TrainResult, once the new sorter is saved and current
    stopped = Signal(str)  # "failed" or "cancelled"

    def __init__(self, library: Library, backbone: str | None = None):
        super().__init__()
        self.library = library
        self.backbone = backbone
        self.epochs: int | None = None  # most epochs per round; None: the core's default
        self.worker: Worker | None = None
        self._started = 0.0
        self._fold = -1
        self._began = False
        self.train_button = QPushButton("Train my sorter")
        self.train_button.setObjectName("trainButton")
        self.train_button.setProperty("role", "primary")
        self.train_button.setToolTip(TRAIN_TIP)
        self.train_button.clicked.connect(self.start_training)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("cancelButton")
        set_available(self.cancel_button, NOT_TRAINING)
        self.cancel_button.clicked.connect(self.cancel)
        self.stage = QLabel("Give each category at least 5 example photos, then train.")
        self.stage.setObjectName("trainStage")
        self.progress = QProgressBar()
        self.progress.setObjectName("trainProgress")
        self.progress.setTextVisible(False)
        self.progress.hide()  # shown while training
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("metricsTable")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.summary = QLabel()
        self.summary.setObjectName("trainSummary")
        self.summary.setWordWrap(True)
        self.plot = LossPlot()
        buttons = QHBoxLayout()
        buttons.addWidget(self.train_button)
        buttons.addWidget(self.cancel_button)
        buttons.addSpacing(12)
        buttons.addWidget(self.stage, 1)
        results = QWidget()
        results_layout = QVBoxLayout(results)
        results_layout.setContentsMargins(0, 0, 8, 0)
        results_layout.addWidget(heading("How well it sorts"))
        results_layout.addWidget(self.summary)  # plain words first, the figures below
        results_layout.addWidget(self.table)
        results_layout.addSpacing(12)
        results_layout.addWidget(hint(
            "Measured on example photos held out from training: how the sorter does on photos it has not seen.\n\n"
            "Precision: of the photos it puts in a folder, the share that belong there.\n"
            "Recall: of the photos that belong in a folder, the share it finds.\n"
            "F1 balances the two; 1.00 is perfect."))
        results_layout.addStretch(1)
        curves = QWidget()
        curves_layout = QVBoxLayout(curves)
        curves_layout.setContentsMargins(8, 0, 0, 0)
        curves_layout.addWidget(heading("Learning curves"))
        curves_layout.addWidget(self.plot, 1)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(results)
        split.addWidget(curves)
        split.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.progress)
        layout.addSpacing(6)
        layout.addWidget(split, 1)
        library.opened.connect(self.show_model)

    # -- training --------------------------------------------------------------------------

    def is_training(self) -> bool:
        return self.worker is not None

    def start_training(self) -> None:
        if self.worker is not None or not self.library.is_open():
            return
        # in a child process: TensorFlow's GIL-holding calls cannot freeze the window there
        task = in_child(tasks.train_library, self.library.path, self.backbone, self.epochs)
        self.worker = Worker(task, name="train")
        self.worker.progress.connect(self._on_progress)
        self.worker.finished.connect(self._on_finished)
        self.worker.failed.connect(self._on_failed)
        self.worker.cancelled.connect(self._on_cancelled)
        self.worker.ended.connect(self._on_ended)
        self._started = time.monotonic()
        self._fold = -1
        self._began = False  # photos read or epochs run: "did not finish" rather than "did not start"
        self.plot.clear()
        set_available(self.train_button, "Training is running; Cancel stops it")
        set_available(self.cancel_button, "", CANCEL_TIP)
        self.progress.setRange(0, 0)  # busy until the first real step
        self.progress.show()
        self.stage.setText("Starting…")
        self.worker.start()

    def cancel(self) -> None:
        if self.worker is not None:
            self.worker.cancel()
            set_available(self.cancel_button, "Stopping; a moment")
            self.stage.setText("Stopping…")

    def _on_progress(self, p: Progress) -> None:
        if p.total:
            self.progress.setRange(0, p.total)
            self.progress.setValue(p.done)
        else:
            self.progress.setRange(0, 0)
        if p.stage in ("embedding", "training", "fine-tuning"):
            self._began = True
        if p.stage == "embedding":
            rate = p.metrics.get("images_per_s")
            speed = f" · {rate:.0f} images/s" if rate else ""
            # a share, not done/total: the total counts augmented views, several per photo
            counted = f" ({100 * p.done // p.total} %)" if p.total else ""
            self.stage.setText(f"Reading photos and computing their features{counted}{speed}")
        elif p.stage in ("training", "fine-tuning"):
            fold = int(p.metrics.get("fold", 0))
            if fold != self._fold:  # a new cross-validation round: its own curve
                self._fold = fold
                self.plot.clear()
            self.plot.add_point(p.metrics.get("loss"), p.metrics.get("val_loss"), p.message)
            val = p.metrics.get("val_loss")
            # plain words in the line; rounds, epochs and losses are in the curves and its tooltip
            self.stage.setText("Training: learning your categories…")
            self.stage.setToolTip(p.message + (f" · validation loss {val:.3f}" if val is not None else ""))
        elif p.stage == "saving":
            self.stage.setText("Saving the sorter")
        else:
            self.stage.setText((p.message or p.stage) + "…")

    def _on_finished(self, result) -> None:
        seconds = time.monotonic() - self._started
        self.library.model_trained()
        self.show_model()
        self.stage.setText(f"Trained in {seconds:.0f} s.")
        figures = result.metrics.get("categories", {}).values()
        right = min((m["precision"] for m in figures), default=0.0)
        self.library.message.emit(
            "ok", f"Your sorter is trained: on photos it had not seen, it was right at least {in_ten(right)} "
            "times in 10 for every category. Check the thresholds, then sort."
        )
        self.trained.emit(result)

    def _on_failed(self, text: str) -> None:
        self.stage.setText("Training did not finish." if self._began else "Training could not start.")
        self.library.message.emit("error", text)
        self.stopped.emit("failed")

    def _on_cancelled(self) -> None:
        self.stage.setText("Training cancelled; the previous sorter is still in use.")
        self.stopped.emit("cancelled")

    def _on_ended(self) -> None:
        self.worker = None
        set_available(self.train_button, "", TRAIN_TIP)
        set_available(self.cancel_button, NOT_TRAINING)
        self.progress.hide()

    # -- results ---------------------------------------------------------------------------

    def show_model(self) -> None:
        model = self.library.model
        self.table.setRowCount(0)
        if model is None:
            self.summary.setText("No sorter trained yet.")
            self.plot.clear()
            fit_rows(self.table)
            return
        figures = model.metrics.get("categories", {})
        self.table.setRowCount(len(figures))
        for row, (name, m) in enumerate(figures.items()):
            cells = (name, str(m.get("support", "")), f"{m['precision']:.2f}", f"{m['recall']:.2f}", f"{m['f1']:.2f}")
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(row, column, item)
        fit_rows(self.table)
        # the catalog keeps naive UTC times: shown in the person's time zone
        when = model.created_at.replace(tzinfo=UTC).astimezone().strftime("%d %b %Y, %H:%M")
        if self.worker is None:
            self.stage.setText("Trained. Train again after adding examples or correcting mistakes.")
        plain = "<br>".join(plain_words(name, m) for name, m in figures.items())
        self.summary.setText(
            f"{plain}<br><br><span style='color:gray'>Details: macro F1 {model.metrics.get('macro_f1', 0):.2f}"
            f" · micro F1 {model.metrics.get('micro_f1', 0):.2f} · {model.metrics.get('examples', '?')} photos"
            f" · trained {when}</span>"
        )
        self.plot.set_history(model.metrics.get("history", {}), "mean over rounds")
