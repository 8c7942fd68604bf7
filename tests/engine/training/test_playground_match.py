"""NetCanvas trains TensorFlow Playground's default network as Playground does.

Two references recorded from Playground's own core (fixtures/, each file says
how it was made): one run of 100 epochs (its points with their split, its
starting weights, its losses), replayed here through public options only; and
Playground's mean test accuracy over many seeds, which the shipped example
must match as a user runs it.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from paths import EXAMPLES

import graph_engine as ge

FIXTURES = Path(__file__).resolve().parent / "fixtures"
EXAMPLE = EXAMPLES / "playground-default.json"
REPLAY_TOLERANCE = 1e-5
ACCURACY_TOLERANCE = 0.06
SEEDS = 30


@pytest.fixture(scope="module")
def recorded() -> dict:
    return json.loads((FIXTURES / "playground_replay.json").read_text(encoding="utf-8"))


def points_table(recorded: dict, folder: Path) -> Path:
    """Playground's points as a table: x1, x2, the label (−1 or +1) and the split."""
    lines = [",".join(recorded["columns"])]
    lines += [f"{x!r},{y!r},{label},{part}" for x, y, label, part in recorded["points"]]
    path = folder / "playground-points.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def starting_weights(recorded: dict, names: list[str]) -> dict[str, torch.Tensor]:
    """Playground's weights by layer (weight[unit][input], bias[unit]) as a state_dict."""
    tensors = [torch.tensor(layer[key], dtype=torch.float32)
               for layer in recorded["initial_weights"] for key in ("weight", "bias")]
    return dict(zip(names, tensors, strict=True))


def test_playgrounds_run_replays_to_its_loss_at_every_epoch(recorded, tmp_path):
    """Shuffle off, Playground's points and split, its weights, lr 0.015 with MSELoss:
    MSELoss is twice Playground's ½(ŷ − y)², so half our test loss is Playground's."""
    d = ge.load(EXAMPLE)
    d.dataset = {"name": "csv", "labels": "signed", "csv": {
        "path": str(points_table(recorded, tmp_path)), "target": "label", "split": "part",
        "standardize": False}}
    weights = starting_weights(recorded, list(ge.compile(d).model.state_dict()))
    epochs = len(recorded["test_loss"])
    run = ge.train(d, epochs=epochs, optimizer="sgd", lr=recorded["learning_rate"] / 2,
                   batch_size=recorded["batch_size"], shuffle=False, weights=weights)
    ours = np.array([row["test_loss"] for row in run.history]) / 2
    np.testing.assert_allclose(ours, recorded["test_loss"], rtol=0, atol=REPLAY_TOLERANCE)
    train = np.array([row["train_loss"] for row in run.history]) / 2
    np.testing.assert_allclose(train, recorded["train_loss"], rtol=0, atol=REPLAY_TOLERANCE)


def test_the_recorded_start_is_what_init_playground_draws(recorded):
    """Playground's weights lie in (−0.5, 0.5) and its biases are 0.1, as NetCanvas's."""
    for layer in recorded["initial_weights"]:
        assert all(-0.5 <= w < 0.5 for row in layer["weight"] for w in row)
        assert layer["bias"] == [0.1] * len(layer["bias"])
    net = ge.compile(ge.load(EXAMPLE), seed=0)
    for name, tensor in net.model.state_dict().items():
        if name.endswith("bias"):
            assert torch.equal(tensor, torch.full_like(tensor, 0.1))
        else:
            assert -0.5 <= tensor.min() and tensor.max() < 0.5


def test_the_example_learns_as_fast_as_playground_over_30_seeds():
    """Mean test accuracy after 5, 10 and 25 epochs, each seed making its own data
    and weights, within 0.06 of Playground's own mean over 1,000 seeds."""
    reference = json.loads((FIXTURES / "playground_accuracy.json").read_text(encoding="utf-8"))
    epochs = reference["epochs"]
    d = ge.load(EXAMPLE)
    found = []
    for seed in range(SEEDS):
        spec = d.dataset.with_(seed=seed)
        run = ge.train(d, dataset=spec, epochs=max(epochs), seed=seed)
        found.append([run.history[e - 1]["test_accuracy"] for e in epochs])
    ours = np.mean(found, axis=0)
    playground = reference["mean_test_accuracy"]["1000 seeds"]
    np.testing.assert_allclose(ours, playground, rtol=0, atol=ACCURACY_TOLERANCE)


def test_the_example_says_why_its_learning_rate_is_halved():
    d = ge.load(EXAMPLE)
    assert (d.training.init, d.training.shuffle, d.training.lr) == ("playground", False, 0.015)
    assert "½(ŷ − y)²" in d.description and "0.03" in d.description
