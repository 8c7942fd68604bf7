"""Optimizer steps as ``torch._foreach_*`` calls.

Each class does what the optimizer's single-tensor code (the one PyTorch
runs on the CPU) does to every parameter, with the same operations on the
same numbers, but in one call per operation for all parameters at once. The
state lives where the optimizer keeps it (``optimizer.state[p]``), so the
optimizer itself can take over between any two epochs, and back.
"""

from __future__ import annotations

import torch
from torch import Tensor


class Update:
    """One optimizer's step over ``params`` (in the order the gradients come)."""

    def __init__(self, optimizer: torch.optim.Optimizer, params: list[Tensor]) -> None:
        self.optimizer, self.params = optimizer, params
        self.group = optimizer.param_groups[0]
        self.lr = self.group["lr"]

    def begin(self) -> bool:
        """Read the settings and the state before an epoch; False lets the
        optimizer itself run this epoch."""
        self.lr = self.group["lr"]
        return True

    def end(self) -> None:
        """Write back what an epoch keeps as Python numbers."""

    def __call__(self, grads: list[Tensor]) -> None:
        raise NotImplementedError

    def states(self) -> list[dict]:
        return [self.optimizer.state[p] for p in self.params]


class SGD(Update):
    def __call__(self, grads):
        torch._foreach_add_(self.params, grads, alpha=-self.lr)


class Momentum(Update):
    def begin(self):
        self.momentum = self.group["momentum"]
        self.keep = 1 - self.group["dampening"]
        self.state = self.states()
        buffers = [s["momentum_buffer"] for s in self.state if s.get("momentum_buffer") is not None]
        if buffers and len(buffers) < len(self.state):  # some parameters have one, some not
            return False
        self.buffers: list[Tensor] | None = buffers or None
        return super().begin()

    def __call__(self, grads):
        if self.buffers is None:  # the first step: the buffers start as the gradients
            self.buffers = [g.detach().clone() for g in grads]
            for state, buffer in zip(self.state, self.buffers, strict=True):
                state["momentum_buffer"] = buffer
        else:
            torch._foreach_mul_(self.buffers, self.momentum)
            torch._foreach_add_(self.buffers, grads, alpha=self.keep)
        torch._foreach_add_(self.params, self.buffers, alpha=-self.lr)


class Stepped(Update):
    """Optimizers that count steps in a float32 tensor per parameter; during
    an epoch the count is a Python number, written back at its end."""

    keys: tuple[str, ...] = ()

    def begin(self):
        self.state = states = self.states()
        if not any(states):
            self.initialise()
        if any({"step", *self.keys} - set(s) for s in states):
            return False
        steps = {float(s["step"]) for s in states}
        if len(steps) != 1:
            return False
        self.step = steps.pop()
        self.tensors = {k: [s[k] for s in states] for k in self.keys}
        return super().begin()

    def initialise(self) -> None:
        """The state the optimizer creates before its first step."""
        from torch.optim.optimizer import _get_scalar_dtype

        for p, state in zip(self.params, self.state, strict=True):
            state["step"] = torch.tensor(0.0, dtype=_get_scalar_dtype())
            for key in self.keys:
                state[key] = self.initial(p)

    def initial(self, p: Tensor) -> Tensor:
        return torch.zeros_like(p, memory_format=torch.preserve_format)

    def end(self):
        for state in self.state:
            state["step"].fill_(self.step)


class Adam(Stepped):
    keys = ("exp_avg", "exp_avg_sq")

    def begin(self):
        self.beta1, self.beta2 = self.group["betas"]
        self.eps = self.group["eps"]
        return super().begin()

    def __call__(self, grads):
        self.step += 1
        avg, avg_sq = self.tensors["exp_avg"], self.tensors["exp_avg_sq"]
        torch._foreach_lerp_(avg, grads, 1 - self.beta1)
        torch._foreach_mul_(avg_sq, self.beta2)
        torch._foreach_addcmul_(avg_sq, grads, grads, value=1 - self.beta2)
        step_size = self.lr / (1 - self.beta1 ** self.step)
        denom = torch._foreach_sqrt(avg_sq)
        torch._foreach_div_(denom, (1 - self.beta2 ** self.step) ** 0.5)
        torch._foreach_add_(denom, self.eps)
        torch._foreach_addcdiv_(self.params, avg, denom, value=-step_size)


class RMSprop(Stepped):
    keys = ("square_avg",)

    def begin(self):
        self.alpha, self.eps = self.group["alpha"], self.group["eps"]
        return super().begin()

    def __call__(self, grads):
        self.step += 1
        square = self.tensors["square_avg"]
        torch._foreach_mul_(square, self.alpha)
        torch._foreach_addcmul_(square, grads, grads, value=1 - self.alpha)
        avg = torch._foreach_sqrt(square)
        torch._foreach_add_(avg, self.eps)
        torch._foreach_addcdiv_(self.params, grads, avg, value=-self.lr)


class Adagrad(Stepped):
    keys = ("sum",)

    def begin(self):
        self.eps, self.decay = self.group["eps"], self.group["lr_decay"]
        return super().begin()

    def initial(self, p):
        return torch.full_like(p, self.group["initial_accumulator_value"],
                               memory_format=torch.preserve_format)

    def __call__(self, grads):
        self.step += 1
        clr = self.lr / (1 + (self.step - 1) * self.decay)
        sums = self.tensors["sum"]
        torch._foreach_addcmul_(sums, grads, grads, value=1)
        std = torch._foreach_sqrt(sums)
        torch._foreach_add_(std, self.eps)
        torch._foreach_addcdiv_(self.params, grads, std, value=-clr)


# Options that must have these values for the single-tensor code to be what
# the optimizer runs (foreach=None means single-tensor on the CPU).
PLAIN = {"maximize": False, "foreach": None, "differentiable": False, "weight_decay": 0,
         "fused": None, "capturable": False}


def update_class(optimizer: torch.optim.Optimizer) -> type[Update] | None:
    """The class that steps like ``optimizer`` does, or None."""
    group = optimizer.param_groups[0]
    if any(group.get(k, v) not in (v, False) for k, v in PLAIN.items()):
        return None
    if any(p.device.type != "cpu" for p in group["params"]):
        return None
    kind = type(optimizer)
    if kind is torch.optim.SGD and not group["nesterov"]:
        return Momentum if group["momentum"] else SGD
    if kind is torch.optim.Adam and not group["amsgrad"] and \
            not group.get("decoupled_weight_decay"):
        return Adam
    if kind is torch.optim.RMSprop and not group["centered"] and not group["momentum"]:
        return RMSprop
    if kind is torch.optim.Adagrad:
        return Adagrad
    return None
