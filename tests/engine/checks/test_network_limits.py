"""What a network needs to train, checked before training: memory and batch size.

A small file can describe a network that needs hundreds of gigabytes; a
BatchNorm1d cannot train on batches of one sample. Validation says so with
an error (codes "too-large" and "batch-too-small"), so compile, train and
the command line refuse the diagram instead of running out of memory or
failing inside torch.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

import graph_engine as ge
from graph_engine import cli
from graph_engine.checks import validation
from graph_engine.core.limits import MAX_TRAINING_MEMORY


def chain(*blocks, batch_size: int = 10, dataset=None) -> ge.Diagram:
    d = ge.Diagram()
    ids = [d.add(kind, **params) for kind, params in blocks]
    for src, dst in itertools.pairwise(ids):
        d.connect(src, dst)
    d.training = d.training.with_(batch_size=batch_size)
    if dataset is not None:
        d.dataset = dataset
    return d


def wide(layers: int, width: int = 4096, **settings) -> ge.Diagram:
    return chain(("Input", {"features": 2}),
                 *[("Linear", {"out_features": width})] * layers,
                 ("Linear", {"out_features": 1}), ("MSELoss", {}), **settings)


def problems(d: ge.Diagram, code: str) -> list:
    return [p for p in ge.validate(d) if p.code == code]


def weight_bytes(params: int) -> int:
    return params * validation.BYTES_PER_NUMBER * validation.COPIES_PER_WEIGHT


def test_a_small_file_needing_hundreds_of_gigabytes_is_refused(tmp_path):
    path = tmp_path / "huge.json"
    ge.save(wide(1000), path)
    assert path.stat().st_size < 1_000_000  # well within the file format's limits
    (problem,) = problems(ge.load(path), "too-large")
    assert problem.severity == "error"
    assert problem.message.startswith("This network needs about 250 GB of memory to train")
    assert "the limit is 4 GB" in problem.message
    assert "Linear 2 needs the most (256.2 MB)" in problem.message  # 4096 × 4096 + 4096
    assert problem.block_ids == ("linear2",)


def test_the_estimate_counts_weights_with_gradients_and_optimizer_state():
    small = chain(("Input", {"features": 3}), ("Linear", {"out_features": 5}), ("MSELoss", {}),
                  batch_size=7)
    a = validation.analyze(small)
    linear = small.block("linear1")
    assert validation._block_memory(a, linear) == weight_bytes(3 * 5 + 5) + 4 * 5 * 7
    assert validation._block_memory(a, small.block("input1")) == 4 * 3 * 7


def test_a_network_just_within_the_budget_is_accepted():
    per_layer = weight_bytes(4096 * 4096 + 4096)
    fits = MAX_TRAINING_MEMORY // per_layer  # 4096 × 4096 layers (the first has 2 inputs)
    assert problems(wide(fits + 1), "too-large") == []
    assert problems(wide(fits + 2), "too-large")


def test_activations_of_a_large_batch_count_too():
    few_weights = wide(3, width=4096, batch_size=100_000)  # 1.6 GB a block output
    (problem,) = problems(few_weights, "too-large")
    assert "a batch of 100000 samples" in problem.message
    assert problems(wide(3, width=4096, batch_size=10), "too-large") == []


def test_compile_and_the_command_line_refuse_before_allocating(tmp_path, capsys):
    with pytest.raises(ge.DiagramError) as caught:
        ge.compile(wide(1000))
    assert "too-large" in {p.code for p in caught.value.diagnostics}
    path = tmp_path / "huge.json"
    ge.save(wide(1000, dataset="reg-plane"), path)
    assert cli.main(["train", str(path), "--epochs", "1"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: This network needs about") and err.endswith("[too-large]\n")


# ------------------------------------------------------------ batch size

def batchnorm_net(batch_size: int) -> ge.Diagram:
    return chain(("Input", {"features": 2}), ("Linear", {"out_features": 4}),
                 ("BatchNorm1d", {}), ("ReLU", {}), ("Linear", {"out_features": 2}),
                 ("CrossEntropyLoss", {}), batch_size=batch_size,
                 dataset=ge.DatasetSpec("circle", samples=50))


def test_batchnorm_with_batches_of_one_is_a_validation_error():
    (problem,) = problems(batchnorm_net(1), "batch-too-small")
    assert problem.severity == "error" and problem.block_ids == ("batchnorm1d1",)
    assert problem.message == ("BatchNorm1d 1 needs at least 2 samples in each training batch, "
                               "but the batch size is 1: set the batch size to 2 or more.")
    assert problems(batchnorm_net(2), "batch-too-small") == []


def test_the_registry_declares_it_and_validation_asks_the_registry():
    needs = {spec.name: spec.min_batch for spec in ge.REGISTRY if spec.min_batch > 1}
    assert needs == {"BatchNorm1d": 2}
    assert "BatchNorm" not in Path(validation.__file__).read_text(encoding="utf-8")


def test_the_command_line_refuses_batch_size_1_with_exit_1(tmp_path, capsys):
    path = tmp_path / "bn.json"
    ge.save(batchnorm_net(10), path)
    assert cli.main(["train", str(path), "--batch-size", "1", "--epochs", "1"]) == 1
    err = capsys.readouterr().err
    assert err == ("error: BatchNorm1d 1 needs at least 2 samples in each training batch, but "
                   "the batch size is 1: set the batch size to 2 or more. [batch-too-small]\n")
    assert cli.main(["train", str(path), "--batch-size", "2", "--epochs", "1", "--json"]) == 0


def test_a_last_batch_of_one_is_left_out_for_batchnorm():
    # 25 training samples in batches of 4: the last batch would hold one sample
    run = ge.train(batchnorm_net(4), dataset=ge.DatasetSpec("circle", samples=50), epochs=2)
    assert run.stopped is None and len(run.history) == 2
