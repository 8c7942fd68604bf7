"""The parts of a diagram: blocks, wires and notes, and what removing a block takes out.

Shared by the Diagram and its wiring rules, so neither has to import the other.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

from ..blocks import catalogue  # noqa: F401  (registers the block types)
from ..blocks.registry import REGISTRY, BlockSpec


class WireError(ValueError):
    """A wire that cannot be made; the message says why."""


@dataclass
class Block:
    id: str
    type: str
    params: dict
    position: tuple[float, float] = (0.0, 0.0)
    name: str = ""

    @property
    def spec(self) -> BlockSpec:
        return REGISTRY.get(self.type)

    @property
    def label(self) -> str:
        return self.spec.label(self.params)


@dataclass(frozen=True)
class Wire:
    """A wire from an output port of ``src`` to an input port of ``dst``."""

    src: str
    src_port: str
    dst: str
    dst_port: str


@dataclass
class Note:
    """A text note on the canvas: teaching words beside the network. It takes no
    part in validation, compilation or code export."""

    id: str
    text: str
    position: tuple[float, float] = (0.0, 0.0)


@dataclass
class Removed:
    """What :meth:`Diagram.remove` took out, so :meth:`Diagram.restore` can put
    it back exactly (wires at their old places in the wire list)."""

    block: Block
    index: int
    wires: list[tuple[int, Wire]] = field(default_factory=list)


class WireIndex(Protocol):
    """What the wiring rules read of a diagram (the Diagram provides it)."""

    @property
    def wires(self) -> Iterable[Wire]: ...

    def block(self, block_id: str) -> Block: ...

    def __contains__(self, block_id: object) -> bool: ...

    def has_wire(self, wire: Wire) -> bool: ...

    def wires_into(self, block_id: str, port: str | None = None) -> list[Wire]: ...


T = TypeVar("T")


@dataclass
class Revisions:
    """Counters that move on every change of a part of a diagram, so a reader asks
    "did it change since?" by comparing two numbers instead of the diagram."""

    network: int = 0  # blocks, their parameters, wires, the data set: what a run depends on
    settings: int = 0  # the training settings


class Checked(Generic[T]):
    """An attribute whose every value passes ``check`` (which may convert it, or
    raise ValueError); with ``announce`` its owner emits ``settings_changed``, and
    with ``revises`` the owner's revision of that name moves on."""

    def __init__(self, check: Callable[[Any], T], announce: bool = False,
                 revises: str = "") -> None:
        self.check, self.announce, self.revises = check, announce, revises
        self.slot = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.slot = "_" + name

    def __get__(self, owner_object: Any, owner: type | None = None) -> T:
        if owner_object is None:  # looked up on the class: the attribute itself
            return self  # type: ignore[return-value]
        return getattr(owner_object, self.slot)

    def __set__(self, owner_object: Any, value: Any) -> None:
        setattr(owner_object, self.slot, self.check(value))
        if self.revises:
            revisions = owner_object.revisions
            setattr(revisions, self.revises, getattr(revisions, self.revises) + 1)
        if self.announce:
            owner_object._emit(owner_object.settings_changed)
