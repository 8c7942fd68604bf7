"""Live plots (pyqtgraph): curves, the network's output, and the teaching views."""

import pyqtgraph as pg

pg.setConfigOptions(antialias=True, background="w", foreground="#374151")

CLASS_COLOURS = ("#F59322", "#0877BD", "#16A34A", "#9333EA", "#DC2626", "#0891B2",
                 "#CA8A04", "#DB2777", "#4B5563", "#65A30D")
TRAIN_COLOUR, TEST_COLOUR = "#2563EB", "#E11D48"
