"""The Diagram's own bookkeeping, stated once and checked (``Diagram.lint``).

In the spirit of torch.fx's ``Graph.lint()``: not whether the network makes
sense (validation says that) but whether the model's records agree with each
other, which every edit and every undo must keep true. A broken invariant is
a bug in NetCanvas, never the student's doing, so it raises
:class:`InvariantError` naming the invariant and the block or wire.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence, Set

from ..blocks.registry import REGISTRY
from ..core.limits import MAX_POSITION, POSITION_DECIMALS
from .parts import Block, Wire


class InvariantError(AssertionError):
    """The diagram's records disagree; the message names the broken invariant."""


def check_diagram(blocks: Mapping[str, Block], wires: Sequence[Wire],
                  wire_set: Set[Wire]) -> None:
    """Raise InvariantError on the first broken invariant."""
    for block_id, block in blocks.items():
        _check_block(block_id, block)
    _check_wire_index(wires, wire_set)
    for wire in wires:
        _check_wire(blocks, wire)


def _check_block(block_id: str, block: Block) -> None:
    where = f"block {block_id!r}"
    _require(block.id == block_id, f"ids are unique keys: {where} calls itself {block.id!r}")
    _require(block.type in REGISTRY, f"{where} has an unregistered type {block.type!r}")
    try:
        coerced = REGISTRY.get(block.type).coerce_params(block.params)
    except ValueError as error:
        raise InvariantError(f"params coerce through the spec: {where}: {error}") from None
    _require(coerced == block.params, f"params coerce through the spec unchanged: {where} "
             f"holds {block.params!r}, its spec makes {coerced!r}")
    _require(len(block.position) == 2 and all(_kept(v) for v in block.position),
             f"positions are finite floats within ±{MAX_POSITION:g}, to "
             f"{POSITION_DECIMALS} decimals: {where} is at {block.position!r}")


def _kept(value: object) -> bool:
    return isinstance(value, float) and math.isfinite(value) and \
        abs(value) < MAX_POSITION and round(value, POSITION_DECIMALS) == value


def _check_wire_index(wires: Sequence[Wire], wire_set: Set[Wire]) -> None:
    _require(len(set(wires)) == len(wires), "the wire list has no duplicates")
    _require(set(wires) == wire_set, "the wire set equals the wire list")


def _check_wire(blocks: Mapping[str, Block], wire: Wire) -> None:
    for block_id, port, side in ((wire.src, wire.src_port, "output"),
                                 (wire.dst, wire.dst_port, "input")):
        _require(block_id in blocks, f"wires join existing blocks: {wire} has no {side} block")
        spec = blocks[block_id].spec
        names = {p.name for p in (spec.outputs if side == "output" else spec.inputs)}
        _require(port in names, f"wires join existing ports: {wire}: block {block_id!r} "
                 f"has no {side} port {port!r}")


def _require(condition: bool, invariant: str) -> None:
    if not condition:
        raise InvariantError(invariant)
