"""Numbers and messages: every numeric option of ``grade`` is bounded and checked
(a clear error naming it and its range, never an OverflowError); ``trace``
checks its inputs in the precision the network computes in (float32), refuses
weights that are not finite, turns a loss that refuses a NaN into a message,
and writes JSON without Infinity or NaN (null, with a note); an out-of-memory
row says "ran out of memory" whatever the allocator raised.
"""

from __future__ import annotations

import json

import pytest
import torch
from answers import solved, worker_failure, write_exercise
from commands import run_cli
from nets import in_a_row
from safetensors.torch import save_file

import graph_engine as ge
from graph_engine.build.compiler import compile as compile_diagram
from graph_engine.training.trace import TraceError

# ------------------------------------------------------------------ grade's options

@pytest.mark.parametrize(("option", "value", "words"), [
    ("--timeout", "inf", "--timeout must be more than 0 seconds, and at most 86,400"),
    ("--timeout", "1e308", "--timeout must be more than 0 seconds, and at most 86,400"),
    ("--timeout", "nan", "(got nan)"),
    ("--jobs", "1000000", "--jobs must be 1 or more, and at most 256 (got 1000000)"),
    ("--memory", str(10**15), "--memory must be at least 64 MB, and at most 1,048,576 MB"),
])
def test_a_numeric_option_out_of_its_range_is_named(tmp_path, option, value, words):
    exercise = write_exercise(tmp_path)
    ge.save(solved(), tmp_path / "s.json")
    done = run_cli("grade", exercise, tmp_path / "s.json", option, value)
    assert done.returncode == 2 and words in done.stderr, done.stderr
    assert done.stdout == ""


def test_grade_from_python_bounds_its_timeout(tmp_path):
    exercise = write_exercise(tmp_path)
    with pytest.raises(ValueError, match="timeout must be more than 0 seconds, and at most"):
        ge.grade(exercise, [tmp_path], timeout=float("inf"))


# ------------------------------------------------------------------ trace

def chain(*blocks: tuple[str, dict]) -> ge.Diagram:
    d = in_a_row(*blocks)
    d.dataset = "xor"
    return d


def sigmoid_bce() -> ge.Diagram:
    return chain(("Input", {"features": 2}), ("Linear", {"out_features": 1}), ("Sigmoid", {}),
                 ("BCELoss", {}))


def regression() -> ge.Diagram:
    d = chain(("Input", {"features": 2}), ("Linear", {"out_features": 1}), ("MSELoss", {}))
    d.dataset = "reg-plane"
    return d


def weights_file(diagram: ge.Diagram, path, value: float):
    net = compile_diagram(diagram)
    save_file({k: torch.full_like(v, value) for k, v in net.model.state_dict().items()},
              str(path))
    return path


def test_weights_that_are_not_finite_are_refused(tmp_path):
    diagram = sigmoid_bce()
    ge.save(diagram, tmp_path / "net.json")
    nan = weights_file(diagram, tmp_path / "nan.safetensors", float("nan"))
    done = run_cli("trace", tmp_path / "net.json", "--weights", nan, "--y", "1")
    assert done.returncode == 2 and "holds infinite or NaN values" in done.stderr
    assert "Traceback" not in done.stderr
    with pytest.raises(ValueError, match="infinite or NaN"):  # a WeightsError
        ge.trace(diagram, [0.5, 0.5], 1, weights={
            k: torch.full_like(v, float("inf"))
            for k, v in compile_diagram(diagram).model.state_dict().items()})


def test_a_loss_that_refuses_a_nan_is_a_message(tmp_path):
    """Finite weights, finite input: inf - inf inside the Linear, NaN into BCELoss."""
    diagram = sigmoid_bce()
    ge.save(diagram, tmp_path / "net.json")
    huge = compile_diagram(diagram).model.state_dict()
    huge = {k: torch.full_like(v, 3e38) for k, v in huge.items()}
    with pytest.raises(TraceError, match="cannot be traced through the network"):
        ge.trace(diagram, [10.0, -10.0], 1, weights=huge)
    save_file(huge, str(tmp_path / "huge.safetensors"))
    done = run_cli("trace", tmp_path / "net.json", "--x", "10,-10", "--y", "1", "--weights",
                   tmp_path / "huge.safetensors")
    assert done.returncode == 2 and "cannot be traced" in done.stderr


@pytest.mark.parametrize("x", ["1e39,0", "0,-1e39", "nan,0"])
def test_a_sample_beyond_float32_is_refused(tmp_path, x):
    ge.save(regression(), tmp_path / "net.json")
    done = run_cli("trace", tmp_path / "net.json", "--x", x, "--y", "0")
    assert done.returncode == 2 and "beyond 32-bit floats' range" in done.stderr


def test_a_label_beyond_float32_is_refused():
    with pytest.raises(TraceError, match="the label holds NaN, an infinite number or one beyond"):
        ge.trace(regression(), [0.5, 0.5], [1e39])


def strict_json(text: str):
    def refuse(name):
        raise AssertionError(f"{name} is not JSON")
    return json.loads(text, parse_constant=refuse)


def test_trace_json_writes_values_that_overflow_as_null_with_a_note(tmp_path):
    diagram = regression()
    ge.save(diagram, tmp_path / "net.json")
    weights = weights_file(diagram, tmp_path / "w.safetensors", 3e38)
    done = run_cli("trace", tmp_path / "net.json", "--x", "10,10", "--y", "0", "--weights",
                   weights, "--json")
    assert done.returncode == 0, done.stderr
    report = strict_json(done.stdout)
    assert report["loss"] is None and "written as null" in report["non_finite"]
    linear = next(b for b in report["blocks"] if b["type"] == "Linear")
    assert linear["output"] == [[None]]


def test_trace_json_of_finite_values_has_no_note(tmp_path):
    ge.save(regression(), tmp_path / "net.json")
    done = run_cli("trace", tmp_path / "net.json", "--x", "0.5,1", "--y", "0", "--json")
    report = strict_json(done.stdout)
    assert "non_finite" not in report and isinstance(report["loss"], float)


# ------------------------------------------------------------------ out of memory

def test_an_allocator_out_of_memory_reads_ran_out_of_memory():
    """torch's CPU allocator raises a RuntimeError, not MemoryError."""
    def steps(*args, **options):
        torch.empty(1 << 42)  # 16 TB: refused by the allocator
        yield

    message = worker_failure(steps)
    assert message["short"] == "out of memory"
    assert message["reason"].startswith("ran out of memory (the limit is 1 GB")
