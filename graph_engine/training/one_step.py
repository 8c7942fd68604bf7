"""One optimizer step on a traced sample: the update its gradients make.

:func:`one_step` starts from the weights a trace used (the seed's initial
ones, a state_dict or a .safetensors file), builds the optimizer exactly as
the Trainer does (:func:`~.trainer.make_optimizer` with the diagram's
training settings: optimizer, learning rate, momentum 0.9 for "momentum"),
computes the loss on the sample as a batch of its own (plus the L1/L2
penalty the settings ask for, as training adds it), calls ``backward`` and
``optimizer.step()`` once, then computes the loss again with the new
weights. Autograd computes every gradient; nothing of the update is redone
here: the change of each parameter is read off the weights after the step.

The optimizer is a new one, with no state from a run: for SGD the change is
−lr · dL/dw, and so is momentum's first step (its velocity starts at zero).
Eval mode, as the trace: Dropout passes values through, BatchNorm uses its
running statistics (one sample has no batch statistics) and the step leaves
them as they are.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from ..model.diagram import Diagram
from ..model.settings import TrainingSettings
from .trace import TraceError, compiled, labels, load_into, samples
from .trainer import make_optimizer, penalty

# How each optimizer turns a gradient g into a change, as a student reads it.
UPDATE_RULES = {
    "sgd": "Δw = −lr · dL/dw",
    "momentum": "SGD with momentum 0.9: v = 0.9·v + dL/dw, Δw = −lr · v; a new optimizer "
                "starts with v = 0, so this first step is Δw = −lr · dL/dw",
    "adam": "Adam: Δw = −lr · m̂ / (√v̂ + ε) from running means m of g and v of g²; on a "
            "first step each weight moves by about lr against the sign of its gradient",
    "rmsprop": "RMSprop: Δw = −lr · g / (√v + ε), v a running mean of g²",
    "adagrad": "Adagrad: Δw = −lr · g / (√(Σ g²) + ε)",
}


@dataclass
class ParamStep:
    """One parameter tensor of the step; every tensor detached."""

    block_id: str
    name: str  # the parameter's name in its block: "weight", "bias", "alpha", ...
    key: str  # its key in the compiled module's state_dict
    before: torch.Tensor
    grad: torch.Tensor  # d(loss + penalty)/d it, what the optimizer read
    delta: torch.Tensor  # its value after the step minus before


@dataclass
class OneStep:
    """The result of :func:`one_step`."""

    loss_before: float  # the loss on the sample with the weights before the step
    loss_after: float  # ... and with the new weights
    params: list[ParamStep]  # in the order of the compiled module's parameters
    weights: dict[str, torch.Tensor]  # the whole state_dict after the step
    settings: TrainingSettings
    samples: int  # the batch: the sample(s) given

    @property
    def rule(self) -> str:
        """The optimizer's update rule in words and symbols."""
        return UPDATE_RULES[self.settings.optimizer]

    @property
    def penalised(self) -> bool:
        """The step's objective includes an L1 or L2 penalty."""
        return bool(self.settings.l1 or self.settings.l2)


def one_step(diagram: Diagram, x, y, weights=None, settings: TrainingSettings | None = None,
             seed: int | None = None) -> OneStep:
    """One optimizer step of ``settings`` (default: the diagram's) on ``x`` (one
    sample or an (N, F) array) with label(s) ``y``, from ``weights`` (None: the
    initial weights of ``seed``, default the diagram's training seed). Raises
    TraceDiagramError for a diagram with errors, TraceError for a sample, label
    or weights that do not fit, or without a loss block or a label."""
    settings = settings or diagram.training
    net = compiled(diagram, settings.seed if seed is None else seed)
    load_into(net.model, weights)
    xs = samples(x, net.plan.features or 0)
    ys = labels(y, net, len(xs))
    if net.loss_fn is None or ys is None:
        raise TraceError("one optimizer step needs a loss block and the sample's label: "
                         + ("add a loss block" if net.loss_fn is None else
                            "pick a sample of the test set or type its label"))
    model, loss_fn = net.model, net.loss_fn
    named = _named_params(net)
    before = [p.detach().clone() for *_, p in named]
    optimizer = make_optimizer(settings, model.parameters())
    was_training = model.training
    model.eval()
    try:
        with torch.enable_grad():
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(model(xs), ys)
            weights_2d = [p for p in model.parameters() if p.dim() >= 2]
            (loss + penalty(weights_2d, settings)).backward()
            grads = [_grad(p) for *_, p in named]
            optimizer.step()
        with torch.no_grad():
            after = float(loss_fn(model(xs), ys))
    finally:
        model.train(was_training)
    params = [ParamStep(block_id, name, key, old, grad, p.detach() - old)
              for (block_id, name, key, p), old, grad in zip(named, before, grads, strict=True)]
    state = {k: v.detach().clone() for k, v in model.state_dict().items()}
    return OneStep(float(loss.detach()), after, params, state, settings, len(xs))


def picture(diagram: Diagram, weights, resolution: int = 100) -> dict | None:
    """What the Output plot draws for ``diagram`` with ``weights`` (a state_dict, a
    .safetensors path, or None for the seed's initial ones): the probe the training
    process runs on its run (:func:`~.probes.boundary`), here on the weights after a
    step the Backprop dock applied. None for a data set with no picture."""
    from ..data import datasets
    from .probes import boundary
    from .trainer import Trainer

    if diagram.dataset is None:
        raise TraceError("the diagram has no data set to draw the network's output over")
    net = compiled(diagram, diagram.training.seed)
    trainer = Trainer(net, datasets.load(diagram.dataset), diagram.training,
                      track_gradients=False, fast=False, kernel=False)
    load_into(trainer.model, weights)
    return boundary(trainer, resolution)


def _named_params(net) -> list[tuple[str, str, str, torch.Tensor]]:
    """(block id, parameter name, state_dict key, parameter) for every parameter."""
    keys = {id(p): key for key, p in net.model.named_parameters()}
    return [(block_id, name, keys[id(p)], p)
            for block_id, module in net.modules.items()
            for name, p in module.named_parameters()]


def _grad(p: torch.Tensor) -> torch.Tensor:
    return torch.zeros_like(p) if p.grad is None else p.grad.detach().clone()


def as_data(step: OneStep, diagram: Diagram) -> dict:
    """The step as plain data: numbers as numpy arrays, each parameter with its
    block's name, the new weights as a state_dict of arrays."""
    def name(block_id: str) -> str:
        return diagram.block(block_id).name if block_id in diagram else block_id

    params = [{"block": p.block_id, "block_name": name(p.block_id), "name": p.name,
               "key": p.key, "before": p.before.numpy().copy(), "grad": p.grad.numpy().copy(),
               "delta": p.delta.numpy().copy(),
               "norm": float(np.linalg.norm(p.delta.numpy().reshape(-1)))}
              for p in step.params]
    return {"loss_before": step.loss_before, "loss_after": step.loss_after,
            "optimizer": step.settings.optimizer, "lr": step.settings.lr, "rule": step.rule,
            "penalised": step.penalised, "samples": step.samples, "params": params,
            "weights": {k: v.numpy().copy() for k, v in step.weights.items()}}
