"""The epoch row: every row a run records has the fields EpochRow declares, and
no other, in training, in the teaching numbers and through the JSON protocol."""

import json

import graph_engine as ge
from graph_engine.core.epochs import EpochRow, TeachingNumbers
from graph_engine.training import teaching

DECLARED = EpochRow.__required_keys__ | EpochRow.__optional_keys__


def classifier() -> ge.Diagram:
    d = ge.Diagram()
    x, h = d.add("Input", features=2), d.add("Linear", out_features=4)
    a, o, loss = d.add("Tanh"), d.add("Linear", out_features=2), d.add("CrossEntropyLoss")
    for src, dst in ((x, h), (h, a), (a, o), (o, loss)):
        d.connect(src, dst)
    return d


def test_a_runs_rows_have_the_declared_fields_and_only_them():
    run = ge.train(classifier(), dataset="xor", epochs=2, seed=0)
    assert [row["epoch"] for row in run.history] == [1, 2]
    for row in run.history:
        assert EpochRow.__required_keys__ <= row.keys() <= DECLARED
        assert {"train_accuracy", "test_accuracy"} <= row.keys()  # a classifier's
        assert json.loads(json.dumps(row)) == row  # what the protocol and --json carry


def test_the_teaching_numbers_are_fields_of_the_row():
    run = ge.train(classifier(), dataset="xor", epochs=1, seed=0)
    assert run.trainer is not None
    numbers = teaching.record(run.trainer)
    assert numbers.keys() <= TeachingNumbers.__optional_keys__ <= DECLARED
