"""The whole-epoch kernel: every optimizer step of an epoch in one compiled loop.

For a Playground-sized chain the arithmetic of a step is about a hundred
floating-point operations a sample; what the fast path spends is the cost of
calling torch dozens of times a step. Here numba compiles one loop over the
epoch (forward, the loss's gradient, backward, the L1/L2 penalty and the
optimizer's update for each batch) and the full-set evaluation, in float32
as torch computes, each operation written as the torch kernel the eager loop
runs writes it (the formulas of ATen's CPU kernels and of torch.optim's
single-tensor code), so the numbers agree to rounding.

Nothing here knows a block: a chain arrives as a program of numbered rows
(:mod:`.codes`), its weights and the optimizer's state as numpy views of the
torch tensors themselves, which the kernel updates in place. One signature
(:data:`SIGNATURE`) covers every chain, loss and optimizer, so numba
compiles once and caches the machine code on disk.

This module imports numba; :mod:`.whole_epoch` imports it in a background
thread, so nothing waits for the compiler.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numba import carray, njit, types
from numba.core.dispatcher import Dispatcher
from numba.extending import intrinsic

from . import codes as op

F32 = np.float32
ZERO, HALF, ONE, TWO, THREE = F32(0.0), F32(0.5), F32(1.0), F32(2.0), F32(3.0)
BCE_EPSILON = F32(1e-12)  # binary_cross_entropy_backward's floor of p (1 - p)
LOG_FLOOR = F32(-100.0)  # binary_cross_entropy clamps each log at -100
SQRT1_2 = F32(0.7071067811865476)
GELU_BETA = F32(0.3989422804014327)  # M_2_SQRTPI * M_SQRT1_2 * 0.5
GELU_TANH_BETA = F32(0.7978845608028654)  # M_SQRT2 * M_2_SQRTPI * 0.5
GELU_KAPPA = F32(0.044715)

# train_epoch(program, args, widths, first, addresses, optimizer, hyper, step, loss,
#             loss_arg, x, yi, yv, order, batch) -> step
SIGNATURE = types.float64(
    types.int64[:, ::1], types.float32[:, ::1], types.int64[::1], types.int64,
    types.int64[:, ::1], types.int64, types.float64[::1], types.float64, types.int64,
    types.float32, types.float32[:, ::1], types.int64[::1], types.float32[:, ::1],
    types.int64[::1], types.int64)
# evaluate(program, args, widths, addresses, loss, loss_arg, x, yi, yv, out) -> mean loss
EVALUATE = types.float64(
    types.int64[:, ::1], types.float32[:, ::1], types.int64[::1], types.int64[:, ::1],
    types.int64, types.float32, types.float32[:, ::1], types.int64[::1],
    types.float32[:, ::1], types.float32[:, ::1])
FINGERPRINT = types.int64()

KERNEL: dict[str, Any] = {"cache": True, "nogil": True, "error_model": "numpy"}


# ---------------------------------------------------------------- activations
@njit(**KERNEL)
def _sigmoid(x):
    return ONE / (ONE + math.exp(-x))


@njit(**KERNEL)
def activate(code, x, a, b):
    """The activation ``code`` of x (ATen's CPU formula); a and b its arguments."""
    if code == op.RELU:
        return ZERO if x <= ZERO else x  # NaN passes, as clamp_min lets it
    if code == op.LEAKY_RELU:
        return x if x > ZERO else x * a
    if code == op.TANH:
        return math.tanh(x)
    if code == op.SIGMOID:
        return _sigmoid(x)
    if code == op.ELU:
        return a * math.expm1(x) if x <= ZERO else x
    if code == op.SOFTPLUS:  # a: beta, b: threshold
        return x if x * a > b else math.log1p(math.exp(x * a)) / a
    if code == op.SILU:
        return x * _sigmoid(x)
    if code == op.GELU:
        return x * HALF * (ONE + math.erf(x * SQRT1_2))
    inner = GELU_TANH_BETA * (x + GELU_KAPPA * x * x * x)
    return HALF * x * (ONE + math.tanh(inner))


@njit(**KERNEL)
def derivative(code, g, x, y, a, b):
    """The input's gradient of activation ``code`` given the output's, ``g``
    (x its input, y its output, a and b its arguments)."""
    if code == op.RELU:
        return ZERO if y <= ZERO else g
    if code == op.LEAKY_RELU:
        return g if x > ZERO else g * a
    if code == op.TANH:
        return g * (ONE - y * y)
    if code == op.SIGMOID:
        return g * (ONE - y) * y
    if code == op.ELU:
        return g * a * math.exp(x) if x <= ZERO else g
    if code == op.SOFTPLUS:
        z = math.exp(x * a)
        return g if x * a > b else g * z / (z + ONE)
    if code == op.SILU:
        s = _sigmoid(x)
        return g * s * (ONE + x * (ONE - s))
    if code == op.GELU:
        cdf = HALF * (ONE + math.erf(x * SQRT1_2))
        pdf = math.exp(-HALF * x * x) * GELU_BETA
        return g * (cdf + x * pdf)
    inner = GELU_TANH_BETA * (x + GELU_KAPPA * x * x * x)
    t = math.tanh(inner)
    slope = GELU_TANH_BETA * (ONE + THREE * GELU_KAPPA * x * x)
    return g * (HALF * (ONE + t) + HALF * x * (ONE - t * t) * slope)


# ---------------------------------------------------------------- the chain
# The parameters travel as one flat float32 array: layer l's weight (out, in),
# row-major, from offsets[2 l], its bias from offsets[2 l + 1]; the gradients
# and the optimizer's state share that layout.
@njit(**KERNEL)
def forward(program, args, widths, flat, offsets, biased, acts, rows):
    """The chain on the first ``rows`` rows of ``acts[0]``; ``acts[k + 1]``
    gets the output of program row k. (Indexing ``acts`` whole, never through
    views of it: each view costs reference counting, a good part of a step.)"""
    for k in range(program.shape[0]):
        code, n_in, n_out = program[k, 0], widths[k], widths[k + 1]
        if code == op.LINEAR:
            layer = program[k, 1]
            _linear(flat, offsets[2 * layer], acts, k, rows, n_in, n_out)
            if biased[layer]:
                at = offsets[2 * layer + 1]
                for r in range(rows):
                    for o in range(n_out):
                        acts[k + 1, r, o] += flat[at + o]
        else:
            a, b = args[k, 0], args[k, 1]
            for r in range(rows):
                for o in range(n_out):
                    acts[k + 1, r, o] = activate(code, acts[k, r, o], a, b)


@njit(**KERNEL)
def _linear(flat, at, acts, k, rows, n_in, n_out):
    """acts[k + 1] = acts[k] weightᵀ, each sum taken over the inputs in order
    (the loops run over outputs inside, so the sums proceed side by side)."""
    for r in range(rows):
        for o in range(n_out):
            acts[k + 1, r, o] = ZERO
        for i in range(n_in):
            x = acts[k, r, i]
            for o in range(n_out):
                acts[k + 1, r, o] += x * flat[at + o * n_in + i]


@njit(**KERNEL)
def backward(program, args, widths, first, flat, offsets, biased, acts, rows, g, grads):
    """From the output's gradient ``g[0]`` back to the first Linear layer (``g``
    holds two buffers, used in turn); each layer's weight and bias gradients
    go to ``grads``."""
    now = 0
    for k in range(program.shape[0] - 1, first - 1, -1):
        code, n_in, n_out = program[k, 0], widths[k], widths[k + 1]
        if code == op.LINEAR:
            layer = program[k, 1]
            _parameter_gradients(g, now, acts, k, rows, n_in, n_out, grads, offsets[2 * layer],
                                 offsets[2 * layer + 1] if biased[layer] else -1)
            if k == first:
                return
            _input_gradient(g, now, flat, offsets[2 * layer], rows, n_in, n_out)
        else:
            a, b = args[k, 0], args[k, 1]
            for r in range(rows):
                for o in range(n_out):
                    g[1 - now, r, o] = derivative(code, g[now, r, o], acts[k, r, o],
                                                  acts[k + 1, r, o], a, b)
        now = 1 - now


@njit(**KERNEL)
def _parameter_gradients(g, now, acts, k, rows, n_in, n_out, grads, weight_at, bias_at):
    """gᵀ acts[k] (the weight's) and the column sums of g (the bias's), each
    summed over the batch's rows in order."""
    grads[weight_at:weight_at + n_out * n_in] = ZERO
    if bias_at >= 0:
        grads[bias_at:bias_at + n_out] = ZERO
    for r in range(rows):
        for o in range(n_out):
            go = g[now, r, o]
            if bias_at >= 0:
                grads[bias_at + o] += go
            at = weight_at + o * n_in
            for i in range(n_in):
                grads[at + i] += go * acts[k, r, i]


@njit(**KERNEL)
def _input_gradient(g, now, flat, at, rows, n_in, n_out):
    """g weight into the other buffer of g, each sum over the outputs in order."""
    for r in range(rows):
        for i in range(n_in):
            g[1 - now, r, i] = ZERO
        for o in range(n_out):
            go = g[now, r, o]
            row = at + o * n_in
            for i in range(n_in):
                g[1 - now, r, i] += go * flat[row + i]


# ---------------------------------------------------------------- losses
@njit(**KERNEL)
def loss_gradient(loss, delta, acts, last, columns, yi, yv, order, start, rows, g):
    """d(mean loss)/d(output) of a batch (``acts[last]``) into ``g[0]`` (the
    batch's samples are ``order[start:start + rows]``)."""
    numel = F32(rows * columns)
    for r in range(rows):
        sample = order[start + r]
        if loss == op.CROSS_ENTROPY:
            top = acts[last, r, 0]
            for c in range(1, columns):
                top = max(top, acts[last, r, c])
            total = ZERO
            for c in range(columns):
                g[0, r, c] = math.exp(acts[last, r, c] - top)
                total += g[0, r, c]
            weight = -ONE / F32(rows)  # nll_loss_backward: -1 / total_weight at the label
            for c in range(columns):  # log_softmax_backward: at - softmax · (sum of at)
                at = weight if c == yi[sample] else ZERO
                g[0, r, c] = at - g[0, r, c] / total * weight
        else:
            for c in range(columns):
                g[0, r, c] = _value_gradient(loss, delta, acts[last, r, c], yv[sample, c], numel)


@njit(**KERNEL)
def _value_gradient(loss, delta, p, y, numel):
    if loss == op.BCE_WITH_LOGITS:
        return (_sigmoid(p) - y) / numel
    if loss == op.BCE:
        return (p - y) / max((ONE - p) * p, BCE_EPSILON) / numel
    if loss == op.SQUARED_ERROR:
        return TWO / numel * (p - y)
    d = p - y  # op.HUBER
    if d < -delta:
        return -ONE / numel * delta
    return ONE / numel * delta if d > delta else ONE / numel * d


@njit(**KERNEL)
def loss_value(loss, delta, out, yi, yv, rows):
    """The mean loss of ``out`` (rows of the set, in order), in float64."""
    total = 0.0
    columns = out.shape[1]
    for r in range(rows):
        if loss == op.CROSS_ENTROPY:
            top = out[r, 0]
            for c in range(1, columns):
                top = max(top, out[r, c])
            s = ZERO
            for c in range(columns):
                s += math.exp(out[r, c] - top)
            total -= out[r, yi[r]] - top - math.log(s)
        else:
            for c in range(columns):
                total += _value_loss(loss, delta, out[r, c], yv[r, c])
    per = rows if loss == op.CROSS_ENTROPY else rows * columns
    return total / per


@njit(**KERNEL)
def _value_loss(loss, delta, p, y):
    if loss == op.BCE_WITH_LOGITS:
        return (ONE - y) * p + max(-p, ZERO) + math.log1p(math.exp(-abs(p)))
    if loss == op.BCE:
        return -(y * max(math.log(p), LOG_FLOOR) + (ONE - y) * max(math.log(ONE - p), LOG_FLOOR))
    d = p - y
    if loss == op.SQUARED_ERROR:
        return d * d
    return HALF * d * d if abs(d) < delta else delta * (abs(d) - HALF * delta)


# ---------------------------------------------------------------- optimizers
@njit(**KERNEL)
def penalise(flat, grads, at, size, l1, l2):
    """The L1/L2 penalty's gradient added to a weight matrix's."""
    for j in range(at, at + size):
        w = flat[j]
        if l1 != ZERO:
            grads[j] += l1 * (ONE if w > ZERO else (-ONE if w < ZERO else ZERO))
        if l2 != ZERO:
            grads[j] += l2 * w + l2 * w


@njit(**KERNEL)
def update(optimizer, hyper, step, p, m, v, grads):
    """One optimizer step on every parameter (torch.optim's single-tensor
    code; ``step`` already counts this step)."""
    lr = hyper[op.LR]
    rate = F32(-lr)
    if optimizer == op.SGD:
        for j in range(p.size):
            p[j] += rate * grads[j]
    elif optimizer == op.MOMENTUM:
        momentum, keep = F32(hyper[op.MOMENTUM_]), F32(hyper[op.KEEP])
        for j in range(p.size):
            g = grads[j]
            m[j] = g if hyper[op.FIRST] != 0.0 else m[j] * momentum + keep * g
            p[j] += rate * m[j]
    elif optimizer == op.ADAM:
        beta1, beta2 = hyper[op.BETA1], hyper[op.BETA2]
        weight, keep, decay = F32(1.0 - beta1), F32(1.0 - beta2), F32(beta2)
        size = F32(-(lr / (1.0 - beta1 ** step)))
        root = F32((1.0 - beta2 ** step) ** 0.5)
        eps = F32(hyper[op.EPS])
        for j in range(p.size):
            g = grads[j]
            m[j] = m[j] + weight * (g - m[j])  # lerp with a weight under 0.5
            v[j] = v[j] * decay + keep * g * g
            p[j] += size * m[j] / (math.sqrt(v[j]) / root + eps)
    elif optimizer == op.RMSPROP:
        alpha, eps = F32(hyper[op.ALPHA]), F32(hyper[op.EPS])
        for j in range(p.size):
            g = grads[j]
            m[j] = m[j] * alpha + F32(1.0 - hyper[op.ALPHA]) * g * g
            p[j] += rate * g / (math.sqrt(m[j]) + eps)
    else:  # ADAGRAD
        clr = F32(-(lr / (1.0 + (step - 1.0) * hyper[op.LR_DECAY])))
        eps = F32(hyper[op.EPS])
        for j in range(p.size):
            g = grads[j]
            m[j] = m[j] + ONE * g * g
            p[j] += clr * g / (math.sqrt(m[j]) + eps)


# ---------------------------------------------------------------- entry points
@intrinsic
def _pointer(typingctx, address):
    """The float32 data at ``address`` (an int64 from ``Tensor.data_ptr``)."""
    def codegen(context, builder, signature, args):
        return builder.inttoptr(args[0], context.get_value_type(signature.return_type))
    return types.CPointer(types.float32)(address), codegen


# The tensors' memory arrives as addresses, one row each for the parameters and
# the optimizer's two state tensors, one column each for layer l's weight (2 l)
# and bias (2 l + 1); 0 where there is none. (A numba typed list of arrays
# would do, but building one from Python compiles its methods at run time.)
@njit(**KERNEL)
def _offsets(program, widths, addresses):
    """Where each layer's weight and bias start in the flat layout; the last
    entry is its size."""
    offsets = np.zeros(addresses.shape[1] + 1, np.int64)
    at = 0
    for k in range(program.shape[0]):
        if program[k, 0] == op.LINEAR:
            layer = program[k, 1]
            offsets[2 * layer] = at
            at += widths[k] * widths[k + 1]
            offsets[2 * layer + 1] = at
            if addresses[0, 2 * layer + 1] != 0:
                at += widths[k + 1]
    offsets[-1] = at
    return offsets


@njit(**KERNEL)
def _move(addresses, row, offsets, flat, into_flat):
    """Copy the tensors of one row of ``addresses`` into the flat layout, or back."""
    for part in range(addresses.shape[1]):
        if addresses[row, part] == 0:
            continue
        at, size = offsets[part], offsets[part + 1] - offsets[part]
        tensor = carray(_pointer(addresses[row, part]), size)  # type: ignore[call-arg]
        if into_flat:
            flat[at:at + size] = tensor
        else:
            tensor[:] = flat[at:at + size]


@njit(**KERNEL)
def _flat(addresses, row, offsets):
    flat = np.zeros(offsets[-1], F32)
    _move(addresses, row, offsets, flat, True)
    return flat


@njit(SIGNATURE, **KERNEL)
def train_epoch(program, args, widths, first, addresses, optimizer, hyper, step, loss, loss_arg,
                x, yi, yv, order, batch):
    """One optimizer step per batch of ``batch`` samples taken from ``x`` in
    the order ``order`` (the last batch may be shorter); returns the step count."""
    widest, last = widths.max(), program.shape[0]
    acts = np.zeros((last + 1, batch, widest), F32)
    g = np.zeros((2, batch, widest), F32)
    offsets = _offsets(program, widths, addresses)
    flat, m, v = _flat(addresses, 0, offsets), _flat(addresses, 1, offsets), \
        _flat(addresses, 2, offsets)
    grads, biased = np.zeros(offsets[-1], F32), addresses[0, 1::2] != 0
    l1, l2 = F32(hyper[op.L1]), F32(hyper[op.L2])
    for start in range(0, order.shape[0], batch):
        rows = min(batch, order.shape[0] - start)
        for r in range(rows):
            for i in range(widths[0]):
                acts[0, r, i] = x[order[start + r], i]
        forward(program, args, widths, flat, offsets, biased, acts, rows)
        loss_gradient(loss, loss_arg, acts, last, widths[last], yi, yv, order, start, rows, g)
        backward(program, args, widths, first, flat, offsets, biased, acts, rows, g, grads)
        if l1 != ZERO or l2 != ZERO:
            for layer in range(biased.shape[0]):
                penalise(flat, grads, offsets[2 * layer],
                         offsets[2 * layer + 1] - offsets[2 * layer], l1, l2)
        step += 1.0
        update(optimizer, hyper, step, flat, m, v, grads)
        hyper[op.FIRST] = 0.0
    _move(addresses, 0, offsets, flat, False)
    _move(addresses, 1, offsets, m, False)
    _move(addresses, 2, offsets, v, False)
    return step


@njit(EVALUATE, **KERNEL)
def evaluate(program, args, widths, addresses, loss, loss_arg, x, yi, yv, out):
    """The chain's output on every row of ``x`` into ``out``; returns the mean loss."""
    rows, chunk, last = x.shape[0], 64, program.shape[0]
    acts = np.zeros((last + 1, chunk, widths.max()), F32)
    offsets = _offsets(program, widths, addresses)
    flat = _flat(addresses, 0, offsets)
    for start in range(0, rows, chunk):
        n = min(chunk, rows - start)
        acts[0, :n, :widths[0]] = x[start:start + n]
        forward(program, args, widths, flat, offsets, addresses[0, 1::2] != 0, acts, n)
        out[start:start + n] = acts[last, :n, :widths[last]]
    return loss_value(loss, loss_arg, out, yi, yv, rows)


@njit(FINGERPRINT, **KERNEL)
def fingerprint():
    return op.FINGERPRINT  # frozen when compiled


def check() -> None:
    """Compile afresh if the cached machine code predates the numbers in
    :mod:`.codes` (see ``codes.FINGERPRINT``)."""
    if fingerprint() == op.FINGERPRINT:
        return
    for function in globals().values():
        if isinstance(function, Dispatcher):
            function._cache.flush()  # type: ignore[attr-defined]
            function._reset_overloads()  # type: ignore[attr-defined]
    for function, signature in ((fingerprint, FINGERPRINT), (train_epoch, SIGNATURE),
                                (evaluate, EVALUATE)):
        function.compile(signature)
