"""A table's split column: ``"csv": {"split": "COLUMN"}`` with train / test per row
fixes the split and keeps the file's row order; any other value names its line."""

from __future__ import annotations

import pytest

import graph_engine as ge
from graph_engine.data import datasets
from graph_engine.data.datasets import DatasetError
from graph_engine.data.spec import CsvSource, DatasetSpec

TABLE = """a,b,part,y
1,10,train,0
2,20,Test,1

3,30,TRAIN,1
4,40, test ,0
5,50,train,1
"""


def table(tmp_path, text: str = TABLE):
    path = tmp_path / "rows.csv"
    path.write_text(text, encoding="utf-8")
    return path


def spec(path, **source) -> DatasetSpec:
    return DatasetSpec("csv", csv=CsvSource(str(path), target="y", split="part",
                                            standardize=False, **source))


def test_the_column_says_where_each_row_goes_in_the_files_order(tmp_path):
    data = datasets.load(spec(table(tmp_path)))
    assert data.x_train.tolist() == [[1, 10], [3, 30], [5, 50]]
    assert data.y_train.tolist() == [0, 1, 1]
    assert data.x_test.tolist() == [[2, 20], [4, 40]]
    assert data.feature_names == ("a", "b")  # the split column is no feature


def test_seed_and_train_ratio_do_not_move_a_row(tmp_path):
    first = datasets.load(spec(table(tmp_path)))
    other = datasets.load(spec(table(tmp_path)).with_(seed=7, train_ratio=0.9))
    assert other.fingerprint() == first.fingerprint()


def test_standardising_uses_the_marked_training_rows(tmp_path):
    data = datasets.load(DatasetSpec("csv", csv=CsvSource(str(table(tmp_path)), target="y",
                                                          split="part")))
    assert data.x_train.mean(axis=0) == pytest.approx([0, 0], abs=1e-6)
    # a: training rows 1, 3, 5 (mean 3, deviation √(8/3)); test rows 2 and 4
    assert data.x_test[:, 0].tolist() == pytest.approx([-1 / (8 / 3) ** 0.5,
                                                         1 / (8 / 3) ** 0.5], rel=1e-5)


@pytest.mark.parametrize("cell, shown", [("valid", "'valid'"), ("", "an empty cell")])
def test_any_other_value_is_an_error_naming_its_line(tmp_path, cell, shown):
    path = table(tmp_path, TABLE.replace("4,40, test ,0", f"4,40,{cell},0"))
    with pytest.raises(DatasetError) as caught:
        datasets.load(spec(path))
    assert str(caught.value) == (f"{path}: line 6, column 'part': {shown} is neither train "
                                 "nor test (the split column says where each row goes)")


def test_a_missing_split_column_or_an_empty_part_says_so(tmp_path):
    path = table(tmp_path)
    with pytest.raises(DatasetError, match="no column named 'fold' for the split"):
        datasets.load(DatasetSpec("csv", csv=CsvSource(str(path), target="y", split="fold")))
    only_train = table(tmp_path, TABLE.replace("Test", "train").replace(" test ", "train"))
    with pytest.raises(DatasetError, match="no row of the split column is 'test'"):
        datasets.load(spec(only_train))
    with pytest.raises(DatasetError, match="cannot be a feature and the split"):
        datasets.load(spec(path, features=("a", "part")))


def test_the_split_is_saved_read_back_and_absent_when_unused(tmp_path):
    d = ge.Diagram()
    d.dataset = spec(table(tmp_path))
    path = tmp_path / "net.json"
    ge.save(d, path)
    assert ge.load(path).dataset.csv.split == "part"
    d.dataset = DatasetSpec("csv", csv=CsvSource(str(table(tmp_path)), target="y"))
    ge.save(d, path)
    assert '"split"' not in path.read_text(encoding="utf-8")
