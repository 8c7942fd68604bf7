"""Validation: every diagnostic code the engine can emit, triggered and checked.

:data:`CASES` maps each code (``code`` or ``code/variant``) to a small diagram
that triggers it and what the diagnostic must say: its severity, the blocks it
points at and the blocks its message names (by display name, never by id).
A test parses validation.py and lints.py for the codes they emit, so a new
code without a case here fails the suite.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import pytest

import graph_engine as ge
from graph_engine.checks import analysis, lints, validation
from graph_engine.core.params import BOOL, CHOICE, FLOAT, FORMULA, INT, WEIGHTS
from graph_engine.data.spec import CsvSource, DatasetSpec
from graph_engine.model.diagram import Wire

ENGINE = Path(validation.__file__).parent


def line(d: ge.Diagram, *blocks) -> list[str]:
    """Add blocks ("Type" or ("Type", {params})) and wire them in a chain."""
    ids = []
    for block in blocks:
        kind, params = (block, {}) if isinstance(block, str) else block
        ids.append(d.add(kind, **params))
    for src, dst in pairwise(ids):
        d.connect(src, dst)
    return ids


def lin(n: int):
    return ("Linear", {"out_features": n})


@dataclass
class Case:
    diagram: ge.Diagram | None
    severity: str
    block_ids: tuple[str, ...] = ()
    named: tuple[str, ...] = ()  # blocks whose display name the message contains
    words: str = ""  # a phrase the message contains
    run: Callable[[], list] | None = None  # default: validate the diagram

    def diagnostics(self) -> list:
        return self.run() if self.run else ge.validate(self.diagram)


CASES: dict[str, Callable[[Path], Case]] = {}


def case(key: str):
    def register(builder):
        CASES[key] = builder
        return builder
    return register


# ------------------------------------------------------------ structure

@case("no-input")
def _no_input(tmp_path):
    d = ge.Diagram()
    line(d, "ReLU", "MSELoss")
    return Case(d, "error", words="no Input block")


@case("cycle")
def _cycle(tmp_path):
    d = ge.Diagram()
    _x, add, hidden, _loss = line(d, ("Input", {}), "Add", lin(2), "MSELoss")
    d.insert_wire(Wire(hidden, "output", add, "input"))
    return Case(d, "error", (add, hidden), (add, hidden), "loop")


@case("port-open")
def _port_open(tmp_path):
    d = ge.Diagram()
    line(d, "Input", lin(1), "MSELoss")
    lonely = d.add("Linear")
    return Case(d, "error", (lonely,), (lonely,), "nothing wired")


@case("port-overfull")
def _port_overfull(tmp_path):
    d = ge.Diagram()
    x, hidden, _loss = line(d, "Input", lin(1), "MSELoss")
    relu = d.add("ReLU")
    d.connect(x, relu)
    d.insert_wire(Wire(relu, "output", hidden, "input"))
    return Case(d, "error", (hidden,), (hidden,), "has 2")


@case("single-merge-input")
def _single_merge(tmp_path):
    d = ge.Diagram()
    _x, add, _out, _loss = line(d, "Input", "Add", lin(1), "MSELoss")
    return Case(d, "warning", (add,), (add,), "one input")


@case("unreachable")
def _unreachable(tmp_path):
    d = ge.Diagram()
    line(d, "Input", lin(1), "MSELoss")
    _orphan, relu = line(d, lin(2), "ReLU")
    return Case(d, "error", (relu,), (relu,), "not reachable")


@case("no-loss")
def _no_loss(tmp_path):
    d = ge.Diagram()
    line(d, "Input", lin(2))
    return Case(d, "warning", words="no loss")


@case("several-losses")
def _several_losses(tmp_path):
    d = ge.Diagram()
    _x, out, mse = line(d, "Input", lin(1), "MSELoss")
    l1 = d.add("L1Loss")
    d.connect(out, l1)
    return Case(d, "error", (mse, l1), (mse, l1))


@case("several-outputs")
def _several_outputs(tmp_path):
    d = ge.Diagram()
    _x, out, first = line(d, "Input", lin(1), "Output")
    second = d.add("Output")
    d.connect(out, second)
    return Case(d, "error", (first, second), (first, second))


@case("dead-end")
def _dead_end(tmp_path):
    d = ge.Diagram()
    x, *_ = line(d, "Input", lin(3), "CrossEntropyLoss")
    unused = d.add("ReLU")
    d.connect(x, unused)
    return Case(d, "warning", (unused,), (unused,), "not used")


@case("dead-end/target")
def _dead_target(tmp_path):
    d = ge.Diagram()
    line(d, "Input", lin(3), "CrossEntropyLoss")
    target = d.add("Target")
    return Case(d, "warning", (target,), (target,), "target port")


@case("shape-mismatch/add")
def _add_mismatch(tmp_path):
    d = ge.Diagram()
    x, _wide, add, _out, _loss = line(d, "Input", lin(8), "Add", lin(1), "MSELoss")
    narrow = d.add("Linear", out_features=4)
    d.connect(x, narrow)
    d.connect(narrow, add)
    return Case(d, "error", (add,), (add,), "8 and 4")


@case("shape-mismatch/classes")
def _class_mismatch(tmp_path):
    d = ge.Diagram()
    _x, out, loss = line(d, "Input", lin(3), "CrossEntropyLoss")
    d.dataset = "circle"
    return Case(d, "error", (loss, out), (loss,), "out_features to 2")


@case("shape-mismatch/prelu")
def _prelu_mismatch(tmp_path):
    d = ge.Diagram()
    ids = line(d, "Input", lin(8), ("PReLU", {"num_parameters": 3}), lin(1), "MSELoss")
    return Case(d, "error", (ids[2],), (ids[2],), "num_parameters")


@case("dataset-features")
def _dataset_features(tmp_path):
    d = ge.Diagram()
    x, *_ = line(d, ("Input", {"features": 3}), lin(2), "CrossEntropyLoss")
    d.dataset = "circle"
    return Case(d, "error", (x,), (x,), "set features to 2")


@case("binary-loss-outputs")
def _binary_outputs(tmp_path):
    d = ge.Diagram()
    *_, loss = line(d, "Input", lin(2), "Sigmoid", "BCELoss")
    return Case(d, "error", (loss,), (loss,), "receives 2 outputs")


@case("loss-target/regression-data")
def _class_loss_on_regression(tmp_path):
    d = ge.Diagram()
    *_, loss = line(d, "Input", lin(1), "CrossEntropyLoss")
    d.dataset = "reg-plane"
    return Case(d, "error", (loss,), (loss,), "regression data set")


@case("label-form/cross-entropy")
def _class_index_loss_on_signed_labels(tmp_path):
    d = ge.Diagram()
    *_, loss = line(d, "Input", lin(2), "CrossEntropyLoss")
    d.dataset = ge.DatasetSpec("circle", labels="signed")
    return Case(d, "error", (loss,), (loss,), "−1 and +1")


@case("label-form/bce")
def _binary_loss_on_signed_labels(tmp_path):
    d = ge.Diagram()
    *_, loss = line(d, "Input", lin(1), "Sigmoid", "BCELoss")
    d.dataset = ge.DatasetSpec("circle", labels="signed")
    return Case(d, "error", (loss,), (loss,), "0/1 labels")


@case("loss-target/three-classes")
def _binary_loss_on_three_classes(tmp_path):
    d = ge.Diagram()
    *_, loss = line(d, "Input", lin(1), "Sigmoid", "BCELoss")
    d.dataset = "blobs"
    return Case(d, "error", (loss,), (loss,), "has 3")


@case("ambiguous-output")
def _ambiguous(tmp_path):
    d = ge.Diagram()
    x, first = line(d, "Input", lin(1))
    second = d.add("Linear")
    d.connect(x, second)
    return Case(d, "error", (first, second), (first, second))


@case("dataset/missing-csv")
def _missing_csv(tmp_path):
    d = ge.Diagram()
    line(d, "Input", lin(2), "CrossEntropyLoss")
    d.dataset = DatasetSpec("csv", csv=CsvSource(str(tmp_path / "gone.csv")))
    return Case(d, "error", words="gone.csv")


@case("dataset/ragged-csv")
def _ragged_csv(tmp_path):
    path = tmp_path / "ragged.csv"
    path.write_text("a,b,label\n1,2,0\n3,4\n5,6,1\n")
    d = ge.Diagram()
    line(d, "Input", lin(2), "CrossEntropyLoss")
    d.dataset = DatasetSpec("csv", csv=CsvSource(str(path)))
    return Case(d, "error", words="line 3")


@case("dataset/csv-line-numbers")
def _csv_line_numbers(tmp_path):
    path = tmp_path / "gaps.csv"  # blank lines still count: the message names the file's line
    path.write_text("a,b,label\n\n1,2,0\n\n3,4,1\n5,x,1\n")
    d = ge.Diagram()
    line(d, "Input", lin(2), "CrossEntropyLoss")
    d.dataset = DatasetSpec("csv", csv=CsvSource(str(path)))
    return Case(d, "error", words="line 6, column 'b': 'x' is not a number")


# ------------------------------------------------------------ what training needs

@case("batch-too-small")
def _batch_of_one(tmp_path):
    d = ge.Diagram()
    _, _, norm, _ = line(d, ("Input", {"features": 2}), lin(4), "BatchNorm1d", "MSELoss")
    d.training = d.training.with_(batch_size=1)
    return Case(d, "error", (norm,), (norm,), words="batch size is 1")


@case("too-large")
def _too_large(tmp_path):
    d = ge.Diagram()
    ids = line(d, ("Input", {"features": 2}), lin(4096), lin(4096), *[lin(4096)] * 18,
               lin(1), "MSELoss")
    return Case(d, "error", (ids[2],), (ids[2],), words="the limit is 4 GB")


@case("internal/broken-check")
def _broken_analysis(tmp_path):
    d = ge.Diagram()
    line(d, "Input", lin(1), "MSELoss")
    return Case(d, "error", words="failed", run=lambda: ge.validate(d, analysis=object()))


@case("internal/not-a-diagram")
def _not_a_diagram(tmp_path):
    return Case(None, "error", words="could not be analysed", run=lambda: ge.validate(None))


# ------------------------------------------------------------ teaching lints

@case("softmax-before-cross-entropy")
def _softmax_ce(tmp_path):
    d = ge.Diagram()
    *_, softmax, loss = line(d, "Input", lin(3), "Softmax", "CrossEntropyLoss")
    return Case(d, "warning", (softmax, loss), (softmax, loss),
                "CrossEntropyLoss expects raw logits; it applies log-softmax itself")


@case("softmax-before-cross-entropy/log-softmax")
def _log_softmax_ce(tmp_path):
    d = ge.Diagram()
    *_, log_softmax, _dropout, loss = line(d, "Input", lin(3), "LogSoftmax", "Dropout",
                                           "CrossEntropyLoss")
    return Case(d, "warning", (log_softmax, loss), (log_softmax, loss), "applies log-softmax")


@case("softmax-before-cross-entropy/multi-margin")
def _softmax_hinge(tmp_path):
    """Any loss that declares it takes raw scores, not only CrossEntropyLoss."""
    d = ge.Diagram()
    *_, softmax, loss = line(d, "Input", lin(3), "Softmax", "MultiMarginLoss")
    return Case(d, "warning", (softmax, loss), (softmax, loss),
                "MultiMarginLoss expects raw logits; it compares the scores themselves, "
                "not probabilities")


@case("stacked-linear")
def _stacked(tmp_path):
    d = ge.Diagram()
    _x, _hidden, _relu, first, second, _loss = line(d, "Input", lin(4), "ReLU", lin(4), lin(3),
                                                  "CrossEntropyLoss")
    return Case(d, "warning", (first, second), (first, second))


@case("stacked-linear/through-dropout")
def _stacked_dropout(tmp_path):
    d = ge.Diagram()
    _x, _hidden, _relu, first, _drop, second, _loss = line(
        d, "Input", lin(4), "ReLU", lin(4), "Dropout", lin(3), "CrossEntropyLoss")
    return Case(d, "warning", (first, second), (first, second))


def test_one_mistake_one_warning():
    """Linear into Linear with no activation anywhere: the network-wide warning alone."""
    d = ge.Diagram()
    line(d, "Input", lin(4), lin(3), "CrossEntropyLoss")
    codes = [p.code for p in ge.validate(d)]
    assert "no-nonlinearity" in codes and "stacked-linear" not in codes


def _before_cross_entropy(activation: str, words: str):
    def build(tmp_path):
        d = ge.Diagram()
        *_, bounded, loss = line(d, "Input", lin(2), activation, "CrossEntropyLoss")
        return Case(d, "warning", (bounded, loss), (bounded, loss), words)
    return build


case("activation-before-cross-entropy")(_before_cross_entropy("ReLU", "cannot be negative"))
case("activation-before-cross-entropy/sigmoid")(
    _before_cross_entropy("Sigmoid", "squeezed into (0, 1)"))


@case("sigmoid-before-bce-with-logits")
def _sigmoid_bce_logits(tmp_path):
    d = ge.Diagram()
    *_, sigmoid, loss = line(d, "Input", lin(1), "Sigmoid", "BCEWithLogitsLoss")
    return Case(d, "warning", (sigmoid, loss), (sigmoid, loss), "twice")


@case("bce-without-sigmoid")
def _bce_no_sigmoid(tmp_path):
    d = ge.Diagram()
    _x, out, loss = line(d, "Input", lin(1), "BCELoss")
    return Case(d, "warning", (out, loss), (out, loss), "Add a Sigmoid")


@case("nll-without-log-softmax")
def _nll(tmp_path):
    d = ge.Diagram()
    _x, out, loss = line(d, "Input", lin(3), "NLLLoss")
    return Case(d, "warning", (out, loss), (out, loss), "log-probabilities")


@case("bounded-regression-output")
def _bounded(tmp_path):
    d = ge.Diagram()
    *_, sigmoid, loss = line(d, "Input", lin(1), "Sigmoid", "MSELoss")
    d.dataset = "reg-plane"
    return Case(d, "warning", (sigmoid, loss), (sigmoid, loss), "(0, 1)")


@case("bounded-regression-output/relu")
def _bounded_relu(tmp_path):
    d = ge.Diagram()
    *_, relu, loss = line(d, "Input", lin(1), "ReLU", "HuberLoss")
    d.dataset = "sine"  # targets below zero: polynomial's are all above it, a ReLU reaches them
    d.set_params(d.blocks[0].id, features=1)
    return Case(d, "warning", (relu, loss), (relu, loss), "below zero")


@case("mse-on-classification")
def _mse_classes(tmp_path):
    d = ge.Diagram()
    *_, loss = line(d, "Input", lin(2), "MSELoss")
    d.dataset = "circle"
    return Case(d, "warning", (loss,), (loss,), "CrossEntropyLoss")


@case("softmax-dim")
def _softmax_dim(tmp_path):
    d = ge.Diagram()
    *_, softmax = line(d, "Input", lin(3), ("Softmax", {"dim": 0}))
    return Case(d, "warning", (softmax,), (softmax,), "dim=1")


@case("no-nonlinearity")
def _no_nonlinearity(tmp_path):
    d = ge.Diagram()
    _x, first, _norm, second, _loss = line(d, "Input", lin(4), "BatchNorm1d", lin(3),
                                        "CrossEntropyLoss")
    return Case(d, "warning", (first, second), words="2 Linear layers")


@case("step-activation")
def _step(tmp_path):
    d = ge.Diagram()
    *_, step, _out, _loss = line(d, "Input", lin(1), "Step", lin(1), "MSELoss")
    return Case(d, "warning", (step,), (step,), "gradient is zero")


@case("deep-saturating-stack")
def _deep_saturating(tmp_path):
    d = ge.Diagram()
    ids = line(d, "Input", lin(4), "Tanh", lin(4), "Sigmoid", lin(4), "Tanh", lin(4),
               "Sigmoid", lin(2), "CrossEntropyLoss")
    squashers = tuple(i for i in ids if d.block(i).type in ("Tanh", "Sigmoid"))
    return Case(d, "warning", squashers, words="4 Sigmoid/Tanh")


def _history(*losses):
    return [{"epoch": i + 1, "train_loss": v} for i, v in enumerate(losses)]


@case("diverging-loss")
def _diverging(tmp_path):
    return Case(None, "warning", words="learning rate",
                run=lambda: lints.training_lints(_history(0.7, 3.0, 40.0)))


@case("diverging-loss/nan")
def _diverging_nan(tmp_path):
    return Case(None, "warning", run=lambda: lints.training_lints(_history(0.7, float("nan"))))


@case("diverging-loss/climbing")
def _diverging_climbing(tmp_path):
    # never ten times its best, but well above where it started for three epochs
    return Case(None, "warning", words="growing instead of falling",
                run=lambda: lints.training_lints(_history(0.7, 0.9, 1.2, 1.5, 2.0)))


def test_a_spike_that_falls_back_is_no_growing_loss():
    """One noisy epoch late in a long run (spiral, 5,000 samples) while the loss sits
    near its floor: no warning."""
    losses = [0.7, 0.3, 0.05, 0.02] + [0.01] * 30 + [0.9] + [0.01] * 5
    assert lints.training_lints(_history(*losses)) == []
    assert lints.training_lints(_history(0.7, 0.3, 0.05, 0.9, 0.2, 0.1)) == []


def test_a_stalled_loss_explained_by_a_warning_gets_no_learning_rate_hint():
    flat = _history(*[0.69] * 25)
    assert [d.code for d in lints.training_lints(flat)] == ["stalled-loss"]
    assert lints.training_lints(flat, explained=True) == []


def _classifier(**training) -> ge.Diagram:
    d = ge.Diagram()
    line(d, ("Input", {"features": 2}), lin(8), "ReLU", lin(2), "CrossEntropyLoss")
    d.dataset = DatasetSpec("circle", samples=200)
    d.training = d.training.with_(optimizer="sgd", **training)
    return d


def _lints_of_a_run(d: ge.Diagram) -> list:
    run = ge.train(d)
    return lints.training_lints(run.history, diverged=run.stopped is not None)


@case("diverging-loss/diverged")
def _diverging_run(tmp_path):
    # learning rate 1e6: NaN in the first epoch, so the history holds no row at all
    return Case(None, "warning", words="infinite or NaN",
                run=lambda: _lints_of_a_run(_classifier(lr=1e6, epochs=20)))


@case("stalled-loss")
def _stalled(tmp_path):
    return Case(None, "hint", words="hardly moved",
                run=lambda: lints.training_lints(_history(*[0.69] * 25)))


# ------------------------------------------------------------ the checks over CASES

def rename_all(d: ge.Diagram) -> None:
    """Give every block a name unlike its id and type, so the messages must use names."""
    for index, block in enumerate(d.blocks):
        d.rename(block.id, f"Box {chr(ord('A') + index)}")


@pytest.mark.parametrize("key", sorted(CASES))
def test_diagnostic(key, tmp_path):
    code = key.split("/")[0]
    c = CASES[key](tmp_path)
    if c.diagram is not None:
        rename_all(c.diagram)
    found = [p for p in c.diagnostics() if p.code == code]
    matching = [p for p in found if set(p.block_ids) == set(c.block_ids)]
    assert matching, f"no {code} diagnostic on {c.block_ids}: {found}"
    problem = matching[0]
    assert problem.severity == c.severity
    assert c.words in problem.message
    for block_id in c.named:
        assert c.diagram.block(block_id).name in problem.message
        assert block_id not in problem.message


def codes_in_source() -> set[str]:
    pattern = re.compile(r'Diagnostic\(\s*(?:ERROR|WARNING|HINT),\s*"([a-z0-9-]+)"')
    text = "".join((ENGINE / name).read_text() for name in ("validation.py", "lints.py"))
    return set(pattern.findall(text))


def test_every_code_in_the_source_has_a_case():
    codes = codes_in_source()
    assert len(codes) >= 30
    assert {key.split("/")[0] for key in CASES} == codes


def test_every_lint_code_is_what_its_check_emits():
    assert {lint.code for lint in lints.LINTS} <= set(CASES)
    for lint in lints.LINTS:
        assert f'"{lint.code}"' in (ENGINE / "lints.py").read_text()


def test_transparent_blocks_do_not_hide_a_sigmoid():
    d = ge.Diagram()
    line(d, "Input", lin(1), "Sigmoid", "Dropout", "Identity", "BCELoss")
    assert "bce-without-sigmoid" not in {p.code for p in ge.validate(d)}


def test_training_lints_are_quiet_on_a_falling_loss():
    assert lints.training_lints(_history(*[1 / (i + 1) for i in range(30)])) == []
    assert lints.training_lints([]) == []
    bumpy = [0.69, 0.6, 0.66, 0.5, 0.55, 0.4, 0.45, 0.3, 0.01, 0.09, 0.02, 0.05, 0.01]
    assert lints.training_lints(_history(*bumpy)) == []  # noise near zero is no spike


def test_training_lints_are_quiet_on_a_real_run_that_learns():
    assert _lints_of_a_run(_classifier(lr=0.3, epochs=30)) == []


def test_a_run_that_diverged_is_reported_even_with_an_empty_history():
    run = ge.train(_classifier(lr=1e6, epochs=20))
    assert run.stopped and run.history == []
    assert lints.training_lints(run.history) == []  # the history alone cannot tell
    [lint] = lints.training_lints(run.history, diverged=True)
    assert lint.code == "diverging-loss" and "Divide it by 10" in lint.message


# ------------------------------------------------------------ valid diagrams

def valid_networks() -> list[ge.Diagram]:
    classifier = ge.Diagram()
    line(classifier, "Input", lin(8), "ReLU", lin(2), "CrossEntropyLoss")
    classifier.dataset = "circle"
    binary = ge.Diagram()
    line(binary, "Input", lin(10), "ReLU", lin(1), "Sigmoid", "BCELoss")
    binary.dataset = "blobs-binary"
    regression = ge.Diagram()
    _x, *_ = line(regression, ("Input", {"features": 1}), lin(16), "Tanh", lin(1), "MSELoss")
    regression.dataset = "polynomial"
    digits = ge.Diagram()
    *_, loss = line(digits, ("Input", {"features": 64}), lin(32), "ReLU", lin(10),
                    "LogSoftmax", "NLLLoss")
    target = digits.add("Target")
    digits.connect(target, loss)
    digits.dataset = "digits"
    return [classifier, binary, regression, digits]


@pytest.mark.parametrize("index", range(4))
def test_valid_networks_have_no_diagnostics(index):
    assert ge.validate(valid_networks()[index]) == []


def test_errors_come_first():
    d = ge.Diagram()
    line(d, "Input", lin(4), lin(3), "Softmax", "CrossEntropyLoss")
    d.add("Linear")
    severities = [p.severity for p in ge.validate(d)]
    assert severities == sorted(severities, key=["error", "warning", "hint"].index)
    assert severities[0] == "error" and "warning" in severities


def test_diagram_error_lists_the_errors():
    d = ge.Diagram()
    line(d, "Input", lin(3), "CrossEntropyLoss")
    d.dataset = "circle"
    with pytest.raises(ge.DiagramError) as caught:
        ge.compile(d)
    assert "shape-mismatch" in str(caught.value)
    assert all(isinstance(p, ge.Diagnostic) for p in caught.value.diagnostics)


# ------------------------------------------------------------ shapes

def test_features_on_every_wire():
    d = ge.Diagram()
    x, hidden, relu, cat, out, loss = line(d, "Input", lin(8), "ReLU", "Concat", lin(1),
                                           "MSELoss")
    side = d.add("Linear", out_features=3)
    d.connect(x, side)
    d.connect(side, cat)
    result = analysis.analyze(d)
    expected = {x: 2, hidden: 8, relu: 8, side: 3, cat: 11, out: 1, loss: 1}
    assert result.features == expected
    for wire in d.wires:
        assert analysis.wire_features(result, wire) == expected[wire.src]


def test_unknown_sizes_stay_unknown():
    d = ge.Diagram()
    x, _wide, add, after = line(d, "Input", lin(8), "Add", "ReLU")
    narrow, orphan = d.add("Linear", out_features=4), d.add("Tanh")
    d.connect(x, narrow)
    d.connect(narrow, add)
    features = analysis.analyze(d).features
    assert features[add] is None and features[after] is None
    assert features[orphan] is None


def test_target_carries_the_data_sets_outputs():
    d = valid_networks()[3]
    target = next(b.id for b in d.blocks if b.type == "Target")
    assert analysis.analyze(d).features[target] == 10


# ------------------------------------------------------------ robustness

FORMULAS = ("x * sigmoid(x)", "where(x > 0, x, a * x)", "log(x)", "x ** 2 - b")


def random_value(rng: random.Random, spec):
    if spec.kind == INT:
        return rng.randint(int(spec.minimum or 0), int(min(spec.maximum or 6, 6)))
    if spec.kind == FLOAT:
        return rng.uniform(spec.minimum or 0.0, min(spec.maximum or 1.0, 2.0) * 0.99)
    if spec.kind == BOOL:
        return rng.random() < 0.5
    if spec.kind == CHOICE:
        return rng.choice(spec.choices)
    if spec.kind == WEIGHTS:  # may lie outside a small layer: a shape error to report
        return [[rng.randint(0, 3), rng.randint(0, 3), rng.uniform(-1, 1)]]
    assert spec.kind == FORMULA
    return rng.choice(FORMULAS)


def random_block(d: ge.Diagram, rng: random.Random, types: list[str]) -> str:
    spec = ge.REGISTRY.get(rng.choice(types))
    return d.add(spec.name, **{p.name: random_value(rng, p) for p in spec.params
                               if rng.random() < 0.5})


def plausible_chain(d: ge.Diagram, rng: random.Random) -> None:
    """Input, a few middle blocks and maybe a loss, wired where the rules allow."""
    middle = [s.name for s in ge.REGISTRY if s.role in ("layer", "activation", "merge")]
    losses = [s.name for s in ge.REGISTRY if s.is_loss] + ["Output"]
    ids = [d.add("Input", features=rng.randint(1, 4))]
    ids += [random_block(d, rng, middle) for _ in range(rng.randint(1, 5))]
    if rng.random() < 0.7:
        ids.append(random_block(d, rng, losses))
    for src, dst in pairwise(ids):
        try:
            d.connect(src, dst)
        except ge.WireError:
            pass


def random_diagram(rng: random.Random) -> ge.Diagram:
    d = ge.Diagram()
    tidy = rng.random() < 0.5
    if tidy:
        plausible_chain(d, rng)
    for _ in range(rng.randint(0, 1 if tidy else 8)):
        random_block(d, rng, ge.REGISTRY.names())
    blocks = d.blocks
    for _ in range(rng.randint(0, 1 if tidy else 10) if blocks else 0):
        src, dst = rng.choice(blocks), rng.choice(blocks)
        if src.spec.outputs and dst.spec.inputs:
            wire = Wire(src.id, rng.choice(src.spec.outputs).name, dst.id,
                        rng.choice(dst.spec.inputs).name)
            if wire not in d.wires:
                d.insert_wire(wire)
    if not tidy or rng.random() < 0.3:
        d.dataset = rng.choice([None, *ge.datasets.names()])
    return d


def test_validate_never_raises_on_random_diagrams():
    rng = random.Random(1234)
    for _ in range(400):
        d = random_diagram(rng)
        problems = ge.validate(d)
        assert all(isinstance(p, ge.Diagnostic) for p in problems)
        assert {p.severity for p in problems} <= {"error", "warning", "hint"}
        assert "internal" not in {p.code for p in problems}, (d, problems)


def test_random_diagrams_without_errors_compile_and_run():
    import torch

    rng = random.Random(99)
    compiled = 0
    for _ in range(400):
        d = random_diagram(rng)
        if any(p.is_error for p in ge.validate(d)) or not d.blocks:
            continue
        net = ge.compile(d, seed=0)
        features = next(b.params["features"] for b in d.blocks if b.type == "Input")
        with torch.no_grad():
            out = net.model.eval()(torch.randn(4, features))
        assert out.shape[0] == 4
        ge.to_python(d)
        compiled += 1
    assert compiled >= 40


def test_two_loops_in_one_knot_are_reported():
    """Two loops joined into one knot: the second loop is no reason to crash."""
    d = ge.Diagram()
    x = d.add("Input")
    a, b, c, e = (d.add("Add") for _ in range(4))
    d.connect(x, a)
    for src, dst in ((a, b), (b, a), (b, c), (c, e), (e, c), (e, a)):
        d.insert_wire(Wire(src, "output", dst, "input"))
    codes = {p.code for p in ge.validate(d)}
    assert "cycle" in codes and "internal" not in codes
    assert analysis.analyze(d).order == [x]


def test_a_loop_of_pass_through_blocks_before_a_loss_terminates():
    """Lints walk upstream through Identity and Dropout; a loop of them must end."""
    d = ge.Diagram()
    first, second, _loss = line(d, "Identity", "Dropout", "BCELoss")
    d.insert_wire(Wire(second, "output", first, "input"))
    d.add("Input")
    codes = {p.code for p in ge.validate(d)}
    assert "cycle" in codes and "internal" not in codes
