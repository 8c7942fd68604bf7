"""``train --init-weights`` and the history in ``train --json``; negative numbers
after ``trace --x``: the command line as a teacher replaying a run would use it."""

from __future__ import annotations

import json

import pytest
from commands import good_diagram, run_cli

import graph_engine as ge
from graph_engine.build.weights import save_weights


@pytest.fixture
def net_file(tmp_path):
    path = tmp_path / "net.json"
    ge.save(good_diagram(), path)
    return path


def test_json_has_one_history_row_per_epoch_equal_to_the_run(net_file):
    result = run_cli("train", net_file, "--epochs", "3", "--seed", "4", "--json")
    assert result.returncode == 0, result.stderr
    history = json.loads(result.stdout)["history"]
    run = ge.train(ge.load(net_file), epochs=3, seed=4)
    assert history == [{key: row[key] for key in history[0]} for row in run.history]
    assert [row["epoch"] for row in history] == [1, 2, 3]
    assert list(history[0]) == ["epoch", "train_loss", "test_loss", "train_accuracy",
                                "test_accuracy"]


def test_init_weights_start_the_run(net_file, tmp_path):
    start = ge.compile(ge.load(net_file), seed=11)
    weights = tmp_path / "start.safetensors"
    save_weights(start.model, weights)
    result = run_cli("train", net_file, "--epochs", "2", "--init-weights", weights, "--json")
    assert result.returncode == 0, result.stderr
    expected = ge.train(ge.load(net_file), epochs=2, weights=start.model.state_dict())
    assert json.loads(result.stdout)["history"][-1]["test_loss"] == \
        expected.history[-1]["test_loss"]
    default = ge.train(ge.load(net_file), epochs=2)
    assert default.history[-1]["test_loss"] != expected.history[-1]["test_loss"]


def test_init_weights_of_another_shape_are_refused_before_training(net_file, tmp_path):
    other = good_diagram()
    hidden = next(b.id for b in other.blocks if b.type == "Linear")
    other.set_params(hidden, out_features=7)
    weights = tmp_path / "other.safetensors"
    save_weights(ge.compile(other).model, weights)
    result = run_cli("train", net_file, "--init-weights", weights, "--json")
    assert result.returncode == 2 and result.stdout == ""
    assert "in the file but (6, 2) in the network" in result.stderr


def test_init_weights_may_not_be_overwritten_by_the_saved_ones(net_file, tmp_path):
    weights = tmp_path / "w.safetensors"
    save_weights(ge.compile(ge.load(net_file)).model, weights)
    before = weights.read_bytes()
    result = run_cli("train", net_file, "--init-weights", weights, "--save-weights", weights)
    assert result.returncode == 2 and weights.read_bytes() == before


@pytest.mark.parametrize("args", [["--x", "-1.5,2"], ["--x=-1.5,2"], ["--x", "-.5,2"]])
def test_trace_takes_a_sample_that_starts_below_zero(net_file, args):
    result = run_cli("trace", net_file, *args, "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["x"][0][1] == 2.0


def test_a_negative_label_reaches_the_label_check_not_the_option_parser(net_file):
    result = run_cli("trace", net_file, "--x", "1,-2", "--y", "-1")
    assert result.returncode == 2
    assert "whole number from 0 to 1, not -1" in result.stderr
