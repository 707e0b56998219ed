"""The bundled run with territories: one registry of towns, the population panel, the town's
own series beside its other territories, coverage."""

import csv
from datetime import date
from pathlib import Path

import duckdb
import pytest

from flows.refresh import refresh

pytestmark = pytest.mark.flow  # runs the refresh flow: the session's Prefect test server

REFERENCE = Path("/work/shared/reference/towns/population.csv")
KINDS = {"town proper": "town", "city administration": "city_administration"}
KINDS["district containing the town"] = "district"


def rows(path, sql):
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql).fetchall()


@pytest.fixture(scope="module")
def bundled_run(tmp_path_factory):
    w = tmp_path_factory.mktemp("territories") / "w.duckdb"
    summary = refresh(warehouse=str(w), report=False)
    assert summary.status == "completed"
    return w


def test_every_registry_town_and_territory_is_in_core(bundled_run):
    w = bundled_run
    assert rows(w, "SELECT status, count(*) FROM core.town GROUP BY 1 ORDER BY 1") == [
        ("current", 18),
        ("former", 2),
        ("unconfirmed", 8),
    ]
    assert rows(
        w,
        "SELECT territory_id, kind, valid_from, valid_to FROM core.town_territory "
        "WHERE town_id = 'satpayev' ORDER BY kind, territory_id",
    ) == [
        ("ca_satpayev", "city_administration", None, None),
        ("oblast_karaganda", "oblast", None, date(2021, 12, 31)),
        ("oblast_ulytau", "oblast", date(2022, 1, 1), None),
        ("town_satpayev", "town", None, None),
    ]
    # unconfirmed ids are used and marked
    [(confirmed, confidence)] = rows(
        w, "SELECT confirmed, confidence FROM core.territory WHERE territory_id = 'ca_satpayev'"
    )
    assert confirmed is False and confidence == "medium-high"


def test_core_territory_is_the_registry_and_the_bureaus_monotown_sheets_confirm(bundled_run):
    from tasks.sources.taldau.registry import load_registry

    reg = load_registry()
    w = bundled_run
    # every registry territory (the oblasts, every district and г.а. the bureau's files show)
    # and one town proper per registry town: a property, not a pinned count
    [(n, towns)] = rows(w, "SELECT count(*), count(*) FILTER (kind = 'town') FROM core.territory")
    assert (n, towns) == (len(reg.territories) + len(reg.towns), len(reg.towns))
    sheets = dict(
        rows(w, "SELECT town_id, bns_monotown_sheet FROM core.town WHERE bns_monotown_sheet <> ''")
    )
    assert sheets == {t.town_id: t.bns_monotown_sheet for t in reg.towns if t.bns_monotown_sheet}
    assert sheets["temirtau"] == "regional-profiles/Karagandy_All.xls!'Темиртау (моногород)'"
    # a monotown sheet confirms a town no web source named (status stays as the sources say)
    assert rows(w, "SELECT status, confirmed FROM core.town WHERE town_id = 'karazhal'") == [
        ("unconfirmed", True)
    ]
    assert rows(w, "SELECT confirmed FROM core.town WHERE town_id = 'zhezkazgan'") == [(False,)]


def test_population_panel_is_the_reference_figures_nothing_more(bundled_run):
    got = {
        (t, y, k): (v, ref)
        for t, y, k, v, ref in rows(
            bundled_run,
            "SELECT town_id, year, territory_kind, value, source_ref FROM core.v_town_series "
            "WHERE indicator_id = 'population'",
        )
    }
    if REFERENCE.exists():
        with open(REFERENCE, encoding="utf-8") as fh:
            ref = list(csv.DictReader(fh))
        want = {
            (r["town_id"], int(r["date"][:4]), KINDS[r["territory_kind"]]): float(r["population"])
            for r in ref
        }
        assert {k: v for k, (v, _) in got.items()} == want
    assert len(got) == 29
    # Kentau: the town proper and its administration, two kinds, never one series
    assert got[("kentau", 2020, "town")][0] == 68707
    assert got[("kentau", 2020, "city_administration")][0] == 206720
    assert not any(t == "altai" for t, *_ in got)  # no figure found: stays missing
    cov = rows(
        bundled_run,
        "SELECT status FROM results.coverage WHERE town_id = 'altai' "
        "AND indicator_id = 'population' AND territory_kind = 'town' AND year = 2023",
    )
    assert cov == [("missing",)]


def test_a_district_value_never_becomes_the_towns(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "observations.csv").write_text(
        "town_id,indicator_id,year,territory_kind,value\nkhromtau,labour_active,2019,district,99\n",
        encoding="utf-8",
    )
    w = tmp_path / "w.duckdb"
    refresh(warehouse=str(w), report=False)  # the study's own Khromtau figures first
    before = rows(w, "SELECT * EXCLUDE (source) FROM results.labour_market ORDER BY year")
    summary = refresh(warehouse=str(w), source="files", input_dir=str(folder), report=False)
    assert summary.status == "completed"
    assert rows(
        w,
        "SELECT territory_id FROM core.observation WHERE source = 'files' "
        "AND indicator_id = 'labour_active'",
    ) == [("district_khromtau",)]
    after = rows(w, "SELECT * EXCLUDE (source) FROM results.labour_market ORDER BY year")
    assert after == before  # the district's 99 is beside the town's series, not in it
