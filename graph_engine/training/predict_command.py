"""``python main.py predict FILE --weights W (--x 0.5,1.2 | --data TABLE --out OUT.csv)
[--json]``: the predict command of :mod:`graph_engine.cli`.

The diagram is compiled, the weights loaded into it, and its data set made, for its
columns, its classes and the shift and scale a standardised set applies. ``--x``
asks about one row of raw inputs and prints the predicted class with each class's
probability (or the value); ``--data`` runs the network on every row of a table
with the data set's columns and writes it to ``--out`` with the predictions added.
The output is checked before any work, as every command's is.
"""

from __future__ import annotations

import json
import os

from ..core.files import SameFileError, check_output
from ..core.jsontext import printable_json
from ..model.fileio import load
from ..model.sources import input_files

EPILOG = ("--x takes the raw inputs, one number per feature column of the diagram's data "
          "set, as its file or generator has them (a standardised set's shift and scale are "
          "applied). --out gets the table with a column 'predicted' (the class or the value) "
          "and, for classes, p(CLASS) for each; it is CSV, TSV or Parquet by its extension. "
          "Exit status: 0 success; 1 the diagram has errors; 2 an unreadable file, weights "
          "of another network, a table that does not fit, or bad arguments.")


class PredictUsageError(Exception):
    """Bad arguments, weights or a table that do not fit: exit status 2."""


def add_parser(sub) -> None:
    p = sub.add_parser("predict", help="ask a trained network about new inputs",
                       epilog=EPILOG)
    p.add_argument("file")
    p.add_argument("--weights", metavar="W.safetensors", required=True,
                   help="trained weights saved by 'train --save-weights' or the editor")
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--x", metavar="X1,X2,...", help="one row of inputs, e.g. --x 0.5,1.2")
    which.add_argument("--data", metavar="TABLE", help="a CSV, TSV or Parquet table with the "
                       "data set's columns (its target column may stay)")
    p.add_argument("--out", metavar="OUT.csv", help="where --data writes its table with "
                   "the predictions (required with --data)")
    p.add_argument("--json", action="store_true", help="print one JSON object")


def run(args, say) -> int:
    if args.data and not args.out:
        raise PredictUsageError("--data needs --out: where to write the table with the "
                                "predictions")
    if args.x is not None and args.out:
        raise PredictUsageError("--out goes with --data (a table); --x prints its answer")
    diagram = load(args.file)
    if args.out:
        _check_output(args.out, [*input_files(diagram, args.file), args.weights, args.data])
    net, data = _network(diagram, args.weights)
    if args.x is not None:
        return _one_row(net, data, _numbers(args.x), args, say)
    return _table(net, data, args, say)


def _check_output(path: str, inputs: list[str]) -> None:
    try:
        check_output(path, inputs)
    except SameFileError as error:
        raise PredictUsageError(str(error)) from None
    except (OSError, ValueError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else error
        raise PredictUsageError(f"cannot write {path}: {reason}") from None


def _network(diagram, weights: str):
    """The compiled diagram with ``weights``, and its data set (raises DiagramError for a
    diagram with errors)."""
    from ..build.compiler import compile as compile_diagram
    from ..build.weights import WeightsError, load_weights
    from ..data import datasets

    if diagram.dataset is None:
        raise PredictUsageError("the diagram has no data set: its columns and classes are "
                                "what the network is asked about")
    net = compile_diagram(diagram, seed=diagram.training.seed)
    try:
        load_weights(net.model, weights)
        return net, datasets.load(diagram.dataset)
    except (WeightsError, ValueError) as error:  # ValueError: a data set that cannot be read
        raise PredictUsageError(str(error)) from None


def _numbers(text: str) -> list[float]:
    try:
        return [float(part) for part in text.split(",")]
    except ValueError:
        raise PredictUsageError(f"--x takes numbers separated by commas, e.g. --x 0.5,-1.2; "
                                f"got {text!r}") from None


def _one_row(net, data, row: list[float], args, say) -> int:
    from .prediction import answer, network_inputs

    try:
        found = answer(net, data, network_inputs(data, [row])).row(0)
    except ValueError as error:
        raise PredictUsageError(f"--x: {error}") from None
    if args.json:
        say(printable_json({"file": args.file, "x": row, **found}))
    elif "value" in found:
        say(f"predicted value {_shown(found['value'])}")
    else:
        chances = ", ".join(f"p({name}) = {p:.3f}" for name, p in found["probabilities"].items())
        say(f"predicted class {found['class_name']}: {chances}")
    return 0


def _shown(values: list[float]) -> str:
    return ", ".join(f"{v:.6g}" for v in values)


def _table(net, data, args, say) -> int:
    from .prediction import predict_table

    try:
        rows = predict_table(net, data, args.data, args.out)
    except OSError as error:
        raise PredictUsageError(f"cannot write {args.out}: {error.strerror or error}") from None
    except ValueError as error:  # DatasetError: the table does not fit the network
        raise PredictUsageError(str(error)) from None
    if args.json:
        say(json.dumps({"file": args.file, "data": args.data, "out": args.out, "rows": rows}))
    else:
        say(f"wrote {rows:,} predictions to {os.path.basename(args.out)}")
    return 0
