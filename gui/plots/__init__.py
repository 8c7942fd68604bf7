"""Live plots (pyqtgraph): curves, the network's output, and the teaching views."""

import pyqtgraph as pg

pg.setConfigOptions(antialias=True, background="w", foreground="#374151")

CLASS_COLOURS = ("#F59322", "#0877BD", "#16A34A", "#9333EA", "#DC2626", "#0891B2",
                 "#CA8A04", "#DB2777", "#4B5563", "#65A30D")
TRAIN_COLOUR, TEST_COLOUR = "#2563EB", "#E11D48"
# Curves that grow with the run are drawn one pixel wide: Qt strokes a thin line
# directly, but a wider antialiased one as a filled outline, which cost 8-17 ms
# a frame for two curves of 3,000 epochs (1.5 ms at width 1).
LINE_WIDTH = 1
