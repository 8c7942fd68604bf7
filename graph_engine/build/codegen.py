"""Code export: a diagram as standalone, readable PyTorch source.

The source follows the :mod:`plan` the compiler uses, so its ``state_dict``
keys equal the compiled module's and trained weights load into it.

Text from the diagram (its title and description) reaches the source only
through :mod:`~graph_engine.core.source`: inside an escaped docstring, or as
a class name made of ASCII letters and digits. No text a file holds can add
a statement to the exported module.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..blocks.registry import REGISTRY
from ..checks.analysis import Analysis
from ..checks.validation import checked
from ..core.source import docstring, identifier
from ..model.diagram import Diagram
from ..model.initializers import INITIALIZERS
from .plan import Plan, Segment, make_plan

INDENT = "    "

# What the target y of each kind of loss looks like (LossSpec.target).
TARGET_FORM = {
    "class-index": "y holds class indices{range}: shape (N,), dtype torch.int64.",
    "binary": "y holds 0/1 labels as floats: shape (N, 1), dtype torch.float32.",
    "regression": "y holds the target values as floats: shape (N, {count}), "
                  "dtype torch.float32.",
}

SIGNED_FORM = "y holds the labels −1 and +1 as floats: shape (N, 1), dtype torch.float32."


def class_name(diagram: Diagram) -> str:
    """The exported class: the title in CamelCase ("Playground's default
    network" -> PlaygroundsDefaultNetwork), else Net."""
    return identifier(diagram.title, ("Net", "Model", "Network"), "Net")


def to_python(diagram: Diagram, analysis: Analysis | None = None,
              problems: list | None = None, weights: str | None = None) -> str:
    """Standalone PyTorch source; raises DiagramError on a diagram with errors. A
    caller that has analysed and validated the diagram already passes both.
    ``weights``: a safetensors file, as a path relative to the source file's
    folder (or absolute), that the source loads when run as a script."""
    analysis, _ = checked(diagram, analysis, problems)
    plan = make_plan(diagram, analysis)
    helpers = _helper_classes(plan)
    name = class_name(diagram)
    parts = [_docstring(diagram, plan), _imports(helpers), *helpers.sources.values(),
             _net_class(plan, name, helpers, diagram.training.init), _loss_line(plan),
             _main(plan, name, weights)]
    body = "\n\n\n".join(p.rstrip("\n") for p in parts[2:] if p)
    return f"{parts[0]}\n\n{parts[1]}\n\n\n{body}\n"


def _docstring(diagram: Diagram, plan: Plan) -> str:
    lines = [f"{diagram.title or 'Network'}: exported from NetCanvas.", ""]
    if diagram.description.strip():
        lines += [diagram.description.strip(), ""]
    if plan.features is not None:
        lines.append(f"Input: {plan.features} features per sample, shape (N, {plan.features}).")
    if plan.loss:
        loss = plan.analysis.block(plan.loss)
        lines.append(f"Train with loss_fn(model(x), y), loss_fn = {loss.type};")
        lines.append(_target_form(plan, plan.loss))
    return docstring("\n".join(lines) + "\n")


def _target_form(plan: Plan, loss_id: str) -> str:
    """The target's shape and dtype, from the loss's LossSpec."""
    spec = plan.analysis.block(loss_id).spec.loss
    assert spec is not None  # a block with the loss role declares one
    if plan.analysis.info is not None and plan.analysis.info.signed:
        return SIGNED_FORM
    count = plan.analysis.input_features(loss_id)
    span = f" 0 to {count - 1}" if count and count > 1 else ""
    return TARGET_FORM[spec.target].format(range=span, count=count or "targets")


def _imports(helpers: Helpers) -> str:
    lines = ["import torch", "from torch import nn"]
    standard = [f"import {module}" for module in ("itertools", "math")
                if any(f"{module}." in source for source in helpers.sources.values())]
    if standard:
        lines.insert(0, "\n".join(standard) + "\n")
    return "\n".join(lines)


@dataclass
class Helpers:
    """Helper classes the source needs (Step, CustomActivation): the source of
    each class, and which class each block instantiates."""

    sources: dict[str, str] = field(default_factory=dict)
    class_of: dict[str, str] = field(default_factory=dict)  # block id -> class name


def _helper_classes(plan: Plan) -> Helpers:
    """One class per distinct Step/CustomActivation configuration, numbered
    when a type needs several (CustomActivation1, CustomActivation2, ...). A
    block that prints its own call (``code``, e.g. PolynomialFeatures(2, degree=3))
    shares one class, named as its type, with every block of that type."""
    a = plan.analysis
    blocks = [b for s in plan.segments for b in s.block_ids] + ([plan.loss] if plan.loss else [])
    needed = [b for b in blocks if a.block(b).spec.prelude]
    keys = {b: (a.block(b).type, _configuration(a.block(b))) for b in needed}
    distinct = list(dict.fromkeys(keys.values()))
    helpers = Helpers()
    for type_name, params in distinct:
        same = [k for k in distinct if k[0] == type_name]
        name = type_name + (str(same.index((type_name, params)) + 1) if len(same) > 1 else "")
        source = REGISTRY.get(type_name).helper_code(dict(params), name)
        helpers.sources[name] = source
        for block_id, key in keys.items():
            if key == (type_name, params):
                helpers.class_of[block_id] = name
    return helpers


def _configuration(block) -> tuple:
    """What tells two helper classes of a type apart: the parameters, unless the
    block's call passes them (then one class serves them all)."""
    return () if block.spec.code else tuple(sorted(block.params.items()))


def _module_source(plan: Plan, block_id: str, helpers: Helpers) -> str:
    block = plan.analysis.block(block_id)
    if block_id in helpers.class_of and block.spec.code is None:
        return f"{helpers.class_of[block_id]}()"
    return block.spec.module_code(block.params, plan.analysis.input_features(block_id) or 0)


def _net_class(plan: Plan, name: str, helpers: Helpers, init: str) -> str:
    lines = [f"class {name}(nn.Module):", f"{INDENT}def __init__(self):",
             f"{INDENT * 2}super().__init__()"]
    for segment in plan.segments:
        if not plan.is_merge(segment):
            lines.extend(_init_lines(plan, segment, helpers))
    lines.extend(_initialization_lines(plan, init))
    lines += ["", f"{INDENT}def forward(self, x):"]
    lines.extend(_forward_lines(plan))
    return "\n".join(lines)


def _init_lines(plan: Plan, segment: Segment, helpers: Helpers) -> list[str]:
    sources = [_module_source(plan, b, helpers) for b in segment.block_ids]
    prefix = f"{INDENT * 2}self.{segment.attr} = "
    if len(sources) == 1:
        return [prefix + sources[0]]
    body = [f"{INDENT * 3}{s}," for s in sources]
    return [prefix + "nn.Sequential(", *body, f"{INDENT * 2})"]


def _initialization_lines(plan: Plan, init: str) -> list[str]:
    """The calls that set every dense layer's starting weights as the training
    setting ``init`` says (none for PyTorch's own), from its one declaration."""
    scheme = INITIALIZERS[init]
    lines = []
    for path, has_bias in _dense_layers(plan):
        calls = [(scheme.weight, "weight"), (scheme.bias, "bias")][:2 if has_bias else 1]
        lines += [f"{INDENT * 2}{call.source(f'{path}.{name}')}" for call, name in calls if call]
    head = ["", f"{INDENT * 2}# the starting weights of the training setting init {init!r}"]
    return (head + lines if lines else []) + _start_weight_lines(plan)


def _start_weight_lines(plan: Plan) -> list[str]:
    """The weights set by hand, after init, as the compiler sets them."""
    lines = []
    for path, block_id in _dense_blocks(plan):
        block = plan.analysis.block(block_id)
        lines += [f"{INDENT * 3}{path}.weight[{r}, {c}] = {v!r}"
                  for r, c, v in block.spec.start_weights(block.params)]
    if not lines:
        return []
    return ["", f"{INDENT * 2}# weights set by hand", f"{INDENT * 2}with torch.no_grad():",
            *lines]


def _dense_blocks(plan: Plan) -> list[tuple[str, str]]:
    """(attribute path, block id) of every dense layer, in order."""
    found = []
    for segment in plan.segments:
        for index, block_id in enumerate(segment.block_ids):
            if plan.analysis.block(block_id).spec.dense:
                item = f"[{index}]" if len(segment.block_ids) > 1 else ""
                found.append((f"self.{segment.attr}{item}", block_id))
    return found


def _dense_layers(plan: Plan) -> list[tuple[str, bool]]:
    """(attribute path, whether it has a bias) of every dense layer, in order."""
    return [(path, bool(plan.analysis.block(block_id).params.get("bias", True)))
            for path, block_id in _dense_blocks(plan)]


def _forward_lines(plan: Plan) -> list[str]:
    a = plan.analysis
    names = dict.fromkeys(plan.inputs, "x")
    lines = []
    for segment in plan.segments:
        args = [names[i] for i in segment.inputs]
        if plan.is_merge(segment):
            expression = a.block(segment.last).spec.merge_code(args)
        else:
            expression = f"self.{segment.attr}({args[0]})"
        if segment.last == plan.output:
            lines.append(f"{INDENT * 2}return {expression}")
            return lines
        lines.append(f"{INDENT * 2}{segment.attr} = {expression}")
        names[segment.last] = segment.attr
    result = "x" if plan.output is None else names.get(plan.output, "x")
    lines.append(f"{INDENT * 2}return {result}")
    return lines


def _loss_line(plan: Plan) -> str:
    if plan.loss is None:
        return ""
    a = plan.analysis
    block = a.block(plan.loss)
    return "loss_fn = " + block.spec.module_code(block.params, a.features.get(plan.loss) or 0)


# The exported script reads its weights file with torch alone: safetensors is a JSON
# header and the raw little-endian numbers (the byte order of every machine PyTorch
# ships for), so a few lines do what the package would.
READ_WEIGHTS = '''def read_safetensors(path):
    """The tensors of a .safetensors file: an 8-byte header size, a JSON header of
    names, dtypes, shapes and offsets, then the raw little-endian numbers."""
    import json
    import struct

    dtypes = {"F64": torch.float64, "F32": torch.float32, "F16": torch.float16,
              "BF16": torch.bfloat16, "I64": torch.int64, "I32": torch.int32}
    data = path.read_bytes()
    (size,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + size])
    header.pop("__metadata__", None)
    tensors = {}
    for key, entry in header.items():
        start, end = entry["data_offsets"]
        raw = bytearray(data[8 + size + start:8 + size + end])
        tensor = torch.frombuffer(raw, dtype=dtypes[entry["dtype"]]) if raw else \\
            torch.zeros(0, dtype=dtypes[entry["dtype"]])
        tensors[key] = tensor.reshape(entry["shape"])
    return tensors
'''


def _main(plan: Plan, name: str, weights: str | None = None) -> str:
    features = plan.features or 1
    lines = ['if __name__ == "__main__":', f"{INDENT}model = {name}()"]
    if weights is not None:  # the path only ever appears as an escaped literal
        lines[1:1] = [f"{INDENT}from pathlib import Path", ""]
        lines += [f"{INDENT}# trained weights saved by NetCanvas, beside this file",
                  f"{INDENT}weights = Path(__file__).resolve().parent / {docstring(weights)}",
                  f"{INDENT}model.load_state_dict(read_safetensors(weights))",
                  f"{INDENT}model.eval()"]
    main = "\n".join([*lines, f"{INDENT}print(model)", f"{INDENT}x = torch.randn(4, {features})",
                      f"{INDENT}print(model(x).shape)"])
    return main if weights is None else f"{READ_WEIGHTS}\n\n{main}"
