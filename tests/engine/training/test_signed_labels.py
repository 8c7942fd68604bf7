"""Labels −1/+1: a binary data set can present its classes as Playground does,
so one Tanh output trains with MSELoss; the rule follows the data set's label
form, and accuracy, probabilities and the confusion matrix read the sign."""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pytest
import torch

import graph_engine as ge
from graph_engine.data import datasets
from graph_engine.model.fileio import dumps, loads
from graph_engine.training import probes
from graph_engine.training.trainer import Trainer

SIGNED = ge.DatasetSpec("circle", labels="signed")


def playground(dataset=SIGNED, head: tuple[str, ...] = ("Tanh", "MSELoss"),
               outputs: int = 1) -> ge.Diagram:
    d = ge.Diagram()
    ids = [d.add("Input", features=2), d.add("Linear", out_features=4), d.add("Tanh"),
           d.add("Linear", out_features=outputs), *(d.add(t) for t in head)]
    for src, dst in pairwise(ids):
        d.connect(src, dst)
    d.dataset = dataset
    return d


def codes(d: ge.Diagram) -> set[str]:
    return {p.code for p in ge.validate(d)}


def test_one_tanh_output_with_mse_is_accepted_on_signed_labels():
    assert codes(playground()) == set()


def test_with_class_indices_the_same_network_is_refused_and_told_of_the_option():
    problems = [p for p in ge.validate(playground(dataset="circle"))
                if p.code == "shape-mismatch"]
    assert problems and "labels to 'signed'" in problems[0].message


@pytest.mark.parametrize(("head", "outputs"), [(("CrossEntropyLoss",), 2),
                                               (("BCEWithLogitsLoss",), 1),
                                               (("Sigmoid", "BCELoss"), 1)])
def test_losses_that_read_indices_or_0_1_are_refused_on_signed_labels(head, outputs):
    problems = [p for p in ge.validate(playground(head=head, outputs=outputs))
                if p.code == "label-form"]
    assert problems and "−1 and +1" in problems[0].message


@pytest.mark.parametrize("name", ["blobs", "reg-plane", "digits"])
def test_signed_labels_need_two_classes(name):
    d = playground(dataset=ge.DatasetSpec(name, labels="signed"))
    problems = [p for p in ge.validate(d) if p.code == "dataset"]
    assert problems and "two classes" in problems[0].message
    with pytest.raises(datasets.DatasetError, match="two classes"):
        datasets.load(d.dataset)


def test_an_unknown_label_form_is_refused():
    with pytest.raises(ValueError, match="labels"):
        ge.DatasetSpec("circle", labels="plus-minus")


def test_the_option_is_saved_and_files_without_it_read_as_before():
    d = playground()
    again = loads(dumps(d))
    assert again.dataset.labels == "signed" and again.dataset == d.dataset
    assert "labels" not in ge.DatasetSpec("circle").to_dict()
    d.dataset = "circle"
    assert '"labels"' not in dumps(d)
    assert loads(dumps(d)).dataset.labels == "index"


def trained(epochs: int = 30) -> Trainer:
    d = playground()
    trainer = Trainer(ge.compile(d, seed=0), datasets.load(d.dataset), d.training,
                      track_gradients=False)
    torch.set_num_threads(1)
    trainer.train(epochs)
    return trainer


def test_the_loss_sees_minus_one_and_plus_one_and_accuracy_reads_the_sign():
    trainer = trained()
    y = trainer.tensors.y_train
    assert y.shape == (len(trainer.data.y_train), 1)
    assert set(y.reshape(-1).tolist()) == {-1.0, 1.0}
    assert torch.equal(y.reshape(-1) > 0, torch.as_tensor(trainer.data.y_train == 1))
    with torch.no_grad():
        out = trainer.model.eval()(torch.as_tensor(trainer.data.x_test))
    by_sign = float(((out[:, 0] > 0).numpy() == (trainer.data.y_test == 1)).mean())
    assert trainer.history[-1]["test_accuracy"] == pytest.approx(by_sign)
    assert by_sign > 0.9


def test_plots_get_class_probabilities_and_a_confusion_matrix():
    trainer = trained(10)
    probs = trainer.measures.predict(trainer.data.x_test)
    assert probs.shape == (len(trainer.data.x_test), 2)
    assert np.all((0 <= probs) & (probs <= 1))
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-6)
    matrix = probes.confusion(trainer)["matrix"]
    assert matrix.sum() == len(trainer.data.y_test)
    correct = np.trace(matrix) / matrix.sum()
    assert correct == pytest.approx(trainer.history[-1]["test_accuracy"])
    assert probes.boundary(trainer, resolution=8)["probs"].shape == (8, 8, 2)


def test_exported_code_says_what_y_holds():
    assert "y holds the labels −1 and +1 as floats" in ge.to_python(playground())


def test_the_recorded_confusion_counts_read_the_sign_too():
    """The teaching numbers the editor's views draw agree with the accuracy."""
    from graph_engine.training import teaching

    trainer = trained(10)
    matrix = np.asarray(teaching.record(trainer)["confusion"]["test"])
    assert matrix.sum() == len(trainer.data.y_test)
    assert np.trace(matrix) / matrix.sum() == pytest.approx(
        trainer.history[-1]["test_accuracy"])
