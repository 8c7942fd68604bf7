"""The protocol between the editor and its training process, typed, in one place.

Both sides import this module. Commands (editor → process) and replies
(process → editor) are enums, and so are a run's statuses and the reasons a
run stops; :func:`command` and :func:`reply` build messages and
:func:`read_command` and :func:`read_reply` check them on arrival, field by
field, so a malformed message is a :class:`ProtocolError` at the door and
never an exception deep inside either side. Messages travel as frames
(:mod:`frames`): JSON with numpy arrays as raw bytes.

Every message about a run carries its ``run`` number, chosen by the editor
when it prepares or resets the run: the editor drops what belongs to a run
it no longer shows, so no view can draw another document's numbers.
"""

from __future__ import annotations

from enum import Enum
from typing import Any, TypeVar

from ..core.enums import StrEnum
from ..model.diagram import Diagram
from ..model.fileio import dumps
from ..model.settings import TrainingSettings

_E = TypeVar("_E", bound=Enum)


class Command(StrEnum):
    PREPARE = "prepare"  # diagram (file JSON), settings, run: compile and load the data
    RUN = "run"  # epochs: train that many more epochs
    PAUSE = "pause"
    STEP = "step"  # train one epoch (the rest of the one under way)
    STEP_BATCH = "step_batch"  # one optimizer step on the next mini-batch
    RESET = "reset"  # run: back to the initial weights
    SETTINGS = "settings"  # settings: learning rate, optimizer, batch size, pace
    PROBES = "probes"  # probes: {name: {"fn": ..., "args": {...}}}
    SAVE_WEIGHTS = "save_weights"  # path, title
    LOAD_WEIGHTS = "load_weights"  # path, run
    EXPORT_ONNX = "export_onnx"  # path, diagram: "" for the run's network, else one to compile
    PREDICT_TABLE = "predict_table"  # path, out: the table with the run's predictions added
    CHECK = "check"  # exercise, diagram (file JSON), request: grade it ("Check my work")
    QUIT = "quit"


class Reply(StrEnum):
    HELLO = "hello"  # pid
    STATUS = "status"  # status, reason, message, seq, run
    PREPARED = "prepared"  # run, data: the data set's description and fingerprint
    HISTORY = "history"  # run, epoch, rows: one metrics dict per epoch
    PROBES = "probes"  # run, epoch, results: {name: result}
    FILE = "file"  # ok, message: a file was written or read (weights, ONNX, predictions)
    BATCH = "batch"  # run, epoch, batch, batches, loss: one mini-batch was stepped
    POINT = "point"  # run, epoch, batch, batches, row: the curves' point inside an epoch
    CHECKED = "checked"  # request, result: a CHECK's grade, as grade --json gives a file's


class Status(StrEnum):
    IDLE = "idle"
    PREPARING = "preparing"
    READY = "ready"
    RUNNING = "running"
    PAUSED = "paused"
    FINISHED = "finished"
    FAILED = "failed"


class Reason(StrEnum):
    """Why a status came: what the editor does about it depends on this, never on
    the words of the message."""

    NONE = ""
    DIVERGED = "diverged"  # the loss or the weights became infinite or NaN
    DIAGRAM_ERRORS = "diagram-errors"  # the diagram cannot be compiled
    BAD_REQUEST = "bad-request"  # a malformed command, or settings out of bounds
    NO_RUN = "no-run"  # a command that needs a prepared run came before one
    INTERNAL = "internal"  # an unexpected exception in the training process


class ProtocolError(ValueError):
    """A message that does not follow the protocol; the text says what is wrong."""


_COMMAND_FIELDS: dict[Command, dict[str, type]] = {
    Command.PREPARE: {"diagram": str, "settings": dict, "run": int},
    Command.RUN: {"epochs": int},
    Command.PAUSE: {},
    Command.STEP: {},
    Command.STEP_BATCH: {},
    Command.RESET: {"run": int},
    Command.SETTINGS: {"settings": dict},
    Command.PROBES: {"probes": dict},
    Command.SAVE_WEIGHTS: {"path": str, "title": str},
    Command.LOAD_WEIGHTS: {"path": str, "run": int},
    Command.EXPORT_ONNX: {"path": str, "diagram": str},
    Command.PREDICT_TABLE: {"path": str, "out": str},
    Command.CHECK: {"exercise": str, "diagram": str, "request": int},
    Command.QUIT: {},
}

_REPLY_FIELDS: dict[Reply, dict[str, type]] = {
    Reply.HELLO: {"pid": int},
    Reply.STATUS: {"status": Status, "reason": Reason, "message": str, "seq": int, "run": int},
    Reply.PREPARED: {"run": int, "data": dict},
    Reply.HISTORY: {"run": int, "epoch": int, "rows": list},
    Reply.PROBES: {"run": int, "epoch": int, "results": dict},
    Reply.FILE: {"ok": bool, "message": str},
    Reply.BATCH: {"run": int, "epoch": int, "batch": int, "batches": int, "loss": float},
    Reply.POINT: {"run": int, "epoch": int, "batch": int, "batches": int, "row": dict},
    Reply.CHECKED: {"request": int, "result": dict},
}


# Whole-number fields that have bounds, checked at the door like their types: a run of
# 0 or -5 epochs is a malformed command, not one epoch.
_COMMAND_BOUNDS: dict[tuple[Command, str], tuple[int, int]] = {
    (Command.RUN, "epochs"): (1, 10**9),
}


def command(kind: Command, seq: int, **fields: Any) -> dict:
    """A command message; raises ProtocolError if a field is missing or mistyped.
    A diagram travels as its file's text and training settings as their record's
    fields: a sender may hand over the Diagram or the TrainingSettings themselves."""
    message = {"cmd": Command(kind).value, "seq": seq,
               **{name: _on_the_wire(value) for name, value in fields.items()}}
    read_command(message)
    return message


def _on_the_wire(value: Any) -> Any:
    if isinstance(value, Diagram):
        return dumps(value)
    if isinstance(value, TrainingSettings):
        return value.to_dict()
    return value


def reply(kind: Reply, **fields: Any) -> dict:
    message = {"type": Reply(kind).value, **fields}
    read_reply(message)
    return message


def read_command(message: object) -> tuple[Command, int, dict]:
    """(command, sequence number, fields) of a command message, checked."""
    if not isinstance(message, dict):
        raise ProtocolError("a command must be a JSON object")
    kind = _member(Command, message.get("cmd"), "command")
    seq = message.get("seq", 0)
    if not _is(seq, int):
        raise ProtocolError("the command's sequence number must be a whole number")
    fields = _fields(message, _COMMAND_FIELDS[kind], kind.value)
    for (bounded, name), (low, high) in _COMMAND_BOUNDS.items():
        if bounded is kind and not low <= fields[name] <= high:
            raise ProtocolError(f"{kind.value}: {name!r} must be from {low:,} to {high:,}, "
                                f"not {fields[name]}")
    return kind, seq, fields


def read_reply(message: object) -> tuple[Reply, dict]:
    """(reply, fields) of a message from the training process, checked."""
    if not isinstance(message, dict):
        raise ProtocolError("a reply must be a JSON object")
    kind = _member(Reply, message.get("type"), "reply")
    return kind, _fields(message, _REPLY_FIELDS[kind], kind.value)


def _member(enum: type[_E], value: object, what: str) -> _E:
    try:
        return enum(value)
    except ValueError:
        raise ProtocolError(f"unknown {what} {value!r}") from None


def _fields(message: dict, wanted: dict[str, type], where: str) -> dict:
    fields = {}
    for name, kind in wanted.items():
        if name not in message:
            raise ProtocolError(f"{where}: the field {name!r} is missing")
        value = message[name]
        if issubclass(kind, Enum):
            value = _member(kind, value, f"{where} {name}")
        elif not _is(value, kind):
            raise ProtocolError(f"{where}: {name!r} must be {kind.__name__}, "
                                f"not {type(value).__name__}")
        fields[name] = value
    return fields


def _is(value: object, kind: type) -> bool:
    if kind is int:  # JSON has no separate bool: true is not a number here
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, kind)
