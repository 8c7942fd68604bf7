"""Trained weights as safetensors files: plain tensors, nothing that can run.

The file's metadata names the format and the diagram, so loading weights of
another network fails with a message that says which tensors differ.
"""

from __future__ import annotations

import os

import torch

from ..core.files import write_atomic
from ..core.text import printable

FORMAT = "netcanvas-weights"
MAX_TITLE = 200  # characters of the diagram's title kept in the metadata


class WeightsError(ValueError):
    """Weights that cannot be saved or do not fit the network."""


def save_weights(model: torch.nn.Module, path: str | os.PathLike, title: str = "") -> None:
    from safetensors.torch import save

    tensors = {k: v.detach().contiguous().clone() for k, v in model.state_dict().items()}
    data = save(tensors, metadata={"format": FORMAT, "title": metadata_title(title)})
    write_atomic(path, data)


def metadata_title(title: object) -> str:
    """The title as other tools show it: printable (no control characters or
    lone surrogates, which safetensors cannot encode) and at most MAX_TITLE
    characters."""
    text = printable(title)
    return text if len(text) <= MAX_TITLE else text[:MAX_TITLE - 1] + "…"


def load_weights(model: torch.nn.Module, path: str | os.PathLike) -> None:
    """Copy the file's tensors into ``model``; on any mismatch change nothing."""
    from safetensors import SafetensorError
    from safetensors.torch import load

    try:
        with open(path, "rb") as stream:
            tensors = load(stream.read())
    except OSError as error:
        raise WeightsError(f"cannot read {os.fspath(path)}: {error.strerror or error}") from None
    except (SafetensorError, ValueError, RuntimeError) as error:
        raise WeightsError(f"{os.path.basename(path)} is not a safetensors file ({error})") \
            from None
    check_fit(model, tensors)
    model.load_state_dict(tensors)


def check_fit(model: torch.nn.Module, tensors: dict) -> None:
    expected = model.state_dict()
    missing = sorted(set(expected) - set(tensors))
    extra = sorted(set(tensors) - set(expected))
    if missing or extra:
        detail = (f"missing {', '.join(missing[:3])}" if missing else
                  f"unexpected {', '.join(extra[:3])}")
        raise WeightsError(f"these weights belong to another network ({detail})")
    for key, value in expected.items():
        if tuple(tensors[key].shape) != tuple(value.shape):
            raise WeightsError(f"{key} has shape {tuple(tensors[key].shape)} in the file but "
                               f"{tuple(value.shape)} in the network: the layer sizes differ")
