"""The small network most tests train: Input(2) → Linear → activation → Linear(2)
→ CrossEntropyLoss, the lecture's two-layer net."""

from __future__ import annotations

from itertools import pairwise

import graph_engine as ge


def two_layer(activation: str = "ReLU", dataset=None, hidden: int = 8,
              **params) -> tuple[ge.Diagram, dict[str, str]]:
    """The diagram and its block ids by role (input, hidden, act, out, loss);
    ``params`` go to the activation."""
    d = ge.Diagram()
    ids = {"input": d.add("Input", features=2),
           "hidden": d.add("Linear", out_features=hidden),
           "act": d.add(activation, **params),
           "out": d.add("Linear", out_features=2),
           "loss": d.add("CrossEntropyLoss")}
    wire(d, *ids.values())
    if dataset is not None:
        d.dataset = dataset
    return d, ids


def wire(d: ge.Diagram, *ids: str) -> list[str]:
    """Wire the blocks ``ids`` one after the other; the ids."""
    for src, dst in pairwise(ids):
        d.connect(src, dst)
    return list(ids)


def in_a_row(*blocks: tuple[str, dict]) -> ge.Diagram:
    """A diagram of the (type, params) ``blocks``, wired one after the other."""
    d = ge.Diagram()
    wire(d, *(d.add(kind, **params) for kind, params in blocks))
    return d


def chain(blocks, loss: str, dataset) -> ge.Diagram:
    """Input(2) -> the (type, params) ``blocks`` in a row -> ``loss``, on ``dataset``."""
    d = in_a_row(("Input", {"features": 2}), *blocks, (loss, {}))
    d.dataset = dataset
    return d
