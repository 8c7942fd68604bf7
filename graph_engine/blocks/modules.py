"""The torch modules NetCanvas adds to PyTorch's own: Step, CustomActivation,
PolynomialFeatures and MultiClassHingeLoss.

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


def polynomial_terms(features: int, degree: int, interaction_only: bool,
                     include_bias: bool) -> list[tuple[int, ...]]:
    """The monomials of scikit-learn's PolynomialFeatures, in its order: the
    bias (the empty product), then each degree in turn, its terms as index
    tuples in lexicographic order ((0, 0), (0, 1), (1, 1) for x0², x0·x1, x1²)."""
    from itertools import combinations, combinations_with_replacement

    pick = combinations if interaction_only else combinations_with_replacement
    terms: list[tuple[int, ...]] = [()] if include_bias else []
    for power in range(1, degree + 1):
        terms.extend(pick(range(features), power))
    return terms


class PolynomialFeatures(nn.Module):
    """scikit-learn's PolynomialFeatures as a layer: every product of up to
    ``degree`` input features, bias column first. No learnable parameters."""

    def __init__(self, in_features: int, degree: int = 2, interaction_only: bool = False,
                 include_bias: bool = True) -> None:
        super().__init__()
        self.in_features, self.degree = in_features, degree
        self.interaction_only, self.include_bias = interaction_only, include_bias
        terms = polynomial_terms(in_features, degree, interaction_only, include_bias)
        self.out_features = len(terms)
        # one index matrix per degree: (terms of that degree, degree); not in the state_dict
        for power in range(1, degree + 1):
            rows = [t for t in terms if len(t) == power]
            index = torch.tensor(rows, dtype=torch.long).reshape(len(rows), power)
            self.register_buffer(f"index{power}", index, persistent=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        columns = [torch.ones_like(x[:, :1])] if self.include_bias else []
        for power in range(1, self.degree + 1):
            index = getattr(self, f"index{power}")
            if index.shape[0]:
                columns.append(x[:, index].prod(dim=2))  # (N, terms, power) -> (N, terms)
        return torch.cat(columns, dim=1)

    def extra_repr(self) -> str:
        return (f"{self.in_features}, degree={self.degree}, "
                f"interaction_only={self.interaction_only}, include_bias={self.include_bias}")


class MultiClassHingeLoss(nn.Module):
    """The lecture's multi-class hinge (Crammer and Singer): the mean over the samples
    of max(0, max_{j ≠ y} z_j − z_y + margin). Only the strongest wrong class counts,
    where PyTorch's MultiMarginLoss sums over every wrong class and divides by C."""

    def __init__(self, margin: float = 1.0) -> None:
        super().__init__()
        self.margin = margin

    def forward(self, scores: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        picked = target[:, None]
        # the correct class set to −inf can never be the strongest wrong one
        strongest_wrong = scores.scatter(1, picked, float("-inf")).amax(dim=1)
        return (strongest_wrong - scores.gather(1, picked)[:, 0] + self.margin).clamp(min=0).mean()

    def extra_repr(self) -> str:
        return f"margin={self.margin}"
