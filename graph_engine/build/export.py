"""Exports that leave NetCanvas: ONNX files and standalone Python source.

Both are written atomically: a full disk or a killed process leaves the old
file whole. The ONNX model is built in memory first, so a network the
exporter refuses (ExportError) never touches the disk, and a file that
cannot be written is an OSError, as for every other file.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import warnings
from typing import TYPE_CHECKING

from ..core.files import write_atomic

if TYPE_CHECKING:  # torch is imported by the ONNX export only: writing source needs none
    from .compiler import CompiledNet


class ExportError(RuntimeError):
    """An export that failed; the message says why and what to try."""


def export_onnx(net: CompiledNet, path: str | os.PathLike) -> None:
    """Write the model as ONNX with a dynamic batch size (input "x", output "y").
    ExportError if the exporter refuses the model; OSError if the file cannot
    be written (the old file, if any, is then untouched)."""
    program = onnx_program(net)

    def save(temp: str) -> None:
        try:
            program.save(temp, external_data=False)
        except OSError:
            raise
        except Exception as error:  # noqa: BLE001 - the serializer's own kinds
            raise ExportError(f"the ONNX model could not be saved: {error}") from None

    write_atomic(path, save)


def onnx_program(net: CompiledNet):
    """The model as an in-memory ONNX program (torch.onnx.ONNXProgram)."""
    try:
        import onnxscript  # noqa: F401  (torch's ONNX exporter needs it)
    except ImportError:
        raise ExportError("ONNX export needs the onnxscript package: "
                          "pip install onnxscript") from None
    import torch

    model = net.model
    was_training = model.training
    model.eval()
    example = torch.zeros(2, net.plan.features or 1)
    logging.getLogger("torch.onnx").setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
            warnings.simplefilter("ignore")
            return torch.onnx.export(model, (example,), None, dynamo=True,
                                     input_names=["x"], output_names=["y"],
                                     dynamic_shapes=({0: torch.export.Dim("N", min=1)},))
    except Exception as error:  # noqa: BLE001 - torch raises many kinds here
        raise ExportError(f"the ONNX export failed: {error}") from None
    finally:
        model.train(was_training)


def export_python(source: str, path: str | os.PathLike) -> None:
    write_atomic(path, source)
