"""The curves' light grid: lines at the axes' ticks, in linear and log scale."""

from __future__ import annotations

from gui.plots.curves import CurvesPanel


def rows(n):
    return [{"epoch": i + 1, "train_loss": 1 / (i + 1), "test_loss": 1.2 / (i + 1),
             "train_accuracy": 0.5, "test_accuracy": 0.6} for i in range(n)]


def test_grid_lines_follow_the_ticks_in_linear_and_log_scale(qtbot):
    panel = CurvesPanel()
    qtbot.addWidget(panel)
    panel.resize(900, 300)
    panel.show()
    panel.show_history(rows(300))
    qtbot.wait(50)
    grid = panel.loss.grid
    majors = {round(line.y1(), 6) for line in grid.levels[0] if line.y1() == line.y2()}
    left = panel.loss.getAxis("left")
    (low, high) = panel.loss.getPlotItem().vb.viewRange()[1]
    ticks = left.tickValues(low, high, panel.loss.getPlotItem().vb.height())[0][1]
    assert majors == {round(v, 6) for v in ticks}
    assert left.grid is False  # the axes draw no grid: they stay small and cheap to repaint
    panel.log_scale.setChecked(True)
    qtbot.wait(50)
    assert grid.levels[0] and grid.boundingRect().contains(grid.levels[0][0].p1())


def test_the_loss_axis_moves_in_nice_steps_not_at_every_epoch(qtbot):
    """An axis whose range changed at every epoch would be redrawn at every frame."""
    panel = CurvesPanel()
    qtbot.addWidget(panel)
    panel.resize(900, 300)
    panel.show()
    view = panel.loss.getPlotItem().vb
    history = rows(400)
    ranges = set()
    for end in range(1, 401, 7):
        panel.show_history(history[:end])
        ranges.add(tuple(round(v, 9) for v in view.viewRange()[1]))
    assert ranges == {(0.0, 2.0)}  # the first test loss is 1.2: from 0 to the next 1, 2, 5
    panel.pin("first run")
    panel.clear()
    panel.show_history([{**row, "train_loss": 30 * row["train_loss"],
                         "test_loss": 30 * row["test_loss"]} for row in history[:5]])
    assert view.viewRange()[1] == [0.0, 50.0]  # grows to the new run's curves
    panel.log_scale.setChecked(True)
    low, high = view.viewRange()[1]
    assert (low, high) == (-3.0, 2.0)  # whole decades: the pinned run reaches 0.003
