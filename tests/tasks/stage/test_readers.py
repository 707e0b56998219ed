"""The CSV and XLSX readers on tiny inputs: records, row numbers, column names, errors."""

from __future__ import annotations

import io

import openpyxl
import pytest

from tasks.parse import read_table
from tasks.sources.base import Payload
from tasks.stage import ReadError, Stage, read_relation, text_frame
from tasks.stage.sniff import Bytes
from tasks.stage.xlsx_reader import xlsx_cell


@pytest.fixture
def stage():
    s = Stage()
    yield s
    s.remove()


def read(stage: Stage, data: bytes, filename: str = "t.csv"):
    """The raw relation and its all-text frame."""
    raw = read_relation(stage, Bytes(data), "t", filename)
    return raw, text_frame(stage, raw, "t")


def rows(frame) -> dict[int, list[str]]:
    """File row -> cells."""
    return {int(i) + 2: list(r) for i, r in zip(frame.index, frame.to_numpy(), strict=True)}


def workbook(*sheet_rows) -> bytes:
    book = openpyxl.Workbook()
    for r in sheet_rows:
        book.active.append(list(r))
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def test_clean_csv_is_read_inside_the_query(stage):
    raw, frame = read(stage, b"a,b\n1,2\n 3 ,\n")
    assert raw.source.startswith("read_csv(")  # no copy of the text in the stage
    assert raw.columns == ("a", "b")
    assert rows(frame) == {2: ["1", "2"], 3: ["3", ""]}  # stripped, short rows padded


def test_a_path_with_a_single_quote(tmp_path, stage):
    folder = tmp_path / "it's here"
    folder.mkdir()
    path = folder / "t.csv"
    path.write_bytes(b"a;b\n1,5;2\n")
    payload = Payload.from_path("files", "observations", path)
    raw = read_relation(stage, payload, "t", "t.csv")
    assert rows(text_frame(stage, raw, "t")) == {2: ["1,5", "2"]}


def test_blank_lines_keep_row_numbers(stage):
    raw, frame = read(stage, b"a,b\n1,2\n\n3,4\n")
    assert raw.source == '"t__raw"'  # Python's reader: DuckDB's would skip the blank line
    assert rows(frame) == {2: ["1", "2"], 4: ["3", "4"]}


def test_cp1251_is_transcoded(stage):
    _, frame = read(stage, "город;значение\nХромтау;1,5\n".encode("cp1251"))
    assert list(frame.columns) == ["город", "значение"]
    assert rows(frame) == {2: ["Хромтау", "1,5"]}


def test_bom_and_quoted_cells(stage):
    data = '\ufeffa,b\n"x, ""y""","line\nbreak"\n'.encode()
    _, frame = read(stage, data)
    assert list(frame.columns) == ["a", "b"]
    assert rows(frame) == {2: ['x, "y"', "line\nbreak"]}


def test_unnamed_columns(stage):
    raw, frame = read(stage, b"a,,b,\n1,,2,\n3,x,4,\n")
    assert raw.columns == ("a", "(unnamed column 2)", "b", "")  # the empty one is dropped
    assert list(frame.columns) == ["a", "(unnamed column 2)", "b"]
    assert rows(frame) == {2: ["1", "", "2"], 3: ["3", "x", "4"]}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "t.csv: file is empty"),
        (b" \n\n", "t.csv: file is empty"),
        (b"a\x00,b\n", "t.csv: contains NUL bytes: binary data or UTF-16 text, not a CSV table"),
        (b"<html><body>502</body></html>", "t.csv: looks like HTML/JSON, not a CSV table"),
        (b"a,a\n1,2\n", "t.csv: column(s) a appear more than once"),
        (
            b"a,b\n1,2\n3,4,5\n",
            "t.csv row 3: 3 cells, but the header has 2 (delimiter ','; quote cells that "
            "contain it)",
        ),
        (
            b"a,b\n\n1,2,3\n",  # the Python reader (blank lines) words it the same
            "t.csv row 3: 3 cells, but the header has 2 (delimiter ','; quote cells that "
            "contain it)",
        ),
    ],
)
def test_unreadable_csv(stage, data, message):
    with pytest.raises(ReadError) as exc:
        read(stage, data)
    assert str(exc.value).startswith(message)


def test_xlsx(stage):
    data = workbook(("a", "b", None), (1, 2.5, None), (None, None, None), ("x", 3.0, None))
    raw, frame = read(stage, data, "t.xlsx")
    assert raw.columns == ("a", "b", "")  # the sheet's third column is empty: dropped
    assert list(frame.columns) == ["a", "b"]
    assert rows(frame) == {2: ["1", "2.5"], 4: ["x", "3"]}  # whole floats as integers


def test_xlsx_cell_beyond_the_header_is_an_unnamed_column(stage):
    _, frame = read(stage, workbook(("a",), (1, 2)), "t.xlsx")
    assert list(frame.columns) == ["a", "(unnamed column 2)"]
    assert rows(frame) == {2: ["1", "2"]}


def test_truncated_xlsx(stage):
    with pytest.raises(ReadError, match=r"t\.xlsx: not a readable XLSX workbook \("):
        read(stage, workbook(("a",), (1,))[:200], "t.xlsx")


@pytest.mark.parametrize(
    ("value", "text"),
    [(None, ""), (3.0, "3"), (3.25, "3.25"), (7, "7"), ("  x ", "  x "), (True, "True")],
)
def test_xlsx_cell(value, text):
    assert xlsx_cell(value) == text


def test_read_table_is_the_same_reader():
    frame = read_table(b"a;b\n\n1;2\n", "t.csv")
    assert list(frame.columns) == ["a", "b"]
    assert rows(frame) == {3: ["1", "2"]}
    assert str(frame.dtypes["a"]) in {"object", "str"}
