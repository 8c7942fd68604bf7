"""Tabular data sets on pandas: CSV, TSV and Parquet, missing values, text
columns one-hot encoded, one read per file, a memory-based limit, and the
options saved in the diagram file (old files without them still load)."""

from __future__ import annotations

import json
import os

import numpy as np
import pandas as pd
import pytest
from tables import spec

import graph_engine as ge
from graph_engine.data import datasets, tabular
from graph_engine.data.csv_data import MAX_CATEGORIES, load_csv, read_table, summarize
from graph_engine.data.datasets import DatasetError
from graph_engine.data.spec import CsvSource

ROWS = [(i * 0.5, (i * 7) % 5, i % 2) for i in range(20)]


def write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def frame() -> pd.DataFrame:
    return pd.DataFrame(ROWS, columns=["a", "b", "label"])


# ------------------------------------------------------------------ formats

def test_csv_tsv_and_parquet_give_the_same_data_set(tmp_path):
    table = frame()
    table.to_csv(tmp_path / "d.csv", index=False)
    table.to_csv(tmp_path / "d.tsv", index=False, sep="\t")
    table.to_parquet(tmp_path / "d.parquet", index=False)
    loaded = [datasets.load(spec(tmp_path / n)) for n in ("d.csv", "d.tsv", "d.parquet")]
    for data in loaded[1:]:
        np.testing.assert_array_equal(data.x_train, loaded[0].x_train)
        np.testing.assert_array_equal(data.y_test, loaded[0].y_test)
        assert data.fingerprint() == loaded[0].fingerprint()
    assert [d.info.description for d in loaded] == [
        "Comma-separated file d.csv.", "Tab-separated file d.tsv.", "Parquet file d.parquet."]


def test_the_format_option_overrides_the_extension(tmp_path):
    path = tmp_path / "export.txt"
    frame().to_csv(path, index=False, sep="\t")
    assert datasets.info(spec(path, format="tsv")).features == 2
    with pytest.raises(DatasetError, match="at least two columns"):
        datasets.info(spec(path))  # read as comma-separated: one column


def test_a_file_that_is_not_parquet_says_so(tmp_path):
    path = write(tmp_path, "d.parquet", "a,b,y\n1,2,0\n3,4,1\n")
    with pytest.raises(DatasetError, match=r"not a Parquet file \(it does not begin and end"):
        datasets.info(spec(path))


def test_parquet_errors_name_the_row_and_column(tmp_path):
    path = tmp_path / "d.parquet"
    pd.DataFrame({"a": [1.0, 2.0, np.inf], "y": [0, 1, 0]}).to_parquet(path, index=False)
    with pytest.raises(DatasetError, match=r"d.parquet: row 3, column 'a': 'inf' is not a "
                                           "finite number"):
        datasets.info(spec(path))


# ------------------------------------------------------------------ missing values

GAPS = "a,b,label\n1,2,0\n3,,1\n5,6,0\n,8,1\n9,10,1\n11,12,\n13,14,0\n"


def test_rows_with_missing_values_are_dropped_and_counted(tmp_path):
    path = write(tmp_path, "gaps.csv", GAPS)
    data = load_csv(spec(path, standardize=False))
    assert len(data.x_all) == 4
    assert sorted(data.x_all[:, 0].tolist()) == [1, 5, 9, 13]
    assert data.info.note == ("1 rows without a target dropped; 2 rows with missing values "
                              "dropped.")


def test_missing_values_can_take_their_columns_mean(tmp_path):
    path = write(tmp_path, "gaps.csv", GAPS)
    data = load_csv(spec(path, standardize=False, missing="mean"))
    x = data.x_all
    assert len(x) == 6 and np.isfinite(x).all()  # only the row without a target is gone
    assert sorted(x[:, 0].tolist()) == pytest.approx([1, 3, 5, 6.2, 9, 13])  # 31 / 5
    assert sorted(x[:, 1].tolist()) == [2, 6, 8, 8, 10, 14]  # (2+6+8+10+14)/5 = 8
    assert data.info.note == ("1 rows without a target dropped; 2 missing values in 2 rows "
                              "filled with their column's mean.")


def test_na_markers_are_missing_values(tmp_path):
    path = write(tmp_path, "na.csv", "a,y\n1,0\nNA,1\nnan,0\nnull,1\n5,0\n6,1\n")
    assert datasets.info(spec(path)).note == "3 rows with missing values dropped."


def test_dropping_every_row_says_what_to_do(tmp_path):
    path = write(tmp_path, "sparse.csv", "a,b,y\n1,,0\n,2,1\n3,,0\n")
    with pytest.raises(DatasetError, match=r"fewer than two rows are left.*column mean"):
        datasets.info(spec(path))
    assert datasets.info(spec(path, missing="mean")).features == 2


def test_a_clean_file_has_no_note(tmp_path):
    frame().to_csv(tmp_path / "d.csv", index=False)
    assert datasets.info(spec(tmp_path / "d.csv")).note == ""


# ------------------------------------------------------------------ text columns

def test_text_feature_columns_are_one_hot_encoded(tmp_path):
    rows = "".join(f"{i},{['red', 'green', 'blue'][i % 3]},{i % 2}\n" for i in range(12))
    path = write(tmp_path, "colours.csv", "size,colour,y\n" + rows)
    data = load_csv(spec(path, standardize=False))
    assert data.feature_names == ("size", "colour=blue", "colour=green", "colour=red")
    assert data.info.features == 4
    assert data.info.note == "'colour' one-hot encoded into 3 columns."
    x = data.x_all
    assert (x[:, 1:].sum(axis=1) == 1).all() and set(x[:, 1:].ravel().tolist()) == {0, 1}


def test_a_missing_text_cell_takes_the_mean_of_its_one_hot_columns(tmp_path):
    path = write(tmp_path, "c.csv", "c,y\nred,0\nblue,1\n,0\nred,1\n")
    x = load_csv(spec(path, standardize=False, missing="mean")).x_all
    rows = sorted(tuple(round(float(v), 4) for v in row) for row in x)
    assert rows == [(0, 1), (0, 1), (0.3333, 0.6667), (1, 0)]  # blue, red


def test_too_many_distinct_texts_are_refused_with_what_to_do(tmp_path):
    count = MAX_CATEGORIES + 1
    rows = "".join(f"{i},name{i},{i % 2}\n" for i in range(count))
    path = write(tmp_path, "names.csv", "a,name,y\n" + rows)
    with pytest.raises(DatasetError) as caught:
        datasets.info(spec(path))
    assert str(caught.value) == (f"{path}: the text column 'name' has {count} distinct values; "
                                 f"one-hot encoding takes at most {MAX_CATEGORIES}. Leave it "
                                 "out of the features, or write it as numbers.")
    assert datasets.info(spec(path, features=("a",))).features == 1


def test_the_summary_says_what_each_column_is(tmp_path):
    path = write(tmp_path, "s.csv", "a,colour,y\n1,red,0\n,blue,1\n3,red,0\n")
    described = [s.describe() for s in summarize(read_table(str(path)))]
    assert described == ["number, 1 missing", "text, 2 values: one-hot", "number"]


# ------------------------------------------------------------------ reading once

def test_a_file_is_parsed_once_for_validation_loading_and_training(tmp_path, monkeypatch):
    frame().to_csv(tmp_path / "d.csv", index=False)
    calls = []
    real = pd.read_csv
    monkeypatch.setattr(pd, "read_csv", lambda *a, **k: calls.append(1) or real(*a, **k))
    d = ge.Diagram()
    d.connect(d.add("Input", features=2), d.add("Linear", out_features=2))
    d.connect(d.blocks[1].id, d.add("CrossEntropyLoss"))
    d.dataset = spec(tmp_path / "d.csv")
    assert not [p for p in ge.validate(d) if p.severity == "error"]
    ge.train(d, epochs=1)
    datasets.load(d.dataset.with_(seed=3))
    assert len(calls) == 1


def test_a_text_column_is_parsed_once(tmp_path, monkeypatch):
    """Its kind, the import dialog's summary, the task guessed and the features it
    makes all read one parse of its cells (as numbers, and as text)."""
    rows = "".join(f"{i},{['red', 'green'][i % 2]},{['no', 'yes'][i % 3 == 0]}\n"
                   for i in range(12))
    path = write(tmp_path, "t.csv", "size,colour,y\n" + rows)
    parsed = []
    real = pd.to_numeric
    monkeypatch.setattr(pd, "to_numeric", lambda column, **k: parsed.append(column.name)
                        or real(column, **k))
    table = read_table(str(path))
    summarize(table)
    data = load_csv(spec(path))
    assert data.feature_names == ("size", "colour=green", "colour=red")
    assert data.class_names == ("no", "yes")
    assert sorted(parsed) == ["colour", "y"]


def test_a_changed_file_is_read_again(tmp_path):
    path = tmp_path / "d.csv"
    frame().to_csv(path, index=False)
    first = datasets.load(spec(path))
    again = datasets.load(spec(path))
    assert first.fingerprint() == again.fingerprint()
    changed = frame()
    changed.loc[0, "a"] = 99.0
    changed.to_csv(path, index=False)
    os.utime(path, ns=(0, os.stat(path).st_mtime_ns + 10**9))
    assert datasets.load(spec(path)).fingerprint() != first.fingerprint()


def test_loads_are_independent_copies(tmp_path):
    frame().to_csv(tmp_path / "d.csv", index=False)
    first = datasets.load(spec(tmp_path / "d.csv"))
    first.x_train[:] = 0.0
    assert datasets.load(spec(tmp_path / "d.csv")).x_train.any()


# ------------------------------------------------------------------ memory

def test_a_file_larger_than_memory_allows_is_refused_with_the_figures(tmp_path, monkeypatch):
    frame().to_csv(tmp_path / "d.csv", index=False)
    size = os.path.getsize(tmp_path / "d.csv")
    monkeypatch.setattr(tabular, "available_memory", lambda: 1000)
    with pytest.raises(DatasetError) as caught:
        datasets.info(spec(tmp_path / "d.csv"))
    message = str(caught.value)
    assert f"the file is {size:,} bytes; reading it needs about" in message
    assert "1000 bytes is free" in message and "smaller file" in message


def test_available_memory_is_a_plausible_number():
    assert 1 << 20 < tabular.available_memory() < 1 << 50


# ------------------------------------------------------------------ the diagram file

def test_the_options_are_saved_and_read_back(tmp_path):
    d = ge.Diagram()
    d.dataset = spec(tmp_path / "d.tsv", missing="mean", format="tsv")
    ge.save(d, tmp_path / "net.json")
    saved = json.loads((tmp_path / "net.json").read_text(encoding="utf-8"))
    assert saved["dataset"]["csv"]["missing"] == "mean"
    assert saved["dataset"]["csv"]["format"] == "tsv"
    assert ge.load(tmp_path / "net.json").dataset == d.dataset


def test_a_file_from_before_the_options_loads_with_their_defaults(tmp_path):
    d = ge.Diagram()
    d.dataset = spec(tmp_path / "d.csv")
    ge.save(d, tmp_path / "net.json")
    document = json.loads((tmp_path / "net.json").read_text(encoding="utf-8"))
    for key in ("missing", "format"):
        del document["dataset"]["csv"][key]
    (tmp_path / "old.json").write_text(json.dumps(document), encoding="utf-8")
    source = ge.load(tmp_path / "old.json").dataset.csv
    assert (source.missing, source.format) == ("drop", "auto")


@pytest.mark.parametrize("key, value, words", [("missing", "zero", "missing must be one of"),
                                               ("format", "xlsx", "format must be one of")])
def test_bad_option_values_are_refused(key, value, words):
    with pytest.raises(ValueError, match=words):
        CsvSource("d.csv", **{key: value})


# ------------------------------------------------------------------ scale

def test_an_mnist_shaped_file_loads_as_float32_and_trains(tmp_path):
    rng = np.random.default_rng(0)
    pixels = rng.integers(0, 256, (400, 784))
    table = pd.DataFrame(pixels, columns=[f"pixel{i}" for i in range(784)])
    table.insert(0, "label", rng.integers(0, 10, 400))
    table.to_csv(tmp_path / "mnist.csv", index=False)
    source = spec(tmp_path / "mnist.csv", target="label")
    data = datasets.load(source)
    assert data.info.features == 784 and data.info.classes == 10
    assert data.x_train.dtype == np.float32 and data.x_train.flags["C_CONTIGUOUS"]
    d = ge.Diagram()
    d.connect(d.add("Input", features=784), d.add("Linear", out_features=10))
    d.connect(d.blocks[1].id, d.add("CrossEntropyLoss"))
    run = ge.train(d, dataset=source, epochs=1, optimizer="adam", batch_size=64)
    assert np.isfinite(run.history[0]["train_loss"])
