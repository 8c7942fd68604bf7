"""Helpers the catalogue entries share: torch lookup and source printing."""

from __future__ import annotations

from ..registry import REGISTRY, BlockSpec, Category, Role


def nn_class(name: str):
    from torch import nn

    return getattr(nn, name)


def kwargs_source(params: dict, defaults: dict, order: list[str], always=()) -> str:
    """Keyword arguments that differ from PyTorch's defaults (or are listed in
    ``always``), in order."""
    parts = [f"{k}={params[k]!r}" for k in order
             if k in always or params.get(k) != defaults.get(k)]
    return ", ".join(parts)


def call_source(name: str, positional: list[str], keywords: str) -> str:
    args = ", ".join([*positional, keywords] if keywords else positional)
    return f"nn.{name}({args})"


def torch_defaults(spec_params) -> dict:
    """PyTorch's own defaults are the registry defaults (they are the same)."""
    return {p.name: p.default for p in spec_params}


def simple_module(name: str, category: Category, role: Role, teaching, params=(), always=(),
                  **extra) -> BlockSpec:
    """A block whose torch module is ``nn.<name>(**params)`` on any feature size;
    ``always`` names keywords printed even at their default."""
    defaults = torch_defaults(params)
    order = [p.name for p in params]

    def build(values: dict, features: int):
        return nn_class(name)(**values)

    def code(values: dict, features: int) -> str:
        return call_source(name, [], kwargs_source(values, defaults, order, always))

    spec = BlockSpec(name=name, category=category, role=role, teaching=teaching,
                     params=tuple(params), build=build, code=code, **extra)
    return REGISTRY.register(spec)
