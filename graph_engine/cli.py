"""The command line: validate, compile, train, export and trace diagrams headless, ask
a trained network about new inputs (:mod:`graph_engine.training.predict_command`), and
grade students' diagrams against an exercise (:mod:`graph_engine.classroom.command`).

A progress bar (tqdm) shows on a terminal only; with --json or into a file or
pipe, ``train`` prints its results alone.

Exit status: 0 success, 1 a diagram with errors (or training that failed),
2 an unreadable file or bad arguments. Messages go to stderr, results to
stdout. A training run that diverges or fails exits 1, not 2: the file was
read and the arguments were accepted, so 2 would blame the wrong thing; it is
this diagram, with these settings, that does not train. Ctrl-C exits 130
and writes nothing.

Every output is checked before any work: it may not be one of the command's
inputs (the diagram file, the CSV file its data set reads), also through a
symlink or a hard link, and its folder must be writable.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from typing import Any

from .core.diagnostics import DiagramError
from .core.epochs import EpochRow
from .core.files import SameFileError, check_output
from .core.jsontext import printable_json
from .core.text import error_line, out_of_memory, printable
from .model.fileio import DiagramFileError, load
from .model.initializers import names as initialization_names
from .model.settings import OPTIMIZERS
from .model.sources import input_files

COMMANDS = ("validate", "compile", "train", "export", "trace", "predict", "examples", "exercises",
            "grade")
PROG = "netcanvas"
EXIT_STATUS = ("Exit status: 0 success; 1 the diagram has errors, or training diverged or "
               "failed; 2 an unreadable file or bad arguments; 130 interrupted (Ctrl-C)")
INITIALIZATIONS = initialization_names()
INTERRUPTED = 130  # 128 + SIGINT, as a shell reports a command stopped by Ctrl-C
MAX_LINE = 300  # an error quoted on one line is cut here


class UsageError(Exception):
    """Bad arguments or an unreadable file: exit status 2."""


class Interrupted(Exception):
    """Ctrl-C during training, after ``epochs`` whole epochs: nothing is written."""

    def __init__(self, epochs: int) -> None:
        super().__init__(f"interrupted after {epochs} epoch{'s' * (epochs != 1)}")


class _Parser(argparse.ArgumentParser):
    """Bad arguments: one line that says what is wrong, exit status 2."""

    def error(self, message: str):
        _say(f"{self.prog}: {message} (see {self.prog} --help)", sys.stderr)
        self.exit(2)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description="Validate, compile, train and "
                     "export NetCanvas diagrams without a window.", epilog=EXIT_STATUS)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("validate", help="list the diagram's problems, one per line")
    p.add_argument("file")
    p = sub.add_parser("compile", help="print (or write) the diagram as PyTorch source")
    p.add_argument("file")
    p.add_argument("-o", "--output", metavar="OUT.py", help="write the source to OUT.py")
    p = sub.add_parser("train", help="train the diagram on its data set",
                       epilog="If the loss becomes infinite or NaN, training stops, keeps the "
                       "weights of the last good epoch and exits 1, suggesting a lower --lr. "
                       "Any other failure while training prints one line, 'netcanvas: "
                       "training failed: ...', and exits 1. Ctrl-C stops training, saves "
                       "nothing and exits 130. " + EXIT_STATUS)
    p.add_argument("file")
    p.add_argument("--dataset", metavar="NAME", help="a built-in data set's name, or a table "
                   "file (CSV, TSV or Parquet) with --target")
    p.add_argument("--target", metavar="COLUMN", help="the table's target column (default: "
                   "its last column)")
    p.add_argument("--epochs", type=int, metavar="N")
    p.add_argument("--optimizer", choices=OPTIMIZERS)
    p.add_argument("--lr", type=float, metavar="X")
    p.add_argument("--batch-size", type=int, metavar="N")
    p.add_argument("--seed", type=int, metavar="N")
    p.add_argument("--init", choices=INITIALIZATIONS, help="the starting weights of every "
                   "Linear layer (default: the diagram's setting)")
    p.add_argument("--init-weights", metavar="W.safetensors", help="start from these weights "
                   "(saved by --save-weights or the editor) instead of initialising")
    p.add_argument("--save-weights", metavar="W.safetensors")
    p.add_argument("--json", action="store_true", help="print one JSON object at the end, "
                   "with the history: one object per epoch")
    p = sub.add_parser("export", help="export as ONNX or Python",
                       epilog="With --weights, --onnx holds the trained weights; --python "
                       "writes source that loads the weights file when run (the weights stay "
                       "in their file: keep the two together). Without it, the initial "
                       "weights of the diagram's seed. " + EXIT_STATUS)
    p.add_argument("file")
    p.add_argument("--weights", metavar="W.safetensors",
                   help="trained weights saved by 'train --save-weights' or the editor")
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument("--onnx", metavar="OUT.onnx")
    group.add_argument("--python", metavar="OUT.py")
    _trace_parser(sub)
    from .training.predict_command import add_parser as add_predict_parser

    add_predict_parser(sub)
    p = sub.add_parser("examples", help="list the example diagrams that come with NetCanvas")
    p.add_argument("--paths", action="store_true", help="print only their paths, one a line")
    p = sub.add_parser("exercises", help="list the exercises that come with NetCanvas")
    p.add_argument("--paths", action="store_true", help="print only their paths, one a line")
    from .classroom.command import add_parser as add_grade_parser

    add_grade_parser(sub)
    return parser


def _trace_parser(sub) -> None:
    p = sub.add_parser("trace", help="follow one sample through the network: values "
                       "forward, gradients backward", epilog="Without --x the sample is one "
                       "of the test set of the diagram's data set, with its label. Without "
                       "a label (or without a loss block) L is the sum of the network's "
                       "output. " + EXIT_STATUS)
    p.add_argument("file")
    which = p.add_mutually_exclusive_group()
    which.add_argument("--sample", type=int, metavar="I", default=None,
                       help="sample I of the test set (default 0)")
    which.add_argument("--x", metavar="X1,X2,...", help="the sample's features, e.g. "
                       "--x 0.5,-1.2 (a first value below 0 works too: --x -1.5,2)")
    p.add_argument("--y", metavar="Y", help="its label: a class index (-1 or 1 with signed "
                   "labels) or target values")
    p.add_argument("--weights", metavar="W.safetensors", help="trained weights (default: "
                   "the initial weights of the diagram's seed)")
    p.add_argument("--json", action="store_true", help="print one JSON object")


def _say(text: object, stream=None) -> None:
    """Print ``text``, each line made printable: a name or message quoting a
    file never sends a control character (or a lone surrogate) to the terminal."""
    lines = str(text).split("\n")
    print("\n".join(printable(line) for line in lines), file=stream or sys.stdout)


# Options whose value may start with a minus sign: argparse reads "--x -1.5,2" as two
# options, so such a value is joined to its option ("--x=-1.5,2") before parsing.
SIGNED_OPTIONS = ("--x", "--y")  # trace's and predict's
_NEGATIVE = re.compile(r"-\.?\d")


def _joined_negatives(argv: list[str]) -> list[str]:
    joined: list[str] = []
    for word in argv:
        if joined and joined[-1] in SIGNED_OPTIONS and _NEGATIVE.match(word):
            joined[-1] = f"{joined[-1]}={word}"
        else:
            joined.append(word)
    return joined


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(_joined_negatives(list(sys.argv[1:] if argv is None else argv)))
    try:
        return HANDLERS[args.command](args)
    except (Interrupted, KeyboardInterrupt) as error:
        _say(f"{PROG}: {str(error) or 'interrupted'}", sys.stderr)
        return INTERRUPTED
    except UsageError as error:
        _say(f"{PROG}: {error}", sys.stderr)
        return 2
    except DiagramFileError as error:
        _say(f"{PROG}: {error}", sys.stderr)
        return 2
    except DiagramError as error:
        _print_problems(error.diagnostics, sys.stderr, errors_only=True)
        return 1


def _print_problems(problems, stream, errors_only: bool = False) -> None:
    for problem in problems:
        if errors_only and not problem.is_error:
            continue
        _say(f"{problem.severity}: {problem.message} [{problem.code}]", stream)


def cmd_validate(args) -> int:
    from .checks.validation import validate

    problems = validate(load(args.file))
    _print_problems(problems, sys.stdout)
    if not problems:
        _say("no problems")
    return 1 if any(p.is_error for p in problems) else 0


def cmd_compile(args) -> int:
    from .build.codegen import to_python
    from .build.export import export_python

    diagram = load(args.file)
    if args.output:
        _check_output(args.output, args.file, diagram)
    source = to_python(diagram)
    if args.output:
        _write(export_python, source, args.output)
        _say(f"wrote {args.output}", sys.stderr)
    else:
        _say(source.removesuffix("\n"))
    return 0


def _check_output(path: str, diagram_file: str, diagram, *more_inputs: str | None) -> None:
    """Before any work: refuse an output that would destroy one of the command's
    inputs (the diagram file, its CSV data set, ``more_inputs`` such as a weights
    file it reads), or that cannot be written (a missing or read-only folder)."""
    try:
        check_output(path, [*input_files(diagram, diagram_file), *more_inputs])
    except SameFileError as error:
        raise UsageError(str(error)) from None
    except (OSError, ValueError) as error:  # ValueError: a path with a NUL byte
        raise UsageError(_cannot_write(path, error)) from None


def _cannot_write(path: str, error: Exception) -> str:
    reason = error.strerror if isinstance(error, OSError) and error.strerror else error
    return f"cannot write {path}: {reason}"


def _write(writer, what, path: str) -> None:
    try:
        writer(what, path)
    except OSError as error:
        raise UsageError(_cannot_write(path, error)) from None


TABLE_SUFFIXES = (".csv", ".tsv", ".tab", ".parquet", ".pq", ".txt")


def _dataset_option(args, diagram):
    """What --dataset (and --target) name: None (the diagram's own), a built-in
    name, or a table file's spec; UsageError for a name that is neither."""
    from .data.builtin import names
    from .data.spec import CsvSource, DatasetSpec

    name = args.dataset
    if name is None or name in names():
        if args.target is not None:
            raise UsageError("--target names a column of a table file: give the table with "
                             "--dataset path/to/table.csv")
        return name
    if not os.path.isfile(name):
        if args.target is not None or os.sep in name or name.lower().endswith(TABLE_SUFFIXES):
            raise UsageError(f"--dataset {name}: no such table file")
        return name  # an unknown name: training refuses it, listing the known ones
    kept = diagram.dataset  # its split (train_ratio, seed) stays
    source = CsvSource(os.path.abspath(name), target=args.target or "")
    return DatasetSpec("csv", csv=source) if kept is None else \
        DatasetSpec("csv", train_ratio=kept.train_ratio, seed=kept.seed, csv=source)


def cmd_train(args) -> int:
    from .training.trainer import train

    diagram = load(args.file)
    dataset = _dataset_option(args, diagram)
    table = dataset.csv.path if dataset is not None and not isinstance(dataset, str) else None
    if args.save_weights:  # say so before training, not after
        _check_output(args.save_weights, args.file, diagram, args.init_weights, table)
    total = args.epochs or diagram.training.epochs
    epochs = EpochCounter(total if sys.stderr.isatty() and not args.json else None)
    try:
        run = train(diagram, dataset=dataset, epochs=args.epochs, seed=args.seed,
                    optimizer=args.optimizer, lr=args.lr, batch_size=args.batch_size,
                    callback=epochs.update, init=args.init, weights=args.init_weights)
    except KeyboardInterrupt:
        epochs.close()
        raise Interrupted(epochs.count) from None
    except DiagramError:
        raise
    except ValueError as error:  # settings out of bounds, an unknown or unreadable data set
        raise UsageError(str(error)) from None
    except Exception as error:  # noqa: BLE001 - one readable line, never a traceback
        epochs.close()
        why = "ran out of memory" if out_of_memory(error) else error_line(error, MAX_LINE)
        _say(f"{PROG}: training failed: {why}", sys.stderr)
        return 1
    epochs.close()
    if args.save_weights:
        _save_weights(run, args.save_weights, diagram.title)
    _report(run, args.json)
    if run.stopped:
        _say(f"{PROG}: {_diverged(run, diagram)}", sys.stderr)
        return 1
    return 0


def _diverged(run, diagram) -> str:
    """What happened and what to try, in command-line terms (no "reset" button)."""
    good, lr = len(run.history), run.settings.lr
    kept = f"the weights of epoch {good}" if good else "the initial weights"
    formula = any(b.spec.formula_param for b in diagram.blocks)
    hint = (", and check that no custom activation takes the log or sqrt of a negative "
            "number." if formula else ".")
    return (f"training diverged: the {run.diverged or 'loss'} became infinite or NaN in "
            f"epoch {good + 1}, so training stopped and kept {kept}. The learning rate "
            f"{lr:g} is probably too high: try --lr {lr / 10:g}{hint}")


def _save_weights(run, path: str, title: str) -> None:
    from .build.weights import save_weights

    try:
        save_weights(run.model, path, title)
    except OSError as error:
        raise UsageError(_cannot_write(path, error)) from None


def _report(run, as_json: bool) -> None:
    last = run.history[-1] if run.history else {}
    summary = {
        "epochs": len(run.history),
        "seconds": round(run.seconds, 4),
        "train_loss": last.get("train_loss"),
        "test_loss": last.get("test_loss"),
        "test_accuracy": last.get("test_accuracy"),
        **{key: last[key] for key in ("test_rmse", "test_r2") if key in last},
    }
    if as_json:
        _say(json.dumps({**summary, **_measures_of(run),
                         "history": [_numbers_of(row) for row in run.history]}))
        return
    parts = [f"{summary['epochs']} epochs in {summary['seconds']:.2f} s"]
    for key in ("train_loss", "test_loss", "test_rmse", "test_r2"):
        if summary.get(key) is not None:
            parts.append(f"{key.replace('_', ' ').replace('r2', 'R²')} {summary[key]:.4g}")
    if summary["test_accuracy"] is not None:
        parts.append(f"test accuracy {summary['test_accuracy']:.1%}")
    _say(", ".join(parts))


def _measures_of(run) -> dict:
    """For classification, the test set's precision, recall and F1 per class
    (``per_class``); for a standardised target, its mean and deviation (``target``),
    the scale the RMSE is told in."""
    from .training.measures import class_measures

    found: dict = {}
    measures = class_measures(run.trainer, "test") if run.trainer is not None else None
    if measures is not None:
        found["per_class"] = {"set": "test", **measures.to_dict()}
    if run.dataset.outputs is not None:
        scaling = run.dataset.outputs
        found["target"] = {"mean": scaling.shift.tolist(), "std": scaling.scale.tolist()}
    return found


def _numbers_of(row: dict) -> dict:
    """An epoch's row as JSON: the epoch first, then its losses and metrics (the
    entries that are numbers)."""
    return {"epoch": row["epoch"], **{k: v for k, v in row.items()
                                      if isinstance(v, (int, float)) and k != "epoch"}}


class EpochCounter:
    """Counts finished epochs (to say where Ctrl-C stopped) and, given the total,
    moves a progress bar, drawn from the end of the first epoch on."""

    def __init__(self, total: int | None = None) -> None:
        self.count, self.total = 0, total
        self.stream = LineTracker(sys.stderr)
        self.progress: Any = None  # a tqdm bar, once an epoch is done

    def update(self, metrics: EpochRow) -> None:
        self.count = metrics["epoch"]
        if self.total is None:
            return
        postfix = f"loss {metrics['train_loss']:.4f}"
        if self.progress is None:
            self.progress = progress_bar(self.total, self.stream, self.count, postfix)
        else:
            self.progress.set_postfix_str(postfix, refresh=False)
            self.progress.update(self.count - self.progress.n)

    def close(self) -> None:
        """End the bar's line: a Ctrl-C in the middle of drawing it can leave tqdm
        believing it never drew, and the next message must start a line of its own."""
        if self.progress is not None:
            self.progress.close()
        if self.stream.open:
            self.stream.write("\n")


class LineTracker:
    """A stream that remembers whether its last line is unfinished."""

    def __init__(self, stream) -> None:
        self.stream, self.open = stream, False

    def write(self, text: str) -> int:
        if text:
            self.open = not text.endswith("\n")
        return self.stream.write(text)

    def __getattr__(self, name: str):  # flush, encoding, isatty: the stream's own
        return getattr(self.stream, name)


PROGRESS_FORMAT = ("{percentage:3.0f}%|{bar}| epoch {n_fmt}/{total_fmt} "
                   "[{elapsed}<{remaining}{postfix}]")


def progress_bar(total: int, stream, done: int = 0, postfix: str = ""):
    """A progress bar (tqdm) on ``stream``, a terminal: the epochs and the loss."""
    from tqdm import tqdm

    columns, lines = _terminal_size()
    return tqdm(total=total, initial=done, postfix=postfix or None, file=stream,
                bar_format=PROGRESS_FORMAT, ncols=columns, nrows=lines, leave=True)


def _terminal_size(fallback: tuple[int, int] = (80, 24)) -> tuple[int, int]:
    """The terminal's columns and lines; the fallback for a size it gives as 0 (a
    new pseudo-terminal: tqdm would then hide the bar) or a stream without a
    descriptor."""
    try:
        size = os.get_terminal_size(sys.stderr.fileno())
    except (OSError, ValueError):  # io.UnsupportedOperation is both
        return fallback
    return size.columns or fallback[0], size.lines or fallback[1]


def cmd_export(args) -> int:
    from .build.export import ExportError, export_onnx

    diagram = load(args.file)
    _check_output(args.python or args.onnx, args.file, diagram, args.weights)
    net = _compiled(diagram, args.weights) if args.weights or args.onnx else None
    if args.python:
        return _export_python(diagram, args.python, args.weights)
    try:
        _write(export_onnx, net, args.onnx)
    except ExportError as error:
        _say(f"{PROG}: {error}", sys.stderr)
        return 1
    _say(f"wrote {args.onnx}" + (f" with the weights of {args.weights}" if args.weights
                                 else ""), sys.stderr)
    return 0


def _compiled(diagram, weights: str | None):
    """The compiled diagram (imports torch), with ``weights`` loaded if given:
    weights of another network are bad arguments, refused before any output."""
    from .build.compiler import compile as compile_diagram
    from .build.weights import WeightsError, load_weights

    net = compile_diagram(diagram, seed=diagram.training.seed)
    if weights:
        try:
            load_weights(net.model, weights)
        except WeightsError as error:
            raise UsageError(str(error)) from None
    return net


def _export_python(diagram, out: str, weights: str | None) -> int:
    """The source; with ``weights`` (checked to fit already) it loads them when run."""
    from .build.codegen import to_python
    from .build.export import export_python

    relative = None
    if weights:
        folder = os.path.dirname(os.path.abspath(out))
        try:
            relative = os.path.relpath(os.path.abspath(weights), folder)
        except ValueError:  # another drive (Windows): only the absolute path reaches it
            relative = os.path.abspath(weights)
    _write(export_python, to_python(diagram, weights=relative), out)
    _say(f"wrote {out}" + (f", which loads {weights} when run" if weights else ""),
         sys.stderr)
    return 0


def cmd_examples(args) -> int:
    """The shipped examples: name and title (or paths alone, for scripts)."""
    import resources

    return _list_shipped(resources.examples(), load, args.paths, "examples",
                         resources.EXAMPLES)


def cmd_exercises(args) -> int:
    """The shipped exercises: name and title (or paths alone), as examples lists."""
    import resources

    from .classroom.exercise import load as load_exercise

    return _list_shipped(resources.exercises(), load_exercise, args.paths, "exercises",
                         resources.EXERCISES)


def _list_shipped(paths, read, only_paths: bool, what: str, folder) -> int:
    if only_paths:
        for path in paths:
            _say(path)
        return 0
    width = max((len(p.stem) for p in paths), default=0)
    for path in paths:
        try:
            title = read(path).title
        except DiagramFileError as error:  # a broken install: say so, list the rest
            title = f"(cannot be read: {error})"
        _say(f"{path.stem:<{width}}  {title}  ({path})")
    _say(f"{len(paths)} {what} in {folder}")
    return 0


def cmd_trace(args) -> int:
    from .training.trace import trace
    from .training.trace_report import as_data, finite_json, lines

    diagram = load(args.file)
    x, y, where = _trace_sample(args, diagram)
    try:
        result = trace(diagram, x, y, weights=args.weights)
    except DiagramError:
        raise
    except ValueError as error:  # the sample, the label or the weights do not fit
        raise UsageError(str(error)) from None
    if args.json:
        data = finite_json(as_data(result, diagram))
        _say(printable_json({"file": args.file, "sample": where, **data}))
    else:
        _say("\n".join(lines(result, diagram, f"{diagram.title or args.file}: {where}")))
    return 0


def _trace_sample(args, diagram):
    """The features, the label and where they come from (a test-set index or "--x")."""
    from .training.trace import TraceError, dataset_sample

    y = _numbers(args.y, "--y") if args.y is not None else None
    if args.x is not None:
        return _numbers(args.x, "--x"), y, "the sample given with --x"
    index = 0 if args.sample is None else args.sample
    try:
        x, label = dataset_sample(diagram, index)
    except (TraceError, ValueError) as error:  # ValueError: a data set that cannot be read
        raise UsageError(str(error)) from None
    return x, label if y is None else y, f"sample {index} of the test set"


def _numbers(text: str, option: str) -> list[float]:
    try:
        return [float(part) for part in text.split(",")]
    except ValueError:
        raise UsageError(f"{option} takes numbers separated by commas, e.g. {option} "
                         f"0.5,-1.2; got {text!r}") from None


def cmd_predict(args) -> int:
    from .training.predict_command import PredictUsageError, run

    try:
        return run(args, _say)
    except PredictUsageError as error:
        raise UsageError(str(error)) from None


def cmd_grade(args) -> int:
    from .classroom.command import GradeUsageError, Terminated, run

    try:
        return run(args, _say)
    except GradeUsageError as error:
        raise UsageError(str(error)) from None
    except Terminated as stop:
        _say(f"{PROG}: {stop}", sys.stderr)
        return stop.status


HANDLERS = {"validate": cmd_validate, "compile": cmd_compile, "train": cmd_train,
            "export": cmd_export, "trace": cmd_trace, "predict": cmd_predict,
            "examples": cmd_examples,
            "exercises": cmd_exercises, "grade": cmd_grade}
