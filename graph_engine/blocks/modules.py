"""The torch modules NetCanvas adds to PyTorch's own: Step and CustomActivation.

Imported only when a diagram is compiled, so the editor starts without torch.
"""

from __future__ import annotations

import torch
from torch import nn

from ..core import formula as formula_mod


class Step(nn.Module):
    """Heaviside step: 1 where x > 0, else 0. Its gradient is zero everywhere."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # "+ 0 * x" keeps the autograd graph connected, so backward runs and
        # shows the student what a zero gradient does to learning.
        return (x > 0).to(x.dtype) + 0 * x


class CustomActivation(nn.Module):
    """An elementwise formula in x with learnable scalar parameters."""

    def __init__(self, formula: str) -> None:
        super().__init__()
        parsed = formula_mod.parse(formula)
        self.formula = parsed.text
        self._tree = parsed.tree
        for name in parsed.params:
            setattr(self, name, nn.Parameter(torch.tensor(1.0)))
        self._names = parsed.params

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        params = {name: getattr(self, name) for name in self._names}
        out = formula_mod.evaluate(self._tree, x, params)
        if not isinstance(out, torch.Tensor) or out.shape != x.shape:
            out = torch.as_tensor(out, dtype=x.dtype).expand_as(x)
        if x.requires_grad and not out.requires_grad:  # where(x > 0, 1, 0): as Step does,
            out = out + 0 * x  # keep the graph connected so backward runs (zero gradient)
        return out

    def extra_repr(self) -> str:
        return f"formula={self.formula!r}"
