"""What autograd would run, layer by layer: forward and backward kernels.

Each activation and loss the fast path covers is written as the ATen
functions its module's forward calls and the ones autograd's derivative
formula (tools/autograd/derivatives.yaml) calls in backward, with the same
arguments, so the numbers are the same to the last bit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import Tensor, nn

MEAN = 1  # at::Reduction::Mean
IGNORE_INDEX = -100


def raw(overload):
    """The C++ entry of an ATen overload: the Python wrapper around it costs
    about a microsecond a call, a few per cent of a small training step."""
    return getattr(overload, "_op", overload)


A = torch.ops.aten
THRESHOLD_BACKWARD = raw(A.threshold_backward.default)
LEAKY_RELU_BACKWARD = raw(A.leaky_relu_backward.default)
TANH_BACKWARD = raw(A.tanh_backward.default)
SIGMOID_BACKWARD = raw(A.sigmoid_backward.default)
ELU_BACKWARD = raw(A.elu_backward.default)
GELU_BACKWARD = raw(A.gelu_backward.default)
SILU_BACKWARD = raw(A.silu_backward.default)
SOFTPLUS_BACKWARD = raw(A.softplus_backward.default)
LOG_SOFTMAX_BACKWARD = raw(A._log_softmax_backward_data.default)
SOFTMAX_BACKWARD = raw(A._softmax_backward_data.default)
NLL_LOSS_BACKWARD = raw(A.nll_loss_backward.default)
BCE_BACKWARD = raw(A.binary_cross_entropy_backward.default)
MSE_BACKWARD = raw(A.mse_loss_backward.default)
HUBER_BACKWARD = raw(A.huber_loss_backward.default)
F32 = torch.float32


# ---------------------------------------------------------------- activations
@dataclass(frozen=True)
class Activation:
    """An elementwise layer. ``backward(grad, input, output, grads)`` returns
    the input's gradient; ``grads`` is where layers with parameters put theirs."""

    forward: Callable[[Tensor], Tensor]
    backward: Callable[[Tensor, Tensor, Tensor, list], Tensor]


def _relu(m: nn.ReLU) -> Activation:
    return Activation(torch.relu, lambda g, x, y, _: THRESHOLD_BACKWARD(g, y, 0))


def _leaky_relu(m: nn.LeakyReLU) -> Activation:
    s = m.negative_slope
    return Activation(lambda x: torch._C._nn.leaky_relu(x, s),
                      lambda g, x, y, _: LEAKY_RELU_BACKWARD(g, x, s, False))


def _tanh(m: nn.Tanh) -> Activation:
    return Activation(torch.tanh, lambda g, x, y, _: TANH_BACKWARD(g, y))


def _sigmoid(m: nn.Sigmoid) -> Activation:
    return Activation(torch.sigmoid, lambda g, x, y, _: SIGMOID_BACKWARD(g, y))


def _elu(m: nn.ELU) -> Activation:
    a = m.alpha
    return Activation(lambda x: torch._C._nn.elu(x, a),
                      lambda g, x, y, _: ELU_BACKWARD(g, a, 1, 1, False, x))


def _gelu(m: nn.GELU) -> Activation:
    how = m.approximate
    return Activation(lambda x: torch._C._nn.gelu(x, approximate=how),
                      lambda g, x, y, _: GELU_BACKWARD(g, x, approximate=how))


def _silu(m: nn.SiLU) -> Activation:
    return Activation(torch._C._nn.silu, lambda g, x, y, _: SILU_BACKWARD(g, x))


def _softplus(m: nn.Softplus) -> Activation:
    beta, threshold = m.beta, m.threshold
    return Activation(lambda x: torch._C._nn.softplus(x, beta, threshold),
                      lambda g, x, y, _: SOFTPLUS_BACKWARD(g, x, beta, threshold))


def _log_softmax(m: nn.LogSoftmax) -> Activation | None:
    if m.dim not in (1, -1):
        return None
    return Activation(lambda x: torch.log_softmax(x, 1),
                      lambda g, x, y, _: LOG_SOFTMAX_BACKWARD(g, y, 1, x.dtype))


def _softmax(m: nn.Softmax) -> Activation | None:
    if m.dim not in (1, -1):
        return None
    return Activation(lambda x: torch.softmax(x, 1),
                      lambda g, x, y, _: SOFTMAX_BACKWARD(g, y, 1, x.dtype))


# Each factory takes a module of the class it is filed under, which a dict's type cannot say.
ACTIVATIONS: dict[type[nn.Module], Callable[..., Activation | None]] = {
    nn.ReLU: _relu, nn.LeakyReLU: _leaky_relu, nn.Tanh: _tanh, nn.Sigmoid: _sigmoid,
    nn.ELU: _elu, nn.GELU: _gelu, nn.SiLU: _silu, nn.Softplus: _softplus,
    nn.LogSoftmax: _log_softmax, nn.Softmax: _softmax,
}


def activation(module: nn.Module) -> Activation | None:
    """The kernels of an activation module, or None if they are not covered."""
    if getattr(module, "inplace", False):
        return None
    factory = ACTIVATIONS.get(type(module))
    return factory(module) if factory is not None else None


# ---------------------------------------------------------------- losses
LossGrad = Callable[[Tensor, Tensor], Tensor]  # (model output, target) -> its gradient


def _total_weights() -> Callable[[int], Tensor]:
    """nll_loss's ``total_weight`` for a batch of n rows: exactly n when there
    are no class weights and no ignored targets (class indices are never -100)."""
    cache: dict[int, Tensor] = {}

    def get(n: int) -> Tensor:
        if n not in cache:
            cache[n] = torch.tensor(float(n))
        return cache[n]
    return get


def _cross_entropy(m: nn.CrossEntropyLoss, one: Tensor) -> LossGrad | None:
    if m.weight is not None or m.label_smoothing != 0 or m.ignore_index != IGNORE_INDEX:
        return None
    total = _total_weights()

    def grad(out: Tensor, y: Tensor) -> Tensor:  # log_softmax, then nll_loss
        logp = torch.log_softmax(out, 1)
        g = NLL_LOSS_BACKWARD(one, logp, y, None, MEAN, IGNORE_INDEX, total(y.shape[0]))
        return LOG_SOFTMAX_BACKWARD(g, logp, 1, F32)
    return grad


def _nll(m: nn.NLLLoss, one: Tensor) -> LossGrad | None:
    if m.weight is not None or m.ignore_index != IGNORE_INDEX:
        return None
    total = _total_weights()
    return lambda out, y: NLL_LOSS_BACKWARD(one, out, y, None, MEAN, IGNORE_INDEX,
                                            total(y.shape[0]))


def _bce_with_logits(m: nn.BCEWithLogitsLoss, one: Tensor) -> LossGrad | None:
    if m.weight is not None or m.pos_weight is not None:
        return None
    # FunctionsManual.cpp, binary_cross_entropy_with_logits_backward, no weights
    return lambda out, y: out.sigmoid().sub_(y).mul_(one).div_(out.numel())


def _bce(m: nn.BCELoss, one: Tensor) -> LossGrad | None:
    if m.weight is not None:
        return None
    return lambda out, y: BCE_BACKWARD(one, out, y, None, MEAN)


def _mse(m: nn.MSELoss, one: Tensor) -> LossGrad:
    return lambda out, y: MSE_BACKWARD(one, out, y, MEAN)


def _huber(m: nn.HuberLoss, one: Tensor) -> LossGrad:
    delta = m.delta
    return lambda out, y: HUBER_BACKWARD(one, out, y, MEAN, delta)


# Each factory takes a loss module of the class it is filed under, and the tensor 1.
LOSSES: dict[type[nn.Module], Callable[..., LossGrad | None]] = {
    nn.CrossEntropyLoss: _cross_entropy, nn.NLLLoss: _nll,
    nn.BCEWithLogitsLoss: _bce_with_logits, nn.BCELoss: _bce, nn.MSELoss: _mse,
    nn.HuberLoss: _huber,
}


def loss_grad(loss_fn: nn.Module) -> LossGrad | None:
    """``loss.backward()``'s first steps: the gradient of the mean-reduced loss
    with respect to the model's output (the incoming gradient is 1)."""
    factory = LOSSES.get(type(loss_fn))
    if factory is None or getattr(loss_fn, "reduction", None) != "mean":
        return None
    return factory(loss_fn, torch.tensor(1.0))


# ---------------------------------------------------------------- Linear
def linear(module: nn.Linear, needs_input: bool):
    """Forward and backward of a Linear layer, bound to its current weights.

    Forward is what F.linear runs on a 2-D input: addmm(bias, x, weight.t()),
    or mm without a bias. Backward is autograd's addmm/mm backward: the bias
    gradient is the batch sum, the weight's ``grad.t().mm(x)``
    (mm_mat2_backward of the transposed weight, transposed back) and the
    input's ``grad.mm(weight)`` (mm_mat1_backward), skipped when nothing
    before the layer needs a gradient."""
    weight, bias = module.weight, module.bias
    weight_t = weight.t()
    # mm_mat1_backward takes another route for a column-major input, which a
    # contiguous (n, 1) input is when n == 1.
    column_major = module.in_features == 1
    if bias is not None:
        def forward(x):
            return torch.addmm(bias, x, weight_t)
    else:
        def forward(x):
            return torch.mm(x, weight_t)

    def backward(g, x, y, grads):
        if bias is not None:
            grads.append(g.sum(0))
        grads.append(g.t().mm(x))
        if not needs_input:
            return None
        if column_major and x.stride(0) == 1 and x.stride(1) == x.shape[0]:
            return weight_t.mm(g.t()).t()
        return g.mm(weight)
    return forward, backward
