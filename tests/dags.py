"""Random valid networks of every block in the catalogue, on any DAG shape.

Branches, skips, Add over equal sizes, Concat of anything, a second Input,
learnable custom formulas, and a head that ends in each kind of loss (or an
Output block). Each comes with samples and labels that fit it. No Qt here.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import graph_engine as ge
from graph_engine.blocks.registry import LossTarget, Prediction, Role, ShapeError
from graph_engine.core.params import BOOL, CHOICE, FLOAT, FORMULA, INT, WEIGHTS

# Formulas with learnable scalars that stay finite for any input.
FORMULAS = ("x * sigmoid(beta * x)", "where(x > 0, x, a * x)", "tanh(x) + gamma * x",
            "2*(x+2)**2", "where(x <= 0, 1 / (1 + alpha * exp(-x)), x)", "relu(x) - 0.5 * c")
MIDDLE = [s.name for s in ge.REGISTRY if s.role in (Role.LAYER, Role.ACTIVATION)]
MERGES = [s.name for s in ge.REGISTRY if s.role == Role.MERGE]
LOSSES = [s for s in ge.REGISTRY if s.is_loss]


@dataclass
class Case:
    diagram: ge.Diagram
    x: list  # samples, (N, features)
    y: list | None  # labels in the data set's form, or None


def value(rng: random.Random, spec, features: int):
    if spec.kind == INT:
        if spec.name == "num_parameters":  # one slope, or one per feature
            return rng.choice([1, features])
        return rng.randint(int(spec.minimum or 1), min(int(spec.maximum or 5), 5))
    if spec.kind == FLOAT:
        low, high = spec.minimum or 0.0, min(spec.maximum if spec.maximum is not None else 2, 2)
        return rng.uniform(low, high) * (0.99 if spec.exclusive_max else 1.0) or low
    if spec.kind == BOOL:
        return rng.random() < 0.5
    if spec.kind == CHOICE:
        return rng.choice(spec.choices)
    if spec.kind == WEIGHTS:  # row 0, column 0 exists in every weight matrix
        return [[0, 0, round(rng.uniform(-1, 1), 3)]]
    assert spec.kind == FORMULA
    return rng.choice(FORMULAS)


class _Builder:
    def __init__(self, rng: random.Random) -> None:
        self.rng, self.d = rng, ge.Diagram()
        self.features: dict[str, int] = {}
        self.used: set[str] = set()

    def add(self, type_: str, sources: list[str], **params) -> str:
        spec = ge.REGISTRY.get(type_)
        fan = self.features[sources[0]] if sources else 0
        for p in spec.params:
            if p.name not in params and self.rng.random() < 0.6:
                params[p.name] = value(self.rng, p, fan)
        block = self.d.add(type_, **params)
        for source in sources:
            self.d.connect(source, block)
            self.used.add(source)
        sizes = [self.features[s] for s in sources]
        self.features[block] = spec.shape(ge.REGISTRY.get(type_).coerce_params(params), sizes) \
            if spec.outputs else 0
        return block

    def merge(self, pool: list[str]) -> str | None:
        type_ = self.rng.choice(MERGES)
        if not _any_sizes(type_):  # Add: equal sizes only
            by_size: dict[int, list[str]] = {}
            for block in pool:
                by_size.setdefault(self.features[block], []).append(block)
            groups = [g for g in by_size.values() if len(g) >= 2]
            if not groups:
                return None
            group = self.rng.choice(groups)
            return self.add(type_, self.rng.sample(group, self.rng.randint(2, len(group))))
        return self.add(type_, self.rng.sample(pool, self.rng.randint(2, min(3, len(pool)))))


def _any_sizes(type_: str) -> bool:
    try:
        ge.REGISTRY.get(type_).shape({}, [1, 2])
    except ShapeError:
        return False
    return True


def random_case(rng: random.Random) -> Case:
    b = _Builder(rng)
    features = rng.randint(1, 4)
    pool = [b.add("Input", [], features=features)]
    if rng.random() < 0.15:
        pool.append(b.add("Input", [], features=features))
    for _ in range(rng.randint(1, 7)):
        block = b.merge(pool) if rng.random() < 0.25 and len(pool) >= 2 else None
        if block is None:
            block = b.add(rng.choice(MIDDLE), [rng.choice(pool)])
        pool.append(block)
    sinks = [p for p in pool if p not in b.used]
    last = sinks[0] if len(sinks) == 1 else b.add("Concat", sinks)
    n = rng.choice([1, 1, 1, 3])
    x = [[rng.uniform(-3, 3) for _ in range(features)] for _ in range(n)]
    y = _head(b, last, n)
    if rng.random() < 0.2:
        y = None  # no label: L is the sum of the output
    return Case(b.d, x, y)


def _head(b: _Builder, last: str, n: int) -> list | None:
    rng = b.rng
    if rng.random() < 0.2:
        b.add("Output", [last])
        return None
    spec = rng.choice(LOSSES)
    loss = spec.loss
    assert loss is not None
    binary = loss.target == LossTarget.BINARY
    classes = 1 if binary else rng.randint(1 if loss.target == LossTarget.REGRESSION else 2, 4)
    head = b.add("Linear", [last], out_features=classes)
    if loss.prediction == Prediction.BINARY_PROBABILITY:
        head = b.add("Sigmoid", [head])
    elif loss.prediction == Prediction.LOG_PROBABILITIES and rng.random() < 0.7:
        head = b.add("LogSoftmax", [head], dim=1)
    block = b.add(spec.name, [head])
    if rng.random() < 0.3:
        b.d.connect(b.d.add("Target"), block, dst_port="target")
    if loss.target == LossTarget.REGRESSION:
        return [[rng.uniform(-2, 2) for _ in range(classes)] for _ in range(n)]
    return [rng.randrange(2 if binary else classes) for _ in range(n)]


def random_cases(seed: int, count: int) -> list[Case]:
    """``count`` cases that validate without errors."""
    rng, cases = random.Random(seed), []
    while len(cases) < count:
        case = random_case(rng)
        if not any(p.is_error for p in ge.validate(case.diagram)):
            cases.append(case)
    return cases
