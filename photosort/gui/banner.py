"""An inline message strip above the panels, in a slot of its own: it never moves the layout.

Messages a person should read but need not answer (a failed training, an unwritable folder,
"no sorter yet", "sorted 78 photos") go here instead of a modal box, so nothing blocks the
window. Why a fixed slot: a strip that appears and disappears pushed every panel ~48 px down
and up, so the next click landed on the wrong button. Nothing times out either: a message
stays until dismissed (✕) or replaced, and a success never replaces an error the person
has not dismissed yet (it goes to the status line instead, see ``overflow``).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontMetrics, QResizeEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSizePolicy, QToolButton, QWidget

from photosort.gui import resources

LINES = 2  # text lines the slot holds; longer messages are cut with "…" (all of it in the tooltip)
MARGIN_V = 6


class Banner(QWidget):
    """The slot (always there, same height); ``self.frame`` is the visible message inside it."""

    overflow = Signal(str)  # a success that did not replace an unread error

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("bannerSlot")
        self.frame = QFrame()
        self.frame.setObjectName("banner")
        self._icon = QLabel()
        self._text = QLabel()
        self._text.setObjectName("bannerText")
        self._text.setWordWrap(True)
        self._text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._text.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.close_button = QToolButton()
        self.close_button.setObjectName("bannerClose")
        self.close_button.setText("✕")
        self.close_button.setAutoRaise(True)
        self.close_button.setToolTip("Dismiss this message")
        self.close_button.clicked.connect(self.dismiss)
        inner = QHBoxLayout(self.frame)
        inner.setContentsMargins(10, MARGIN_V, 6, MARGIN_V)
        inner.addWidget(self._icon, 0, Qt.AlignmentFlag.AlignTop)
        inner.addWidget(self._text, 1)
        inner.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)
        outer = QHBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 4)
        outer.addWidget(self.frame)
        line = QFontMetrics(self._text.font()).lineSpacing()
        self.setFixedHeight(LINES * line + 2 * MARGIN_V + 2 + 4)
        self.kind = ""
        self._full = ""
        self.frame.hide()

    def show_message(self, kind: str, text: str) -> None:
        """kind is "error", "info" or "ok"."""
        if self.kind == "error" and kind != "error" and self.frame.isVisible():
            self.overflow.emit(text)  # the unread error stays in view
            return
        self.kind = kind
        self._icon.setPixmap(resources.icon(kind if kind in {"error", "ok"} else "info").pixmap(20, 20))
        self._full = text
        self._text.setToolTip(text)
        self.frame.show()
        self.frame.layout().activate()  # the label's width, before cutting the text to fit
        self._fit_text()

    def dismiss(self) -> None:
        self.frame.hide()
        self.kind = ""
        self._full = ""

    def text(self) -> str:
        """The whole message shown now ("" when none)."""
        return self._full if self.frame.isVisible() else ""

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_text()

    def _fit_text(self) -> None:
        """The message, cut with "…" where it would need more lines than the slot has."""
        text = self._full
        width = self._text.width()
        if width <= 0 or not text:
            self._text.setText(text)
            return
        metrics = QFontMetrics(self._text.font())
        limit = LINES * metrics.lineSpacing()
        flags = Qt.TextFlag.TextWordWrap

        def fits(candidate: str) -> bool:
            return metrics.boundingRect(0, 0, width, 10_000, flags, candidate).height() <= limit

        if not fits(text):
            low, high = 0, len(text)  # the longest prefix that fits with its "…"
            while low < high:
                middle = (low + high + 1) // 2
                low, high = (middle, high) if fits(text[:middle].rstrip() + "…") else (low, middle - 1)
            text = text[:low].rstrip() + "…"
        self._text.setText(text)
