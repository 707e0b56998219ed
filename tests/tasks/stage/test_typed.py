"""The SQL typing compiler on tiny inputs: typed values, refused cells, row numbers."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from tasks.stage import CellFailure, Stage, read_relation, to_pandas, type_relation
from tasks.stage.sniff import Bytes
from warehouse.sql import literal

COLUMNS = {"k": "str", "n": "number", "i": "int", "b": "bool", "opt": "str"}


@pytest.fixture
def stage():
    s = Stage()
    yield s
    s.remove()


def typed(stage: Stage, data: bytes, columns=COLUMNS, key=("k",), required=("k",), **kw):
    raw = read_relation(stage, Bytes(data), "t", "t.csv")
    failures = type_relation(stage, raw, "t", columns, key, required, **kw)
    frame = to_pandas(stage.con, "SELECT * FROM t ORDER BY _row", columns)
    return failures, frame


def test_types_every_kind(stage):
    data = 'k,n,i,b\na,"1 395,5",2020,да\nb,-2,7,no\nc,,,\n'.encode()
    failures, frame = typed(stage, data)
    assert failures == []
    assert list(frame.index) == [0, 1, 2]  # file row - 2
    assert list(frame["k"]) == ["a", "b", "c"]
    assert frame["n"].iloc[0] == 1395.5 and frame["n"].iloc[1] == -2.0
    assert math.isnan(frame["n"].iloc[2])
    assert str(frame["i"].dtype) == "Int64" and list(frame["i"].iloc[:2]) == [2020, 7]
    assert list(frame["b"]) == [True, False, False]
    assert list(frame["n__text"]) == ["1 395,5", "-2", ""]  # the cell as written
    assert list(frame["opt"]) == ["", "", ""]  # an absent optional column is empty


def test_whole_numbers_are_int64_when_none_is_missing(stage):
    _, frame = typed(stage, b"k,i\na,1\nb,2\n")
    assert str(frame["i"].dtype) == "int64"


def test_refused_cells_column_by_column_rows_in_order(stage):
    data = b"k,n,i,b\n,abc,1.5,maybe\nx,1e3,2,\n,,,\n"
    failures, _ = typed(stage, data)
    assert failures == [
        CellFailure(2, "k", "required", "", ""),
        CellFailure(2, "n", "type:number", "abc", ""),
        CellFailure(3, "n", "type:number", "1e3", "x"),
        CellFailure(2, "i", "type:int", "1.5", ""),
        CellFailure(2, "b", "type:bool", "maybe", ""),
    ]  # row 4 is fully empty: dropped, not a missing key


def test_empty_rows_keep_row_numbers_and_positions(stage):
    failures, frame = typed(stage, b"k,n\na,1\n,,\nb,x\n")
    assert failures == [CellFailure(4, "n", "type:number", "x", "b")]
    assert list(frame.index) == [0, 2]
    assert stage.positions["t"] == "rowid"  # an empty row: positions are the table's rowids


def test_without_empty_rows_the_typed_relation_is_a_view(stage):
    typed(stage, b"k,n\na,1\n")
    assert stage.positions["t"] == "row+2"


def test_key_text_joins_the_key_cells(stage):
    failures, _ = typed(
        stage, b"k,i,n\na,2020,x\n", columns={"k": "str", "i": "int", "n": "number"}, key=("k", "i")
    )
    assert failures == [CellFailure(2, "n", "type:number", "x", "a|2020")]


def test_fill_and_normalise(stage):
    columns = {"k": "str", "kind": "str"}
    _, frame = typed(
        stage,
        b"k,kind\na,\nb,CITY\nc,Oblast\n",
        columns=columns,
        fill={"kind": literal("town")},
        normalise={
            "kind": f"coalesce(MAP {{{literal('city')}: 'town'}}[lower(<cell>)], lower(<cell>))"
        },
    )
    assert list(frame["kind"]) == ["town", "town", "oblast"]


def test_a_reading_error_met_while_typing(stage):
    raw = read_relation(stage, Bytes(b"k,n\na,1\nb,2,3\n"), "t", "t.csv")
    with pytest.raises(ValueError, match=r"t\.csv row 3: 3 cells, but the header has 2"):
        type_relation(stage, raw, "t", {"k": "str", "n": "number"}, ("k",), ("k",))


def test_to_pandas_types_text_columns_as_objects(stage):
    _, frame = typed(stage, b"k,n\na,1\n")
    assert isinstance(frame, pd.DataFrame)
    assert frame["k"].dtype == object and frame["n__text"].dtype == object
