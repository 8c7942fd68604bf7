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
    ParamSpec("pace", FLOAT, 10.0, "Epochs per second in the editor (optimizer steps per "
              "second with pace_unit steps), so the eye can follow the boundary and the curves; "
              "0 trains as fast as possible. Headless training ignores it.",
              minimum=0.0, maximum=1000.0),
    ParamSpec("pace_unit", CHOICE, "epochs", "What the pace counts: epochs, or optimizer steps "
              "(one mini-batch each) for paces below an epoch a second.", choices=("epochs",
                                                                                  "steps")),
    ParamSpec("init", CHOICE, initializers.DEFAULT, "The starting weights of every Linear "
              "layer. " + initializers.describe(), choices=initializers.names()),
    ParamSpec("shuffle", BOOL, True, "Reshuffle the training samples each epoch; off, the "
              "batches follow the data set's order every epoch, as TensorFlow Playground "
              "trains."),
)

# Written to a file only when changed, so files from before they existed stay as they were.
OPTIONAL = {"init": initializers.DEFAULT, "shuffle": True, "pace_unit": "epochs"}

# The paces the toolbar offers, as (pace, pace_unit): optimizer steps per second for
# the slowest, then epochs per second, then as fast as possible (0).
PACES = ((2.0, "steps"), (5.0, "steps"), (10.0, "steps"), (20.0, "steps"), (50.0, "steps"),
         (1.0, "epochs"), (2.0, "epochs"), (5.0, "epochs"), (10.0, "epochs"), (20.0, "epochs"),
         (50.0, "epochs"), (0.0, "epochs"))


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
    pace_unit: str = record_default(TRAINING_PARAMS, "pace_unit")

    def __post_init__(self) -> None:
        checked_record(self, TRAINING_PARAMS)

    def with_(self, **changes) -> TrainingSettings:
        return replace(self, **{k: v for k, v in changes.items() if v is not None})

    def steps_per_second(self, batches: int) -> float:
        """Optimizer steps a second at this pace, for epochs of ``batches`` mini-batches
        (0: as fast as possible)."""
        if self.pace <= 0:
            return 0.0
        return self.pace if self.pace_unit == "steps" else self.pace * max(batches, 1)

    def to_dict(self) -> dict:
        """As in the file: ``init``, ``shuffle`` and ``pace_unit`` only when not the default."""
        data = asdict(self)
        for name, default in OPTIONAL.items():
            if data[name] == default:
                del data[name]
        return data
