"""An inline message strip above the panels: errors stay until dismissed, news fades.

Messages a person should read but need not answer (a failed training, an unwritable folder,
"no sorter yet") go here instead of a modal box, so nothing blocks the window.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton

from photosort.gui import resources

INFO_TIMEOUT_MS = 8000


class Banner(QFrame):
    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("banner")
        self._icon = QLabel()
        self._text = QLabel()
        self._text.setObjectName("bannerText")
        self._text.setWordWrap(True)
        self._text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        close = QToolButton()
        close.setText("✕")
        close.setAutoRaise(True)
        close.setToolTip("Dismiss")
        close.clicked.connect(self.hide)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 6, 6)
        layout.addWidget(self._icon, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self._text, 1)
        layout.addWidget(close, 0, Qt.AlignmentFlag.AlignTop)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.hide)
        self.kind = ""
        self.hide()

    def show_message(self, kind: str, text: str) -> None:
        """kind is "error", "info" or "ok"."""
        self.kind = kind
        self._icon.setPixmap(resources.icon(kind if kind in {"error", "ok"} else "info").pixmap(20, 20))
        self._text.setText(text)
        self.show()
        if kind == "error":
            self._timer.stop()
        else:
            self._timer.start(INFO_TIMEOUT_MS)

    def text(self) -> str:
        return self._text.text() if self.isVisible() else ""
