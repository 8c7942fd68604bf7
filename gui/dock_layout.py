"""The main window's dock layout: the default one, and the one saved at closing.

The default layout is built for a lesson: the network and the output plot
are the largest things on screen, the selected block's curves, weights and
units have the bottom left to themselves, the plots of the run share the
bottom right with the problems list, and the palette sits above the
inspector on the left. Dock sizes apply only once the window is laid out, so
the default is made after the window is first shown; the editor then restores
the layout saved at the last closing (a screenshot or a test keeps the size it
asked for). View → Reset Window Layout brings the default back.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QByteArray, QObject, QSettings, QSize, Qt, QTimer
from PySide6.QtWidgets import QDockWidget, QMainWindow

from . import screen

# Saved window layouts of another version are not restored: the docks have changed.
LAYOUT_VERSION = 2


class DockLayout(QObject):
    """Lays out ``window``'s ``docks``; ``settle`` puts a dock a feature placed
    itself back where it belongs after a restore or a reset."""

    def __init__(self, window: QMainWindow, docks: dict[str, QDockWidget], restore: bool,
                 settle: Callable[[], None]) -> None:
        super().__init__(window)
        self.window, self.docks, self.settle = window, docks, settle
        self.restore = restore  # the editor's saved layout (not a screenshot's or a test's)
        # the default layout: None until first shown, empty until laid out
        self.default_state: QByteArray | None = None

    def shown(self) -> None:
        """The window is shown: the first time, lay it out once it has its size."""
        if self.default_state is None:  # dock sizes apply only once laid out
            self.default_state = QByteArray()
            if self.restore:  # the editor: its frame, known now, inside the screen too
                screen.keep_on_screen(self.window)
            QTimer.singleShot(0, self._first_layout)

    def _first_layout(self) -> None:
        screen.hide_stale_tab_bars(self.window)
        self.default_sizes()
        self.default_state = self.window.saveState()
        if self.restore:  # the editor (a screenshot or a test keeps the size it asked for)
            self._restore_saved()

    def default_sizes(self) -> None:
        """The canvas and the output plot get the most room, then the selected
        block's views (seen whole at 1400×880), then the panels; on a laptop's
        screen, the canvas first (:func:`gui.screen.dock_sizes`)."""
        window, d = self.window, self.docks
        width = window.width()
        sizes = screen.dock_sizes(width, window.height())
        window.resizeDocks([d["palette"], d["output"]], [sizes.side, sizes.output],
                           Qt.Orientation.Horizontal)
        window.resizeDocks([d["palette"], d["inspector"]], list(sizes.palette),
                           Qt.Orientation.Vertical)
        window.resizeDocks([d["selected"]], [sizes.bottom], Qt.Orientation.Vertical)
        share = sizes.selected
        window.resizeDocks([d["selected"], d["curves"]], [int(width * share),
                                                          int(width * (1 - share))],
                           Qt.Orientation.Horizontal)

    def _restore_saved(self) -> None:
        window, settings = self.window, QSettings()
        geometry, state = settings.value("window/geometry"), settings.value("window/state")
        saved = settings.value("window/size")
        if isinstance(geometry, QByteArray):
            window.restoreGeometry(geometry)
        screen.keep_on_screen(window)  # saved on a larger screen, or on one since unplugged
        if isinstance(state, QByteArray):  # refused when saved by another layout version
            window.restoreState(state, LAYOUT_VERSION)
        if isinstance(saved, QSize) and saved.boundedTo(window.size()) != saved:
            QTimer.singleShot(0, self.default_sizes)  # docks from a larger window: refitted
        self.docks["palette"].raise_()  # a new session starts with the blocks in front
        self.settle()

    def reset(self) -> None:
        """The default layout, sized for the window as it is now."""
        if self.default_state is not None:
            self.window.restoreState(self.default_state)
        for dock in self.docks.values():
            dock.show()
        self.settle()
        QTimer.singleShot(0, self.default_sizes)  # sized for the window as it is now

    def save(self) -> None:
        """Saved for the next session (the window is closing)."""
        settings, window = QSettings(), self.window
        settings.setValue("window/geometry", window.saveGeometry())
        settings.setValue("window/state", window.saveState(LAYOUT_VERSION))
        settings.setValue("window/size", window.size())  # the size its docks were sized for
