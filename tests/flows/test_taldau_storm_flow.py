"""`monotowns run --source taldau` for the whole registry against the storm server.

Every (indicator, territory) pair the registry allows is fetched once, with the client's real
politeness (3 in flight, 0.2 s apart) and 70 % of first attempts failing; values are stored
against their territory (joined on term ids: oblast values against the oblast), and
``--offline`` with the server stopped rebuilds the same observations.
"""

import duckdb
import pytest

import tests.taldau_storm as storm
from flows.cli import main
from tasks.sources.taldau.registry import load_registry, plan_territory_pairs

pytestmark = pytest.mark.flow  # runs the refresh flow: the session's Prefect test server


def rows(path, sql):
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql).fetchall()


def observations(path):
    return sorted(
        map(
            repr,
            rows(path, "SELECT * EXCLUDE (run_id, vintage, payload_hash) FROM core.observation"),
        )
    )


@pytest.fixture(scope="module")
def storm_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("storm")
    server = storm.start_server()
    try:
        fake = storm.install_storm(server)
        args = ["run", "--source", "taldau", "--archive", str(tmp / "archive"), "--no-report"]
        code = main(
            [*args, "--warehouse", str(tmp / "online.duckdb"), "--taldau-url", fake.base_url]
        )
        failed_first = fake.count(status=500)
    finally:
        server.clear()
        server.stop()  # the offline run below has no server at all
    return {"code": code, "w": tmp / "online.duckdb", "args": args, "tmp": tmp, "500": failed_first}


def test_full_fetch_exits_0_and_loads_every_monotown_territory(storm_run):
    assert storm_run["code"] == 0
    assert storm_run["500"] > 0  # the storm really happened
    w = storm_run["w"]
    reg = load_registry()
    pairs, _ = plan_territory_pairs(reg)
    loaded = set(
        rows(
            w,
            "SELECT DISTINCT indicator_id, territory_id FROM core.observation "
            "WHERE source = 'taldau' AND value_status = 'ok'",
        )
    )
    assert {(p.indicator.indicator_id, p.territory.territory_id) for p in pairs} <= loaded
    containers = {t.territory_id for t in reg.towns}
    assert containers <= {t for _, t in loaded}  # every monotown's district or administration
    [(status,)] = rows(w, "SELECT status FROM meta.pipeline_run")
    assert status == "completed"


def test_values_are_stored_against_their_territory(storm_run):
    w = storm_run["w"]
    reg = load_registry()
    inds = {i.indicator_id: i for i in reg.indicators}
    got = rows(
        w,
        "SELECT o.indicator_id, o.territory_id, o.year, o.value, t.kind, t.taldau_term_id "
        "FROM core.observation o JOIN core.territory t USING (territory_id)",
    )
    assert got
    for ind, _tid, year, value, kind, term in got:
        assert kind in ("oblast", "district", "city_administration")
        if inds[ind].fetch_levels == ("oblast",):
            assert kind == "oblast", (ind, kind)  # labour and GRP only at oblast level
        expected = storm.StormTaldau.value(inds[ind], term, year) * inds[ind].scale
        assert value == pytest.approx(expected, rel=1e-12)
    # a town's own series never receives a territory's value
    assert rows(w, "SELECT count(*) FROM core.v_town_series WHERE territory_kind = 'town'") == [
        (0,)
    ]


def test_satpayev_series_side_by_side_each_labelled(storm_run):
    w = storm_run["w"]
    got = rows(
        w,
        "SELECT territory_kind, territory_id, territory_name, min(year), max(year) "
        "FROM core.v_town_series WHERE town_id = 'satpayev' "
        "AND indicator_id = 'labour_unemployment_rate' GROUP BY ALL ORDER BY 2",
    )
    assert got == [
        ("oblast", "oblast_karaganda", "Karaganda Region", 2015, 2021),
        ("oblast", "oblast_ulytau", "Ulytau Region", 2022, 2024),
    ]
    wage = rows(
        w,
        "SELECT DISTINCT territory_kind, territory_id, territory_confirmed FROM core.v_town_series"
        " WHERE town_id = 'satpayev' AND indicator_id = 'wage_avg_monthly' ORDER BY 2",
    )
    assert ("city_administration", "ca_satpayev", False) in wage  # used, marked unconfirmed


def test_coverage_counts_every_town_and_kind(storm_run):
    w = storm_run["w"]
    got = dict(rows(w, "SELECT status, count(*) FROM results.coverage GROUP BY 1"))
    assert got["ok"] > 0 and "failed" not in got
    towns = rows(w, "SELECT count(DISTINCT town_id) FROM results.coverage")
    assert towns == [(28,)]
    kinds = {k for (k,) in rows(w, "SELECT DISTINCT territory_kind FROM results.coverage")}
    assert kinds == {"town", "district", "city_administration", "oblast"}


def test_offline_rebuilds_the_same_observations(storm_run):
    w2 = storm_run["tmp"] / "offline.duckdb"
    code = main([*storm_run["args"], "--warehouse", str(w2), "--offline"])
    assert code == 0
    assert observations(w2) == observations(storm_run["w"])
