"""Undo never corrupts: random edit sequences through the editor's real undo commands.

A hypothesis state machine pushes edits the editor makes (add, delete blocks
and wires, connect, move, set parameters, rename, paste, change the data set
with its Input resize as one step, change training settings) onto a
QUndoStack, with undos and redos mixed in. After every step the diagram must
equal the snapshot taken when the stack was last at that index, its own
bookkeeping must lint clean (``Diagram.lint``), and the canvas scene must mirror
it (the same blocks at the same positions, the same wires); at the end
everything is undone (the diagram equals the start) and redone (it equals the
end). NETCANVAS_UNDO_SEQUENCES sets how many sequences run (200 steps each).
"""

from __future__ import annotations

import json
import os

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from PySide6.QtWidgets import QApplication

import graph_engine as ge
from graph_engine import REGISTRY, WireError
from graph_engine.blocks.registry import Role
from graph_engine.core.params import BOOL, CHOICE, FLOAT, FORMULA, INT, WEIGHTS
from graph_engine.data import datasets
from graph_engine.data.spec import DatasetSpec
from graph_engine.model.fileio import to_dict
from graph_engine.model.settings import OPTIMIZERS
from gui.canvas.items import BlockItem, WireItem
from gui.canvas.scene import DiagramScene
from gui.document import commands
from gui.document.document import Document

SEQUENCES = int(os.environ.get("NETCANVAS_UNDO_SEQUENCES", "10"))
STEPS = 200
TYPES = [spec.name for spec in REGISTRY]
FORMULAS = ["x * sigmoid(beta * x)", "where(x > 0, x, alpha * x)", "tanh(x) + x", "relu(x)"]
RUNS = {"sequences": 0, "steps": 0, "undone": 0, "longest": 0}

app = QApplication.instance() or QApplication([])


def snapshot(diagram) -> str:
    return json.dumps(to_dict(diagram), sort_keys=True)


def start_diagram() -> ge.Diagram:
    d = ge.Diagram()
    x = d.add_block("Input", {"features": 2}, (0, 0))
    h = d.add_block("Linear", {"out_features": 8}, (180, 0))
    a = d.add_block("ReLU", {}, (360, 0))
    o = d.add_block("Linear", {"out_features": 2}, (540, 0))
    loss = d.add_block("CrossEntropyLoss", {}, (720, 0))
    for src, dst in ((x, h), (h, a), (a, o), (o, loss)):
        d.connect(src, dst)
    d.dataset = "circle"
    return d


def value_for(spec):
    """Values an inspector field could commit, in and out of bounds."""
    if spec.kind == INT:
        return st.integers(-2, 5000)
    if spec.kind == FLOAT:
        return st.floats(-1, 30, allow_nan=False)
    if spec.kind == BOOL:
        return st.booleans()
    if spec.kind == CHOICE:
        return st.sampled_from(spec.choices)
    if spec.kind == FORMULA:
        return st.sampled_from([*FORMULAS, "x.__class__"])
    if spec.kind == WEIGHTS:  # set by hand: inside the layer, outside it, typed, nonsense
        return st.sampled_from([[], [[0, 0, 0.5]], [[99, 99, 1.0]], "0,0=2", "0,0"])
    raise AssertionError(spec.kind)


class UndoMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.document = Document()
        self.document.replace(start_diagram())
        self.diagram = self.document.diagram
        self.stack = self.document.undo_stack
        self.scene = DiagramScene(self.document)
        self.states = [snapshot(self.diagram)]  # states[i]: the diagram at stack index i
        RUNS["sequences"] += 1

    # ------------------------------------------------------------ helpers
    def push(self, command) -> None:
        index = self.stack.index()
        self.stack.push(command)
        assert self.stack.index() == index + 1
        self.states = [*self.states[:index + 1], snapshot(self.diagram)]
        RUNS["steps"] += 1

    def ids(self) -> list[str]:
        return [b.id for b in self.diagram.blocks]

    def some_ids(self, data, at_least: int = 1) -> list[str]:
        ids = self.ids()
        return data.draw(st.lists(st.sampled_from(ids), min_size=at_least, max_size=4,
                                  unique=True)) if ids else []

    # ------------------------------------------------------------ edits
    @rule(type_name=st.sampled_from(TYPES), x=st.integers(-900, 900), y=st.integers(-900, 900))
    def add_block(self, type_name, x, y):
        self.push(commands.AddBlock(self.diagram, type_name, (x + 0.333, y)))

    @rule(data=st.data())
    def remove(self, data):
        blocks = self.some_ids(data, 0)
        wires = self.diagram.wires
        wires = data.draw(st.lists(st.sampled_from(wires), max_size=3, unique=True)) \
            if wires else []
        if blocks or wires:
            self.push(commands.RemoveItems(self.diagram, blocks, wires))

    @rule(data=st.data())
    def connect(self, data):
        ids = self.ids()
        if len(ids) < 2:
            return
        src, dst = data.draw(st.sampled_from(ids)), data.draw(st.sampled_from(ids))
        try:
            wire = self.diagram.check_wire(src, dst)  # what dropping a wire on a block does
        except WireError:
            return
        self.push(commands.Connect(self.diagram, wire))

    @rule(data=st.data(), dx=st.floats(-400, 400), dy=st.floats(-400, 400))
    def move(self, data, dx, dy):
        ids = self.some_ids(data)
        moves = {}
        for block_id in ids:
            old = self.diagram.block(block_id).position
            moves[block_id] = (old, (old[0] + dx, old[1] + dy))
        if moves:
            self.push(commands.MoveBlocks(self.diagram, moves))

    @rule(data=st.data())
    def set_param(self, data):
        ids = [b for b in self.ids() if self.diagram.block(b).spec.params]
        if not ids:
            return
        block = self.diagram.block(data.draw(st.sampled_from(ids)))
        spec = data.draw(st.sampled_from(block.spec.params))
        value = data.draw(value_for(spec))
        try:
            command = commands.SetParams(self.diagram, block.id, {spec.name: value})
        except ValueError:
            return  # the inspector shows the message and pushes nothing
        self.push(command)

    @rule(data=st.data(), name=st.text(min_size=1, max_size=20).filter(str.strip))
    def rename(self, data, name):
        ids = self.ids()
        if not ids:
            return
        try:
            command = commands.Rename(self.diagram, data.draw(st.sampled_from(ids)), name)
        except ValueError:
            return  # a control character or lone surrogate: the inspector says why
        self.push(command)

    @rule(data=st.data(), offset=st.integers(10, 200))
    def paste(self, data, offset):
        chosen = set(self.some_ids(data))
        if not chosen:
            return
        blocks = [{"id": b.id, "type": b.type, "params": dict(b.params),
                   "position": list(b.position)} for b in self.diagram.blocks if b.id in chosen]
        wires = [(w.src, w.src_port, w.dst, w.dst_port) for w in self.diagram.wires
                 if w.src in chosen and w.dst in chosen]
        self.push(commands.AddFragment(self.diagram, blocks, wires, (offset, offset)))

    @rule(name=st.one_of(st.none(), st.sampled_from(datasets.names())),
          noise=st.sampled_from([0.0, 0.1, 0.25]))
    def set_dataset(self, name, noise):
        """As the Data panel does it: the data set and the Inputs' size in one step."""
        spec = DatasetSpec(name, noise=noise) if name else None
        steps = [commands.SetDataset(self.diagram, spec)]
        if spec is not None:
            features = datasets.info(spec).features
            steps += [commands.SetParams(self.diagram, b.id, {"features": features})
                      for b in self.diagram.blocks
                      if b.spec.role == Role.INPUT and b.params["features"] != features]
        self.push(commands.Macro("Use data set", steps))

    @rule(optimizer=st.sampled_from(OPTIMIZERS), lr=st.sampled_from([0.001, 0.03, 1.0, 1e6]),
          batch=st.integers(1, 500), epochs=st.integers(1, 5000))
    def set_training(self, optimizer, lr, batch, epochs):
        settings_ = self.diagram.training.with_(optimizer=optimizer, lr=lr, batch_size=batch,
                                               epochs=epochs)
        self.push(commands.SetTraining(self.diagram, settings_))

    @rule(data=st.data(), count=st.integers(10, 40))
    def burst(self, data, count):
        """Several edits in a row, as a student working quickly makes them."""
        for _ in range(count):
            kind = data.draw(st.sampled_from(["add", "remove", "connect", "connect", "move",
                                              "param", "param", "rename", "paste"]))
            if kind == "add":
                self.add_block(data.draw(st.sampled_from(TYPES)),
                               data.draw(st.integers(-900, 900)), 0)
            elif kind == "move":
                self.move(data, data.draw(st.floats(-400, 400)), 5.5)
            elif kind == "rename":
                self.rename(data, data.draw(st.sampled_from(["a", "hidden", " b ", "Ω"])))
            elif kind == "paste":
                self.paste(data, data.draw(st.integers(10, 200)))
            else:
                {"remove": self.remove, "connect": self.connect,
                 "param": self.set_param}[kind](data)
            self.the_diagram_matches_its_stack_index()
            self.the_diagram_lints_clean()
            self.the_scene_mirrors_the_diagram()

    # ------------------------------------------------------------ undo and redo midway
    @precondition(lambda self: self.stack.canUndo())
    @rule(count=st.integers(1, 5))
    def undo(self, count):
        for _ in range(count):
            if self.stack.canUndo():
                self.stack.undo()
                RUNS["undone"] += 1

    @precondition(lambda self: self.stack.canRedo())
    @rule(count=st.integers(1, 5))
    def redo(self, count):
        for _ in range(count):
            if self.stack.canRedo():
                self.stack.redo()

    # ------------------------------------------------------------ checks
    @invariant()
    def the_diagram_matches_its_stack_index(self):
        assert snapshot(self.diagram) == self.states[self.stack.index()]

    @invariant()
    def the_diagram_lints_clean(self):
        self.diagram.lint()

    @invariant()
    def the_scene_mirrors_the_diagram(self):
        """One item per block at the block's position, one per wire, nothing else drawn."""
        blocks = {b.id: b for b in self.diagram.blocks}
        drawn = [i for i in self.scene.items() if isinstance(i, BlockItem)]
        assert sorted(i.block_id for i in drawn) == sorted(blocks) == sorted(self.scene.blocks)
        for block_id, item in self.scene.blocks.items():
            assert (item.pos().x(), item.pos().y()) == blocks[block_id].position, block_id
        wires = [i.wire for i in self.scene.items() if isinstance(i, WireItem)]
        assert len(wires) == len(self.diagram.wires)
        assert set(wires) == set(self.diagram.wires) == set(self.scene.wires)
        for wire, item in self.scene.wires.items():
            assert (item.source.block_id, item.target.block_id) == (wire.src, wire.dst)

    @invariant()
    def validation_never_fails_inside(self):
        internal = [p for p in ge.validate(self.diagram) if p.code == "internal"]
        assert not internal, internal

    def teardown(self):
        """Undo everything (the start comes back), redo everything (the end does)."""
        end = len(self.states) - 1
        while self.stack.canUndo():
            self.stack.undo()
            assert snapshot(self.diagram) == self.states[self.stack.index()]
        assert snapshot(self.diagram) == self.states[0] == snapshot(start_diagram())
        while self.stack.canRedo():
            self.stack.redo()
            assert snapshot(self.diagram) == self.states[self.stack.index()]
        assert self.stack.index() == end and snapshot(self.diagram) == self.states[end]
        RUNS["longest"] = max(RUNS["longest"], end)
        self.stack.clear()


UndoMachine.TestCase.settings = settings(
    max_examples=SEQUENCES, stateful_step_count=STEPS, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                           HealthCheck.data_too_large])
TestUndoNeverCorrupts = UndoMachine.TestCase


def test_the_sequences_ran():
    """Runs after the machine: it really made hundreds of edits."""
    print(f"\nundo fuzz: {RUNS['sequences']} sequences, {RUNS['steps']} edits pushed, "
          f"{RUNS['undone']} undone midway, {RUNS['longest']} on the longest stack")
    assert RUNS["sequences"] >= SEQUENCES and RUNS["steps"] >= 50 * SEQUENCES
