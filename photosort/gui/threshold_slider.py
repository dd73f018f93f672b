"""A threshold slider with a mark where the current sorter found its best F1.

Why: retraining keeps a threshold the person moved by hand (the core's rule), so the slider
may sit away from the new sorter's own choice; the mark shows that choice, and "Best F1"
moves the slider onto it.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QPainter, QPainterPath, QPaintEvent, QPalette
from PySide6.QtWidgets import QSlider, QStyle, QStyleOptionSlider

MARK_SIZE = 5  # half the width of the triangle under the groove, in pixels


class ThresholdSlider(QSlider):
    def __init__(self, steps: int):
        super().__init__(Qt.Orientation.Horizontal)
        self.steps = steps
        self.setRange(0, steps)
        self.setPageStep(steps // 20)
        self.mark: float | None = None  # the best-F1 threshold, 0..1
        self.setMinimumHeight(self.sizeHint().height() + 4 * MARK_SIZE)  # room for the mark under the groove

    def set_mark(self, threshold: float | None) -> None:
        if threshold != self.mark:
            self.mark = threshold
            self.update()

    def mark_value(self) -> int | None:
        """The slider value at the mark."""
        return None if self.mark is None else round(self.mark * self.steps)

    def mark_x(self) -> float | None:
        """Where the mark is drawn: the handle's centre when the slider is at the mark."""
        if self.mark is None:
            return None
        option = QStyleOptionSlider()
        self.initStyleOption(option)
        style = self.style()
        groove = style.subControlRect(QStyle.ComplexControl.CC_Slider, option, QStyle.SubControl.SC_SliderGroove, self)
        handle = style.subControlRect(QStyle.ComplexControl.CC_Slider, option, QStyle.SubControl.SC_SliderHandle, self)
        span = groove.width() - handle.width()
        offset = QStyle.sliderPositionFromValue(self.minimum(), self.maximum(), self.mark_value(), span,
                                                option.upsideDown)
        return groove.left() + offset + handle.width() / 2

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        x = self.mark_x()
        if x is None:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        bottom = self.height() - 1.0
        triangle = QPainterPath(QPointF(x, bottom - MARK_SIZE * 1.4))
        triangle.lineTo(QPointF(x - MARK_SIZE, bottom))
        triangle.lineTo(QPointF(x + MARK_SIZE, bottom))
        triangle.closeSubpath()
        painter.fillPath(triangle, self.palette().color(QPalette.ColorRole.Highlight))
        painter.end()
