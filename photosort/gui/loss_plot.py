"""Training and validation loss per epoch, drawn with QPainter (no plotting library).

Axes and text use the palette, so the plot follows light and dark themes; the two lines use
fixed colours chosen to stand out on both.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

SERIES = (("loss", "training", QColor("#3b82f6")), ("val_loss", "validation", QColor("#f97316")))
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 44, 14, 28, 30


def _finite(value: object) -> bool:
    """A loss the plot can draw: a diverged epoch (NaN, inf) or a missing one is left out."""
    return isinstance(value, (int, float)) and math.isfinite(value)


class LossPlot(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("lossPlot")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.history: dict[str, list[float]] = {}
        self.caption = ""
        self.empty_text = "The loss curves appear here while the sorter trains."

    def sizeHint(self) -> QSize:
        return QSize(360, 220)

    def set_history(self, history: dict[str, list[float]], caption: str = "") -> None:
        self.history = {k: [float(v) for v in values if _finite(v)] for k, values in history.items()}
        self.caption = caption
        self.update()

    def add_point(self, loss: float | None, val_loss: float | None, caption: str = "") -> None:
        for key, value in (("loss", loss), ("val_loss", val_loss)):
            if _finite(value):
                self.history.setdefault(key, []).append(float(value))
        self.caption = caption
        self.update()

    def clear(self) -> None:
        self.set_history({})

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        text = palette.text().color()
        faint = palette.placeholderText().color()
        area = QRectF(self.rect()).adjusted(MARGIN_LEFT, MARGIN_TOP, -MARGIN_RIGHT, -MARGIN_BOTTOM)
        values = [v for key, _, _ in SERIES for v in self.history.get(key, [])]
        if not values or area.width() < 20 or area.height() < 20:
            painter.setPen(faint)
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self.empty_text)
            return
        epochs = max(len(self.history.get(key, [])) for key, _, _ in SERIES)
        top = max(values) * 1.05 or 1.0

        def point(i: int, v: float) -> QPointF:
            x = area.left() + (area.width() * i / max(1, epochs - 1))
            return QPointF(x, area.bottom() - area.height() * min(v, top) / top)

        # axes and a few grid lines
        painter.setPen(QPen(faint, 1))
        for step in range(5):
            y = area.bottom() - area.height() * step / 4
            painter.drawLine(QPointF(area.left(), y), QPointF(area.right(), y))
            painter.drawText(QRectF(0, y - 8, MARGIN_LEFT - 6, 16),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, f"{top * step / 4:.2f}")
        painter.setPen(text)
        painter.drawText(QRectF(area.left(), area.bottom() + 6, area.width(), 20),
                         Qt.AlignmentFlag.AlignHCenter, f"epoch (1–{epochs})")
        # the lines, and a legend along the top
        legend_x = area.left()
        for key, label, colour in SERIES:
            series = self.history.get(key, [])
            if not series:
                continue
            path = QPainterPath(point(0, series[0]))
            for i, v in enumerate(series[1:], 1):
                path.lineTo(point(i, v))
            painter.setPen(QPen(colour, 2.2))
            painter.drawPath(path)
            painter.drawLine(QPointF(legend_x, 12), QPointF(legend_x + 18, 12))
            painter.setPen(text)
            painter.drawText(QPointF(legend_x + 24, 16), label)
            legend_x += 40 + painter.fontMetrics().horizontalAdvance(label)
        if self.caption:
            painter.setPen(faint)
            painter.drawText(QRectF(area.left(), 2, area.width(), 20),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, self.caption)
