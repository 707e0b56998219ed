"""taldau discover against the storm server: every town node found, decoys never matched, every
response archived, the proposal printed and the registry files untouched."""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import sys
from pathlib import Path

import pytest

from tasks.sources.taldau.discover import (
    FINDING_COLUMNS,
    TreeNode,
    discover,
    format_proposal,
    match_town_node,
    normalize_name,
    proposed_changes,
    write_findings,
)
from tasks.sources.taldau.registry import (
    INDICATORS_CSV,
    TERRITORIES_CSV,
    TOWNS_CSV,
    get_town,
    load_registry,
    plan_territory_pairs,
)
from tasks.sources.taldau.source import fetch_pair

ROOT = Path(__file__).resolve().parents[3]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import flows.taldau_cli as taldau_cli  # noqa: E402
from flows.settings import resolve_settings  # noqa: E402
from tests.taldau_fake import fast_client, start_server  # noqa: E402
from tests.taldau_storm import StormTaldau, install_storm  # noqa: E402

REGISTRY_FILES = (TERRITORIES_CSV, TOWNS_CSV, INDICATORS_CSV)


def _digest() -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in REGISTRY_FILES}


@pytest.fixture(scope="module")
def storm_discovery(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("discover")
    before = _digest()
    server = start_server()
    try:
        storm = install_storm(server)
        with fast_client(tmp / "archive", storm.base_url) as client:
            result = discover(client)
    finally:
        server.clear()
        server.stop()
    return {"result": result, "storm": storm, "archive": tmp / "archive", "before": before}


def test_every_town_node_is_found_and_no_decoy(storm_discovery):
    result, storm = storm_discovery["result"], storm_discovery["storm"]
    assert result.ok, result.errors
    assert storm.count(status=500) > 0  # the storm happened
    expected = storm.expected_town_nodes()
    assert len(expected) == 28
    for iid in ("wage_avg_monthly", "industrial_output"):
        rows = [r for r in result.rows if r["finding"] == "town_node" and r["indicator_id"] == iid]
        found = {r["town_id"]: r["term_id"] for r in rows if r["available"] == "yes"}
        assert found == expected, iid
        assert not {r["term_id"] for r in rows} & storm.decoy_ids
    wage = {
        r["town_id"]: r
        for r in result.rows
        if r["finding"] == "town_node" and r["indicator_id"] == "wage_avg_monthly"
    }
    assert "below 266711" in wage["serebryansk"]["note"]  # found behind the hidden wrapper
    assert "values for 2015-2024" in wage["khromtau"]["note"]


def test_shared_territory_is_walked_once_per_indicator(storm_discovery):
    storm = storm_discovery["storm"]
    ok = [
        e
        for e in storm.log
        if e["path"] == "GetIndexTreeData"
        and e["args"].get("p_parent_id") == "266711"
        and e["status"] == 200
    ]
    assert sorted(e["args"]["p_index_id"] for e in ok) == ["701592", "702972"]


def test_segments_and_periods_are_recorded(storm_discovery):
    rows = storm_discovery["result"].rows
    reg = load_registry()
    for ind in reg.indicators:
        periods = {
            r["period_id"]
            for r in rows
            if r["finding"] == "period" and r["indicator_id"] == ind.indicator_id
        }
        assert periods == {7, 5}
        dics = {
            r["dic"]
            for r in rows
            if r["finding"] == "segment"
            and r["indicator_id"] == ind.indicator_id
            and r["period_id"] == 7
        }
        assert dics == {ind.territory_dic}
    territories = {r["territory_id"]: r for r in rows if r["finding"] == "territory"}
    assert territories["district_khromtau"]["available"] == "yes"
    assert territories["oblast_ulytau"]["term_id"] == 77208140


def test_findings_csv_has_the_columns(storm_discovery, tmp_path):
    path = write_findings(storm_discovery["result"].rows, tmp_path / "found.csv")
    with open(path, encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        rows = list(reader)
    assert tuple(reader.fieldnames) == FINDING_COLUMNS
    assert {
        "town_id",
        "indicator_id",
        "term_id",
        "term_name",
        "dic",
        "period_id",
        "available",
        "checked_at",
    } <= set(FINDING_COLUMNS)
    khromtau = [r for r in rows if r["town_id"] == "khromtau" and r["available"] == "yes"]
    assert khromtau and all(r["checked_at"][:4].isdigit() for r in khromtau)
    assert khromtau[0]["dic"] == "68" and khromtau[0]["parent_term_id"] == "249978"


def test_archive_holds_every_response(storm_discovery):
    storm, archive = storm_discovery["storm"], storm_discovery["archive"]
    history = list((archive / "taldau" / "requests").glob("*.history.jsonl"))
    lines = [json.loads(x) for h in history for x in h.read_text().splitlines()]
    assert len(lines) == len(storm.log)
    assert sum(1 for x in lines if x["status"] == 500) == storm.count(status=500)
    for x in lines:
        if x["content_hash"]:
            assert (archive / "taldau" / x["content_hash"]).exists()


def test_proposal_lists_changes_and_files_stay_untouched(storm_discovery):
    result, storm = storm_discovery["result"], storm_discovery["storm"]
    lines = proposed_changes(result.rows)
    node = storm.expected_town_nodes()["khromtau"]
    assert any(
        line.startswith(f"towns.csv row khromtau: town_term_id '' -> {node} (")
        and "below 249978" in line
        for line in lines
    )
    assert sum(line.startswith("towns.csv row ") for line in lines) == 28
    assert any(
        line.startswith(
            "territories.csv row district_khromtau: confidence 'medium-high' -> "
            "'high', confirmed 'no' -> 'yes'"
        )
        for line in lines
    )
    assert "check territories.csv row oblast_south_kazakhstan" in "\n".join(lines)
    assert any(
        line.startswith(
            "indicators.csv row wage_avg_monthly: levels 'oblast;district' -> "
            "'oblast;district;town'"
        )
        for line in lines
    )
    assert not any("industrial_output: levels" in line for line in lines)  # nodes without values
    text = format_proposal(lines)
    assert text.startswith("Proposed registry changes (")
    assert _digest() == storm_discovery["before"]


def test_matching_is_case_space_and_yo_insensitive_and_lists_ambiguity():
    town = get_town("altai")
    assert (
        normalize_name(" г.  Алтай ") == normalize_name("Г.АЛТАЙ") == normalize_name("город Алтай")
    )
    assert normalize_name("Г.ЁЛКИ") == normalize_name("г.елки")
    nodes = [
        TreeNode(1, "С.АЛТАЙ", True, False),
        TreeNode(2, "г. Зыряновск", False, False),
        TreeNode(3, "АЛТАЙСКИЙ С.О.", True, False),
    ]
    matches, near = match_town_node(town, nodes)
    assert [n.id for n in matches] == [2]  # the alias
    assert {n.id for n in near} == {1, 3}
    two = [TreeNode(5, "Г.АЛТАЙ", False, False), TreeNode(6, "г. алтай", False, False)]
    assert len(match_town_node(town, two)[0]) == 2
    by_kato = [TreeNode(7, "ГОРОД-СПУТНИК", False, False, kato=town.kato_code)]
    assert [n.id for n in match_town_node(town, by_kato)[0]] == [7]
    rows = [
        {
            "finding": "town_node",
            "town_id": "altai",
            "available": "ambiguous",
            "term_id": n.id,
            "term_name": n.text,
            "parent_term_id": 266711,
        }
        for n in two
    ]
    lines = proposed_changes(rows)
    assert lines == ["check towns.csv row altai: ambiguous town node: 5 Г.АЛТАЙ, 6 г. алтай"]


def _cli_args(**kw):
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command")
    taldau_cli.add_parser(sub)
    argv = ["taldau", "discover"]
    for key, value in kw.items():
        argv += [f"--{key.replace('_', '-')}", str(value)]
    return parser.parse_args(argv)


def test_cli_discover_exit_codes(tmp_path, capsys, monkeypatch):
    server = start_server()
    try:
        storm = StormTaldau(server, failure_rate=0.0).install()
        out = tmp_path / "found.csv"
        args = _cli_args(
            taldau_url=storm.base_url, out=out, archive=tmp_path / "a", town="khromtau"
        )
        monkeypatch.setattr(taldau_cli, "TaldauClient", _fast_client_factory)
        assert taldau_cli.run(args, resolve_settings(args, {})) == 0
        printed = capsys.readouterr().out
        assert "town nodes found for 1 of 1 town(s)" in printed
        assert "towns.csv row khromtau: town_term_id '' -> " in printed
        assert out.exists()
        storm2 = install_storm(server, failure_rate=1.0, fail_attempts=99)
        args = _cli_args(taldau_url=storm2.base_url, out=out, archive=tmp_path / "b", town="rudny")
        assert taldau_cli.run(args, resolve_settings(args, {})) == 1
        err = capsys.readouterr().err
        assert "request(s) failed after retries" in err and "HTTP 500" in err
    finally:
        server.clear()
        server.stop()


def _fast_client_factory(archive, *, base_url):
    return fast_client(archive, base_url, max_attempts=2)


def test_storm_serves_every_planned_pair_to_the_fetch(tmp_path):
    """The storm also serves the yearly fetch: every (indicator, territory) pair of the plan
    loads, stored against its territory, despite the 500s and the unit spellings."""
    pairs, _ = plan_territory_pairs()
    server = start_server()
    try:
        storm = install_storm(server)
        with fast_client(tmp_path, storm.base_url) as client:
            outcomes = [fetch_pair(client, p.indicator, p.as_town()) for p in pairs]
        units = {
            json.loads(p.data[3:])["measureName"]
            for o in outcomes
            if o.failure is None
            for p in o.payloads
            if p.kind == "GetIndexAttributes"
        }
    finally:
        server.clear()
        server.stop()
    assert storm.count(status=500) > 0
    assert len(units) > len({p.indicator.taldau_unit for p in pairs})  # spelled several ways
    assert all(o.failure is None for o in outcomes), [
        o.failure.message for o in outcomes if o.failure is not None
    ][:3]
    for pair, outcome in zip(pairs, outcomes, strict=True):
        frame = outcome.observations
        assert set(frame["territory_id"]) == {pair.territory.territory_id}
        for year, value in zip(frame["year"], frame["value"], strict=True):
            expected = storm.value(pair.indicator, pair.term_id, int(year)) * pair.indicator.scale
            assert value == pytest.approx(expected, rel=1e-12)
    satpayev = next(
        p
        for p in pairs
        if (p.indicator.indicator_id, p.territory.territory_id)
        == ("wage_avg_monthly", "ca_satpayev")
    )
    assert "city_administration-level value" in satpayev.as_town().territory_note(68)
