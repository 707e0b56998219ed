"""Reading rules for input files: encodings, delimiters, number formats, bad cells."""

import math

import pytest

from schemas.inputs import INPUTS
from tasks.parse import ReadError, parse_number, read_table, type_frame


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("14,0", 14.0),
        ("13.5", 13.5),
        ("1 395", 1395.0),
        ("1\u00a0395,5", 1395.5),
        ("-2", -2.0),
        ("1,234.5", 1234.5),
        ("531,0", 531.0),
        ("0.0", 0.0),
    ],
)
def test_parse_number_accepts_locale_formats(text, expected):
    assert parse_number(text) == expected


@pytest.mark.parametrize("text", ["105 6", "abc", "12a", "1.2.3", "187, 0", "x"])
def test_parse_number_refuses_garbled_text(text):
    assert parse_number(text) is None


def test_parse_number_empty_is_nan():
    assert math.isnan(parse_number(""))


def test_read_table_cp1251_semicolon_comma_decimal():
    data = "town_id;indicator_id;year;value;note\nkhromtau;labour_active;2020;13,8;Хромтау\n"
    frame = read_table(data.encode("cp1251"), "observations.csv")
    assert list(frame.columns) == ["town_id", "indicator_id", "year", "value", "note"]
    assert frame.loc[0, "note"] == "Хромтау"
    assert frame.loc[0, "value"] == "13,8"


def test_read_table_strips_bom():
    data = "\ufefftown_id,name_en,confirmed\nkhromtau,Khromtau,true\n".encode()
    assert read_table(data, "towns.csv").columns[0] == "town_id"


@pytest.mark.parametrize("data", [b"", b"   \n", b"<!DOCTYPE html><html>error</html>"])
def test_read_table_refuses_empty_and_html(data):
    with pytest.raises(ReadError, match=r"observations\.csv"):
        read_table(data, "observations.csv")


def test_type_frame_names_file_row_column_and_rule():
    data = (
        b"town_id,indicator_id,year,value\nkhromtau,labour_active,2019,13.5\n"
        b"khromtau,labour_active,2020,abc\n"
    )
    text = read_table(data, "observations.csv")
    _, issues = type_frame(
        text, INPUTS["observations"], source="files", filename="observations.csv"
    )
    [issue] = issues
    assert issue.severity == "error"
    assert issue.file == "observations.csv"
    assert issue.file_row == 3
    assert issue.column_name == "value"
    assert issue.check_name == "type:number"
    assert "observations.csv row 3, column value: 'abc' must be a number" in issue.message


def test_type_frame_missing_required_column():
    text = read_table(b"town_id,year\nkhromtau,2020\n", "observations.csv")
    _, issues = type_frame(
        text, INPUTS["observations"], source="files", filename="observations.csv"
    )
    assert [i.check_name for i in issues] == ["required_columns"]
    assert "indicator_id" in issues[0].message
