"""What keeps the editor smooth while it trains: an epoch counter that does
not lay the window out again at every frame, and a core of its own for the
training process."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from paths import ROOT
from PySide6.QtCore import QEvent, QObject


class LayoutRequests(QObject):
    """Counts the layout requests a widget receives."""

    def __init__(self, widget) -> None:
        super().__init__()
        self.count = 0
        widget.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.LayoutRequest:
            self.count += 1
        return False


def test_the_epoch_counter_changes_without_laying_the_window_out(window, qtbot):
    toolbar = window.training.toolbar
    label = toolbar.epoch_label
    label.setText("Epoch 1,000 / 5,000")
    qtbot.wait(50)
    size = label.size()
    requests = [LayoutRequests(toolbar), LayoutRequests(window)]
    for epoch in range(1_001, 1_100):
        label.setText(f"Epoch {epoch:,} / 5,000")
        qtbot.wait(1)
    assert label.size() == size
    assert [r.count for r in requests] == [0, 0]
    assert label.text() == "Epoch 1,099 / 5,000"


def test_the_epoch_counter_grows_for_a_longer_text_in_steps(window, qtbot):
    label = window.training.toolbar.epoch_label
    label.setText("Epoch 1 / 20")
    narrow = label.width()
    long_text = "Epoch 1,234,567 / 10,000,000 · batch 1,234/5,000"
    label.setText(long_text)
    assert label.width() > narrow
    assert label.width() >= label.sizeHint().width()
    assert label.width() % label.STEP == 0
    assert label.minimumSize() == label.maximumSize()  # what keeps the layout still
    label.setText("Epoch 1 / 20")
    assert label.width() == narrow


def _cores_in(code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT, timeout=60, check=True).stdout.strip()


@pytest.mark.skipif(not hasattr(os, "sched_getaffinity") or len(os.sched_getaffinity(0)) < 2,
                    reason="needs Linux and two cores")
def test_the_editor_leaves_its_last_core_to_the_training_process():
    allowed = sorted(os.sched_getaffinity(0))
    out = _cores_in("import os; from gui.training import cores; core = cores.reserve(); "
                    "print(core, sorted(os.sched_getaffinity(0)), cores.server_arguments())")
    assert out == f"{allowed[-1]} {allowed[:-1]} ['--core', '{allowed[-1]}']"


def test_without_a_reserved_core_the_training_process_is_started_as_before():
    out = _cores_in("from gui.training import cores; print(cores.server_arguments())")
    assert out == "[]"
