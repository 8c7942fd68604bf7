"""Probes that run only while a view shows them.

A view claims a probe by name when it becomes visible and releases it when
it is hidden, so the training process computes nothing nobody looks at.
Names are shared (the inspector's unit maps always use the same one), so a
release counts only from the view that holds the claim. A view deleted
with its inspector page gets no hide event; :meth:`ProbeHub.sweep` drops
claims whose view is gone.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QDockWidget, QWidget

from graph_engine.core.epochs import EpochRow

from ..training.controller import Drawn


class ProbeHub(QObject):
    def __init__(self, controller, parent=None) -> None:
        super().__init__(parent)
        self.controller = controller
        self._owners: dict[str, object] = {}

    def claim(self, name: str, owner: object, fn: str, **args) -> None:
        self._owners[name] = owner
        self._forget(name)  # an old result may belong to another block
        self.controller.set_probe(name, fn, **args)

    def sweep_soon(self) -> None:
        QTimer.singleShot(0, self.sweep)

    def sweep(self) -> None:
        """Release the claims of views that were deleted (a replaced inspector page);
        nothing when the window itself is gone (a sweep queued before it closed)."""
        if not (shiboken6.isValid(self) and shiboken6.isValid(self.controller.process)):
            return
        for name, owner in list(self._owners.items()):
            if isinstance(owner, QObject) and not shiboken6.isValid(owner):
                self.release(name, owner)

    def release(self, name: str, owner: object) -> None:
        if self._owners.get(name) is owner:
            del self._owners[name]
            self.controller.set_probe(name, None)
            self._forget(name)

    def result(self, name: str):
        return self.controller.state.probes.get(name)

    def _forget(self, name: str) -> None:
        self.controller.state.probes.pop(name, None)


def error_text(result: dict) -> str:
    """A probe's error without the exception class a student needs not see."""
    text = str(result.get("error", ""))
    for prefix in ("ValueError: ", "RuntimeError: "):
        if text.startswith(prefix):
            return text[len(prefix):]
    return text


class RunView(QWidget):
    """A view of the run on screen. It remembers which run it drew and compares
    that with the controller's at every update: when they differ (New, Open,
    Reset, Load Weights, an edit that starts a new run) it forgets everything
    before drawing anything, so it never shows another run's numbers."""

    def __init__(self, controller, parent=None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.drawn = Drawn()
        self._dock: QDockWidget | None = None
        self._dock_shown = True
        controller.progressed.connect(self.update_view)
        controller.run_changed.connect(self.update_view)

    @property
    def on_screen(self) -> bool:
        """Visible, and not behind another dock's tab (Qt calls both "visible")."""
        return self.isVisible() and self._dock_shown

    def _find_dock(self) -> None:
        if self._dock is not None:
            return
        parent = self.parentWidget()
        while parent is not None and not isinstance(parent, QDockWidget):
            parent = parent.parentWidget()
        if parent is not None:
            self._dock = parent
            self._dock_shown = not parent.visibleRegion().isEmpty()
            parent.visibilityChanged.connect(self._dock_visibility)

    def _dock_visibility(self, visible: bool) -> None:
        self._dock_shown = visible

    def update_view(self) -> None:
        if self.drawn.new_run(self.controller.state.run):
            self.forget()
        self.refresh()

    def forget(self) -> None:
        """Show nothing of any run (the view's own hint instead)."""
        raise NotImplementedError

    def refresh(self) -> None:
        """Draw what the current run has that is not drawn yet."""
        raise NotImplementedError


class HistoryView(RunView):
    """A view drawn from the run's history, which the training process records at
    every epoch whatever is on screen: opened late, it draws the whole run."""

    def __init__(self, controller, parent=None) -> None:
        super().__init__(controller, parent)
        self.drawn_rows = 0

    def forget(self) -> None:
        self.drawn_rows = 0
        self.clear()

    def refresh(self) -> None:
        history = self.controller.state.history
        if not self.on_screen or len(history) == self.drawn_rows:
            return  # drawn when it comes on screen
        new = history[self.drawn_rows:]
        self.drawn_rows = len(history)
        self.add_rows(new, history)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._find_dock()
        self.update_view()

    def _dock_visibility(self, visible: bool) -> None:
        super()._dock_visibility(visible)
        if visible:
            self.update_view()

    def clear(self) -> None:
        raise NotImplementedError

    def add_rows(self, new: list[EpochRow], history: list[EpochRow]) -> None:
        """Draw ``new`` rows, the last of ``history``."""
        raise NotImplementedError


class ProbeView(RunView):
    """A widget fed by one probe: claimed while it is on screen, drawn when
    new results arrive. Subclasses implement ``show_result(result)``; None means
    there is nothing of the current run to show (yet), and the view must then
    clear everything it drew.

    A dock behind another dock's tab keeps its widgets "visible" to Qt, so
    the dock's own visibilityChanged signal says whether it is on top."""

    def __init__(self, hub: ProbeHub, name: str, fn: str | None, parent=None, **args) -> None:
        self.hub, self.probe_name, self.probe_fn, self.probe_args = hub, name, fn, args
        self._claimed = False
        super().__init__(hub.controller, parent)

    def set_probe_args(self, **args) -> None:
        self.probe_args = args
        if self._claimed:
            self._claim()

    def _claim(self) -> None:
        self.drawn.forget_result()
        self._claimed = True
        if self.probe_fn is not None:  # None: a view that needs no probe right now
            self.hub.claim(self.probe_name, self, self.probe_fn, **self.probe_args)
        self.show_result(None)

    def _release(self) -> None:
        self._claimed = False
        self.hub.release(self.probe_name, self)

    def _update_claim(self) -> None:
        wanted = self.on_screen
        if wanted and not self._claimed:
            self._claim()
        elif not wanted and self._claimed:
            self._release()

    def _dock_visibility(self, visible: bool) -> None:
        super()._dock_visibility(visible)
        self._update_claim()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._find_dock()
        self._update_claim()

    def hideEvent(self, event) -> None:
        super().hideEvent(event)
        self._update_claim()

    def forget(self) -> None:
        self.drawn.forget_result()
        self.show_result(None)

    def refresh(self) -> None:
        if not self._claimed:
            return
        if self.drawn.new_result(result := self.hub.result(self.probe_name)):
            self.show_result(result)

    def show_result(self, result) -> None:
        raise NotImplementedError
