"""A large diagram through the engine (figure 4, first half): validate and
shape-infer it, and compile it.

The diagram is a deep residual MLP of 500 blocks laid out on a grid: Input,
Linear to 16 features and ReLU, then units of Linear, ReLU, Linear and Add
(the unit's input added back), Identity blocks to make the count exact, and
at the end Linear to 2 classes and CrossEntropyLoss.
"""

from __future__ import annotations

import torch
from torch import nn

import graph_engine as ge

from .common import Figure, interleaved, median, ms

WIDTH = 16
COLUMNS = 20  # blocks per row on the canvas


def residual_diagram(blocks: int = 500) -> ge.Diagram:
    """A valid diagram of exactly ``blocks`` blocks (at least 5)."""
    d = ge.Diagram()
    placed = [0]

    def add(kind: str, **params) -> str:
        index = placed[0]
        placed[0] += 1
        return d.add_block(kind, params, position=(220.0 * (index % COLUMNS),
                                                    140.0 * (index // COLUMNS)))

    x = add("Input", features=2)
    first = add("Linear", out_features=WIDTH)
    h = add("ReLU")
    d.connect(x, first)
    d.connect(first, h)
    for _ in range((blocks - 5) // 4):
        a = add("Linear", out_features=WIDTH)
        r = add("ReLU")
        b = add("Linear", out_features=WIDTH)
        s = add("Add")
        for src, dst in ((h, a), (a, r), (r, b), (b, s), (h, s)):
            d.connect(src, dst)
        h = s
    for _ in range((blocks - 5) % 4):  # fill up to the exact count
        r = add("Identity")
        d.connect(h, r)
        h = r
    out = add("Linear", out_features=2)
    loss = add("CrossEntropyLoss")
    d.connect(h, out)
    d.connect(out, loss)
    d.dataset = "circle"
    return d


def hand_built_modules(diagram: ge.Diagram) -> nn.Module:
    """The reference for compiling: only creating the same torch modules."""
    layers = []
    for block in diagram.blocks:
        if block.type == "Linear":
            layers.append(nn.Linear(WIDTH, block.params["out_features"]))
        elif block.type == "ReLU":
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def figures(blocks: int = 500, rounds: int = 15) -> list[Figure]:
    torch.set_num_threads(1)
    d = residual_diagram(blocks)
    small = residual_diagram(10)
    if any(p.is_error for p in ge.validate(d)):
        raise RuntimeError(f"the benchmark diagram has errors: {ge.validate(d)[:3]}")
    times = interleaved({"validate": lambda: ge.validate(d),
                         "validate small": lambda: ge.validate(small),
                         "compile": lambda: ge.compile(d, seed=0),
                         "modules by hand": lambda: hand_built_modules(d)}, rounds, 1)
    t = {k: ms(median(v)) for k, v in times.items()}
    n = len(d.blocks)
    return [
        Figure("4.validate", f"validate and shape-infer a {n}-block diagram",
               t["validate"], "ms", goal=20, higher_is_better=False,
               reference=f"the same for 10 blocks: {t['validate small']:.2f} ms"),
        Figure("4.compile", f"compile the {n}-block diagram to a torch module",
               t["compile"], "ms", goal=100, higher_is_better=False,
               reference=f"creating its {sum(b.type in ('Linear', 'ReLU') for b in d.blocks)} "
                         f"torch modules by hand: {t['modules by hand']:.1f} ms",
               note="validation included"),
    ]
