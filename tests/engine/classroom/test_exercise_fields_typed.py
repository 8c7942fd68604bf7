"""Every field of an exercise is type-checked on reading, like a diagram's.

Each field of a shipped exercise (the check kinds, ids, points, thresholds,
the start diagram's blocks, the data set, the settings, to any depth) takes a
value of every JSON type in turn: reading either succeeds or raises
DiagramFileError naming what is wrong, never a TypeError. Check My Work, which
reads the exercise in the training process, always answers.
"""

from __future__ import annotations

import copy
import json

import pytest
from worker import Worker

import resources
from graph_engine.classroom import exercise as exercises
from graph_engine.model.fileio import DiagramFileError

VALUES = [None, True, 0, -1, 1.5, 1e308, 2**70, "", "x" * 5000, "ReLU", [], [1, "a"], {},
          {"kind": "valid"}, [[[]]]]


def fields(node, path=()):
    """Every path into ``node``: keys of objects, indices of lists."""
    if path:
        yield path
    items = node.items() if isinstance(node, dict) else \
        enumerate(node) if isinstance(node, list) else ()
    for key, value in items:
        yield from fields(value, (*path, key))


def document() -> dict:
    return json.loads((resources.EXERCISES / "xor-hidden-layer.json").read_text())


def changed(path: tuple, value) -> str:
    doc = copy.deepcopy(document())
    node = doc
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return json.dumps(doc)


@pytest.mark.parametrize("value", VALUES, ids=lambda v: type(v).__name__ + repr(v)[:12])
def test_every_field_of_every_type_reads_or_is_refused_clearly(value):
    for path in fields(document()):
        try:
            exercises.loads(changed(path, value))
        except DiagramFileError as error:
            assert str(error) and "Traceback" not in str(error)


@pytest.mark.parametrize("kind", [["valid"], {"valid": 1}, 3, None, True])
def test_a_check_kind_that_is_not_text_is_named(kind):
    with pytest.raises(DiagramFileError, match=r'check 1: "kind" must be one of valid, '):
        exercises.loads(changed(("checks", 0, "kind"), kind))


def test_check_my_work_answers_an_exercise_it_cannot_read():
    worker = Worker()
    worker.command(cmd="check", exercise=changed(("checks", 0, "kind"), ["valid"]),
                   diagram="{}", request=7)
    (reply,) = worker.of_type("checked")
    assert reply["request"] == 7
    assert reply["result"]["error"].startswith("the exercise cannot be read: check 1: ")
