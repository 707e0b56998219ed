"""The analyst dialect in SQL agrees with tasks.numbers on every case of the dialect's table."""

from __future__ import annotations

import math

import duckdb
import pytest

from tasks.numbers import analyst_number
from tasks.numbers_sql import analyst_bad_sql, analyst_number_sql, strip_sql
from tests.tasks.test_numbers import ANALYST

EXTRA = [  # cells the ingest path meets that the table does not spell out
    " \u00a013,8\u202f ",
    "\t-0,5\r",
    "NULL",
    "Na",
    "+1 234,5",
    "1,234,567.25",
    "1,23",
    "01,234,567",
    "1 23",
    "9" * 30,
    "٣",
    "1\u2009395",
]


@pytest.fixture(scope="module")
def con():
    with duckdb.connect() as c:
        yield c


@pytest.mark.parametrize("text", [t for t, _ in ANALYST] + EXTRA)
def test_sql_agrees_with_python(con, text):
    value, bad = con.execute(
        f"SELECT {analyst_number_sql('$1::VARCHAR')}, {analyst_bad_sql('$1::VARCHAR')}", [text]
    ).fetchone()
    expected = analyst_number(text)
    if expected is None:
        assert bad is True and value is None
    elif math.isnan(expected):
        assert bad is False and value is None
    else:
        assert bad is False and value == expected  # exactly: both are correctly rounded


def test_strip_is_python_strip(con):
    text = "\u3000\u00a0 a b\u2029\x85\t"
    assert con.execute(f"SELECT {strip_sql('$1::VARCHAR')}", [text]).fetchone()[0] == text.strip()
