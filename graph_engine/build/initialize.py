"""The training setting ``init`` applied: the starting weights of every dense layer,
then the weights a student set by hand (a dense block's ``start_weights``).

The compiler calls :func:`initialize` right after it builds the modules, under
the same seed, so ``ge.compile``, a run, a trace and an export all start from
the same weights; the exported source makes the same calls (:mod:`.codegen`).
"""

from __future__ import annotations

import torch
from torch import nn

from ..model.initializers import INITIALIZERS, InitCall
from .plan import Plan


def dense_modules(plan: Plan, modules: dict[str, nn.Module]) -> dict[str, nn.Module]:
    """Block id -> module of every dense layer (the ones ``init`` sets)."""
    return {b: m for b, m in modules.items() if plan.analysis.block(b).spec.dense}


def initialize(plan: Plan, modules: dict[str, nn.Module], init: str) -> None:
    """Fill the weight and bias of every dense module as ``init`` says, drawing
    from torch's global generator (the compiler has seeded it)."""
    scheme = INITIALIZERS[init]
    with torch.no_grad():
        for block_id, module in dense_modules(plan, modules).items():
            for name, call in (("weight", scheme.weight), ("bias", scheme.bias)):
                _apply(call, getattr(module, name, None))  # a layer without bias: None
            block = plan.analysis.block(block_id)
            weight = getattr(module, "weight")  # noqa: B009 - a Module attribute, for mypy
            for row, column, value in block.spec.start_weights(block.params):
                weight[row, column] = value  # set by hand (validation bounds them)


def _apply(call: InitCall | None, tensor: object) -> None:
    if call is not None and isinstance(tensor, torch.Tensor):
        # the function is one INITIALIZERS names, never text from a file
        getattr(nn.init, call.function)(tensor, *call.args)
