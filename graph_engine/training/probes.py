"""Probes: what the plots show about a network, computed from a Trainer.

Plain functions from a trainer (and a few arguments) to numpy arrays. The
GUI runs them in its training thread a few times a second and only draws
the results. Every probe evaluates the model in eval mode without gradients.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from ..checks.neurons import MAX_UNITS as NEURON_UNITS
from ..checks.neurons import neuron_graph
from ..data.views import OutputView, has_input_plane, image_side, output_view
from . import inspection, teaching
from .measures import regression_measures
from .trainer import Trainer


@dataclass(frozen=True)
class Grid:
    """A square grid over the input plane of a 2-D data set."""

    bounds: tuple[float, float, float, float]  # x0, x1, y0, y1
    resolution: int

    def axes(self) -> tuple[np.ndarray, np.ndarray]:
        x0, x1, y0, y1 = self.bounds
        return (np.linspace(x0, x1, self.resolution, dtype=np.float32),
                np.linspace(y0, y1, self.resolution, dtype=np.float32))

    def points(self) -> np.ndarray:
        """(resolution², 2) points, row-major with y outer: reshape to (y, x)."""
        xs, ys = self.axes()
        gx, gy = np.meshgrid(xs, ys)
        return np.stack([gx.ravel(), gy.ravel()], axis=1)


def plot_bounds(trainer: Trainer) -> tuple[float, float, float, float]:
    data = trainer.data
    if data.bounds is not None and has_input_plane(data.info):
        return data.bounds
    x = data.x_all
    low, high = x.min(axis=0), x.max(axis=0)
    pad = (high - low) * 0.1 + 1e-3
    if x.shape[1] == 1:
        return float(low[0] - pad[0]), float(high[0] + pad[0]), 0.0, 0.0
    return (float(low[0] - pad[0]), float(high[0] + pad[0]), float(low[1] - pad[1]),
            float(high[1] + pad[1]))


def boundary(trainer: Trainer, resolution: int = 100) -> dict | None:
    """What the output plot draws for this data set, or None if it has none.

    2-D classification: class probabilities on a grid, shape (R, R, classes);
    2-D regression: predicted values on a grid, (R, R);
    1-D regression: the fitted curve, xs and ys."""
    view = output_view(trainer.data.info)
    if view is OutputView.NONE:
        return None
    if view in (OutputView.IMAGES, OutputView.PROJECTION):
        return samples(trainer, view)
    if view is OutputView.PREDICTED:
        return predicted(trainer)
    bounds = plot_bounds(trainer)
    if view is OutputView.CURVE:
        xs = np.linspace(bounds[0], bounds[1], 200, dtype=np.float32)[:, None]
        ys = trainer.measures.predict(xs)[:, 0]
        return {"kind": view.value, "xs": xs[:, 0], "ys": ys, "bounds": bounds}
    grid = Grid(bounds, resolution)
    values = trainer.measures.predict(grid.points())
    if view is OutputView.BOUNDARY:
        probs = values.reshape(resolution, resolution, -1)
        return {"kind": view.value, "probs": probs, "bounds": bounds}
    return {"kind": view.value, "values": values[:, 0].reshape(resolution, resolution),
            "bounds": bounds}


MAX_SAMPLES = 48  # test images shown with their predicted labels
MAX_POINTS = 2000  # test points projected (and training rows the axes are fitted on)


def samples(trainer: Trainer, view: OutputView) -> dict:
    """For more than two inputs, classes: the first test images with the predicted
    and the true labels (IMAGES), or every test point on the training set's two
    principal axes with its predicted class (PROJECTION)."""
    data = trainer.data
    info = data.info
    if view is OutputView.IMAGES:
        x, y = data.x_test[:MAX_SAMPLES], data.y_test[:MAX_SAMPLES].reshape(-1)
        side = image_side(info.features)
        return {"kind": view.value, "images": x.reshape(len(x), side, side),
                "true": y.astype(np.int64), "pred": trainer.measures.predicted_classes(x)}
    x, y = data.x_test[:MAX_POINTS], data.y_test[:MAX_POINTS]
    fitted = data.x_train[:MAX_POINTS].astype(np.float64)
    mean = fitted.mean(axis=0)
    _, _, axes = np.linalg.svd(fitted - mean, full_matrices=False)
    points = ((x - mean) @ axes[:2].T).astype(np.float32)
    true, pred = y.reshape(-1).astype(np.int64), trainer.measures.predicted_classes(x)
    return {"kind": view.value, "points": points, "true": true, "pred": pred}


def predicted(trainer: Trainer) -> dict:
    """For a regression with more than two inputs: each test point's predicted value
    against its true one (the first target), in the target's own units, and R²."""
    data = trainer.data
    x, y = data.x_test[:MAX_POINTS], data.y_test[:MAX_POINTS]
    true = data.in_target_units(y)[:, 0].astype(np.float32)
    pred = data.in_target_units(trainer.measures.predict(x))[:, 0].astype(np.float32)
    found = regression_measures(torch.as_tensor(pred[:, None]), torch.as_tensor(true[:, None]))
    r2 = found[1] if found is not None and np.isfinite(found[1]) else None
    return {"kind": OutputView.PREDICTED.value, "true": true, "pred": pred, "r2": r2}


def _module(trainer: Trainer, block_id: str) -> torch.nn.Module:
    try:
        return trainer.net.modules[block_id]
    except KeyError:
        raise ValueError("this block is not part of the network being trained: press play "
                         "to train the diagram as it is now") from None


def activation(trainer: Trainer, block_id: str, features: int = 1,
               params: dict | None = None) -> dict:
    """The trained activation's f and f' (its learnable parameters as they are
    now). ``params``: the block's parameters as the editor shows them; if the
    trained block has others, the student has edited it since and the
    trained curve no longer describes it."""
    module = _module(trainer, block_id)
    if params is not None and trainer.net.plan.analysis.block(block_id).params != params:
        raise ValueError("the block changed since training started")
    result = inspection.activation_curve(module, features)
    return {**result, "block_id": block_id}


def units(trainer: Trainer, block_id: str, resolution: int = 40,
          max_units: int = inspection.MAX_UNITS) -> dict:
    """Each unit's output of a block over the input plane (2-input data sets)."""
    if not has_input_plane(trainer.data.info):
        return {"block_id": block_id, "note": f"{trainer.data.info.name} has "
                f"{trainer.data.info.features} input features: there is no input plane to "
                "draw the units over. Choose a data set with two inputs."}
    bounds = plot_bounds(trainer)
    grid = Grid(bounds, resolution)
    result = inspection.unit_maps(trainer.net, block_id, grid.points(), resolution, max_units)
    return {**result, "bounds": bounds}


def neurons(trainer: Trainer, resolution: int = 24, max_units: int = 8) -> dict:
    """Every activation block's units over the input plane, as Playground draws
    its neurons: {"maps": {block id: (units shown, R, R)}, "units": {block id:
    count}, "bounds"}; one forward pass of the grid for all of them."""
    plane = _plane(trainer, resolution)
    if "note" in plane:
        return plane
    found = inspection.layer_maps(trainer.net, inspection.activation_layers(trainer.net),
                                  plane["points"], resolution, max_units)
    return {"maps": {b: m["maps"] for b, m in found.items()},
            "units": {b: m["units"] for b, m in found.items()}, "bounds": plane["bounds"],
            "epoch": trainer.epoch}


def _plane(trainer: Trainer, resolution: int) -> dict:
    """The grid over the input plane the unit pictures are drawn on, or a note."""
    info = trainer.data.info
    if not has_input_plane(info):
        return {"note": f"{info.name} has {info.features} input features: there is no input "
                        "plane to draw the units' pictures over."}
    bounds = plot_bounds(trainer)
    return {"points": Grid(bounds, resolution).points(), "bounds": bounds}


def neuron_view(trainer: Trainer, resolution: int = 40) -> dict:
    """What the Neuron View draws of the network on its units
    (:func:`~graph_engine.checks.neurons.neuron_graph`): each layer's units over the
    input plane (their pictures; a note instead without a plane) and each dense
    layer's weights and biases between the units shown."""
    graph = neuron_graph(trainer.net.plan.analysis)
    result: dict = {"epoch": trainer.epoch, "weights": _shown_weights(trainer, graph)}
    plane = _plane(trainer, resolution)
    if "note" in plane:
        return {**result, "note": plane["note"]}
    layers = [layer.block_id for layer in graph.layers]
    found = inspection.layer_maps(trainer.net, layers, plane["points"], resolution,
                                  NEURON_UNITS)
    return {**result, "bounds": plane["bounds"],
            "maps": {b: m["maps"] for b, m in found.items()}}


def _shown_weights(trainer: Trainer, graph) -> dict:
    """Dense block id -> its weight matrix between the units shown, and its bias."""
    limit, found = NEURON_UNITS, {}
    for link in graph.links:
        if link.dense is not None:
            matrix = inspection.weight_matrix(_module(trainer, link.dense))
            bias = matrix["bias"]
            found[link.dense] = {"weight": matrix["weight"][:limit, :limit].copy(),
                                 "bias": None if bias is None else bias[:limit].copy()}
    return found


def weights(trainer: Trainer, block_id: str) -> dict:
    return {**inspection.weight_matrix(_module(trainer, block_id)), "block_id": block_id}


def wire_weights(trainer: Trainer) -> dict:
    """Every dense layer's weights summarised (:func:`inspection.weight_summaries`),
    by block id: what the canvas draws on the wires that feed them."""
    return {"epoch": trainer.epoch, "layers": inspection.weight_summaries(trainer.net)}


def gradients(trainer: Trainer) -> dict:
    """Gradient norm of every layer with parameters, as the training process
    records it in the history (:func:`teaching.gradient_norms`)."""
    return {"epoch": trainer.epoch, "norms": teaching.gradient_norms(trainer)}


def histograms(trainer: Trainer, bins: int = inspection.HISTOGRAM_BINS) -> dict:
    layers = inspection.activation_stats(trainer.net, trainer.data.x_train, bins)
    return {"epoch": trainer.epoch, "layers": layers}


def confusion(trainer: Trainer, split: str = "test") -> dict:
    data = trainer.data
    if not data.info.is_classification:
        return {"note": f"{data.info.name} is a regression data set: a confusion matrix "
                "counts classes, so it needs a classification data set."}
    x, y = (data.x_test, data.y_test) if split == "test" else (data.x_train, data.y_train)
    matrix = inspection.confusion(trainer.net, x, y, data.info.classes, data.info.signed)
    return {"epoch": trainer.epoch, "split": split, "matrix": matrix,
            "class_names": list(data.class_names)}


def predict(trainer: Trainer, rows: list) -> dict:
    """The network's answer for rows of raw inputs (the editor's Ask row)."""
    from .prediction import ask

    return ask(trainer.net, trainer.data, rows)


def state_dict(trainer: Trainer) -> dict:
    """The trained weights, for exports made in the editor."""
    weights_ = {k: v.detach().numpy().copy() for k, v in trainer.model.state_dict().items()}
    return {"epoch": trainer.epoch, "weights": weights_}


# Each probe takes the trainer and its own keyword arguments.
PROBES: dict[str, Callable[..., dict | None]] = {
    "boundary": boundary,
    "activation": activation,
    "units": units,
    "weights": weights,
    "wire_weights": wire_weights,
    "neurons": neurons,
    "neuron_view": neuron_view,
    "gradients": gradients,
    "histograms": histograms,
    "confusion": confusion,
    "state_dict": state_dict,
    "predict": predict,
}


def run_probe(trainer: Trainer, spec: dict):
    """Run ``{"fn": name, "args": {...}}``; a failure becomes {"error": text}."""
    try:
        return PROBES[spec["fn"]](trainer, **spec.get("args", {}))
    except Exception as error:  # noqa: BLE001 - one broken view must not stop training
        return {"error": f"{type(error).__name__}: {error}"}
