"""The numbers the whole-epoch kernel dispatches on, shared by the kernel
(:mod:`.epoch_kernel`, compiled by numba) and the code that prepares its
arguments (:mod:`..fastpath.whole_epoch`, plain Python). numba reads module-level
integers as constants, so a branch on them costs a compare.

The activations and losses are the catalogue's
:class:`~graph_engine.blocks.registry.Function`: the catalogue says which
function a block computes (``BlockSpec.function``), this table numbers them
for the kernel.
"""

from __future__ import annotations

import zlib

from ...blocks.registry import Function

# One row of the program: a Linear layer, or an elementwise activation.
LINEAR = 0
RELU, LEAKY_RELU, TANH, SIGMOID, ELU, SOFTPLUS, SILU, GELU, GELU_TANH = range(1, 10)

ACTIVATIONS = {
    Function.RELU: RELU, Function.LEAKY_RELU: LEAKY_RELU, Function.TANH: TANH,
    Function.SIGMOID: SIGMOID, Function.ELU: ELU, Function.SOFTPLUS: SOFTPLUS,
    Function.SILU: SILU, Function.GELU: GELU, Function.GELU_TANH: GELU_TANH,
}

CROSS_ENTROPY, BCE, BCE_WITH_LOGITS, SQUARED_ERROR, HUBER = range(5)

# NLLLoss is left out: it reads log-probabilities, which only a LogSoftmax (a row-wise
# layer, not a chain the kernel runs) makes.
LOSSES = {
    Function.CROSS_ENTROPY: CROSS_ENTROPY, Function.BCE: BCE,
    Function.BCE_WITH_LOGITS: BCE_WITH_LOGITS, Function.SQUARED_ERROR: SQUARED_ERROR,
    Function.HUBER: HUBER,
}

# Losses whose target is a class index (the others read float targets).
CLASS_TARGETS = frozenset({CROSS_ENTROPY})

SGD, MOMENTUM, ADAM, RMSPROP, ADAGRAD = range(5)

# The optimizer's settings, by position in the kernel's ``hyper`` array; STEP is
# the optimizer's step count, which the kernel advances.
LR, MOMENTUM_, KEEP, BETA1, BETA2, EPS, ALPHA, LR_DECAY, L1, L2, FIRST, STEP = range(12)
HYPER = 12

# How a row of the output becomes a class, for the accuracy: none (regression),
# the first column above a threshold, or the column with the largest value.
NO_CLASSES, THRESHOLD, ARGMAX = range(3)

# How a run of epochs ended: every epoch kept, or one whose training loss (or, with
# that finite, whose weights) became infinite or NaN, its weights put back.
KEPT, LOSS_DIVERGED, WEIGHTS_DIVERGED = range(3)

# numba keys its on-disk cache on the kernel's own source file: machine code
# compiled before a number here changed would still load. The kernel returns
# the fingerprint it was compiled with, and is compiled afresh when it differs.
FINGERPRINT = zlib.crc32(repr(sorted(
    (k, v) for k, v in globals().items() if k.isupper() and isinstance(v, int))).encode())
