"""The step-through of one sample's backprop, as data: no widgets here.

:func:`compute` runs in a background thread of the editor. Tracing one
sample is one forward and one backward pass of a small network (a few
milliseconds, and memory for one sample's values), so it needs neither the
training process nor a round trip to it: ``ge.trace`` compiles the diagram
on screen with the weights the view names, the seed's initial ones or the
ones the training process last sent (its ``state_dict`` probe). torch is
loaded on the first trace, as for an activation's curve.

:class:`Walk` is the sequence of steps the panel shows: each block forward in
the order the forward pass visits them, then each block backward.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from graph_engine.blocks.registry import REGISTRY, Function, Role

FORWARD, BACKWARD = "forward", "backward"


@dataclass(frozen=True)
class Sample:
    """Which sample to trace: an index of the test set, or typed features."""

    index: int | None = 0
    features: tuple[float, ...] = ()
    label: tuple[float, ...] | None = None  # with typed features: an optional label


def compute(diagram_text: str, sample: Sample, weights: dict | None) -> dict:
    """The trace as plain data (every number as numpy arrays and lists), with the
    slope f′ of each activation at its inputs and its curve for the plot."""
    from .activation_plot import _IMPORTING  # first imports of torch take turns

    with _IMPORTING:
        from graph_engine.model.fileio import loads
        from graph_engine.training.trace import dataset_sample, trace
        from graph_engine.training.trace_report import add_slopes, as_data

    diagram = loads(diagram_text)
    x, y = sample_xy(diagram, sample, dataset_sample)
    data = add_slopes(as_data(trace(diagram, x, y, weights=weights), diagram), diagram)
    for block in data["blocks"]:  # what each loss computes, as the catalogue says
        spec = REGISTRY.get(block["type"])
        found = spec.computes(diagram.block(block["id"]).params) \
            if spec.role == Role.LOSS and spec.computes is not None else None
        block["computes"] = found[0].value if found else ""
    return data


def sample_xy(diagram, sample: Sample, dataset_sample) -> tuple:
    """The sample's features and label (None when typed without one)."""
    if sample.index is not None:
        return dataset_sample(diagram, sample.index)
    return np.asarray(sample.features), sample.label


@dataclass(frozen=True)
class Step:
    phase: str  # FORWARD or BACKWARD
    block: dict  # the block's entry of the trace
    number: int  # 1-based within its phase
    of: int  # steps in the phase


class Walk:
    """The steps through a trace, and where the student is."""

    def __init__(self, data: dict) -> None:
        self.data = data
        blocks = data["blocks"]
        self.steps = [Step(FORWARD, b, i + 1, len(blocks)) for i, b in enumerate(blocks)]
        self.steps += [Step(BACKWARD, b, i + 1, len(blocks))
                       for i, b in enumerate(reversed(blocks))]
        self.position = 0
        self.scale = {FORWARD: _largest(b["output"] for b in blocks),
                      BACKWARD: _largest(b["grad"] for b in blocks if _is_unit_block(b))}

    @property
    def step(self) -> Step:
        return self.steps[self.position]

    def move(self, by: int) -> bool:
        """Next (+1) or Back (−1); False at either end."""
        target = self.position + by
        if not 0 <= target < len(self.steps):
            return False
        self.position = target
        return True

    @property
    def at_start(self) -> bool:
        return self.position == 0

    @property
    def at_end(self) -> bool:
        return self.position == len(self.steps) - 1


def _is_unit_block(block: dict) -> bool:
    """Not a loss: its gradient, 1, would set the scale every other fades against."""
    return REGISTRY.get(block["type"]).role != Role.LOSS


def _largest(values) -> float:
    largest = max((float(np.abs(np.asarray(v, dtype=np.float64)).max(initial=0.0))
                   for v in values), default=0.0)
    return largest or 1.0


def first_row(value) -> np.ndarray:
    """The first sample's numbers of a value as a flat vector (a loss: one number)."""
    array = np.asarray(value, dtype=np.float64)
    return array.reshape(-1) if array.ndim < 2 else array[0].reshape(-1)


def unit_rows(step: Step) -> tuple[list[str], list[list[float]]]:
    """The table of the step: column titles and one row per unit of the block."""
    block = step.block
    output = first_row(block["output"])
    single = len(block["inputs"]) == 1 and block["grad_inputs"]
    if step.phase == FORWARD:
        if single:
            received = first_row(next(iter(block["inputs"].values())))
            if received.size == output.size:
                return ["input", "output"], [list(r) for r in zip(received, output, strict=True)]
        return ["output"], [[v] for v in output]
    if block.get("computes") in LOSS_ROWS and block["grad_inputs"]:
        return LOSS_ROWS[block["computes"]](block)
    upstream = first_row(block["grad"])
    if "slopes" in block:  # elementwise: upstream × f′(input) = downstream
        slopes = first_row(block["slopes"])
        downstream = first_row(next(iter(block["grad_inputs"].values())))
        rows = zip(upstream, slopes, downstream, strict=True)
        return ["dL/d output", "× f′(input)", "= dL/d input"], [list(r) for r in rows]
    return ["dL/d output"], [[v] for v in upstream]


# ------------------------------------------------------------ the loss's own gradient
def _loss_values(block: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The prediction the loss received, its target and dL/d prediction (first sample)."""
    port = next(k for k in block["inputs"] if k in block["grad_inputs"])
    target: object = next((v for k, v in block["inputs"].items()
                           if k not in block["grad_inputs"]), [])
    return (first_row(block["inputs"][port]), first_row(target),
            first_row(block["grad_inputs"][port]))


def softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max())
    return e / e.sum()


def _cross_entropy_rows(block: dict) -> tuple[list[str], list[list[float]]]:
    z, target, grad = _loss_values(block)
    one_hot = np.eye(z.size)[int(target[0])]
    rows = zip(z, softmax(z), one_hot, grad, strict=True)
    return ["score z", "softmax(z)", "one-hot y", "= dL/dz"], [list(r) for r in rows]


def _squared_error_rows(block: dict) -> tuple[list[str], list[list[float]]]:
    prediction, target, grad = _loss_values(block)
    rows = zip(prediction, target, grad, strict=True)
    return ["prediction ŷ", "target y", "= dL/dŷ"], [list(r) for r in rows]


def _logit_rows(block: dict) -> tuple[list[str], list[list[float]]]:
    z, target, grad = _loss_values(block)
    rows = zip(z, 1 / (1 + np.exp(-z)), target, grad, strict=True)
    return ["score z", "σ(z)", "label y", "= dL/dz"], [list(r) for r in rows]


# Columns of a step's table that are no value of the pass: a slope is a factor, the
# loss's inputs and labels stand beside the gradient they make (shaded alone).
UNSHADED = ("× f′(input)", "score z", "softmax(z)", "one-hot y", "prediction ŷ", "target y",
            "σ(z)", "label y")


# The loss's step backward, by what the loss computes: the gradient it sends back
# beside the numbers it is made of (softmax − one-hot, 2(ŷ − y)/n, σ(z) − y).
LOSS_ROWS = {Function.CROSS_ENTROPY.value: _cross_entropy_rows,
             Function.SQUARED_ERROR.value: _squared_error_rows,
             Function.BCE_WITH_LOGITS.value: _logit_rows}


def row_labels(step: Step, count: int) -> list[str]:
    """The table's rows: the classes, as the labels number them, at a loss that
    reads class indices; else the units, from 1."""
    if step.phase == BACKWARD and step.block.get("computes") == Function.CROSS_ENTROPY.value:
        return [f"class {k}" for k in range(count)]
    return [str(k + 1) for k in range(count)]


def loss_rule(block: dict, unit: int) -> str:
    """The loss's gradient at ``unit`` of its input, with its numbers."""
    _columns, rows = LOSS_ROWS[block["computes"]](block)
    row = rows[unit]
    if block["computes"] == Function.CROSS_ENTROPY.value:
        return (f"class {unit}: dL/dz = softmax(z) − one-hot(y) = {row[1]:.4g} − "
                f"{row[2]:g} = {row[3]:.4g} (one sample; a batch of N divides it by N)")
    if block["computes"] == Function.SQUARED_ERROR.value:
        return (f"output {unit + 1}: dL/dŷ = 2(ŷ − y) / n = 2 × ({row[0]:.4g} − {row[1]:.4g})"
                f" / {len(rows)} = {row[2]:.4g}, n = {len(rows)} number(s) averaged")
    return f"dL/dz = σ(z) − y = {row[1]:.4g} − {row[2]:g} = {row[3]:.4g} (one sample)"


def chain_rule(step: Step, unit: int, names: dict[str, str]) -> str:
    """The chain rule at the selected unit, with its numbers (plain text)."""
    block = step.block
    spec = REGISTRY.get(block["type"])
    if step.phase == FORWARD:
        return f"{spec.name}: {spec.teaching.formula}"
    if block.get("computes") in LOSS_ROWS and block["grad_inputs"]:
        return loss_rule(block, unit)
    if "slopes" in block:
        x = first_row(next(iter(block["inputs"].values())))[unit]
        up, slope = first_row(block["grad"])[unit], first_row(block["slopes"])[unit]
        down = first_row(next(iter(block["grad_inputs"].values())))[unit]
        return (f"unit {unit + 1}: dL/d input = dL/d output × f′(input) = {up:.4g} × "
                f"f′({x:.4g}) = {up:.4g} × {slope:.4g} = {down:.4g}")
    if spec.dense:
        return ("dL/dW = dL/d output ⊗ input (the outer product, drawn beside W); "
                "dL/d input = Wᵀ · dL/d output")
    if not block["grad_inputs"]:
        return "The input: this is dL/dx, what x.grad holds after backward."
    sent = "; ".join(f"to {names.get(block['sources'].get(k, ''), k)}: "
                     f"{_brief(first_row(v))}" for k, v in block["grad_inputs"].items())
    return f"Sends back {sent}"


def _brief(values: np.ndarray) -> str:
    if values.size <= 4:
        return "[" + ", ".join(f"{v:.4g}" for v in values) + "]"
    return f"{values.size} numbers, norm {np.linalg.norm(values):.4g}"


# ---------------------------------------------------------------- wires
def wire_values(walk: Walk) -> list[tuple[dict, np.ndarray]]:
    """The wires to label at the walk's step, each with the numbers it carries.
    Forward: every wire whose source block the walk has visited, its value.
    Backward: every wire into a block the walk has passed back through, its
    gradient dL/d that value (a loss's labels have none)."""
    step, blocks = walk.step, {b["id"]: b for b in walk.data["blocks"]}
    passed = {s.block["id"] for s in walk.steps[:walk.position + 1] if s.phase == step.phase}
    shown = []
    for wire in walk.data.get("wires", []):
        target = blocks[wire["dst"]]
        if step.phase == FORWARD and wire["src"] in passed:
            shown.append((wire, np.asarray(target["inputs"][wire["key"]], dtype=np.float64)))
        elif step.phase == BACKWARD and wire["dst"] in passed and \
                wire["key"] in target["grad_inputs"]:
            shown.append((wire, np.asarray(target["grad_inputs"][wire["key"]],
                                           dtype=np.float64)))
    return shown


def wire_text(values: np.ndarray, symbol: str) -> str:
    """``[0.52, -1.3]`` for up to three numbers, ``16 values, |x| 2.3`` for more
    (the first sample's; ``symbol``: x for values, g for gradients)."""
    row = first_row(values)
    if row.size <= 3:
        return "[" + ", ".join(f"{v:.2g}" for v in row) + "]"
    return f"{row.size} values, |{symbol}| {np.linalg.norm(row):.2g}"


def strongest(values: np.ndarray) -> float:
    """The first sample's number of the largest size, with its sign."""
    row = first_row(values)
    return float(row[np.abs(row).argmax()]) if row.size else 0.0
