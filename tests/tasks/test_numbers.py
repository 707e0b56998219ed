"""The number parser's dialects: one table per dialect, one test per table.

Each table is the dialect's docstring rule by rule (``MISSING`` = NaN, ``NOT_A_NUMBER`` = the
cell is refused).
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from tasks.numbers import DIALECTS, parse_number, parse_numbers, read_number

MISSING = "missing"
NOT_A_NUMBER = None

ANALYST = [
    # missing
    ("", MISSING),
    ("  ", MISSING),
    ("NA", MISSING),
    ("na", MISSING),
    ("NaN", MISSING),
    ("null", MISSING),
    # digits, sign, decimal point or comma
    ("13.5", 13.5),
    ("14,0", 14.0),
    ("-2", -2.0),
    ("+3", 3.0),
    ("0.0", 0.0),
    ("007", 7.0),
    (" 7 ", 7.0),
    ("531,0", 531.0),
    ("0,125", 0.125),
    ("13,800", 13.8),
    # English notation
    ("1,234.5", 1234.5),
    ("1,234,567", 1234567.0),
    ("-1,234.5", -1234.5),
    # thousands groups of spaces
    ("1 395", 1395.0),
    ("1\u00a0395,5", 1395.5),
    ("1\u202f395", 1395.0),
    ("12 345 678", 12345678.0),
    # not a number
    ("1e3", NOT_A_NUMBER),
    ("1e-3", NOT_A_NUMBER),
    ("105 6", NOT_A_NUMBER),
    ("187, 0", NOT_A_NUMBER),
    ("1.2.3", NOT_A_NUMBER),
    (".5", NOT_A_NUMBER),
    ("1.", NOT_A_NUMBER),
    ("x", NOT_A_NUMBER),
    ("abc", NOT_A_NUMBER),
    ("12a", NOT_A_NUMBER),
    ("inf", NOT_A_NUMBER),
    ("1_000", NOT_A_NUMBER),
    ("١٢٣", NOT_A_NUMBER),  # non-ASCII digits
]

CSV = [
    # missing
    ("", MISSING),
    ("NA", MISSING),
    ("NaN", MISSING),
    ("null", MISSING),
    # the analyst rules
    ("13.5", 13.5),
    ("14,0", 14.0),
    ("-2", -2.0),
    ("1,234.5", 1234.5),
    ("1 395", 1395.0),
    # scientific notation, as R's write.csv writes it
    ("1e-3", 0.001),
    ("1e-03", 0.001),
    ("1.5E+03", 1500.0),
    ("-2e10", -2e10),
    ("+4.25e2", 425.0),
    ("2,5e-3", 0.0025),
    # not a number
    ("1e999", NOT_A_NUMBER),
    ("1e", NOT_A_NUMBER),
    ("e3", NOT_A_NUMBER),
    ("1e3.5", NOT_A_NUMBER),
    ("1 000e3", NOT_A_NUMBER),
    ("abc", NOT_A_NUMBER),
    ("inf", NOT_A_NUMBER),
    ("105 6", NOT_A_NUMBER),
    ("1.2.3", NOT_A_NUMBER),
]

TALDAU = [
    # (raw, value, status)
    (None, MISSING, "missing"),
    ("", MISSING, "missing"),
    ("  ", MISSING, "missing"),
    ("x", MISSING, "suppressed"),
    ("X", MISSING, "suppressed"),
    ("х", MISSING, "suppressed"),  # Cyrillic
    ("Х", MISSING, "suppressed"),
    ("-", MISSING, "missing"),
    ("—", MISSING, "missing"),
    ("...", MISSING, "missing"),
    ("…", MISSING, "missing"),
    (42, 42.0, "ok"),
    (3.25, 3.25, "ok"),
    (float("inf"), MISSING, "unparseable"),
    (True, MISSING, "unparseable"),
    ([1], MISSING, "unparseable"),
    ("116126", 116126.0, "ok"),
    (" 1 234,5 ", 1234.5, "ok"),
    ("1\u00a0234", 1234.0, "ok"),
    ("-3,5", -3.5, "ok"),
    ("3.5", 3.5, "ok"),
    ("1e3", 1000.0, "ok"),
    (".5", 0.5, "ok"),
    ("1,234.5", MISSING, "unparseable"),
    ("1.2.3", MISSING, "unparseable"),
    ("n/a", MISSING, "unparseable"),
    ("NaN", MISSING, "unparseable"),
    ("inf", MISSING, "unparseable"),
]


def _same(got: float | None, expected) -> bool:
    if expected is NOT_A_NUMBER:
        return got is None
    if expected == MISSING:
        return got is not None and math.isnan(got)
    return got == expected


@pytest.mark.parametrize(("text", "expected"), ANALYST)
def test_analyst_dialect(text, expected):
    assert _same(parse_number(text, "analyst"), expected)
    assert _same(parse_number(text), expected)  # the default dialect


@pytest.mark.parametrize(("text", "expected"), CSV)
def test_csv_dialect(text, expected):
    assert _same(parse_number(text, "csv"), expected)


@pytest.mark.parametrize(("raw", "value", "status"), TALDAU)
def test_taldau_dialect(raw, value, status):
    reading = read_number(raw, "taldau")
    assert reading.status == status
    assert _same(reading.value, value)
    if status == "ok":
        assert parse_number(raw, "taldau") == value
    elif status == "missing":
        assert math.isnan(parse_number(raw, "taldau"))
    else:
        assert parse_number(raw, "taldau") is None


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("dtype", ["str", object])
def test_vectorised_column_matches_the_cell_rule(dialect, dtype):
    cells = [c for c, *_ in ANALYST + CSV + TALDAU if isinstance(c, str)]
    cells += ["9" * 30, "1" * 16, "0,5", "12.25"]
    values = pd.Series(cells, dtype=dtype, index=range(7, 7 + len(cells)))
    floats, bad = parse_numbers(values, dialect)
    for i, text in values.items():
        expected = parse_number(text, dialect)
        if expected is None:
            assert bad[i], text
        elif math.isnan(expected):
            assert not bad[i] and math.isnan(floats[i]), text
        else:
            assert not bad[i] and floats[i] == expected, text


def test_unknown_dialect_is_refused():
    with pytest.raises(ValueError, match="dialect must be one of analyst, csv, taldau"):
        parse_number("1", "excel")
    with pytest.raises(ValueError, match="dialect"):
        parse_numbers(pd.Series(["1"]), "excel")
