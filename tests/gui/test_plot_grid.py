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
