"""Trained weights as safetensors files: plain tensors, nothing that can run.

The file's metadata names the format and the diagram, so loading weights of
another network fails with a message that says which tensors differ. Reading
is bounded by what the network can hold: a pipe, a device or a huge file is
refused unread.
"""

from __future__ import annotations

import os

import torch

from ..core.files import FileLimitError, check_path, read_bounded, write_atomic
from ..core.text import printable

FORMAT = "netcanvas-weights"
MAX_TITLE = 200  # characters of the diagram's title kept in the metadata
HEADER_SLACK = 1 << 20  # the safetensors header: names, shapes, offsets and the metadata


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
        path = check_path(path)
    except ValueError as error:  # a NUL byte
        raise WeightsError(f"cannot read the weights: {error}") from None
    try:
        tensors = load(read_bounded(path, size_limit(model)))
    except FileLimitError as error:
        larger = ": more than this network's weights, so they belong to a larger network" \
            if os.path.isfile(path) else ""
        raise WeightsError(f"cannot read {path}: {error}{larger}") from None
    except OSError as error:
        raise WeightsError(f"cannot read {path}: {error.strerror or error}") from None
    except (SafetensorError, ValueError, RuntimeError) as error:
        raise WeightsError(f"{os.path.basename(path)} is not a safetensors file ({error})") \
            from None
    check_fit(model, tensors)
    model.load_state_dict(tensors)


def size_limit(model: torch.nn.Module) -> int:
    """The largest weights file of ``model`` worth reading: its tensors at up to
    8 bytes a number (float64 weights load too) and the header."""
    numbers = sum(t.numel() for t in model.state_dict().values())
    return 8 * numbers + HEADER_SLACK


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
        found = tensors[key]
        if found.is_floating_point() and not bool(torch.isfinite(found).all()):
            raise WeightsError(f"{key} holds infinite or NaN values: no network computes with "
                               "them (were they saved from a run that diverged?)")
