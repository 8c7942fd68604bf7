"""Asking a trained network: ``python main.py predict`` and the probe the editor uses.

Every number is checked against the compiled module itself: the diagram compiled
again, the weights loaded with safetensors, the inputs standardised by the data set's
own training rows, and the output turned into probabilities with torch.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import torch
from commands import run_cli
from nets import two_layer
from safetensors.torch import load_file
from worker import Worker

import graph_engine as ge
from graph_engine.data import datasets, tabular
from graph_engine.model.fileio import dumps
from graph_engine.server import frames
from graph_engine.training.prediction import ask


@pytest.fixture(autouse=True)
def fresh_tables():
    tabular.forget_tables()
    yield
    tabular.forget_tables()


def trained(tmp_path, d: ge.Diagram, epochs: int = 15, name: str = "net"):
    """The diagram saved, trained, its weights saved; and the module with them loaded."""
    path, weights = tmp_path / f"{name}.json", tmp_path / f"{name}.safetensors"
    ge.save(d, path)
    assert run_cli("train", path, "--epochs", epochs, "--save-weights", weights).returncode == 0
    model = ge.compile(ge.load(path)).model
    model.load_state_dict(load_file(str(weights)))
    return path, weights, model.eval()


def module_output(model, x) -> torch.Tensor:
    with torch.no_grad():
        return model(torch.as_tensor(np.asarray(x, dtype=np.float32)))


def linear(features: int, outputs: int, loss: str, dataset) -> ge.Diagram:
    """Input → Linear → ``loss`` on ``dataset``: a linear model."""
    d = ge.Diagram()
    d.connect(d.add("Input", features=features), d.add("Linear", out_features=outputs))
    d.connect(d.blocks[1].id, d.add(loss))
    d.dataset = dataset
    return d


def xor_net() -> ge.Diagram:
    return two_layer("Tanh", dataset={"name": "xor", "samples": 120})[0]


def test_one_row_answers_the_modules_output_and_its_softmax(tmp_path):
    path, weights, model = trained(tmp_path, xor_net())
    result = run_cli("predict", path, "--weights", weights, "--x", "-2.5,3.25", "--json")
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    out = module_output(model, [[-2.5, 3.25]])
    assert found["output"] == pytest.approx(out[0].tolist(), abs=1e-6)
    probabilities = torch.softmax(out, dim=1)[0].tolist()
    assert list(found["probabilities"].values()) == pytest.approx(probabilities, abs=1e-6)
    assert found["class"] == int(out.argmax()) and found["x"] == [-2.5, 3.25]
    text = run_cli("predict", path, "--weights", weights, "--x", "-2.5,3.25").stdout
    assert text.startswith(f"predicted class {found['class_name']}: p(0) = ")


def test_a_table_gets_its_predictions_added(tmp_path):
    path, weights, model = trained(tmp_path, xor_net())
    rows = pd.DataFrame({"x1": [1.0, -2.0, 4.5], "x2": [1.5, 3.0, -0.5], "label": [1, 0, 0]})
    rows.to_csv(tmp_path / "new.csv", index=False)
    result = run_cli("predict", path, "--weights", weights, "--data", tmp_path / "new.csv",
                     "--out", tmp_path / "out.csv")
    assert result.returncode == 0 and "wrote 3 predictions to out.csv" in result.stdout
    out = pd.read_csv(tmp_path / "out.csv")
    assert list(out.columns) == ["x1", "x2", "label", "predicted", "p(0)", "p(1)"]
    probabilities = torch.softmax(module_output(model, rows[["x1", "x2"]].to_numpy()), dim=1)
    np.testing.assert_allclose(out[["p(0)", "p(1)"]].to_numpy(), probabilities.numpy(),
                               atol=1e-6)
    assert out["predicted"].tolist() == probabilities.argmax(dim=1).tolist()
    tabular.read_table(str(tmp_path / "out.csv"))  # what NetCanvas writes, it reads


def test_a_standardised_set_is_asked_in_its_own_units(tmp_path):
    """Iris is standardised by its training rows: the raw measurements of a training
    flower give what the module gives that flower's standardised row."""
    from sklearn.datasets import load_iris

    path, weights, model = trained(tmp_path, linear(4, 3, "CrossEntropyLoss", "iris"), 5)
    data = datasets.load("iris")
    raw = load_iris().data
    mean, std = data.inputs.shift, data.inputs.scale
    row = next(r for r in raw if np.allclose((r - mean) / std, data.x_train[0], atol=1e-5))
    found = json.loads(run_cli("predict", path, "--weights", weights, "--x",
                               ",".join(map(str, row)), "--json").stdout)
    assert found["output"] == pytest.approx(module_output(model, data.x_train[:1])[0].tolist(),
                                            abs=1e-5)
    assert found["class_name"] in ("setosa", "versicolor", "virginica")
    # the statistics are the training rows' own (the split: seed 0's permutation, as
    # every generated set is split), computed here with numpy
    train_raw = raw[np.random.default_rng(1).permutation(len(raw))[:len(data.x_train)]]
    np.testing.assert_allclose(mean, train_raw.mean(axis=0), rtol=1e-6)  # float32 rows
    np.testing.assert_allclose(std, train_raw.std(axis=0), rtol=1e-6)


def test_a_standardised_target_is_answered_in_its_units(tmp_path):
    path, weights, model = trained(tmp_path, linear(10, 1, "MSELoss", "diabetes"), 3)
    data = datasets.load("diabetes")
    raw = data.inputs.back(data.x_test[:1])[0]
    found = json.loads(run_cli("predict", path, "--weights", weights, "--x",
                               ",".join(str(float(v)) for v in raw), "--json").stdout)
    from sklearn.datasets import load_diabetes

    targets = load_diabetes().target
    scaled = float(module_output(model, data.x_test[:1])[0, 0])
    train_targets = data.outputs.back(data.y_train)[:, 0]
    assert set(np.round(train_targets, 3)) <= set(np.round(targets, 3))
    expected = scaled * train_targets.std() + train_targets.mean()
    assert found["value"] == pytest.approx([expected], rel=1e-4)


def write(tmp_path, name: str, text: str):
    (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path / name


@pytest.fixture
def table_net(tmp_path):
    """A network trained on a table with a text column (one-hot) and a text target."""
    rows = "".join(f"{i % 7},{['red', 'green', 'blue'][i % 3]},{['no', 'yes'][i % 2]}\n"
                   for i in range(30))
    write(tmp_path, "train.csv", "size,colour,answer\n" + rows)
    table = {"name": "csv", "csv": {"path": str(tmp_path / "train.csv"), "target": "answer"}}
    return trained(tmp_path, linear(4, 2, "CrossEntropyLoss", table), epochs=3)


def test_a_tables_text_column_is_encoded_as_training_encoded_it(tmp_path, table_net):
    path, weights, model = table_net
    write(tmp_path, "new.csv", "colour,size,answer\nblue,3,yes\nred,0,\n")
    assert run_cli("predict", path, "--weights", weights, "--data", tmp_path / "new.csv",
                   "--out", tmp_path / "out.tsv").returncode == 0
    out = pd.read_csv(tmp_path / "out.tsv", sep="\t")
    data = datasets.load(ge.load(path).dataset)
    assert data.feature_names == ("size", "colour=blue", "colour=green", "colour=red")
    raw = np.array([[3, 1, 0, 0], [0, 0, 0, 1]], dtype=np.float64)
    x = (raw - data.inputs.shift) / data.inputs.scale
    probabilities = torch.softmax(module_output(model, x), dim=1).numpy()
    np.testing.assert_allclose(out[["p(no)", "p(yes)"]].to_numpy(), probabilities, atol=1e-5)
    assert out["predicted"].tolist() == [("no", "yes")[i] for i in probabilities.argmax(1)]


@pytest.mark.parametrize("text, words", [
    ("size,answer\n1,no\n2,yes\n", "no column named 'colour': the network reads the columns "
                                   "'size', 'colour'"),
    ("size,colour,weight\n1,red,3\n2,blue,4\n", "the column 'weight' is not one the network "
                                                "reads ('size', 'colour'): leave it out"),
    ("size,colour\n1,red\n2,purple\n", "line 3, column 'colour': 'purple' is not one of the "
                                       "values the network was trained on ('blue', 'green', "
                                       "'red')"),
    ("size,colour\n1,red\nbig,blue\n", "line 3, column 'size': 'big' is not a number"),
    ("size,colour\n1,red\n,blue\n", "line 3, column 'size': no value"),
])
def test_a_table_that_does_not_fit_is_refused_naming_the_column(tmp_path, table_net, text,
                                                                words):
    path, weights, _ = table_net
    write(tmp_path, "bad.csv", text)
    result = run_cli("predict", path, "--weights", weights, "--data", tmp_path / "bad.csv",
                     "--out", tmp_path / "out.csv")
    assert result.returncode == 2 and words in result.stderr, result.stderr
    assert not (tmp_path / "out.csv").exists()


def test_text_columns_are_asked_about_with_a_table(tmp_path, table_net):
    path, weights, _ = table_net
    result = run_cli("predict", path, "--weights", weights, "--x", "1,2")
    assert result.returncode == 2 and "text columns ('colour'): ask with a table" in \
        result.stderr


@pytest.mark.parametrize("extra, words", [
    (["--x", "1,2,3"], "--x: the network takes 2 inputs per row ('x1', 'x2')"),
    (["--x", "1,a"], "--x takes numbers separated by commas"),
    (["--x", "1,inf"], "every input must be a finite number"),
    (["--data", "new.csv"], "--data needs --out"),
    (["--x", "1,2", "--out", "o.csv"], "--out goes with --data"),
    (["--data", "net.json", "--out", "net.json"], "is the input file"),
    (["--data", "new.csv", "--out", "net.safetensors"], "is the input file"),
])
def test_bad_arguments_exit_2_with_one_line(tmp_path, extra, words):
    path, weights, _ = trained(tmp_path, xor_net(), epochs=1)
    write(tmp_path, "new.csv", "x1,x2\n1,2\n3,4\n")
    args = [tmp_path / a if a.endswith((".csv", ".json", ".safetensors")) else a
            for a in extra]
    result = run_cli("predict", path, "--weights", weights, *args)
    assert result.returncode == 2 and words in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


def test_weights_of_another_network_exit_2_and_a_diagram_with_errors_exits_1(tmp_path):
    _, weights, _ = trained(tmp_path, xor_net(), epochs=1)
    wider, _ = two_layer("Tanh", dataset="xor", hidden=3)
    ge.save(wider, tmp_path / "wider.json")
    result = run_cli("predict", tmp_path / "wider.json", "--weights", weights, "--x", "1,2")
    assert result.returncode == 2 and "the layer sizes differ" in result.stderr
    broken, ids = two_layer("Tanh", dataset="xor")
    broken.set_params(ids["input"], features=3)  # the data set has two
    ge.save(broken, tmp_path / "broken.json")
    result = run_cli("predict", tmp_path / "broken.json", "--weights", weights, "--x", "1,2")
    assert result.returncode == 1 and "[dataset-features]" in result.stderr


def test_the_editors_probe_answers_as_the_command_line(tmp_path):
    """The training process's "predict" probe: the run's weights, the same numbers."""
    d = xor_net()
    worker = Worker()
    worker.command(cmd="prepare", diagram=dumps(d), settings=d.training.to_dict(), run=1)
    worker.command(cmd="run", epochs=5)
    worker.train()
    worker.command(cmd="probes", probes={"ask": {"fn": "predict",
                                                 "args": {"rows": [[1.0, -2.0]]}}})
    result = worker.of_type("probes")[-1]["results"]["ask"]
    trainer = worker.server.trainer
    assert result == ask(trainer.net, trainer.data, [[1.0, -2.0]])
    out = module_output(trainer.model.eval(), [[1.0, -2.0]])
    assert result["rows"][0]["output"] == pytest.approx(out[0].tolist(), abs=1e-6)


def test_the_training_process_writes_a_table_of_predictions(tmp_path):
    d = xor_net()
    worker = Worker()
    worker.command(cmd="prepare", diagram=dumps(d), settings=d.training.to_dict(), run=1)
    write(tmp_path, "new.csv", "x1,x2\n1,2\n-3,4\n")
    worker.command(cmd="predict_table", path=str(tmp_path / "new.csv"),
                   out=str(tmp_path / "out.parquet"))
    reply = worker.of_type("file")[-1]
    assert reply["ok"] and "Wrote 2 predictions (the weights of epoch 0)" in reply["message"]
    out = pd.read_parquet(tmp_path / "out.parquet")
    expected = torch.softmax(module_output(worker.server.trainer.model.eval(),
                                           [[1, 2], [-3, 4]]), dim=1).numpy()
    np.testing.assert_allclose(out[["p(0)", "p(1)"]].to_numpy(), expected, atol=1e-6)
    worker.command(cmd="predict_table", path=str(tmp_path / "gone.csv"),
                   out=str(tmp_path / "o.csv"))
    assert not worker.of_type("file")[-1]["ok"]
    assert frames  # the replies above travelled as frames
