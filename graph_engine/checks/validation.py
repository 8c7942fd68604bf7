"""Validation: every invariant a diagram must satisfy, as diagnostics.

:func:`validate` runs before compiling, training and saving in the editor.
Structural checks come first (inputs, cycles, ports, reachability), then
shapes and the data set, then the teaching lints of :mod:`lints`. It never
raises: a problem in a check itself becomes an "internal" diagnostic.
"""

from __future__ import annotations

from ..blocks.registry import LossSpec, LossTarget, PortKind, Role
from ..core.diagnostics import ERROR, WARNING, Diagnostic, DiagramError, sort_key
from ..core.files import human_size
from ..core.limits import MAX_TRAINING_MEMORY
from ..model.diagram import Block, Diagram
from .analysis import Analysis, analyze


def names(analysis: Analysis, ids) -> str:
    labels = [analysis.block(i).name for i in ids]
    if len(labels) <= 1:
        return "".join(labels)
    return ", ".join(labels[:-1]) + " and " + labels[-1]


def check_input(a: Analysis):
    if not a.blocks_with_role(Role.INPUT):
        yield Diagnostic(ERROR, "no-input", "The diagram has no Input block: add one from the "
                         "Data group and wire it into the first layer.")


def check_cycles(a: Analysis):
    for cycle in a.cycles:
        path = " → ".join(a.block(i).name for i in [*cycle, cycle[0]])
        yield Diagnostic(ERROR, "cycle", f"These blocks form a loop: {path}. A feedforward "
                         "network cannot feed a block's output back into it; delete one of "
                         "these wires.", tuple(cycle))


def check_ports(a: Analysis):
    for block in a.diagram.blocks:
        for port, count in a.port_counts(block):
            if port.required and count == 0:
                yield Diagnostic(ERROR, "port-open", f"{block.name} has nothing wired into "
                                 f"its {port.name}: wire a block's output into it, or delete "
                                 f"{block.name}.", (block.id,))
            elif port.max_wires is not None and count > port.max_wires:
                yield Diagnostic(ERROR, "port-overfull", f"The {port.name} of {block.name} "
                                 f"takes {port.max_wires} wire but has {count}: delete the "
                                 "extra ones, or join them first with Add or Concat.",
                                 (block.id,))
        if block.spec.role == Role.MERGE and len(a.into.get(block.id, [])) == 1:
            yield Diagnostic(WARNING, "single-merge-input", f"{block.name} has one input, so "
                             "it passes it through unchanged: wire a second tensor into it.",
                             (block.id,))


def check_reachable(a: Analysis):
    lost = [b.id for b in a.diagram.blocks
            if b.id not in a.reachable and b.spec.role not in (Role.INPUT, Role.TARGET)
            and _inputs_wired(a, b)
            and not any(b.id in cycle for cycle in a.cycles)]
    if lost and a.blocks_with_role(Role.INPUT):
        verb = "is" if len(lost) == 1 else "are"
        yield Diagnostic(ERROR, "unreachable", f"{names(a, lost)} {verb} not reachable from "
                         "an Input: the blocks feeding them are not connected to the data. "
                         "Fix the problems upstream first.", tuple(lost))


def _inputs_wired(a: Analysis, block) -> bool:
    wired = {w.dst_port for w in a.into.get(block.id, [])}
    return all(p.name in wired for p in block.spec.inputs if p.required)


def check_losses(a: Analysis):
    losses = a.blocks_with_role(Role.LOSS)
    if not losses and _learns(a):
        yield Diagnostic(WARNING, "no-loss", "The diagram has no loss, so it cannot train: "
                         "add one from the Losses group (e.g. CrossEntropyLoss for "
                         "classification, MSELoss for regression) and wire the network's "
                         "output into it.")
    if len(losses) > 1:
        yield Diagnostic(ERROR, "several-losses", f"{names(a, [b.id for b in losses])} are "
                         "all losses; a network trains on one loss: delete the others.",
                         tuple(b.id for b in losses))
    outputs = a.blocks_with_role(Role.OUTPUT)
    if len(outputs) > 1:
        yield Diagnostic(ERROR, "several-outputs", f"{names(a, [b.id for b in outputs])} all "
                         "mark the prediction; keep one Output block.",
                         tuple(b.id for b in outputs))


def _learns(a: Analysis) -> bool:
    """The network has weights a loss could train (the autograd example, a formula
    and no weights, is there to be traced: no loss is no mistake there)."""
    return any(block.spec.param_count(block.params, a.input_features(block.id) or 1)
               for block in a.diagram.blocks)


def check_dead_ends(a: Analysis):
    for block in a.diagram.blocks:
        role = block.spec.role
        if role in (Role.LOSS, Role.OUTPUT) or a.out_of.get(block.id) or not block.spec.outputs:
            continue
        if role == Role.TARGET:
            message = f"{block.name} is not wired to a loss's target port."
        elif not (a.blocks_with_role(Role.LOSS) or a.blocks_with_role(Role.OUTPUT)):
            continue
        else:
            message = (f"The output of {block.name} is not used: wire it onward, or delete "
                       f"{block.name}.")
        yield Diagnostic(WARNING, "dead-end", message, (block.id,))


def check_shapes(a: Analysis):
    for block_id, message in a.shape_errors.items():
        name = a.block(block_id).name
        yield Diagnostic(ERROR, "shape-mismatch", f"{name}: {message}.", (block_id,))


def check_batch_size(a: Analysis):
    size = a.diagram.training.batch_size
    for block in a.diagram.blocks:
        needed = block.spec.min_batch
        if size < needed:
            yield Diagnostic(ERROR, "batch-too-small", f"{block.name} needs at least {needed} "
                             f"samples in each training batch, but the batch size is {size}: "
                             f"set the batch size to {needed} or more.", (block.id,))


BYTES_PER_NUMBER = 4  # float32
COPIES_PER_WEIGHT = 4  # the weight, its gradient and the optimizer's state (Adam keeps two)


def training_memory(a: Analysis) -> int:
    """Bytes the network needs to train, as validation estimates them."""
    return sum(_block_memory(a, block) for block in a.diagram.blocks)


def check_memory(a: Analysis):
    """Refuse a network that cannot train in memory, before anything is allocated."""
    costs = {block.id: _block_memory(a, block) for block in a.diagram.blocks}
    total = sum(costs.values())
    if total <= MAX_TRAINING_MEMORY:
        return
    largest = max(costs, key=costs.__getitem__)
    yield Diagnostic(ERROR, "too-large", f"This network needs about {human_size(total)} of "
                     "memory to train (its weights with their gradients and the optimizer's "
                     f"state, and a batch of {a.diagram.training.batch_size} samples through "
                     f"every block); the limit is {human_size(MAX_TRAINING_MEMORY)}. "
                     f"{a.block(largest).name} needs the most ({human_size(costs[largest])}): "
                     "use fewer or narrower layers.", (largest,))


def _block_memory(a: Analysis, block) -> int:
    """Bytes ``block`` needs to train: its parameters and one batch of its output."""
    params = a.param_count(block.id)
    outputs = (a.features.get(block.id) or 0) * a.diagram.training.batch_size
    return BYTES_PER_NUMBER * (COPIES_PER_WEIGHT * params + outputs)


def check_dataset(a: Analysis):
    if a.dataset_error:
        yield Diagnostic(ERROR, "dataset", f"The data set cannot be used: {a.dataset_error}")
        return
    if a.info is None:
        return
    for block in a.blocks_with_role(Role.INPUT):
        if block.params["features"] != a.info.features:
            yield Diagnostic(ERROR, "dataset-features", f"{block.name} has "
                             f"{block.params['features']} features but the data set "
                             f"{a.info.name} has {a.info.features}: set features to "
                             f"{a.info.features}.", (block.id,))


def check_loss_target(a: Analysis):
    for block, loss in a.losses():
        yield from _loss_against_data(a, block, loss)


def _loss_against_data(a: Analysis, block: Block, loss: LossSpec):
    features = a.features.get(block.id)
    if loss.target == LossTarget.BINARY and features not in (None, 1):
        yield Diagnostic(ERROR, "binary-loss-outputs", f"{block.name} compares one "
                         f"probability per sample with a 0/1 label, but receives {features} "
                         "outputs: give the last Linear layer out_features=1 (or use "
                         "CrossEntropyLoss for several classes).", (block.id,))
    info = a.info
    if info is None:
        return
    if info.signed and loss.target != LossTarget.REGRESSION:
        yield Diagnostic(ERROR, "label-form", f"{block.name} reads {_label_form(loss)}, but "
                         f"{info.name} presents its labels as −1 and +1: use MSELoss after a "
                         "Tanh output, or set the data set's labels to 'index'.", (block.id,))
    elif loss.target != LossTarget.REGRESSION and not info.is_classification:
        yield Diagnostic(ERROR, "loss-target", f"{block.name} needs class labels, but "
                         f"{info.name} is a regression data set with real-valued targets: use "
                         "MSELoss, L1Loss or HuberLoss.", (block.id,))
    elif loss.target == LossTarget.BINARY and info.classes != 2:
        yield Diagnostic(ERROR, "loss-target", f"{block.name} is for two classes, but "
                         f"{info.name} has {info.classes}: use CrossEntropyLoss with "
                         f"{info.classes} outputs.", (block.id,))
    elif loss.target != LossTarget.BINARY and features is not None and features != info.outputs:
        what = "classes" if info.is_classification else "target values"
        # −1/+1 labels are read by a squared loss alone (label-form refuses the others)
        signed = (", or set the data set's labels to 'signed' (−1/+1) for one output"
                  if features == 1 and info.classes == 2 and loss.target == LossTarget.REGRESSION
                  else "")
        yield Diagnostic(ERROR, "shape-mismatch", f"{block.name} receives {features} "
                         f"output(s) per sample but {info.name} has {info.outputs} {what}: "
                         f"set the last layer's out_features to {info.outputs}{signed}.",
                         tuple(_last_layer(a, block.id)))


def _label_form(loss: LossSpec) -> str:
    return "0/1 labels" if loss.target == LossTarget.BINARY else "class indices"


def _last_layer(a: Analysis, loss_id: str) -> list[str]:
    """The loss and, if there is one, the dense layer that sets its size."""
    layer = a.upstream(loss_id, lambda b: not b.spec.dense and b.spec.role != Role.INPUT)
    return [loss_id, layer.id] if layer is not None and layer.spec.dense else [loss_id]


def check_output(a: Analysis):
    if a.blocks_with_role(Role.LOSS) or a.blocks_with_role(Role.OUTPUT) or not a.diagram.blocks:
        return
    sinks = output_candidates(a)
    if len(sinks) > 1:
        yield Diagnostic(ERROR, "ambiguous-output", f"{names(a, sinks)} all end the network, "
                         "so its prediction is unclear: wire the prediction into an Output "
                         "block or a loss.", tuple(sinks))


def output_candidates(a: Analysis) -> list[str]:
    return [b.id for b in a.diagram.blocks
            if b.spec.outputs and not a.out_of.get(b.id)
            and b.spec.role not in (Role.TARGET,) and b.spec.outputs[0].kind != PortKind.TARGET]


def model_output(a: Analysis) -> str | None:
    """The block whose output the compiled model returns."""
    for role in (Role.LOSS, Role.OUTPUT):
        for block in a.blocks_with_role(role):
            source = a.source(block.id)
            return source.id if source else None
    sinks = output_candidates(a)
    return sinks[0] if len(sinks) == 1 else None


CHECKS = (check_input, check_cycles, check_ports, check_reachable, check_shapes,
          check_batch_size, check_memory, check_dataset, check_losses, check_loss_target,
          check_output, check_dead_ends)


def checked(diagram: Diagram, analysis: Analysis | None = None,
            problems: list | None = None) -> tuple[Analysis, list]:
    """The diagram's analysis and problems, made here unless the caller (the
    editor, which has both) passes them; DiagramError if any is an error."""
    analysis = analysis or analyze(diagram)
    problems = validate(diagram, analysis) if problems is None else problems
    if any(p.is_error for p in problems):
        raise DiagramError(problems)
    return analysis, problems


def validate(diagram: Diagram, analysis: Analysis | None = None) -> list:
    """Every problem of ``diagram``, errors first. Never raises."""
    from .lints import LINTS, one_per_mistake

    try:
        a = analysis or analyze(diagram)
    except Exception as error:  # noqa: BLE001 - validate must never raise
        return [Diagnostic(ERROR, "internal", f"The diagram could not be analysed: {error!r}")]
    found: list[Diagnostic] = []
    for check in (*CHECKS, *(lint.check for lint in LINTS)):
        try:
            found.extend(check(a))
        except Exception as error:  # noqa: BLE001 - one broken check must not hide the rest
            found.append(Diagnostic(ERROR, "internal", f"{check.__name__} failed: {error!r}"))
    return sorted(one_per_mistake(found), key=sort_key)
