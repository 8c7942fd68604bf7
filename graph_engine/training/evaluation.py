"""What a run's network gives on its data, with the weights it has now.

An :class:`Evaluator` belongs to one :class:`~.trainer.Trainer`: it measures the
losses and accuracies on the full training and test sets by torch (the trainer
asks the whole-epoch kernel first, when it may run), makes an epoch's history row
of them (RMSE and R² for a regression, each block's gradient norm when asked for),
and answers predictions for new inputs. It never changes a weight.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from ..build.compiler import CompiledNet
from ..core.epochs import EpochRow
from ..data.datasets import Dataset
from .measures import add_regression
from .metrics import accuracy, predicted_classes, probabilities


class Evaluator:
    """Losses, accuracies, gradient norms and predictions of one run's network;
    ``loss_fn`` is its loss (the network must have one), ``fast`` the run's fast
    path (None: the model's own forward and autograd)."""

    def __init__(self, net: CompiledNet, loss_fn: torch.nn.Module, data: Dataset, tensors,
                 fast, track_gradients: bool) -> None:
        self.net, self.data, self.tensors, self.fast = net, data, tensors, fast
        self.model, self.loss_fn = net.model, loss_fn
        self.track_gradients = track_gradients

    def measure(self, outputs: dict[str, torch.Tensor]) -> tuple:
        """(train loss, test loss, train accuracy, test accuracy) by torch, the
        accuracies None for a regression; each set's outputs go into ``outputs``."""
        t = self.tensors
        eager = self.fast is None  # the fast path's forward is the same in either mode
        if eager:
            self.model.eval()
        with torch.no_grad():
            train = self._measure(outputs, "train", t.x_train, t.y_train, self.data.y_train)
            test = self._measure(outputs, "test", t.x_test, t.y_test, self.data.y_test)
        if eager:
            self.model.train()
        return train[0], test[0], train[1], test[1]

    def _measure(self, outputs: dict, part: str, x: torch.Tensor, y: torch.Tensor,
                 labels) -> tuple[float, float | None]:
        """The loss on one set and, for classification, the accuracy."""
        out = self.fast.forward(x) if self.fast is not None else self.model(x)
        loss = float(self.loss_fn(out, y))
        outputs[part] = out
        if not self.data.info.is_classification:
            return loss, None
        return loss, accuracy(out, labels, self.net.loss_spec, self.data.info.signed)

    def row(self, epoch: int, outputs: dict[str, torch.Tensor], train_loss: float,
            test_loss: float, train_accuracy: float | None,
            test_accuracy: float | None) -> EpochRow:
        """The row of the epoch trained last: accuracies for classification, RMSE and
        R² of the last evaluation's ``outputs`` for regression."""
        row = EpochRow(epoch=epoch, train_loss=train_loss, test_loss=test_loss)
        if self.data.info.is_classification:
            if train_accuracy is not None and test_accuracy is not None:
                row["train_accuracy"], row["test_accuracy"] = train_accuracy, test_accuracy
        elif outputs:
            t = self.tensors
            add_regression(row, outputs, {"train": t.y_train, "test": t.y_test},
                           self.data.outputs)
        if self.track_gradients:
            row["grad_norms"] = self.gradient_norms()
        return row

    def gradient_norms(self, samples: int | None = None) -> dict[str, float]:
        """Block id -> norm of the loss gradient over that block's parameters, on
        the training set (its first ``samples``, if given)."""
        x, y = self.tensors.x_train[:samples], self.tensors.y_train[:samples]
        params = {b: list(m.parameters()) for b, m in self.net.modules.items()}
        params = {b: p for b, p in params.items() if p}
        if not params:
            return {}
        flat = [p for ps in params.values() for p in ps]
        grads = self._gradients(x, y, flat)
        present = [g for g in grads if g is not None]
        # one call for every tensor's norm; a block's norm is the root of their squares
        each = iter(torch.stack(torch._foreach_norm(present)).tolist()) if present else iter(())
        norms, index = {}, 0
        for block_id, ps in params.items():
            squares = [next(each) ** 2 for g in grads[index:index + len(ps)] if g is not None]
            index += len(ps)
            norms[block_id] = math.sqrt(sum(squares))
        return norms

    def _gradients(self, x: torch.Tensor, y: torch.Tensor, params: list) -> list:
        """d loss / d each of ``params`` on (x, y): by the fast path's backward
        pass when it covers the network (no penalty: the loss alone), else autograd."""
        fast = self.fast
        if fast is not None:
            order = {id(p): i for i, p in enumerate(fast.params())}
            if all(id(p) in order for p in params):
                grads = fast.gradients(x, y)
                return [grads[order[id(p)]] for p in params]
        with torch.enable_grad():
            loss = self.loss_fn(self.model(x), y)
            return list(torch.autograd.grad(loss, params, allow_unused=True))

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Class probabilities (classification) or values (regression)."""
        out = self._outputs(x)
        if self.data.info.is_classification:
            return probabilities(out, self.net.loss_spec, self.data.info.signed).numpy()
        return out.numpy()

    def predicted_classes(self, x: np.ndarray) -> np.ndarray:
        return predicted_classes(self._outputs(x), self.net.loss_spec,
                                 self.data.info.signed).numpy()

    def _outputs(self, x: np.ndarray) -> torch.Tensor:
        """The model's outputs for raw inputs, in eval mode (Dropout off)."""
        self.model.eval()
        with torch.no_grad():
            out = self.model(torch.as_tensor(np.asarray(x, dtype=np.float32)))
        self.model.train()
        return out
