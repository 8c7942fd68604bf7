"""The help window: docs/guide.md and docs/blocks.md rendered inside the app,
with their pictures, so help opens on any machine (no browser or Markdown
viewer needed). F1 with a block selected opens that block's entry."""

from __future__ import annotations

from PySide6.QtCore import QUrl
from PySide6.QtGui import QKeySequence, QShortcut, QTextCursor, QTextDocument
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from graph_engine import Diagram
from graph_engine.core.files import read_bounded

from .help import DOCS

PAGES = {"guide.md": "Guide", "blocks.md": "Block reference"}
MAX_PAGE = 2 << 20  # bytes of one page
IMAGE_WIDTH = 820  # pixels: a screenshot shown in the help window


class HelpWindow(QDialog):
    """Not modal: it stays open beside the canvas."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("helpWindow")
        self.setWindowTitle("NetCanvas Help")
        self.browser = QTextBrowser()
        self.browser.setOpenExternalLinks(True)
        self.browser.setSearchPaths([str(DOCS)])
        self.browser.anchorClicked.connect(self._link)
        self.browser.setOpenLinks(False)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Find in this page (Enter: next)")
        self.search.returnPressed.connect(self.find_next)
        row = QHBoxLayout()
        self.buttons = {}
        for name, title in PAGES.items():
            button = QPushButton(title)
            button.clicked.connect(lambda checked=False, n=name: self.show_page(n))
            row.addWidget(button)
            self.buttons[name] = button
        row.addStretch(1)
        row.addWidget(self.search, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.browser, 1)
        QShortcut(QKeySequence.StandardKey.Find, self, self.search.setFocus)
        self.page = ""
        self.resize(900, 760)

    def show_page(self, name: str, heading: str = "") -> bool:
        """Show docs/NAME, scrolled to ``heading`` when given; False if it is missing."""
        if name != self.page:
            try:
                text = read_bounded(DOCS / name, MAX_PAGE).decode("utf-8")
            except (OSError, ValueError, UnicodeDecodeError):
                self.browser.setPlainText(f"{name} comes with the NetCanvas source, in its "
                                          "docs folder, and is not found here.")
                self.page = ""
                return False
            self.browser.document().setBaseUrl(QUrl.fromLocalFile(str(DOCS) + "/"))
            self.browser.setMarkdown(text)
            self._fit_images()
            self.page = name
        for page, button in self.buttons.items():
            button.setDefault(page == name)
        self.scroll_to(heading)
        return True

    def scroll_to(self, heading: str) -> bool:
        """Bring the heading ``heading`` to the top (the first one with that text)."""
        cursor = QTextCursor(self.browser.document())
        if not heading:
            self.browser.setTextCursor(cursor)
            return True
        document = self.browser.document()
        block = document.begin()
        while block.isValid():
            if block.blockFormat().headingLevel() and block.text().strip() == heading:
                cursor.setPosition(block.position())
                self.browser.setTextCursor(cursor)
                top = document.documentLayout().blockBoundingRect(block).top()
                self.browser.verticalScrollBar().setValue(int(top))
                return True
            block = block.next()
        return False

    def _fit_images(self) -> None:
        """Screenshots as wide as the page at most, their proportions kept."""
        width = IMAGE_WIDTH
        document = self.browser.document()
        block = document.begin()
        while block.isValid():
            it = block.begin()
            while not it.atEnd():
                fragment = it.fragment()
                image = fragment.charFormat().toImageFormat()
                if fragment.isValid() and image.isValid() and image.width() <= 0:
                    cursor = QTextCursor(document)
                    cursor.setPosition(fragment.position())
                    image.setWidth(width // 2 - 10 if cursor.currentTable() else width)
                    cursor.setPosition(fragment.position() + fragment.length(),
                                       QTextCursor.MoveMode.KeepAnchor)
                    cursor.setCharFormat(image)
                it += 1
            block = block.next()

    def find_next(self) -> None:
        text = self.search.text()
        if text and not self.browser.find(text):
            self.browser.moveCursor(QTextCursor.MoveOperation.Start)  # wrap around
            self.browser.find(text, QTextDocument.FindFlag(0))

    def _link(self, url: QUrl) -> None:
        name = url.fileName()
        if url.isRelative() and name in PAGES:
            self.show_page(name, url.fragment().replace("-", " "))
        elif url.scheme() in ("http", "https"):
            from PySide6.QtGui import QDesktopServices

            QDesktopServices.openUrl(url)
        elif url.hasFragment():
            self.browser.scrollToAnchor(url.fragment())


def show_help(parent: QWidget, name: str = "guide.md", heading: str = "") -> HelpWindow:
    """Open (or raise) the help window of ``parent`` (it keeps one, as a child) on
    docs/NAME at ``heading``."""
    help_window = parent.findChild(HelpWindow)
    if help_window is None:
        help_window = HelpWindow(parent)
    help_window.show()  # first: the page's layout depends on the window's width
    help_window.show_page(name, heading)
    help_window.raise_()
    help_window.activateWindow()
    return help_window


def help_on_selection(parent: QWidget, diagram: Diagram, selected: list[str]) -> HelpWindow:
    """F1: the entry of the one ``selected`` block in the block reference, else the guide."""
    if len(selected) == 1 and selected[0] in diagram:
        return show_help(parent, "blocks.md", diagram.block(selected[0]).type)
    return show_help(parent, "guide.md")
