"""The networks the benchmarks train, as diagrams (no torch imported here, so
the GUI benchmark's editor process stays as light as the real editor)."""

from __future__ import annotations

from itertools import pairwise

import graph_engine as ge
from graph_engine.data.spec import DatasetSpec
from graph_engine.model.settings import TrainingSettings

# TensorFlow Playground's default: circle, 500 points, half for training,
# 2 inputs, hidden layers of 4 and 2 tanh units, batch 10, lr 0.03, SGD; the
# output is Linear(2) + CrossEntropyLoss.
PLAYGROUND = {"widths": (2, 4, 2, 2), "activation": "Tanh", "dataset": DatasetSpec("circle"),
              "settings": TrainingSettings(optimizer="sgd", lr=0.03, batch_size=10)}


def chain_diagram(widths, activation: str, dataset) -> ge.Diagram:
    """Input -> (Linear, activation)* -> Linear -> CrossEntropyLoss."""
    d = ge.Diagram()
    ids = [d.add("Input", features=widths[0])]
    for width in widths[1:-1]:
        ids += [d.add("Linear", out_features=width), d.add(activation)]
    ids += [d.add("Linear", out_features=widths[-1]), d.add("CrossEntropyLoss")]
    for src, dst in pairwise(ids):
        d.connect(src, dst)
    d.dataset = dataset
    return d


def playground_diagram(samples: int = 500, epochs: int = 200) -> ge.Diagram:
    p = PLAYGROUND
    d = chain_diagram(p["widths"], p["activation"], p["dataset"].with_(samples=samples))
    d.training = p["settings"].with_(epochs=epochs, pace=0.0)  # as fast as possible
    return d
