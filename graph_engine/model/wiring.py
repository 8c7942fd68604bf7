"""The rules for making a wire, shared by the API and the editor.

:func:`plan_wire` returns the wire a connect would make or raises
:class:`WireError` with a sentence a student can act on.
"""

from __future__ import annotations

from ..blocks.registry import BlockSpec, PortKind, PortSpec
from .parts import Wire, WireError, WireIndex


def describe_wire(diagram: WireIndex, wire: Wire) -> str:
    """A wire in a student's words: "from the output port of Input 1 to the
    input port of Linear 1" (display names; the id of a block that is gone)."""
    def name(block_id) -> str:
        known = isinstance(block_id, str) and block_id in diagram
        return diagram.block(block_id).name if known else repr(block_id)

    return (f"from the {wire.src_port} port of {name(wire.src)} to the "
            f"{wire.dst_port} port of {name(wire.dst)}")


def plan_wire(diagram: WireIndex, src: str, dst: str, src_port: str | None,
              dst_port: str | None) -> Wire:
    source, target = _block(diagram, src), _block(diagram, dst)
    if src == dst:
        raise WireError(f"{source.name} cannot feed itself")
    out_port = _output_port(source, src_port)
    in_port = _input_port(diagram, source, target, out_port, dst_port)
    wire = Wire(src, out_port.name, dst, in_port.name)
    if feeds(diagram, dst, src):
        raise WireError(f"wiring {source.name} into {target.name} would make a loop: "
                        f"{target.name} already feeds {source.name}")
    return wire


def fits_into(diagram: WireIndex, spec: BlockSpec, wire: Wire) -> bool:
    """Whether a block of ``spec`` can go into ``wire`` (source → block → target):
    one input and an output, of the kinds of the ports the wire joins."""
    source = diagram.block(wire.src).spec.output_port(wire.src_port)
    target = diagram.block(wire.dst).spec.input_port(wire.dst_port)
    return len(spec.inputs) == 1 and bool(spec.outputs) and \
        spec.inputs[0].kind == source.kind and spec.outputs[0].kind == target.kind


def _block(diagram: WireIndex, block_id: str):
    try:
        return diagram.block(block_id)
    except ValueError as error:
        raise WireError(str(error)) from None


def _output_port(block, name: str | None) -> PortSpec:
    outputs = block.spec.outputs
    if not outputs:
        raise WireError(f"{block.name} has no output to wire from")
    if name is None:
        return outputs[0]
    try:
        return block.spec.output_port(name)
    except ValueError as error:
        raise WireError(str(error)) from None


def _input_port(diagram: WireIndex, source, target, out_port: PortSpec,
                name: str | None) -> PortSpec:
    inputs = target.spec.inputs
    if not inputs:
        raise WireError(f"{target.name} has no input to wire into")
    if name is not None:
        try:
            port = target.spec.input_port(name)
        except ValueError as error:
            raise WireError(str(error)) from None
        _check_port(diagram, source, target, out_port, port)
        return port
    reasons = []
    for port in inputs:
        try:
            _check_port(diagram, source, target, out_port, port)
            return port
        except WireError as error:
            reasons.append(str(error))
    raise WireError(reasons[0] if len(reasons) == 1 else _no_free_port(source, target, reasons))


def _no_free_port(source, target, reasons: list[str]) -> str:
    return f"{target.name} has no free input that takes {source.name}: " + "; ".join(reasons)


def _check_port(diagram: WireIndex, source, target, out_port: PortSpec, port: PortSpec) -> None:
    if out_port.kind != port.kind:
        raise WireError(_kind_message(source, target, out_port, port))
    if diagram.has_wire(Wire(source.id, out_port.name, target.id, port.name)):
        # before the "taken" check: the port is taken by this very wire
        raise WireError(f"the {out_port.name} port of {source.name} is already wired to the "
                        f"{port.name} port of {target.name}; one wire is enough")
    taken = len(diagram.wires_into(target.id, port.name))
    if port.max_wires is not None and taken >= port.max_wires:
        raise WireError(f"the {port.name} port of {target.name} is already taken; "
                        f"delete its wire first")


def _kind_message(source, target, out_port: PortSpec, port: PortSpec) -> str:
    if out_port.kind == PortKind.TARGET:
        return (f"{source.name} carries labels: wire it into a loss's target port, "
                f"not into {target.name}'s {port.name}")
    return (f"the {port.name} port of {target.name} takes labels (a Target block), "
            f"not {source.name}'s output")


def feeds(diagram: WireIndex, start: str, goal: str) -> bool:
    """True when a path of wires leads from ``start`` to ``goal``."""
    successors: dict[str, list[str]] = {}
    for wire in diagram.wires:
        successors.setdefault(wire.src, []).append(wire.dst)
    seen, stack = set(), [start]
    while stack:
        node = stack.pop()
        if node == goal:
            return True
        if node not in seen:
            seen.add(node)
            stack.extend(successors.get(node, ()))
    return False
