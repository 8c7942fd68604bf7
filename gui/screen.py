"""The window on the screen it opens on: inside the screen's available area.

A laptop's 1280×800 has less room than the window's preferred 1400×880, and a
window state saved on a 1920×1080 monitor may be larger than the laptop's
screen, or lie beyond it. The window opens at its preferred size where that
fits and at the available area's size where it does not, and a restored
geometry that does not lie inside one screen's available area is brought back
into the screen it mostly covers. A shared helper: Qt alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtGui import QGuiApplication, QScreen
from PySide6.QtWidgets import QMainWindow, QTabBar, QWidget


def fitted(preferred: QSize, area: QRect, frame: QSize | None = None) -> QRect:
    """Where the window goes: its frame's top-left and its size without the frame
    (which adds ``frame`` to it): ``preferred`` where it fits, else as large as
    ``area`` allows; centred in ``area``."""
    frame = frame if frame is not None else QSize(0, 0)
    room = QSize(max(area.width() - frame.width(), 1), max(area.height() - frame.height(), 1))
    size = preferred.boundedTo(room)
    left = area.left() + (area.width() - size.width() - frame.width()) // 2
    top = area.top() + (area.height() - size.height() - frame.height()) // 2
    return QRect(QPoint(left, top), size)


def screen_of(window: QWidget) -> QScreen:
    """The screen under the window's centre, else its own, else the primary one."""
    found = QGuiApplication.screenAt(window.frameGeometry().center())
    return found or window.screen() or QGuiApplication.primaryScreen()


def frame_extra(window: QWidget) -> QSize:
    """How much the window's frame adds to its width and height (0 before it is shown)."""
    return window.frameGeometry().size() - window.geometry().size()


def fit_window(window: QWidget, preferred: QSize) -> None:
    """Open at ``preferred`` inside the available area of the window's screen."""
    area = screen_of(window).availableGeometry()
    rect = fitted(preferred, area, frame_extra(window))
    window.resize(rect.size())
    window.move(rect.topLeft())


def keep_on_screen(window: QWidget) -> None:
    """A restored geometry that does not lie inside one screen's available area
    (saved on a larger screen, or on a monitor since unplugged) is fitted into the
    screen it mostly covers, keeping its size where that fits."""
    frame = window.frameGeometry()
    if any(s.availableGeometry().contains(frame) for s in QGuiApplication.screens()):
        return
    screen = max(QGuiApplication.screens(), key=lambda s: _overlap(s.availableGeometry(), frame),
                 default=None) or screen_of(window)
    rect = fitted(window.size(), screen.availableGeometry(), frame_extra(window))
    window.resize(rect.size())
    window.move(rect.topLeft())


def _overlap(area: QRect, frame: QRect) -> int:
    shared = area.intersected(frame)
    return shared.width() * shared.height() if not shared.isEmpty() else 0


# The room the canvas needs to show every example at 70 % zoom or more: the widest
# (four columns of blocks) and the tallest (deep-sigmoid's three bands), with its
# scroll bars. What the window has beyond it goes to the docks, up to their sizes
# at 1400×880.
CANVAS = QSize(760, 450)
CHROME = 120  # the menu bar, the toolbars' two rows and the status bar
SIDE, LAPTOP_SIDE = 205, 185  # the palette's column, with room and on a laptop
OUTPUT_SHARE, BOTTOM = 0.31, 310  # the output plot's width share, the bottom docks' height


# the palette's height over the inspector's: at 1400×880, and on a laptop, where the
# palette keeps eight rows of blocks under its filter and the inspector scrolls
PALETTE, LAPTOP_PALETTE = (250, 240), (281, 167)


@dataclass(frozen=True)
class DockSizes:
    side: int  # the palette and inspector's column, wide
    output: int  # the output plot, wide
    bottom: int  # the selected block's views and the plots below, high
    palette: tuple[int, int]  # the palette above the inspector, and the inspector, high
    selected: float  # the selected block's share of the bottom row (the plots' tabs beside)


def dock_sizes(width: int, height: int) -> DockSizes:
    """The docks' sizes in a window of ``width`` × ``height``: as designed at
    1400×880 where there is room; on a smaller screen (1280×800) the docks give up
    what the canvas needs, and the palette keeps eight rows over the inspector."""
    small = width < 1400 or height < 880
    side = LAPTOP_SIDE if small else SIDE
    output = max(300, min(int(width * OUTPUT_SHARE), width - side - CANVAS.width()))
    bottom = max(190, min(BOTTOM, height - CHROME - CANVAS.height()))
    return DockSizes(side, output, bottom, LAPTOP_PALETTE if small else PALETTE,
                     0.5 if small else 0.54)  # on a laptop, room for all the plots' tabs


def hide_stale_tab_bars(window: QMainWindow) -> None:
    """Tabifying docks (before the window is shown, or by restoring a state, as
    leaving presentation mode does) leaves Qt's earlier tab bars of each group
    (e.g. "Inspector | Data" before "Code" joined it) visible on top of other
    docks. The bar in use is the newest of its group."""
    kept: list[set[str]] = []
    bars = [b for b in window.findChildren(QTabBar) if b.parentWidget() is window]
    for bar in reversed(bars):  # newest first
        bar.setElideMode(Qt.TextElideMode.ElideNone)  # whole names, scrolled if need be
        bar.setUsesScrollButtons(True)
        tabs = {bar.tabText(i) for i in range(bar.count())}
        if any(tabs <= group for group in kept):
            bar.hide()
        else:
            kept.append(tabs)
