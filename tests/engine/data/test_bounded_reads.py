"""Reading weights and CSV files is bounded: nothing hangs, nothing eats the memory.

A FIFO, a device, /proc/self/pagemap and an 8 GB sparse file are refused
with one clear message, unread. A CSV file of 100,000 columns checks in
linear time; its values must fit the 32-bit numbers training uses; its
errors name the file's own line numbers.
"""

from __future__ import annotations

import itertools
import os
import threading
import time

import numpy as np
import pandas as pd
import pytest

import graph_engine as ge
from graph_engine.build.weights import WeightsError, load_weights, save_weights
from graph_engine.data import datasets, tabular
from graph_engine.data.csv_data import read_table
from graph_engine.data.datasets import DatasetError
from graph_engine.data.spec import CsvSource, DatasetSpec


def finishes(function, seconds: float = 10):
    """Run ``function`` in a thread; its result or exception, or fail if it hangs."""
    outcome: dict = {}

    def call():
        try:
            outcome["value"] = function()
        except Exception as error:  # noqa: BLE001 - handed to the test
            outcome["error"] = error

    thread = threading.Thread(target=call, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), "the read hung"
    return outcome


def sparse(path, size: int = 8 << 30):
    with open(path, "wb") as stream:
        stream.truncate(size)
    return path


def model(*widths: int):
    d = ge.Diagram()
    ids = [d.add("Input", features=2)] + [d.add("Linear", out_features=w) for w in widths or (8,)]
    for src, dst in itertools.pairwise(ids):
        d.connect(src, dst)
    return ge.compile(d).model


# ------------------------------------------------------------ weights

@pytest.mark.parametrize("kind", ["fifo", "/dev/zero", "sparse", "folder"])
def test_weights_that_are_not_a_plain_file_of_sensible_size_are_refused(kind, tmp_path):
    path = {"fifo": tmp_path / "w.safetensors", "/dev/zero": "/dev/zero",
            "sparse": tmp_path / "w.safetensors", "folder": tmp_path}[kind]
    if kind == "fifo":
        os.mkfifo(path)
    if kind == "sparse":
        sparse(path)
    net = model()
    before = {k: v.clone() for k, v in net.state_dict().items()}
    outcome = finishes(lambda: load_weights(net, path))
    error = outcome.get("error")
    assert isinstance(error, WeightsError), outcome
    expected = {"fifo": "not a regular file (a pipe)", "/dev/zero": "not a regular file (a "
                "device)", "sparse": "the file is 8,589,934,592 bytes", "folder": "a folder"}
    assert str(error).startswith("cannot read ") and expected[kind] in str(error)
    assert all(net.state_dict()[k].equal(v) for k, v in before.items())


def test_weights_of_a_much_larger_network_are_refused_by_size(tmp_path):
    path = tmp_path / "big.safetensors"
    save_weights(model(4096, 512), path)  # 8 MB of tensors
    with pytest.raises(WeightsError, match="the limit is 1 MB: more than this network's "
                       "weights, so they belong to a larger network"):
        load_weights(model(8), path)


def test_weights_saved_as_float64_still_load(tmp_path):
    from safetensors.torch import save_file

    net = model()
    path = tmp_path / "w64.safetensors"
    save_file({k: v.double() for k, v in net.state_dict().items()}, str(path))
    load_weights(model(), path)


def test_a_weights_path_with_a_nul_byte_is_a_weights_error():
    with pytest.raises(WeightsError, match="NUL"):
        load_weights(model(), "w\0.safetensors")


# ------------------------------------------------------------ CSV files

@pytest.mark.parametrize("kind", ["fifo", "/proc/self/pagemap", "sparse", "nul"])
def test_csv_paths_that_would_hang_or_exhaust_memory_are_refused(kind, tmp_path):
    path = {"fifo": str(tmp_path / "d.csv"), "/proc/self/pagemap": "/proc/self/pagemap",
            "sparse": str(tmp_path / "d.csv"), "nul": "d\0.csv"}[kind]
    if kind == "fifo":
        os.mkfifo(path)
    if kind == "sparse":
        sparse(path)
    if not os.path.exists(path) and kind != "nul":
        pytest.skip(f"{path} does not exist here")
    outcome = finishes(lambda: read_table(path))
    assert isinstance(outcome.get("error"), DatasetError), outcome
    message = str(outcome["error"])
    # /proc/self/pagemap: its first megabyte holds NUL bytes, so it is no text
    assert {"fifo": "not a regular file (a pipe)", "/proc/self/pagemap": "NUL",
            "sparse": "the file is 8,589,934,592 bytes", "nul": "NUL"}[kind] in message


def csv_spec(path, **options) -> DatasetSpec:
    return DatasetSpec("csv", csv=CsvSource(str(path), **options))


def test_a_csv_of_100000_columns_checks_in_seconds(tmp_path):
    columns = 100_000
    path = tmp_path / "wide.csv"
    header = ",".join(f"c{i}" for i in range(columns)) + ",y\n"
    rows = "".join(",".join(["0.5"] * columns) + f",{r % 2}\n" for r in range(4))
    path.write_text(header + rows)
    start = time.perf_counter()
    pd.read_csv(path)  # the yardstick: pandas alone, on this machine, under its load now
    pandas_alone = time.perf_counter() - start
    tabular.forget_tables()
    start = time.perf_counter()
    assert datasets.info(csv_spec(path)).features == columns
    named = tuple(f"c{i}" for i in range(columns))  # each feature looked up by name
    assert datasets.info(csv_spec(path, features=named, target="y")).features == columns
    assert datasets.load(csv_spec(path)).x_train.shape == (2, columns)
    # about 2.5 times pandas's own read (which builds a block per column); the
    # quadratic lookups once took minutes
    assert time.perf_counter() - start < max(30.0, 5 * pandas_alone)


@pytest.mark.parametrize("cell", ["1e39", "-1e39", "3.5e38"])
def test_values_beyond_float32_are_refused_naming_line_and_column(cell, tmp_path):
    path = tmp_path / "huge.csv"
    path.write_text(f"a,b,y\n1,2,0\n3,{cell},1\n5,6,0\n")
    with pytest.raises(DatasetError) as caught:
        datasets.info(csv_spec(path))
    assert str(caught.value) == (f"{path}: line 3, column 'b': '{cell}' is too large: training "
                                 "uses 32-bit numbers, within ±3.4e+38")


def test_a_regression_target_beyond_float32_is_refused(tmp_path):
    path = tmp_path / "target.csv"
    path.write_text("a,y\n1,0.5\n2,1e40\n3,0.1\n")
    with pytest.raises(DatasetError, match="line 3, column 'y': '1e40' is too large"):
        datasets.info(csv_spec(path, task="regression"))


def test_values_near_the_float32_limit_standardize_to_finite_features(tmp_path):
    path = tmp_path / "large.csv"
    path.write_text("a,b,y\n" + "".join(f"{(-1) ** i * 3e38},{i},{i % 2}\n" for i in range(10)))
    data = datasets.load(csv_spec(path))
    assert np.isfinite(data.x_train).all() and np.isfinite(data.x_test).all()
    column = data.x_train[:, 0]
    assert float(np.abs(column).max()) < 2 and float(column.std()) > 0.5  # scaled, not NaN


def test_error_lines_are_the_files_own_line_numbers(tmp_path):
    path = tmp_path / "gaps.csv"
    path.write_text("a,b,y\n\n1,2,0\n   \n3,4,1\n5,oops,0\n")
    with pytest.raises(DatasetError, match="line 6, column 'b': 'oops' is not a number"):
        datasets.info(csv_spec(path))
    path.write_text('a,b,y\n1,"two\nlines",0\n\n3,4\n')
    with pytest.raises(DatasetError, match="line 5 has 2 fields, the header has 3"):
        read_table(str(path))
