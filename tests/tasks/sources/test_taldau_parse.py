"""Pure parsing of Taldau bodies: one test per quirk, malformed bodies fail loudly."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest

from tasks.sources.base import Payload
from tasks.sources.taldau.parse import (
    OBSERVATION_COLUMNS,
    Segment,
    TaldauParseError,
    choose_segment,
    parse_index_attributes,
    parse_index_data,
    parse_index_periods,
    parse_period_list,
    parse_segment_list,
    parse_value,
    year_from_period,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "taldau"
PARAMS = {"period": "7", "dics": "67"}


def payload(body, endpoint="GetIndexData/702944", params=PARAMS) -> Payload:
    data = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
    kind = endpoint.split("/")[0]
    meta = {"status": 200, "params": dict(params), "request_hash": "h", "endpoint": endpoint}
    return Payload.from_bytes("taldau", kind, f"http://x/{endpoint}", data, meta=meta)


def rows(*periods, terms=(741880,), names=("РЕСПУБЛИКА КАЗАХСТАН",)):
    return [{"terms": list(terms), "termNames": list(names), "periods": list(periods)}]


def period(year, value, **extra):
    return {"name": f"{year} год", "date": f"31.12.{year}", "value": value, **extra}


def parse(body, **kw):
    kw.setdefault("expected_terms", (741880,))
    return parse_index_data(payload(body), town_id="t", indicator_id="ind", **kw)


# -- the frame ------------------------------------------------------------------------------


def test_frame_has_exactly_the_observation_columns_and_types():
    frame, issues = parse(rows(period(2020, "116126")), unit="тенге", note="n")
    assert tuple(frame.columns) == OBSERVATION_COLUMNS
    assert str(frame["year"].dtype) == "int64" and str(frame["value"].dtype) == "float64"
    row = frame.iloc[0].to_dict()
    assert row["source"] == "taldau" and row["unit"] == "тенге" and row["note"] == "n"
    assert row["source_ref"] == "taldau 702944 period=7 dics=67 terms=741880"
    assert row["row_ref"] == "GetIndexData/702944 row 0 period 31.12.2020"
    assert row["payload_hash"] == payload(rows(period(2020, "116126"))).content_hash
    assert issues == []


def test_values_arrive_as_strings():
    frame, _ = parse(rows(period(2020, "116126"), period(2019, 104282)))
    assert frame["value"].tolist() == [104282.0, 116126.0]
    assert frame["raw_value"].tolist() == ["104282", "116126"]
    assert (frame["value_status"] == "ok").all()


def test_x_is_suppressed_never_zero_and_traced():
    frame, issues = parse(rows(period(2020, "x"), period(2019, "5")))
    sup = frame[frame["year"] == 2020].iloc[0]
    assert sup["value_status"] == "suppressed" and math.isnan(sup["value"])
    assert sup["raw_value"] == "x" and "suppressed" in sup["note"]
    assert [(i["check"], i["severity"], i["row_key"], i["observed"]) for i in issues] == [
        ("value_suppressed", "warning", "t/ind/2020", "x")
    ]
    assert set(issues[0]) == {
        "source",
        "table",
        "row_key",
        "check",
        "severity",
        "observed",
        "message",
    }


def test_comma_decimal():
    frame, _ = parse(rows(period(2020, "3,5")))
    assert frame.loc[0, "value"] == 3.5 and frame.loc[0, "raw_value"] == "3,5"


def test_utf8_bom_at_start_of_body():
    body = b"\xef\xbb\xbf" + json.dumps(rows(period(2020, "1"))).encode()
    frame, _ = parse(body)
    assert frame["value"].tolist() == [1.0]


def test_keys_with_stray_spaces():
    text = json.dumps(rows(period(2020, "7")))
    text = text.replace('"value":', '"value ":').replace('"terms":', '" terms":')
    frame, _ = parse(text.encode())
    assert frame["value"].tolist() == [7.0]


def test_periods_out_of_order_are_sorted_by_year():
    frame, _ = parse(rows(period(2016, "3"), period(2006, "1"), period(2012, "2")))
    assert frame["year"].tolist() == [2006, 2012, 2016]
    assert frame["value"].tolist() == [1.0, 2.0, 3.0]


def test_join_on_term_ids_never_names():
    old = rows(period(2020, "9"), terms=(268012,), names=("Г.НУР-СУЛТАН",))
    new = rows(period(2020, "9"), terms=(268012,), names=("Г.АСТАНА",))
    namesake = [*old, {**new[0], "terms": [999]}]  # the new name on another term: ignored
    frames = [parse(b, expected_terms=(268012,))[0] for b in (old, new, namesake)]
    cols = ["year", "value", "raw_value", "source_ref"]
    for frame in frames:
        assert len(frame) == 1
        pd.testing.assert_frame_equal(frame[cols], frames[0][cols])


def test_year_from_period_date_or_mmyyyy_code():
    frame, _ = parse(
        rows(
            {"name": "", "date": "31.12.2020", "value": "1"},
            {"name": "", "date": "122019", "value": "2"},
            {"name": "2018 год", "value": "3"},
        )
    )
    assert frame["year"].tolist() == [2018, 2019, 2020]


@pytest.mark.parametrize(
    ("date", "name", "year"),
    [
        ("31.12.2020", None, 2020),
        ("30.09.2021", None, 2021),
        ("2020-12-31", None, 2020),
        ("122025", None, 2025),
        ("y122025", None, 2025),
        (None, "2007 год", 2007),
        ("", "", None),
        ("132020", None, None),
    ],
)
def test_year_from_period_variants(date, name, year):
    assert year_from_period(date, name) == year


@pytest.mark.parametrize(
    ("raw", "value", "status"),
    [
        ("116126", 116126.0, "ok"),
        (" 1 234,5 ", 1234.5, "ok"),
        ("-3,5", -3.5, "ok"),
        (42, 42.0, "ok"),
        ("x", None, "suppressed"),
        ("X", None, "suppressed"),
        ("х", None, "suppressed"),  # Cyrillic
        ("", None, "missing"),
        (None, None, "missing"),
        ("-", None, "missing"),
        ("…", None, "missing"),
        ("1,234.5", None, "unparseable"),
        ("n/a", None, "unparseable"),
        ("NaN", None, "unparseable"),
        (True, None, "unparseable"),
    ],
)
def test_parse_value(raw, value, status):
    got, got_status, _ = parse_value(raw)
    assert got_status == status
    if value is None:
        assert math.isnan(got)
    else:
        assert got == value


def test_missing_and_absent_values_are_rows_without_issues():
    frame, issues = parse(rows(period(2020, ""), {"name": "2019 год", "date": "31.12.2019"}))
    assert frame["value_status"].tolist() == ["missing", "missing"]
    assert frame["raw_value"].tolist() == ["", ""]
    assert issues == []


def test_unparseable_value_kept_raw_with_warning():
    frame, issues = parse(rows(period(2020, "12a")))
    assert frame.loc[0, "value_status"] == "unparseable" and frame.loc[0, "raw_value"] == "12a"
    assert [(i["check"], i["severity"]) for i in issues] == [("value_unparseable", "warning")]


def test_only_the_total_row_of_the_territory_is_kept():
    body = (
        rows(period(2020, "100"), terms=(249978, 741885))
        + rows(period(2020, "60"), terms=(249978, 111))
        + rows(period(2020, "900"), terms=(741880, 741885))
    )
    frame, _ = parse(body, expected_terms=(249978, 741885))
    assert frame["value"].tolist() == [100.0]


def test_territory_absent_is_an_error_issue_and_empty_frame():
    frame, issues = parse(rows(period(2020, "1")), expected_terms=(249978,))
    assert frame.empty and tuple(frame.columns) == OBSERVATION_COLUMNS
    assert [(i["check"], i["severity"]) for i in issues] == [("territory_not_in_response", "error")]


def test_conflicting_duplicate_period_is_an_error_issue_first_kept():
    frame, issues = parse(rows(period(2020, "1"), period(2020, "2")))
    assert frame["value"].tolist() == [1.0]
    assert [i["check"] for i in issues] == ["duplicate_period"]


def test_years_filter_and_absent_requested_year_warning():
    frame, issues = parse(rows(period(2020, "1"), period(2019, "2")), years=[2020, 2021])
    assert frame["year"].tolist() == [2020]
    assert [(i["check"], i["observed"]) for i in issues] == [("year_not_in_response", "2021")]


def test_real_704447_excerpt_values_in_api_order():
    body = (FIXTURES / "GetIndexData_704447_excerpt.json").read_bytes()
    p = payload(body, endpoint="GetIndexData/704447")
    frame, issues = parse_index_data(
        p, town_id="kz", indicator_id="income", expected_terms=[741880]
    )
    assert issues == []
    assert frame["year"].tolist() == list(range(2000, 2021))
    assert frame.set_index("year").loc[[2019, 2020], "value"].tolist() == [104282.0, 116126.0]
    frame2, _ = parse_index_data(p, town_id="akt", indicator_id="income", expected_terms=[990015])
    assert frame2.set_index("year").loc[2020, "value"] == 98360.0


# -- malformed bodies -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"<!DOCTYPE html><html><body>Error</body></html>", "HTML"),
        (b'[{"terms": [741880], "periods": [{"name": "2020', "truncated"),
        (b"[]", "empty list"),
        (b"", "empty body"),
        (b'{"error": "bad request"}', "expected a JSON list"),
        (b'[{"terms": [741880]}]', "'terms' and 'periods'"),
        (b'[{"terms": ["a"], "periods": []}]', "integer ids"),
        (b'[{"terms": [1], "periods": "x"}]', "'periods' is not a list"),
        (b"\xff\xfe\x00", "not UTF-8"),
    ],
)
def test_malformed_bodies_raise_parse_error_naming_endpoint_and_params(body, reason):
    with pytest.raises(TaldauParseError) as info:
        parse(body)
    message = str(info.value)
    assert reason in message
    assert "GetIndexData/702944" in message and "'dics': '67'" in message
    assert info.value.endpoint == "GetIndexData/702944" and info.value.params == PARAMS


# -- metadata endpoints ---------------------------------------------------------------------


def test_segment_list_shape_and_choice():
    body = (FIXTURES / "GetSegmentList.reconstructed.json").read_bytes()
    segments = parse_segment_list(payload(body, "GetSegmentList", {"indexId": "1"}))
    assert segments == [
        Segment((67, 915), (741880, 741885), "Регионы + Виды экономической деятельности", 0)
    ]
    seg68 = Segment((68, 859, 681), (741880, 741885, 7))
    small = Segment((68,), (741880,))
    other = Segment((67,), (741880,))
    assert choose_segment([seg68, small, other], 68, (68, 859, 681)) is seg68
    assert choose_segment([seg68, small, other], 68) is small
    assert choose_segment([seg68, small, other], 68, (68, 4303)) is small
    assert choose_segment([other], 68) is None
    assert seg68.expected_terms(68, 249978) == (249978, 741885, 7)
    with pytest.raises(TaldauParseError, match="empty segment list"):
        parse_segment_list(payload(b"[]", "GetSegmentList", {"indexId": "1"}))


def test_index_periods_attributes_and_period_list():
    body = (FIXTURES / "GetIndexPeriods.reconstructed.json").read_bytes()
    periods = parse_index_periods(payload(body, "GetIndexPeriods", {}))
    assert [(p.year, p.date_id, p.date_code) for p in periods] == [
        (2000, "543", "122000"),
        (2001, "544", "122001"),
    ]
    wrapped = b"[" + body + b"]"
    assert parse_index_periods(payload(wrapped, "GetIndexPeriods", {})) == periods
    with pytest.raises(TaldauParseError, match="same length"):
        parse_index_periods(
            payload({"dateList": ["122000"], "datesIds": []}, "GetIndexPeriods", {})
        )
    attrs = (FIXTURES / "GetIndexAttributes.reconstructed.json").read_bytes()
    assert parse_index_attributes(payload(attrs, "GetIndexAttributes", {}))["id"] == 704447
    plist = (FIXTURES / "GetPeriodList.reconstructed.json").read_bytes()
    assert parse_period_list(payload(plist, "GetPeriodList", {}))[0] == {"id": 7, "name": "Год"}
