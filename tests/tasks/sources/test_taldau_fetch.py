"""fetch_indicator and the Taldau source's per-pair fetch against the fake Taldau."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import pytest
from werkzeug import Response

from tasks.sources.taldau import (
    OBSERVATION_COLUMNS,
    TaldauDataError,
    TaldauParseError,
    TaldauRegistryError,
    fetch_indicator,
    list_territories,
)
from tasks.sources.taldau.registry import get_indicator, get_town, load_indicators

ROOT = Path(__file__).resolve().parents[3]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import tests.taldau_fake as taldau_fake  # noqa: E402  (needs ROOT on sys.path)
from tests.taldau_fake import (  # noqa: E402
    FAKE_OBLAST_TERM,
    KHROMTAU_TERM,
    FakeTaldau,
    date_id,
    fake_town,
    fast_client,
    install_fake_taldau,
)
from tests.tasks.sources.pairs import indicator_of, run_pairs  # noqa: E402

# pytest fixtures from the shared fake (end-to-end tests reuse them the same way)
taldau_httpserver = taldau_fake.taldau_httpserver
fake_taldau = taldau_fake.fake_taldau


def test_district_level_indicator_for_khromtau(fake_taldau, tmp_path):
    client = fast_client(tmp_path, fake_taldau.base_url)
    payloads, frame, issues = fetch_indicator(
        client, get_indicator("wage_avg_monthly"), get_town("khromtau")
    )
    assert [p.kind for p in payloads] == [
        "GetIndexAttributes",
        "GetSegmentList",
        "GetIndexPeriods",
        "GetIndexData",
    ]
    assert tuple(frame.columns) == OBSERVATION_COLUMNS
    assert frame["year"].tolist() == list(range(2014, 2024))
    assert frame.set_index("year")["value"].to_dict() == fake_taldau.expected("wage_avg_monthly")
    row = frame.iloc[0]
    assert (row["territory_id"], row["indicator_id"], row["unit"]) == (
        "khromtau",
        "wage_avg_monthly",
        "KZT",
    )
    assert (
        row["source_ref"]
        == f"taldau 702972 period=7 dics=68,859,681 terms={KHROMTAU_TERM},741885,800681"
    )
    assert "district-level" in row["note"] and str(KHROMTAU_TERM) in row["note"]
    assert row["payload_hash"] == payloads[-1].content_hash
    assert issues == []


def test_oblast_level_indicator_uses_the_oblast_term_and_says_so(fake_taldau, tmp_path):
    client = fast_client(tmp_path, fake_taldau.base_url)
    _, frame, _ = fetch_indicator(client, get_indicator("labour_unemployment_rate"), fake_town())
    assert frame.set_index("year")["value"].to_dict() == fake_taldau.expected(
        "labour_unemployment_rate"
    )
    assert frame["raw_value"].str.contains(",").all()  # comma decimals in the fake
    assert "oblast-level" in frame.loc[0, "note"] and str(FAKE_OBLAST_TERM) in frame.loc[0, "note"]


def test_years_are_requested_via_date_ids(fake_taldau, tmp_path):
    client = fast_client(tmp_path, fake_taldau.base_url)
    _, frame, issues = fetch_indicator(
        client, get_indicator("industrial_output"), get_town("khromtau"), years=[2015, 2020]
    )
    assert frame["year"].tolist() == [2015, 2020]
    data_calls = [e for e in fake_taldau.log if e["path"].startswith("GetIndexData/")]
    assert data_calls[0]["args"]["dateIds"] == f"{date_id(2015)},{date_id(2020)}"
    sup = frame.set_index("year").loc[2015]
    assert sup["value_status"] == "suppressed" and sup["raw_value"] == "x"
    assert [(i["check"], i["row_key"]) for i in issues] == [
        ("value_suppressed", "khromtau/industrial_output/2015")
    ]


def test_html_instead_of_json_raises_parse_error_with_payloads(taldau_httpserver, tmp_path):
    fake = install_fake_taldau(taldau_httpserver, broken={702972: "html"})
    client = fast_client(tmp_path, fake.base_url)
    with pytest.raises(TaldauParseError) as info:
        fetch_indicator(client, get_indicator("wage_avg_monthly"), get_town("khromtau"))
    assert "GetIndexData/702972" in str(info.value) and "'dics': '68,859,681'" in str(info.value)
    assert "HTML" in str(info.value)
    assert [p.kind for p in info.value.payloads][-1] == "GetIndexData"


def test_truncated_json_raises_parse_error(taldau_httpserver, tmp_path):
    fake = install_fake_taldau(taldau_httpserver, broken={701592: "truncated"})
    client = fast_client(tmp_path, fake.base_url)
    with pytest.raises(TaldauParseError, match=r"GetIndexData/701592.*truncated JSON"):
        fetch_indicator(client, get_indicator("industrial_output"), get_town("khromtau"))


def test_empty_list_raises_parse_error(taldau_httpserver, tmp_path):
    fake = install_fake_taldau(taldau_httpserver, broken={702972: "empty"})
    client = fast_client(tmp_path, fake.base_url)
    with pytest.raises(TaldauParseError, match=r"GetIndexData/702972.*empty list"):
        fetch_indicator(client, get_indicator("wage_avg_monthly"), get_town("khromtau"))


def test_territory_missing_from_data_is_a_data_error(taldau_httpserver, tmp_path):
    fake = install_fake_taldau(taldau_httpserver, broken={702972: "no_territory"})
    client = fast_client(tmp_path, fake.base_url)
    with pytest.raises(TaldauDataError, match=r"no row with terms \[249978"):
        fetch_indicator(client, get_indicator("wage_avg_monthly"), get_town("khromtau"))


def test_unknown_term_is_a_registry_error_without_network(fake_taldau, tmp_path):
    client = fast_client(tmp_path, fake_taldau.base_url)
    no_oblast = replace(get_town("khromtau"), oblast_term_id=None)  # the registry now has Aktobe
    with pytest.raises(TaldauRegistryError, match="oblast_term_id"):
        fetch_indicator(client, get_indicator("grp_total"), no_oblast)
    assert fake_taldau.count() == 0


def test_segment_without_the_territory_dic_is_a_data_error(fake_taldau, tmp_path):
    client = fast_client(tmp_path, fake_taldau.base_url)
    ind = replace(get_indicator("grp_total"), territory_dic=68, dics=())
    with pytest.raises(TaldauDataError, match="no segment contains dictionary 68"):
        fetch_indicator(client, ind, fake_town())


def test_failing_periods_endpoint_falls_back_to_all_dates(taldau_httpserver, tmp_path):
    fake = FakeTaldau(taldau_httpserver)
    taldau_httpserver.clear()
    taldau_httpserver.expect_request("/ru/Api/GetIndexPeriods").respond_with_response(
        Response("error", status=500)
    )
    fake.install()
    client = fast_client(tmp_path, fake.base_url, max_attempts=2)
    _, frame, issues = fetch_indicator(
        client, get_indicator("wage_avg_monthly"), get_town("khromtau")
    )
    assert len(frame) == 10
    assert [i["check"] for i in issues] == ["periods_unavailable"]
    assert (
        "dateIds" not in next(e for e in fake.log if e["path"].startswith("GetIndexData/"))["args"]
    )


def test_counts_are_converted_to_the_project_unit(fake_taldau, tmp_path):
    client = fast_client(tmp_path, fake_taldau.base_url)
    _, frame, _ = fetch_indicator(client, get_indicator("labour_unemployed"), fake_town())
    first = frame.iloc[0]
    assert first["unit"] == "persons" and first["raw_value"] == "18.0"  # thousand persons
    assert first["value"] == 18000.0
    assert "x 1000" in first["note"]
    assert frame.set_index("year")["value"].to_dict() == fake_taldau.expected("labour_unemployed")


def test_unit_mismatch_fails_the_pair_loudly(fake_taldau, tmp_path):
    client = fast_client(tmp_path, fake_taldau.base_url)
    ind = replace(get_indicator("wage_avg_monthly"), taldau_unit="тыс. тенге", scale=0.001)
    with pytest.raises(TaldauDataError, match="measureName 'тенге' differs") as info:
        fetch_indicator(client, ind, get_town("khromtau"))
    assert [p.kind for p in info.value.payloads] == ["GetIndexAttributes"]
    ok = replace(get_indicator("labour_active"), taldau_unit="Тысяч человек")
    _, frame, issues = fetch_indicator(client, ok, fake_town())
    assert len(frame) == 10 and issues == []


def test_unavailable_attributes_leave_the_unit_unchecked(taldau_httpserver, tmp_path):
    fake = FakeTaldau(taldau_httpserver)
    taldau_httpserver.clear()
    taldau_httpserver.expect_request("/ru/Api/GetIndexAttributes").respond_with_response(
        Response("error", status=502)
    )
    fake.install()
    client = fast_client(tmp_path, fake.base_url, max_attempts=2)
    _, frame, issues = fetch_indicator(
        client, get_indicator("wage_avg_monthly"), get_town("khromtau")
    )
    assert len(frame) == 10 and (frame["unit"] == "KZT").all()
    assert [(i["check"], i["severity"]) for i in issues] == [("unit_unchecked", "warning")]


def test_fetch_all_keeps_successes_when_some_indicators_fail(taldau_httpserver, tmp_path):
    fake = install_fake_taldau(taldau_httpserver, broken={702944: "500", 702972: "html"})
    client = fast_client(tmp_path, fake.base_url, max_attempts=3)
    unconfigured = replace(get_town("satpayev"), taldau_term_id=None, oblast_term_id=None)
    towns = [fake_town(), unconfigured]
    result = run_pairs(client, load_indicators(), towns)
    ok = sorted(indicator_of(r) for r in result.results)
    assert ok == sorted(
        {i.indicator_id for i in load_indicators()}
        - {"labour_unemployment_rate", "wage_avg_monthly"}
    )
    failures = {indicator_of(f): f for f in result.failures}
    assert set(failures) == {"labour_unemployment_rate", "wage_avg_monthly"}
    assert failures["labour_unemployment_rate"].failure.observed == "TaldauError"
    assert "HTTP 500" in failures["labour_unemployment_rate"].failure.message
    assert failures["wage_avg_monthly"].failure.observed == "TaldauParseError"
    assert failures["wage_avg_monthly"].payloads  # received bodies are not lost
    assert {(s.town_id, s.indicator_id) for s in result.skipped} == {
        ("satpayev", i.indicator_id) for i in load_indicators()
    }
    frame = result.frame()
    assert set(frame["indicator_id"]) == set(ok) and set(frame["territory_id"]) == {"khromtau"}
    assert not frame.duplicated(["territory_id", "indicator_id", "year"]).any()
    checks = result.checks()
    assert checks.count(("fetch_failed", "error")) == 2
    assert checks.count(("not_configured", "warning")) == len(load_indicators())  # satpayev
    hashes = [p.content_hash for p in result.payloads()]
    assert len(hashes) == len(set(hashes))


def test_fetch_all_fetches_shared_requests_once(fake_taldau, tmp_path):
    client = fast_client(tmp_path, fake_taldau.base_url)
    twin = replace(get_town("khromtau"), town_id="khromtau_twin")
    result = run_pairs(client, [get_indicator("wage_avg_monthly")], [get_town("khromtau"), twin])
    assert len(result.results) == 2 and result.failures == []
    assert fake_taldau.count("GetIndexData/702972") == 1


def test_list_territories_for_filling_towns_csv(fake_taldau, tmp_path):
    client = fast_client(tmp_path, fake_taldau.base_url)
    terms = list_territories(client, get_indicator("industrial_output"))
    # the republic, Aktobe oblast (dic 68 holds the oblasts too), Khromtau and a neighbour
    assert set(terms["term_id"]) == {741880, FAKE_OBLAST_TERM, KHROMTAU_TERM, 249637}


def test_a_failing_request_is_not_retried_once_per_town(taldau_httpserver, tmp_path):
    fake = install_fake_taldau(taldau_httpserver, broken={702972: "500"})
    client = fast_client(tmp_path, fake.base_url, max_attempts=3)
    twin = replace(get_town("khromtau"), town_id="khromtau_twin")
    result = run_pairs(client, [get_indicator("wage_avg_monthly")], [get_town("khromtau"), twin])
    assert len(result.failures) == 2 and result.results == []
    assert fake.count("GetIndexData/702972") == 3
    assert any("not retried" in f.failure.message for f in result.failures)
    assert all(p.meta["status"] in (200, 500) for p in result.payloads())
