"""A transient note over the canvas: a refusal shown where the student is
looking (a wire that would make a loop, Play with errors, a limit reached),
not only in the status bar at the window's edge."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QLabel, QWidget

SHOW_MS = 5000


class CanvasNote(QLabel):
    def __init__(self, viewport: QWidget) -> None:
        super().__init__(viewport)
        self.setObjectName("canvasNote")
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)  # messages quote names from files
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setStyleSheet("QLabel#canvasNote { background: rgba(17, 24, 39, 225); "
                           "color: white; border-radius: 8px; padding: 10px 16px; "
                           "font-size: 11pt; }")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.hide)
        self.hide()

    def say(self, text: str, ms: int = SHOW_MS) -> None:
        """Show ``text`` at the top of the canvas for ``ms`` milliseconds."""
        viewport = self.parentWidget()
        if viewport is None:
            return
        width = min(560, max(200, viewport.width() - 40))
        self.setText(text)
        self.setFixedWidth(width)
        self.adjustSize()
        self.move((viewport.width() - width) // 2, 16)
        self.show()
        self.raise_()
        self._timer.start(ms)
