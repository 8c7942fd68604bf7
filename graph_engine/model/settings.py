"""The training settings a diagram carries, declared as data.

A frozen record whose fields are described by :class:`ParamSpec` tuples, so
the GUI builds its widgets from the same declarations and every value is
checked in one place. Defaults follow TensorFlow Playground.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace

from ..core.params import BOOL, CHOICE, FLOAT, INT, ParamSpec, checked_record, record_default
from . import initializers

OPTIMIZERS = ("sgd", "momentum", "adam", "rmsprop", "adagrad")

TRAINING_PARAMS = (
    ParamSpec("optimizer", CHOICE, "sgd", "sgd: plain gradient descent; momentum: SGD with "
              "momentum 0.9; adam, rmsprop, adagrad: adaptive step sizes.", choices=OPTIMIZERS),
    ParamSpec("lr", FLOAT, 0.03, "Learning rate: the size of each step.",
              minimum=1e-7, maximum=1e6),
    ParamSpec("batch_size", INT, 10, "Samples per optimizer step.", minimum=1, maximum=100_000),
    ParamSpec("epochs", INT, 200, "Passes over the training set.", minimum=1, maximum=1_000_000),
    ParamSpec("l1", FLOAT, 0.0, "L1 regularisation: adds l1 · Σ|w| over the weights.",
              minimum=0.0, maximum=10.0),
    ParamSpec("l2", FLOAT, 0.0, "L2 regularisation: adds l2 · Σw² over the weights.",
              minimum=0.0, maximum=10.0),
    ParamSpec("seed", INT, 0, "Random seed for the initial weights and the batch order.",
              minimum=0, maximum=2**31 - 1),
    ParamSpec("pace", FLOAT, 10.0, "Epochs per second in the editor, so the eye can follow "
              "the boundary and the curves; 0 trains as fast as possible. Headless training "
              "ignores it.", minimum=0.0, maximum=1000.0),
    ParamSpec("init", CHOICE, initializers.DEFAULT, "The starting weights of every Linear "
              "layer. " + initializers.describe(), choices=initializers.names()),
    ParamSpec("shuffle", BOOL, True, "Reshuffle the training samples each epoch; off, the "
              "batches follow the data set's order every epoch, as TensorFlow Playground "
              "trains."),
)

# Written to a file only when changed, so files from before they existed stay as they were.
OPTIONAL = {"init": initializers.DEFAULT, "shuffle": True}

# The paces the toolbar offers, in epochs per second (0: as fast as possible).
PACES = (1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 0.0)


@dataclass(frozen=True)
class TrainingSettings:
    optimizer: str = record_default(TRAINING_PARAMS, "optimizer")
    lr: float = record_default(TRAINING_PARAMS, "lr")
    batch_size: int = record_default(TRAINING_PARAMS, "batch_size")
    epochs: int = record_default(TRAINING_PARAMS, "epochs")
    l1: float = record_default(TRAINING_PARAMS, "l1")
    l2: float = record_default(TRAINING_PARAMS, "l2")
    seed: int = record_default(TRAINING_PARAMS, "seed")
    pace: float = record_default(TRAINING_PARAMS, "pace")
    init: str = record_default(TRAINING_PARAMS, "init")
    shuffle: bool = record_default(TRAINING_PARAMS, "shuffle")

    def __post_init__(self) -> None:
        checked_record(self, TRAINING_PARAMS)

    def with_(self, **changes) -> TrainingSettings:
        return replace(self, **{k: v for k, v in changes.items() if v is not None})

    def to_dict(self) -> dict:
        """As in the file: ``init`` and ``shuffle`` only when not the default."""
        data = asdict(self)
        for name, default in OPTIONAL.items():
            if data[name] == default:
                del data[name]
        return data
