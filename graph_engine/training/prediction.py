"""Asking a trained network: its prediction for new inputs, typed or in a table.

Inputs are raw feature values, as the data set's own file or generator gives them:
a standardised data set's shift and scale (from its training rows) are applied as
in training, and a table's text columns are one-hot encoded with the values training
saw. Classification answers each class's probability (read from the network's
output as its loss reads it: the softmax of logits, a sigmoid of one logit...) and
the predicted class; regression the value, in the target's own units when the data
set standardised it. ``python main.py predict``, the editor's Ask row and its
File → Predict on a Table… (in the training process) all answer through here.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
import torch

from ..build.compiler import CompiledNet
from ..core.files import write_atomic
from ..core.text import quoted
from ..data.csv_data import TARGET_NAMES, encoded
from ..data.dataset import Dataset, DatasetError
from ..data.tabular import SEPARATORS, Table, file_format, read_table
from .metrics import predicted_classes, probabilities

MAX_LISTED = 12  # column names a message lists
PREDICTED = "predicted"  # the column of the predicted class or value


@dataclass(frozen=True)
class Answer:
    """The network's answer for N rows."""

    outputs: np.ndarray  # what the compiled module returns, (N, outputs)
    classes: tuple[str, ...]  # the class names; empty for regression
    probabilities: np.ndarray | None  # (N, classes); None for regression
    predicted: np.ndarray  # (N,) class indices, or (N, targets) values

    def row(self, index: int = 0) -> dict:
        """One row as plain data (JSON): the output, and the class or the value."""
        found: dict = {"output": self.outputs[index].tolist()}
        if self.probabilities is None:
            found["value"] = self.predicted[index].tolist()
            return found
        best = int(self.predicted[index])
        return {**found, "class": best, "class_name": self.classes[best],
                "probabilities": dict(zip(self.classes, self.probabilities[index].tolist(),
                                          strict=True))}


def raw_columns(data: Dataset) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The columns a row of raw inputs has: the table's, else one number per feature."""
    return data.columns or tuple((name, ()) for name in data.feature_names)


def network_inputs(data: Dataset, raw) -> np.ndarray:
    """Raw rows (N, features) as the network's inputs; ValueError for rows of another
    width, values that are no finite numbers, or a data set with text columns."""
    columns = raw_columns(data)
    if any(values for _, values in columns):
        text = [name for name, values in columns if values]
        raise ValueError(f"the data set has text columns ({_listed(text)}): ask with a table")
    try:
        rows = np.asarray(raw, dtype=np.float64).reshape(-1, len(columns))
    except (ValueError, TypeError):
        raise ValueError(f"the network takes {len(columns)} input"
                         f"{'s' * (len(columns) != 1)} per row "
                         f"({_listed([n for n, _ in columns])})") from None
    return _scaled(data, rows)


def _scaled(data: Dataset, rows: np.ndarray) -> np.ndarray:
    if not np.isfinite(rows).all():
        raise ValueError("every input must be a finite number")
    scaled = data.inputs.forward(rows) if data.inputs is not None else rows
    return scaled.astype(np.float32)


def answer(net: CompiledNet, data: Dataset, x: np.ndarray) -> Answer:
    """The network's answer for the inputs ``x`` (as :func:`network_inputs` gives),
    in eval mode without gradients (a training module is put back as it was)."""
    model, info = net.model, data.info
    was_training = model.training
    model.eval()
    with torch.no_grad():
        out = model(torch.as_tensor(x))
    model.train(was_training)
    if not info.is_classification:
        values = out.numpy().astype(np.float64)
        values = data.outputs.back(values) if data.outputs is not None else values
        return Answer(out.numpy(), (), None, values)
    probs = probabilities(out, net.loss_spec, info.signed).numpy()
    classes = data.class_names or tuple(str(i) for i in range(probs.shape[1]))
    return Answer(out.numpy(), tuple(classes), probs,
                  predicted_classes(out, net.loss_spec, info.signed).numpy())


def ask(net: CompiledNet, data: Dataset, raw) -> dict:
    """The answer for raw rows as plain data: what the editor's Ask row shows."""
    found = answer(net, data, network_inputs(data, raw))
    return {"rows": [found.row(i) for i in range(len(found.outputs))]}


# ------------------------------------------------------------------ tables

def table_inputs(data: Dataset, table: Table) -> np.ndarray:
    """The table's rows as the network's inputs; DatasetError naming a missing or an
    extra column, or a cell of the wrong type."""
    columns = raw_columns(data)
    names = [name for name, _ in columns]
    missing = [name for name in names if name not in table.position]
    if missing:
        raise DatasetError(f"{table.path}: no column named {quoted(missing[0])}: the network "
                           f"reads the columns {_listed(names)}")
    kept = set(names) | set(data.label_columns or TARGET_NAMES)
    extra = [name for name in table.header if name not in kept]
    if extra:
        raise DatasetError(f"{table.path}: the column {quoted(extra[0])} is not one the "
                           f"network reads ({_listed(names)}): leave it out")
    return _scaled(data, encoded(table, columns))


def predict_table(net: CompiledNet, data: Dataset, path: str, out: str) -> int:
    """Write ``path``'s table to ``out`` (CSV, TSV or Parquet, by its extension) with
    the predictions added: the predicted class or value, and each class's probability
    as p(class). Atomic; returns the rows written."""
    table = read_table(path)
    found = answer(net, data, table_inputs(data, table))
    frame = table.frame.copy()
    added: dict[str, list | np.ndarray] = {PREDICTED: _predicted_column(found)}
    if found.probabilities is not None:
        added.update({f"p({name})": found.probabilities[:, i]
                      for i, name in enumerate(found.classes)})
    taken = [name for name in added if name in frame.columns]
    if taken:
        raise DatasetError(f"{path}: the table has a column {quoted(taken[0])} already: "
                           "predictions are added under that name")
    for name, values in added.items():
        frame[name] = values
    write_atomic(out, _table_bytes(frame, file_format(out)))
    return len(frame)


def _predicted_column(found: Answer) -> list:
    if found.probabilities is None:
        return found.predicted[:, 0].tolist()  # data sets have one target
    return [found.classes[int(i)] for i in found.predicted]


def _table_bytes(frame, fmt: str) -> bytes:
    if fmt in SEPARATORS:
        return frame.to_csv(index=False, sep=SEPARATORS[fmt], lineterminator="\n").encode()
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return buffer.getvalue()


def _listed(names) -> str:
    names = list(names)
    more = len(names) - MAX_LISTED
    return ", ".join(quoted(n) for n in names[:MAX_LISTED]) + \
        (f" and {more} more" if more > 0 else "")
