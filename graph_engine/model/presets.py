"""What the editor offers for the training settings, beside their declarations in
:mod:`.settings`: a readable name for each optimizer and the learning rates a
student picks from. The toolbar, the Backprop dock's step and any other view
read them here, so an optimizer added to the settings gets its name in one place.
"""

from __future__ import annotations

from .settings import OPTIMIZERS

OPTIMIZER_LABELS = {"sgd": "SGD", "momentum": "SGD + momentum", "adam": "Adam",
                    "rmsprop": "RMSprop", "adagrad": "Adagrad"}

# Playground's list, one decade either side (typed values outside it are kept too)
LEARNING_RATES = (0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)


def optimizer_label(name: str) -> str:
    """The optimizer's name as the editor shows it (the setting's own value if unknown)."""
    return OPTIMIZER_LABELS.get(name, name)


def _check() -> None:
    missing = set(OPTIMIZERS) ^ set(OPTIMIZER_LABELS)
    if missing:  # a new optimizer in the settings must be named here
        raise ValueError(f"optimizer labels and OPTIMIZERS differ: {sorted(missing)}")


_check()
