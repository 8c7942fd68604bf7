"""The limits of a diagram, declared once: checked where values come in (the
API, the editor's commands, the file reader), so whatever NetCanvas saves, it
can read back."""

from __future__ import annotations

MAX_BLOCKS = 5000
MAX_WIRES = 20000
MAX_ID = 64  # characters of a block id
MAX_NAME = 64  # characters of a block's display name
MAX_TITLE = 200
MAX_DESCRIPTION = 5000
MAX_NOTE = 2000  # characters of a text note on the canvas
MAX_NOTES = 200  # text notes on one canvas
MAX_POSITION = 1e9  # |x|, |y| of a block on the canvas
POSITION_DECIMALS = 2  # positions are kept (and saved) to 0.01
MAX_PATH = 4096  # characters of a file path a diagram names (its CSV data set)
# Memory a network may need to train: its weights with their gradients and the
# optimizer's state, and one batch of every block's outputs. Above it, validation refuses.
MAX_TRAINING_MEMORY = 4 << 30

# The training process records a confusion matrix at every epoch up to this many classes.
MAX_CONFUSION_CLASSES = 20
