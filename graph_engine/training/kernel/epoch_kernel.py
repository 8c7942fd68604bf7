"""The whole-epoch kernel: epochs of optimizer steps and their evaluation in one compiled loop.

For a Playground-sized chain the arithmetic of a step is about a hundred
floating-point operations a sample; what the fast path spends is the cost of
calling torch dozens of times a step. Here numba compiles one loop over a
run of epochs: for each, every batch's forward pass, the loss's gradient,
the backward pass, the L1/L2 penalty and the optimizer's update, then the
loss and the accuracy on the whole training and test sets, the check that
the loss and every weight are finite, and a copy of the weights to go back
to. It computes in float32 as torch does, each operation written as the
torch kernel the eager loop runs writes it (the formulas of ATen's CPU
kernels and of torch.optim's single-tensor code), so the numbers agree to
rounding.

Activations are stored a unit at a time across the batch's samples
(``acts[layer, unit * rows + sample]``, ``rows`` the batch's size), so the
innermost loops run over samples, an activation over a whole layer in one
loop, and the compiler turns them into vector instructions. tanh, the
Playground's activation, is computed here (:func:`tanh`) rather than by
libm, which cannot be vectorised and cost a third of the steps' time.

Nothing here knows a block: a chain arrives as a program of numbered rows
(:mod:`.codes`), its weights, the optimizer's state and the last good
weights as the addresses of the torch tensors themselves, which the kernel
updates in place. One signature (:data:`SIGNATURE`) covers every chain,
loss and optimizer, so numba compiles once and caches the machine code.

This module imports numba; :mod:`.loading` imports it in a background
thread, and compiles it (once per machine) in a process of its own.

It stays one file, in sections (activations, the chain, losses, evaluation,
optimizers, the entry point), though it is long: numba's cache checks only the
source file of the function it compiled, so a helper moved to another module
could change while the cached machine code, with the old helper compiled in,
went on being loaded.
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
FLOAT32_MAX = 3.4028234663852886e38
SQRT1_2 = F32(0.7071067811865476)
GELU_BETA = F32(0.3989422804014327)  # M_2_SQRTPI * M_SQRT1_2 * 0.5
GELU_TANH_BETA = F32(0.7978845608028654)  # M_SQRT2 * M_2_SQRTPI * 0.5
GELU_KAPPA = F32(0.044715)
CHUNK = 256  # samples evaluated at a time

# tanh in float64, rounded once to float32: 1 - 2 / (exp(2|x|) + 1), with
# exp(y) = 2^k exp(r), y = k ln 2 + r, |r| <= ln 2 / 2 (ln 2 in two parts, so
# k ln2_hi is exact), exp(r) by its Taylor series to r^9 (error under 1e-11),
# and tanh(x) = x (1 - x^2 / 3) below 0.004, where the subtraction would cancel.
# Beyond 9.1, tanh rounds to 1 in float32.
LOG2E = 1.4426950408889634
LN2_HI = 0.6931471803691238
LN2_LO = 1.9082149292705877e-10
TANH_ONE = 9.1
TANH_SMALL = 0.004

# train_epochs(program, args, widths, first, addresses, optimizer, hyper, loss, loss_arg,
#              x, yi, yv, labels, n_train, decide, threshold, orders, skip, batch, epochs,
#              results, out) -> (epochs kept, how the run ended)
SIGNATURE = types.UniTuple(types.int64, 2)(
    types.int64[:, ::1], types.float32[:, ::1], types.int64[::1], types.int64,
    types.int64[:, ::1], types.int64, types.float64[::1], types.int64, types.float32,
    types.float32[:, ::1], types.int64[::1], types.float32[:, ::1], types.int64[::1],
    types.int64, types.int64, types.float32, types.int64[:, ::1], types.int64, types.int64,
    types.int64, types.float64[:, ::1], types.float32[:, ::1])
FINGERPRINT = types.int64()

KERNEL: dict[str, Any] = {"cache": True, "nogil": True, "error_model": "numpy"}


# ---------------------------------------------------------------- activations
@njit(inline="always", **KERNEL)
def tanh(x):
    """tanh of a float32, within one unit in the last place of the exact value
    (libm's tanhf is within two); only arithmetic and selections, so a loop of
    it becomes vector instructions."""
    a = abs(np.float64(x))
    y = 2.0 * (a if a < TANH_ONE else TANH_ONE)  # NaN takes the bound, then passes below
    k = np.floor(y * LOG2E + 0.5)  # 0 to 27, a float
    r = (y - k * LN2_HI) - k * LN2_LO
    e = 1.0 + r * (1.0 + r * (1 / 2 + r * (1 / 6 + r * (1 / 24 + r * (
        1 / 120 + r * (1 / 720 + r * (1 / 5040 + r * (1 / 40320 + r * (1 / 362880)))))))))
    # times 2^k, one bit of k at a time, in floats (vectorises without integer conversions)
    e, k = (e * 65536.0, k - 16.0) if k >= 16.0 else (e, k)
    e, k = (e * 256.0, k - 8.0) if k >= 8.0 else (e, k)
    e, k = (e * 16.0, k - 4.0) if k >= 4.0 else (e, k)
    e, k = (e * 4.0, k - 2.0) if k >= 2.0 else (e, k)
    e = e * 2.0 if k >= 1.0 else e
    t = 1.0 - 2.0 / (e + 1.0)
    t = a * (1.0 - a * a / 3.0) if a < TANH_SMALL else t
    t = 1.0 if a >= TANH_ONE else t
    return F32(math.copysign(t, x)) if x == x else x


@njit(**KERNEL)
def _sigmoid(x):
    return ONE / (ONE + math.exp(-x))


# Each activation and its derivative: x the input, y the output, g the output's
# gradient, a and b the block's arguments (ATen's CPU formulas).
@njit(**KERNEL)
def _relu(x):
    return ZERO if x <= ZERO else x  # NaN passes, as clamp_min lets it


@njit(**KERNEL)
def _elu(x, a):
    return a * math.expm1(x) if x <= ZERO else x


@njit(**KERNEL)
def _softplus(x, beta, threshold):
    return x if x * beta > threshold else math.log1p(math.exp(x * beta)) / beta


@njit(**KERNEL)
def _gelu(x):
    return x * HALF * (ONE + math.erf(x * SQRT1_2))


@njit(**KERNEL)
def _gelu_tanh(x):
    inner = GELU_TANH_BETA * (x + GELU_KAPPA * x * x * x)
    return HALF * x * (ONE + math.tanh(inner))


@njit(**KERNEL)
def _elu_grad(g, x, a):
    return g * a * math.exp(x) if x <= ZERO else g


@njit(**KERNEL)
def _softplus_grad(g, x, beta, threshold):
    z = math.exp(x * beta)
    return g if x * beta > threshold else g * z / (z + ONE)


@njit(**KERNEL)
def _silu_grad(g, x):
    s = _sigmoid(x)
    return g * s * (ONE + x * (ONE - s))


@njit(**KERNEL)
def _gelu_grad(g, x):
    cdf = HALF * (ONE + math.erf(x * SQRT1_2))
    pdf = math.exp(-HALF * x * x) * GELU_BETA
    return g * (cdf + x * pdf)


@njit(**KERNEL)
def _gelu_tanh_grad(g, x):
    inner = GELU_TANH_BETA * (x + GELU_KAPPA * x * x * x)
    t = math.tanh(inner)
    slope = GELU_TANH_BETA * (ONE + THREE * GELU_KAPPA * x * x)
    return g * (HALF * (ONE + t) + HALF * x * (ONE - t * t) * slope)


# One loop per activation, the branch outside it: with the branch inside, the
# compiler computes every activation's exp and log for every sample and keeps one.
@njit(**KERNEL)
def _activate(code, a, b, acts, k, units, rows):
    """acts[k + 1] = the activation ``code`` of acts[k] (``units`` units of ``rows``
    samples each, one after the other)."""
    n = units * rows
    if code == op.TANH:
        for j in range(n):
            acts[k + 1, j] = tanh(acts[k, j])
    elif code == op.RELU:
        for j in range(n):
            acts[k + 1, j] = _relu(acts[k, j])
    elif code == op.LEAKY_RELU:
        for j in range(n):
            x = acts[k, j]
            acts[k + 1, j] = x if x > ZERO else x * a
    elif code == op.SIGMOID:
        for j in range(n):
            acts[k + 1, j] = _sigmoid(acts[k, j])
    elif code == op.ELU:
        for j in range(n):
            acts[k + 1, j] = _elu(acts[k, j], a)
    elif code == op.SOFTPLUS:
        for j in range(n):
            acts[k + 1, j] = _softplus(acts[k, j], a, b)
    elif code == op.SILU:
        for j in range(n):
            x = acts[k, j]
            acts[k + 1, j] = x * _sigmoid(x)
    elif code == op.GELU:
        for j in range(n):
            acts[k + 1, j] = _gelu(acts[k, j])
    else:
        for j in range(n):
            acts[k + 1, j] = _gelu_tanh(acts[k, j])


@njit(**KERNEL)
def _differentiate(code, a, b, acts, k, units, rows, g, now):
    """The other buffer of g = the gradient before activation k, from g[now]."""
    n = units * rows
    if code == op.TANH:
        for j in range(n):
            y = acts[k + 1, j]
            g[1 - now, j] = g[now, j] * (ONE - y * y)
    elif code == op.RELU:
        for j in range(n):
            g[1 - now, j] = ZERO if acts[k + 1, j] <= ZERO else g[now, j]
    elif code == op.LEAKY_RELU:
        for j in range(n):
            gr = g[now, j]
            g[1 - now, j] = gr if acts[k, j] > ZERO else gr * a
    elif code == op.SIGMOID:
        for j in range(n):
            y = acts[k + 1, j]
            g[1 - now, j] = g[now, j] * (ONE - y) * y
    elif code == op.ELU:
        for j in range(n):
            g[1 - now, j] = _elu_grad(g[now, j], acts[k, j], a)
    elif code == op.SOFTPLUS:
        for j in range(n):
            g[1 - now, j] = _softplus_grad(g[now, j], acts[k, j], a, b)
    elif code == op.SILU:
        for j in range(n):
            g[1 - now, j] = _silu_grad(g[now, j], acts[k, j])
    elif code == op.GELU:
        for j in range(n):
            g[1 - now, j] = _gelu_grad(g[now, j], acts[k, j])
    else:
        for j in range(n):
            g[1 - now, j] = _gelu_tanh_grad(g[now, j], acts[k, j])


# ---------------------------------------------------------------- the chain
# The parameters travel as one flat float32 array: layer l's weight (out, in),
# row-major, from offsets[2 l], its bias from offsets[2 l + 1]; the gradients,
# the optimizer's state and the last good weights share that layout.
@njit(**KERNEL)
def forward(program, args, widths, flat, offsets, acts, rows):
    """The chain on the first ``rows`` samples of ``acts[0]``; ``acts[k + 1]``
    gets the output of program row k. (Indexing ``acts`` whole, never through
    views of it: each view costs reference counting.)"""
    for k in range(program.shape[0]):
        code, n_in, n_out = program[k, 0], widths[k], widths[k + 1]
        if code == op.LINEAR:
            layer = program[k, 1]
            _linear(flat, offsets[2 * layer], offsets[2 * layer + 1], offsets[2 * layer + 2],
                    acts, k, rows, n_in, n_out)
        else:
            _activate(code, args[k, 0], args[k, 1], acts, k, n_out, rows)


@njit(**KERNEL)
def _linear(flat, at, bias_at, end, acts, k, rows, n_in, n_out):
    """acts[k + 1] = acts[k] weightᵀ + bias, each sum taken over the inputs in
    order and the bias added last."""
    for o in range(n_out):
        for r in range(rows):
            acts[k + 1, o * rows + r] = ZERO
        for i in range(n_in):
            w = flat[at + o * n_in + i]
            for r in range(rows):
                acts[k + 1, o * rows + r] += acts[k, i * rows + r] * w
        if end > bias_at:
            bias = flat[bias_at + o]
            for r in range(rows):
                acts[k + 1, o * rows + r] += bias


@njit(**KERNEL)
def backward(program, args, widths, first, flat, offsets, acts, rows, g, grads):
    """From the output's gradient ``g[0]`` back to the first Linear layer (``g``
    holds two buffers, used in turn); each layer's weight and bias gradients
    go to ``grads``."""
    now = 0
    for k in range(program.shape[0] - 1, first - 1, -1):
        code, n_in, n_out = program[k, 0], widths[k], widths[k + 1]
        if code == op.LINEAR:
            layer = program[k, 1]
            at, bias_at, end = offsets[2 * layer], offsets[2 * layer + 1], offsets[2 * layer + 2]
            _parameter_gradients(g, now, acts, k, rows, n_in, n_out, grads, at, bias_at, end)
            if k == first:
                return
            _input_gradient(g, now, flat, at, rows, n_in, n_out)
        else:
            _differentiate(code, args[k, 0], args[k, 1], acts, k, n_out, rows, g, now)
        now = 1 - now


@njit(**KERNEL)
def _parameter_gradients(g, now, acts, k, rows, n_in, n_out, grads, at, bias_at, end):
    """gᵀ acts[k] (the weight's) and the sums of g over the batch (the bias's),
    each summed over the batch's samples in order."""
    for o in range(n_out):
        if end > bias_at:
            total = ZERO
            for r in range(rows):
                total += g[now, o * rows + r]
            grads[bias_at + o] = total
        for i in range(n_in):
            total = ZERO
            for r in range(rows):
                total += g[now, o * rows + r] * acts[k, i * rows + r]
            grads[at + o * n_in + i] = total


@njit(**KERNEL)
def _input_gradient(g, now, flat, at, rows, n_in, n_out):
    """g weight into the other buffer of g, each sum over the outputs in order."""
    for i in range(n_in):
        for r in range(rows):
            g[1 - now, i * rows + r] = ZERO
    for o in range(n_out):
        for i in range(n_in):
            w = flat[at + o * n_in + i]
            for r in range(rows):
                g[1 - now, i * rows + r] += g[now, o * rows + r] * w


# ---------------------------------------------------------------- losses
# As for the activations, one loop per loss, the branch outside it.
@njit(**KERNEL)
def loss_gradient(loss, delta, acts, last, columns, yi, yv, order, start, rows, g):
    """d(mean loss)/d(output) of a batch (``acts[last]``) into ``g[0]`` (the
    batch's samples are ``order[start:start + rows]``)."""
    if loss == op.CROSS_ENTROPY:
        _cross_entropy_gradient(acts, last, columns, yi, order, start, rows, g)
        return
    numel = F32(rows * columns)
    for c in range(columns):
        at = c * rows  # the batch's outputs in column c start here
        if loss == op.BCE_WITH_LOGITS:
            for r in range(rows):
                y = yv[order[start + r], c]
                g[0, at + r] = (_sigmoid(acts[last, at + r]) - y) / numel
        elif loss == op.BCE:
            for r in range(rows):
                p, y = acts[last, at + r], yv[order[start + r], c]
                g[0, at + r] = (p - y) / max((ONE - p) * p, BCE_EPSILON) / numel
        elif loss == op.SQUARED_ERROR:
            for r in range(rows):
                g[0, at + r] = TWO / numel * (acts[last, at + r] - yv[order[start + r], c])
        else:
            for r in range(rows):
                d = acts[last, at + r] - yv[order[start + r], c]
                g[0, at + r] = _huber_gradient(d, delta, numel)


@njit(**KERNEL)
def _cross_entropy_gradient(acts, last, columns, yi, order, start, rows, g):
    """log_softmax_backward of nll_loss_backward: softmax minus the label's one-hot,
    over the batch's size."""
    weight = -ONE / F32(rows)  # nll_loss_backward: -1 / total_weight at the label
    for r in range(rows):
        top = _largest(acts, last, columns, rows, r)
        total = ZERO
        for c in range(columns):
            g[0, c * rows + r] = math.exp(acts[last, c * rows + r] - top)
            total += g[0, c * rows + r]
        label = yi[order[start + r]]
        for c in range(columns):  # log_softmax_backward: at - softmax · (sum of at)
            at = weight if c == label else ZERO
            g[0, c * rows + r] = at - g[0, c * rows + r] / total * weight


@njit(**KERNEL)
def _largest(acts, last, columns, rows, r):
    """The largest output of sample r (log_softmax subtracts it before exp)."""
    top = acts[last, r]
    for c in range(1, columns):
        top = max(top, acts[last, c * rows + r])
    return top


@njit(**KERNEL)
def _huber_gradient(d, delta, numel):
    if d < -delta:
        return -ONE / numel * delta
    return ONE / numel * delta if d > delta else ONE / numel * d


@njit(**KERNEL)
def summed_loss(loss, delta, acts, last, columns, rows, yi, yv, first):
    """The loss of samples ``first`` to ``first + rows`` (``acts[last]``), summed in float64."""
    total = 0.0
    if loss == op.CROSS_ENTROPY:
        for r in range(rows):
            top = _largest(acts, last, columns, rows, r)
            s = ZERO
            for c in range(columns):
                s += math.exp(acts[last, c * rows + r] - top)
            total -= acts[last, yi[first + r] * rows + r] - top - math.log(s)
        return total
    for c in range(columns):
        if loss == op.BCE_WITH_LOGITS:
            for r in range(rows):
                p, y = acts[last, c * rows + r], yv[first + r, c]
                total += (ONE - y) * p + max(-p, ZERO) + math.log1p(math.exp(-abs(p)))
        elif loss == op.BCE:
            for r in range(rows):
                p, y = acts[last, c * rows + r], yv[first + r, c]
                total -= y * max(math.log(p), LOG_FLOOR) + \
                    (ONE - y) * max(math.log(ONE - p), LOG_FLOOR)
        elif loss == op.SQUARED_ERROR:
            for r in range(rows):
                d = acts[last, c * rows + r] - yv[first + r, c]
                total += d * d
        else:
            for r in range(rows):
                d = acts[last, c * rows + r] - yv[first + r, c]
                total += HALF * d * d if abs(d) < delta else delta * (abs(d) - HALF * delta)
    return total


@njit(**KERNEL)
def right(decide, threshold, acts, last, columns, rows, labels, first):
    """How many of samples ``first`` to ``first + rows`` are classified as their
    label: by their first output above ``threshold``, or by the output with the
    largest value (the first of equals; NaN counts as largest, as in torch.argmax)."""
    count = 0
    if decide == op.THRESHOLD:
        for r in range(rows):
            count += (1 if acts[last, r] > threshold else 0) == labels[first + r]
        return count
    for r in range(rows):
        best = 0
        for c in range(1, columns):
            value, top = acts[last, c * rows + r], acts[last, best * rows + r]
            if value > top or (value != value and top == top):
                best = c
        count += best == labels[first + r]
    return count


# ---------------------------------------------------------------- evaluation
@njit(**KERNEL)
def evaluate(program, args, widths, flat, offsets, acts, loss, loss_arg, x, yi, yv, labels,
             begin, end, decide, threshold, out, into):
    """Samples ``begin`` to ``end`` of x through the chain: their outputs into
    ``out``, their mean loss into ``into[0]`` and the share classified right into
    ``into[1]`` (each rounded to float32, as torch's mean gives it)."""
    last = program.shape[0]
    columns = widths[last]
    total, count = 0.0, 0
    for start in range(begin, end, CHUNK):
        rows = min(CHUNK, end - start)
        for i in range(widths[0]):
            for r in range(rows):
                acts[0, i * rows + r] = x[start + r, i]
        forward(program, args, widths, flat, offsets, acts, rows)
        for c in range(columns):
            for r in range(rows):
                out[start + r, c] = acts[last, c * rows + r]
        total += summed_loss(loss, loss_arg, acts, last, columns, rows, yi, yv, start)
        if decide != op.NO_CLASSES:
            count += right(decide, threshold, acts, last, columns, rows, labels, start)
    samples = end - begin
    per = samples if loss == op.CROSS_ENTROPY else samples * columns
    # torch sums in float32: a sum past float32's range is infinite there
    into[0] = F32(total / per) if abs(total) <= FLOAT32_MAX else F32(total)
    into[1] = F32(count) / F32(samples)


@njit(**KERNEL)
def _verdict(train_loss, flat, offsets):
    """How an epoch ended, as the Trainer judges it: its training loss must be
    finite, and then every weight."""
    if not math.isfinite(train_loss):
        return op.LOSS_DIVERGED
    return op.KEPT if weights_finite(flat, offsets) else op.WEIGHTS_DIVERGED


@njit(**KERNEL)
def weights_finite(flat, offsets):
    """As the Trainer checks: the float32 sum of each tensor's largest magnitude
    is finite (NaN anywhere, or weights near float32's limit, make it not)."""
    total = ZERO
    for part in range(offsets.shape[0] - 1):
        largest = ZERO
        for j in range(offsets[part], offsets[part + 1]):
            w = abs(flat[j])
            largest = w if (w > largest or w != w) else largest
        total += largest
    return total - total == ZERO


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


@njit(**KERNEL)
def _epoch(program, args, widths, first, flat, offsets, optimizer, hyper, m, v, grads, loss,
           loss_arg, x, yi, yv, order, skip, batch, acts, g):
    """One optimizer step per batch of ``batch`` samples taken from ``x`` in the
    order ``order``, from its sample ``skip`` on (the last batch may be shorter)."""
    last = program.shape[0]
    l1, l2 = F32(hyper[op.L1]), F32(hyper[op.L2])
    for start in range(skip, order.shape[0], batch):
        rows = min(batch, order.shape[0] - start)
        for i in range(widths[0]):
            for r in range(rows):
                acts[0, i * rows + r] = x[order[start + r], i]
        forward(program, args, widths, flat, offsets, acts, rows)
        loss_gradient(loss, loss_arg, acts, last, widths[last], yi, yv, order, start, rows, g)
        backward(program, args, widths, first, flat, offsets, acts, rows, g, grads)
        if l1 != ZERO or l2 != ZERO:
            for part in range(0, offsets.shape[0] - 1, 2):  # the weight matrices
                penalise(flat, grads, offsets[part], offsets[part + 1] - offsets[part], l1, l2)
        hyper[op.STEP] += 1.0
        update(optimizer, hyper, hyper[op.STEP], flat, m, v, grads)
        hyper[op.FIRST] = 0.0


# ---------------------------------------------------------------- entry point
@intrinsic
def _pointer(typingctx, address):
    """The float32 data at ``address`` (an int64 from ``Tensor.data_ptr``)."""
    def codegen(context, builder, signature, args):
        return builder.inttoptr(args[0], context.get_value_type(signature.return_type))
    return types.CPointer(types.float32)(address), codegen


# The tensors' memory arrives as addresses: one row each for the parameters, the
# optimizer's two state tensors and the last good weights, one column each for
# layer l's weight (2 l) and bias (2 l + 1); 0 where there is none. (A numba typed
# list of arrays would do, but building one from Python compiles its methods at
# run time.)
@njit(**KERNEL)
def _offsets(program, widths, addresses):
    """Where each layer's weight and bias start in the flat layout; the last
    entry is its size (a missing bias takes no room)."""
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
            offsets[2 * layer + 2] = at
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


@njit(**KERNEL)  # compiled for SIGNATURE alone, by load() or compile()
def train_epochs(program, args, widths, first, addresses, optimizer, hyper, loss, loss_arg,
                 x, yi, yv, labels, n_train, decide, threshold, orders, skip, batch, epochs,
                 results, out):
    """Train ``epochs`` epochs, each on the first ``n_train`` samples of x in the
    order of a row of ``orders`` (epoch e takes row e modulo their number; the
    first starts at its sample ``skip``), and evaluate each: results[e] gets the
    mean loss on the training set (samples before ``n_train``) and on the test set
    (the rest), then the share of each classified right; ``out`` the last
    evaluation's outputs. With ``epochs`` 0, only evaluates, into results[0].

    After each epoch the training loss must be finite, then every weight: if not,
    the weights of the last good epoch (or the good weights given) are put back
    and the run stops. Returns the number of good epochs and how the run ended
    (codes.KEPT, LOSS_DIVERGED, WEIGHTS_DIVERGED)."""
    offsets = _offsets(program, widths, addresses)
    flat, m, v = _flat(addresses, 0, offsets), _flat(addresses, 1, offsets), \
        _flat(addresses, 2, offsets)
    good, grads = _flat(addresses, 3, offsets), np.zeros(offsets[-1], F32)
    last, widest = program.shape[0], widths.max()
    acts = np.zeros((last + 1, widest * max(batch, CHUNK)), F32)
    g = np.zeros((2, widest * batch), F32)
    into = np.zeros(2, np.float64)
    kept, ending = 0, op.KEPT
    for e in range(max(epochs, 1)):
        if epochs > 0:
            _epoch(program, args, widths, first, flat, offsets, optimizer, hyper, m, v, grads,
                   loss, loss_arg, x, yi, yv, orders[e % orders.shape[0]], skip if e == 0 else 0,
                   batch, acts, g)
        for part in range(2):
            begin, end = (0, n_train) if part == 0 else (n_train, x.shape[0])
            evaluate(program, args, widths, flat, offsets, acts, loss, loss_arg, x, yi, yv,
                     labels, begin, end, decide, threshold, out, into)
            results[e, part], results[e, 2 + part] = into[0], into[1]
        if epochs == 0:
            break
        ending = _verdict(results[e, 0], flat, offsets)
        if ending != op.KEPT:
            flat[:] = good
            break
        good[:] = flat
        kept += 1
    _move(addresses, 0, offsets, flat, False)
    _move(addresses, 1, offsets, m, False)
    _move(addresses, 2, offsets, v, False)
    _move(addresses, 3, offsets, good, False)
    return kept, ending


@njit(**KERNEL)
def fingerprint():
    return op.FINGERPRINT  # frozen when compiled


ENTRIES = ((train_epochs, SIGNATURE), (fingerprint, FINGERPRINT))  # the fingerprint last


def load() -> bool:
    """Load the entry points' machine code from numba's cache, compiling
    nothing; False if some is missing, or predates the numbers in :mod:`.codes`
    (numba keys its cache on this file alone: see ``codes.FINGERPRINT``)."""
    for function, signature in ENTRIES:
        if not function.overloads:
            # numba's own first step in compile(): a look in the cache; compile()
            # then finds the entry loaded there (and never compiles)
            if function._cache.load_overload(signature, function.targetctx) is None:
                return False
            function.compile(signature)
    if fingerprint() == op.FINGERPRINT:
        _freeze()
        return True
    _forget(flush=False)
    return False


def compile() -> None:  # noqa: A001 - numba's word for it
    """Compile the entry points afresh into numba's cache (the fingerprint last,
    so a cache holding it holds the rest)."""
    _forget(flush=True)
    for function, signature in ENTRIES:
        function.compile(signature)
    _freeze()


def _freeze() -> None:
    """No compiling from now on: arguments of other types than the signature's
    raise TypeError instead of stopping training for a compile."""
    for function, _ in ENTRIES:
        function.disable_compile()


def _forget(flush: bool) -> None:
    """Drop the machine code loaded in this process, and with ``flush`` the cache's."""
    for function in list(globals().values()):
        if isinstance(function, Dispatcher):
            if flush:
                function._cache.flush()  # type: ignore[attr-defined]
            function._reset_overloads()  # type: ignore[attr-defined]
            function.disable_compile(False)
