"""Diagram files: versioned JSON, read through typed records, written atomically.

Reading goes JSON text -> checked plain records -> migrations -> Diagram.
Every problem raises :class:`DiagramFileError` saying what and where; no
file can run code (plain JSON, no pickle). Texts, ids and positions pass the
same checks (:mod:`.values`) and limits (:mod:`~graph_engine.core.limits`) as
values set through the API, so the reader accepts everything the writer can
produce. See docs/file-format.md.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import TypeVar

from ..core import limits
from ..core.files import FileLimitError, check_path, read_bounded, write_atomic
from ..core.jsontext import json_nesting
from ..core.limits import MAX_PATH
from ..core.text import checked_text, printable
from ..data.catalogue import DATASETS
from ..data.spec import CsvSource, DatasetSpec, as_dataset_spec
from . import values
from .diagram import Diagram, Note, Wire
from .settings import TrainingSettings

FORMAT = "netcanvas-diagram"
VERSION = 1
# The largest legal diagram (MAX_BLOCKS blocks with the longest ids, names and
# formulas, MAX_WIRES wires between the longest ids, the longest title and
# description, all in 4-byte characters) is about 27 MB as written by dumps;
# a test writes it and reads it back.
MAX_BYTES = 32 * 1024 * 1024
MAX_DEPTH = 20
MAX_MESSAGE = 300
MAX_WORD = 64  # characters of a block type or port name

TOP_KEYS = {"format", "version", "title", "description", "blocks", "wires", "dataset",
            "training"}
# Written only when set. "exercise": the title of the exercise the diagram answers
# (graph_engine.classroom); "notes": text notes on the canvas. A file without
# them is exactly as before.
OPTIONAL_KEYS = {"exercise", "notes"}
NOTE_KEYS = {"id", "text", "position"}
BLOCK_KEYS = {"id", "type", "name", "params", "position"}
WIRE_KEYS = {"from", "to"}

# version -> function upgrading a document of that version by one step
MIGRATIONS: dict[int, Callable[[dict], dict]] = {}

T = TypeVar("T")


class DiagramFileError(ValueError):
    """A diagram file that cannot be read; the message says what and where."""

    def __init__(self, message: str, path: str | os.PathLike | None = None) -> None:
        message = printable(message)  # it may quote the file: never a control character
        if len(message) > MAX_MESSAGE:  # it quotes a huge value from the file: the start will do
            message = message[:MAX_MESSAGE - 1] + "…"
        self.path = None if path is None else os.fspath(path)
        prefix = f"{printable(os.path.basename(self.path))}: " if self.path else ""
        super().__init__(prefix + message)
        self.reason = message


# ------------------------------------------------------------------ writing

def to_dict(diagram: Diagram, folder: str | None = None) -> dict:
    """The document; with ``folder`` (where it is saved), a file the data set reads
    inside that folder is written relative to it, so the two move together."""
    # "exercise" is written only when the diagram answers one, so every other
    # file stays as earlier NetCanvas versions wrote (and read) it
    exercise = {"exercise": diagram.exercise} if diagram.exercise else {}
    notes = {"notes": [{"id": n.id, "text": n.text, "position": list(n.position)}
                       for n in diagram.notes]} if diagram.notes else {}
    return {
        "format": FORMAT,
        "version": VERSION,
        "title": diagram.title,
        "description": diagram.description,
        **exercise,
        "blocks": [{"id": b.id, "type": b.type, "name": b.name, "params": _params(b),
                    "position": list(b.position)}  # stored rounded, as saved
                   for b in diagram.blocks],
        "wires": [{"from": [w.src, w.src_port], "to": [w.dst, w.dst_port]}
                  for w in diagram.wires],
        "dataset": relative(diagram.dataset, folder).to_dict() if diagram.dataset else None,
        "training": diagram.training.to_dict(),
        **notes,
    }


def _params(block) -> dict:
    """A block's parameters as saved: weights set by hand only when there are some,
    so every other file stays as earlier versions wrote it."""
    unset = block.spec.start_weights_param
    return {name: [list(entry) for entry in value] if name == unset else value
            for name, value in block.params.items() if not (name == unset and not value)}


def dumps(diagram: Diagram, folder: str | None = None) -> str:
    """The file's text; with ``folder`` (where it is saved), a table data set
    inside that folder is written relative to it, so the two move together."""
    text = json.dumps(to_dict(diagram, folder), indent=2, allow_nan=False, ensure_ascii=False)
    return _SURROGATE.sub(_escape, text) + "\n"


def relative(spec: DatasetSpec, folder: str | None) -> DatasetSpec:
    """``spec`` with each file it reads that lies inside ``folder`` (where the document
    is saved) named relative to it."""
    def move(path: str) -> str:
        if not os.path.isabs(path):
            return path
        inside = os.path.relpath(path, folder)
        return path if inside.startswith(os.pardir) else inside.replace(os.sep, "/")

    return spec if folder is None else DATASETS[spec.name].moved(spec, move)


# UTF-8 keeps the largest diagram small (a \u escape of a 4-byte character
# takes 12); a lone surrogate (a CSV path of undecodable bytes) has no UTF-8
# form, so it stays an escape, which reads back as the same string.
_SURROGATE = re.compile("[\ud800-\udfff]")


def _escape(match: re.Match) -> str:
    return f"\\u{ord(match.group()):04x}"


def save(diagram: Diagram, path: str | os.PathLike) -> None:
    """Write atomically (see :func:`~graph_engine.core.files.write_atomic`).
    On failure the old file is untouched and OSError propagates."""
    target = os.path.abspath(check_path(path))
    write_atomic(target, dumps(diagram, os.path.dirname(target)))


# ------------------------------------------------------------------ reading

def load(path: str | os.PathLike) -> Diagram:
    """Read a diagram file; any problem raises DiagramFileError."""
    diagram = read_file(path, loads)
    if diagram.dataset is not None:
        diagram.dataset = anchored(diagram.dataset, os.path.dirname(os.path.abspath(path)))
    return diagram


def read_file(path: str | os.PathLike, parse: Callable[[bytes], T], limit: int = MAX_BYTES,
              what: str = "the file") -> T:
    """``parse`` of the bytes of ``path``, read bounded by ``limit``; any problem
    (also one ``parse`` raises) is a DiagramFileError naming the file."""
    try:
        raw = read_bounded(path, limit)
    except FileLimitError as error:
        raise DiagramFileError(str(error), _shown(path)) from None
    except OSError as error:
        raise DiagramFileError(f"cannot read {what}: {error.strerror or error}",
                               _shown(path)) from None
    except ValueError as error:  # a path no file system accepts (a NUL byte)
        raise DiagramFileError(str(error)) from None
    try:
        return parse(raw)
    except DiagramFileError as error:
        raise DiagramFileError(error.reason, path) from None


def _shown(path) -> str | None:
    try:
        return check_path(path)
    except ValueError:
        return None


def anchored(spec: DatasetSpec, folder: str) -> DatasetSpec:
    """``spec`` with each relative path of a file it reads taken as beside the file in
    ``folder`` (not the current folder), as diagram and exercise files mean it."""
    def move(path: str) -> str:
        return path if os.path.isabs(path) else os.path.normpath(os.path.join(folder, path))

    return DATASETS[spec.name].moved(spec, move)


def loads(raw: bytes | str) -> Diagram:
    document = _parse_json(raw)
    document = _migrate(document)
    return _build(_read_document(document))


def _parse_json(raw: bytes | str, what: str = "a diagram file") -> dict:
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise DiagramFileError(f"not a text file (byte {error.start} is not UTF-8)") from None
    if not raw.strip():  # a JSON parser would say "expecting value at line 1"
        raise DiagramFileError("the file is empty")
    if len(raw) > MAX_BYTES:
        raise DiagramFileError(f"the file is too large for {what}")
    if json_nesting(raw) > MAX_DEPTH:
        raise DiagramFileError(f"the JSON is nested more than {MAX_DEPTH} levels deep")
    try:
        document = json.loads(raw, parse_constant=_refuse_constant)
    except json.JSONDecodeError as error:
        raise DiagramFileError(f"not valid JSON: {error.msg} at line {error.lineno}, "
                               f"column {error.colno}") from None
    except _NotFinite as error:
        raise DiagramFileError(f"not valid JSON: {error} is not allowed in {what}{_at(raw)} "
                               "(numbers must be finite)") from None
    except (RecursionError, ValueError) as error:
        raise DiagramFileError(f"not valid JSON: {error}") from None
    if not isinstance(document, dict):
        raise DiagramFileError(f"{what} holds a JSON object ({{...}}) at the top")
    return document


class _NotFinite(ValueError):
    """NaN, Infinity or -Infinity in the JSON: Python reads them, JSON has none."""


def _refuse_constant(name: str):
    raise _NotFinite(name)


_SPOT = object()  # where the first NaN or Infinity was, in a second reading


def _at(raw: str) -> str:
    """Where the first NaN or Infinity stands, as keys and 1-based item numbers
    (", at "dataset", "points", item 3, item 2"): the file is read again, each such
    constant a marker, and the marker looked for (nesting is bounded already); nothing
    when the rest of the file does not read."""
    try:
        path = _path_to(json.loads(raw, parse_constant=lambda name: _SPOT), [])
    except (ValueError, RecursionError):  # broken further on: the first problem is said
        return ""
    if not path:
        return ""
    steps = [json.dumps(p, ensure_ascii=False) if isinstance(p, str) else f"item {p + 1}"
             for p in path]
    return ", at " + ", ".join(steps)


def _path_to(value: object, path: list) -> list | None:
    if value is _SPOT:
        return path
    children = value.items() if isinstance(value, dict) else \
        enumerate(value) if isinstance(value, list) else ()
    for key, child in children:
        found = _path_to(child, [*path, key])
        if found is not None:
            return found
    return None


def check_format(document: dict, name: str, newest: int, kind: str = "diagram",
                 subject: str = "the file") -> int:
    """The document's version, if it is a NetCanvas ``kind`` (format ``name``) of a
    version this NetCanvas reads (at most ``newest``); else DiagramFileError."""
    if document.get("format") != name:
        raise DiagramFileError(f"not a NetCanvas {kind} (\"format\" should be \"{name}\")")
    version = document.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise DiagramFileError("\"version\" must be a whole number, 1 or more")
    if version > newest:
        raise DiagramFileError(f"{subject} is format version {version}, but this NetCanvas "
                               f"reads versions up to {newest}: update NetCanvas to open it")
    return version


def _migrate(document: dict) -> dict:
    version = check_format(document, FORMAT, VERSION)
    while version < VERSION:
        document = MIGRATIONS[version](document)
        version = document["version"]
    return document


# ------------------------------------------------------- typed in-between form

@dataclass(frozen=True)
class BlockRecord:
    id: str
    type: str
    name: str
    params: dict
    position: tuple[float, float]


@dataclass(frozen=True)
class DocumentRecord:
    title: str
    description: str
    exercise: str
    blocks: list[BlockRecord]
    wires: list[Wire]
    dataset: DatasetSpec | None
    training: TrainingSettings
    notes: list[Note]


def _read_document(doc: dict) -> DocumentRecord:
    _keys(doc, TOP_KEYS | OPTIONAL_KEYS, {"format", "version", "blocks", "wires"}, "the file")
    blocks = _list(doc["blocks"], "blocks", limits.MAX_BLOCKS)
    wires = _list(doc["wires"], "wires", limits.MAX_WIRES)
    return DocumentRecord(
        title=_checked(values.title, doc.get("title", "")),
        description=_checked(values.description, doc.get("description", "")),
        exercise=_checked(values.exercise, doc.get("exercise", "")),
        blocks=[_read_block(b, i) for i, b in enumerate(blocks)],
        wires=[_read_wire(w, i) for i, w in enumerate(wires)],
        dataset=_read_dataset(doc.get("dataset")),
        training=_read_training(doc.get("training", {})),
        notes=[_read_note(n, i) for i, n in
               enumerate(_list(doc.get("notes", []), "notes", limits.MAX_NOTES))],
    )


def _keys(record: object, allowed: set, required: set, where: str) -> dict:
    """``record``, a JSON object with the ``required`` keys and only ``allowed`` ones."""
    if not isinstance(record, dict):
        raise DiagramFileError(f"{where} must be a JSON object")
    missing = sorted(required - record.keys())
    extra = sorted(k for k in record if k not in allowed)
    allowed_text = f"(allowed: {', '.join(sorted(allowed))})"
    if missing:  # an unknown key beside it is often the missing one misspelt: show both
        instead = f"; it has the unknown key {_quote(extra)} {allowed_text}" if extra else ""
        raise DiagramFileError(f"{where} lacks the key{'s' * (len(missing) > 1)} "
                               f"{_quote(missing)}{instead}")
    if extra:
        raise DiagramFileError(f"{where} has an unknown key {_quote(extra[:1])} {allowed_text}")
    return record


def _quote(keys: list[str]) -> str:
    """``"a"``, ``"a" and "b"``, ``"a", "b" and 2 more``: keys named in a message."""
    named = [json.dumps(key, ensure_ascii=False) for key in keys[:2]]
    rest = len(keys) - len(named)
    if rest:
        return f"{', '.join(named)} and {rest} more"
    return " and ".join(named)


def _list(value: object, where: str, limit: int) -> list:
    if not isinstance(value, list):
        raise DiagramFileError(f"\"{where}\" must be a list")
    if len(value) > limit:
        raise DiagramFileError(f"\"{where}\" has {len(value)} entries; the limit is {limit}")
    return value


def _checked(check, value: object, *args):
    """``check(value, *args)``, its ValueError as a DiagramFileError."""
    try:
        return check(value, *args)
    except ValueError as error:
        raise DiagramFileError(str(error)) from None


def _read_block(value: object, index: int) -> BlockRecord:
    where = f"block {index + 1}"
    record = _keys(value, BLOCK_KEYS, {"id", "type"}, where)
    block_id = _checked(values.block_id, record["id"], f"{where}: \"id\"")
    where = f"block {block_id!r}"
    params = record.get("params", {})
    if not isinstance(params, dict):
        raise DiagramFileError(f"{where}: \"params\" must be a JSON object")
    return BlockRecord(
        block_id, _checked(checked_text, record["type"], f"{where}: \"type\"", MAX_WORD),
        _checked(values.block_name, record.get("name", ""), f"{where}: \"name\"",
                 block_id.strip()),
        params, _checked(values.position, record.get("position", [0, 0]),
                         f"{where}: \"position\""))


def _read_wire(value: object, index: int) -> Wire:
    where = f"wire {index + 1}"
    record = _keys(value, WIRE_KEYS, WIRE_KEYS, where)
    ends = []
    for key in ("from", "to"):
        end = record[key]
        if not (isinstance(end, list) and len(end) == 2 and all(isinstance(e, str) for e in end)):
            raise DiagramFileError(f"{where}: \"{key}\" must be [block id, port name]")
        ends.append(_checked(values.block_id, end[0], f"{where}: the block id in \"{key}\""))
        ends.append(_checked(checked_text, end[1], f"{where}: the port in \"{key}\"",
                             MAX_WORD))
    return Wire(*ends)


def _read_note(value: object, index: int) -> Note:
    where = f"note {index + 1}"
    record = _keys(value, NOTE_KEYS, NOTE_KEYS, where)
    note_id = _checked(values.block_id, record["id"], f"{where}: \"id\"")
    where = f"note {note_id!r}"
    return Note(note_id, _checked(values.note_text, record["text"], f"{where}: \"text\""),
                _checked(values.position, record["position"], f"{where}: \"position\""))


def _read_dataset(value: object) -> DatasetSpec | None:
    """The data set record: a built-in name, or an object read key by key like a
    block (the keys its data set reads, as the registry declares them), with its
    "csv" sub-record likewise; values are checked by the spec."""
    if value is None or isinstance(value, str):
        return _dataset_spec(value)
    if not isinstance(value, dict):
        raise DiagramFileError('"dataset" must be the name of a data set or a JSON object')
    record = dict(_keys(value, _dataset_keys(value), {"name"}, '"dataset"'))
    for key, read in _SUB_RECORDS.items():
        if key in record:
            record[key] = read(record[key])
    return _dataset_spec(record)


def _dataset_keys(record: dict) -> set[str]:
    """The keys a "dataset" record may have: those its data set reads; while its name
    is not known, any a spec has (the spec then says what is wrong with the name)."""
    name = record.get("name")
    if isinstance(name, str) and name in DATASETS:
        return {"name", "labels", *DATASETS[name].keys}
    return {f.name for f in fields(DatasetSpec)}


def _read_csv_source(value: object) -> CsvSource:
    where = '"dataset": "csv"'
    record = _record(value, CsvSource, {"path"}, where)
    _checked_path(record["path"], f'{where}: "path"')
    try:
        return CsvSource(**record)
    except (TypeError, ValueError) as error:
        raise DiagramFileError(f"{where}: {error}") from None


# the spec's fields that are records of their own, each read key by key
_SUB_RECORDS = {"csv": _read_csv_source}


def _dataset_spec(value: object) -> DatasetSpec | None:
    try:
        return as_dataset_spec(value)
    except (TypeError, ValueError) as error:
        raise DiagramFileError(f"\"dataset\": {error}") from None


def _read_training(value: object) -> TrainingSettings:
    record = _record(value, TrainingSettings, set(), '"training"')
    try:
        return TrainingSettings(**record)
    except (TypeError, ValueError) as error:
        raise DiagramFileError(f"\"training\": {error}") from None


def _record(value: object, record_type, required: set[str], where: str) -> dict:
    """``value`` as a JSON object with the keys ``record_type`` declares (its
    dataclass fields), ``required`` among them; else DiagramFileError."""
    return dict(_keys(value, {f.name for f in fields(record_type)}, required, where))


def _checked_path(value: object, where: str) -> str:
    """A file path from the file: text, not too long, no control characters."""
    try:
        return checked_text(value, where, MAX_PATH)
    except ValueError as error:
        raise DiagramFileError(str(error)) from None


def _build(record: DocumentRecord) -> Diagram:
    diagram = Diagram()
    diagram.title, diagram.description = record.title, record.description
    diagram.exercise = record.exercise
    for block in record.blocks:
        where = f"block {block.id!r}"
        if block.id in diagram:
            raise DiagramFileError(f"{where}: the id appears twice")
        try:
            diagram.add_block(block.type, block.params, block.position, block.id, block.name)
        except ValueError as error:
            raise DiagramFileError(f"{where}: {error}") from None
    for index, wire in enumerate(record.wires):
        try:
            diagram.insert_wire(wire)
        except ValueError as error:
            raise DiagramFileError(f"wire {index + 1} ({wire.src!r} → {wire.dst!r}): {error}") \
                from None
    diagram.dataset = record.dataset
    diagram.training = record.training
    for note in record.notes:
        try:
            diagram.add_note(note.text, note.position, note.id)
        except ValueError as error:
            raise DiagramFileError(f"note {note.id!r}: {error}") from None
    return diagram


# ------------------------------------------------- shared with other file kinds
# Exercise files (graph_engine.classroom) hold a diagram document, a data set
# and training settings: they are read with the same rules and messages.

def parse_json(raw: bytes | str, what: str) -> dict:
    """The JSON object in ``raw``, bounded as a diagram file; DiagramFileError
    naming ``what`` ("an exercise file") otherwise."""
    return _parse_json(raw, what)


def from_document(document: object) -> Diagram:
    """The diagram a parsed diagram document describes (migrated, checked)."""
    if not isinstance(document, dict):
        raise DiagramFileError("a diagram must be a JSON object")
    return _build(_read_document(_migrate(document)))


read_keys = _keys
read_list = _list
read_checked = _checked
read_dataset = _read_dataset
read_training = _read_training
