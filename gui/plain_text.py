"""Text from a file, shown as text: the one helper every widget uses for it.

Qt decides by itself whether a string "looks like" rich text, and rich text
loads ``<img src=...>`` from disk: a block name, a title, a note, an exercise's
task, a table's column name or a message quoting any of them would be
rendered, and a name holding ``<img src="/dev/urandom">`` would hang the
editor just by being shown. So text that comes from a file is

- set on a label told ``Qt.PlainText`` (:func:`show_plain`; ``style.text_label``
  makes its labels plain unless asked for NetCanvas's own markup);
- escaped where NetCanvas's own markup surrounds it, a link or a bold name in
  a label, a pyqtgraph title or axis label (:func:`escape`);
- shown as written in a tooltip (:func:`tooltip`), since Qt guesses there too;
- rendered as Markdown only in a :class:`MarkdownView`, whose document loads
  no resource at all (no file, no network): an image in an exercise's task
  shows as a grey square, and a link opens only a web page, in the browser.

A shared helper: it imports nothing of the editor's features.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QByteArray, QUrl
from PySide6.QtGui import QColor, QDesktopServices, QImage, Qt, QTextDocument
from PySide6.QtWidgets import QLabel, QTextBrowser

WEB = ("http", "https")  # the links a task may open, in the system's browser
PLACEHOLDER = 16  # pixels a side of the square an image is drawn as


def escape(text: object) -> str:
    """``text`` for NetCanvas's own rich text: its markup characters escaped, its
    line breaks as ``<br>``."""
    return html.escape(str(text)).replace("\n", "<br>")


def show_plain(label: QLabel, text: str) -> QLabel:
    """``text`` on ``label``, as written, whatever it looks like."""
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(text)
    return label


def tooltip(text: str) -> str:
    """A tooltip that shows ``text`` as written: Qt renders a tooltip that looks
    like rich text as rich text, so such a text is escaped inside a paragraph."""
    if not Qt.mightBeRichText(text):
        return text
    return f"<p>{escape(text)}</p>"


class SafeDocument(QTextDocument):
    """A document that loads no resource: no image, style sheet or file, from disk
    or the network, whatever its text names. Each is answered with a stand-in (a
    grey square for an image, nothing for the rest): given no answer, Qt's image
    handler would load the file by its name itself."""

    def loadResource(self, kind: int, name: QUrl | str):
        if kind == QTextDocument.ResourceType.ImageResource:
            return placeholder_image()
        return QByteArray()


def placeholder_image() -> QImage:
    """What an image a file names is drawn as: a small grey square."""
    image = QImage(PLACEHOLDER, PLACEHOLDER, QImage.Format.Format_ARGB32)
    image.fill(QColor("#D1D5DB"))
    return image


class MarkdownView(QTextBrowser):
    """Markdown from a file (an exercise's task), rendered with a
    :class:`SafeDocument`. A link does not load anything into the view; a web link
    opens in the system's browser."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setDocument(SafeDocument(self))
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.anchorClicked.connect(_open_web_link)

    def loadResource(self, kind: int, name: QUrl | str):
        return self.document().loadResource(kind, name)


def _open_web_link(url: QUrl) -> None:
    if url.scheme().lower() in WEB:
        QDesktopServices.openUrl(url)
