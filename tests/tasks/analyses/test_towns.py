"""Cross-town results (issue 15 item 2) on tiny frames with answers worked out by hand, the real
published population figures (shared/reference/towns/population.csv) and R's cor.test example."""

from __future__ import annotations

import logging
from datetime import date
from io import StringIO
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from tasks.analyses import towns as ct
from tasks.analyses.registry import ANALYSES, merge_results, run_town_profile
from tasks.load import load_core, replace_results
from tasks.sources.bundled import read_bundled
from tasks.stats.correlation import COLUMNS, correlate
from tasks.territories import default_registry
from tasks.validate import validate_payloads
from warehouse.db import migrate
from warehouse.session import utc_now

# population.csv as shipped with the issue (a copy of the rows used here, so the test does not
# depend on /work/shared): town_id, date, population, territory_kind as printed, source
POPULATION_CSV = """town_id,date,population,territory_kind,source
temirtau,2024-01-01,171609,town proper,parasat.club
kentau,2024-01-01,74659,town proper,parasat.club
kulsary,2024-01-01,66580,town proper,parasat.club
aksu,2024-01-01,51728,town proper,parasat.club
temirtau,2023-01-01,171893,town proper,wikiclassic.com
zhezkazgan,2023-01-01,89092,town proper,wikiclassic.com
kentau,2023-01-01,74474,town proper,wikiclassic.com
aksu,2023-01-01,51614,town proper,de.wikipedia.org
kulsary,2023-01-01,86367,district containing the town,de.wikipedia.org
kentau,2020-01-01,206720,city administration,de.wikipedia.org
kentau,2020-01-01,68707,town proper,de.wikipedia.org
"""
KIND = {
    "town proper": "town",
    "city administration": "city_administration",
    "district containing the town": "district",
}
PREFIX = {"town": "town", "city_administration": "ca", "district": "district"}

# R: ?cor.test, "Hollander & Wolfe (1973), p. 187f."
R_X = [44.4, 45.9, 41.9, 53.3, 44.7, 44.1, 50.7, 45.2, 60.1]
R_Y = [2.6, 3.1, 2.5, 5.0, 3.6, 4.0, 5.2, 2.8, 3.8]


def cell(town, indicator, year, value, kind="town", territory=None, source="bundled", **kw):
    territory = territory or f"{PREFIX.get(kind, kind)}_{town}"
    return {
        "town_id": town,
        "indicator_id": indicator,
        "year": year,
        "value": value,
        "value_status": kw.get("value_status", "ok"),
        "unit": kw.get("unit", "persons"),
        "territory_id": territory,
        "territory_kind": kind,
        "territory_name": territory,
        "territory_name_ru": None,
        "source": source,
        "source_ref": kw.get("source_ref", f"ref {town} {year}"),
        "territory_confirmed": True,
        "note": kw.get("note"),
    }


def series(*cells) -> pd.DataFrame:
    return pd.DataFrame(list(cells), columns=list(cell("a", "i", 2000, 1.0)))


def registry(*ids, oblast="oblast_x") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "town_id": list(ids),
            "name_en": [i.title() for i in ids],
            "name_ru": [f"ru {i}" for i in ids],
            "name_kk": [None] * len(ids),
            "status": ["current"] * len(ids),
            "oblast_id": [oblast] * len(ids),
        }
    )


TERRITORIES = pd.DataFrame(
    {
        "territory_id": ["oblast_x", "oblast_y"],
        "kind": ["oblast", "oblast"],
        "name_en": ["X Region", "Y Region"],
        "name_ru": ["область X", "область Y"],
        "name_kk": ["X облысы", None],
    }
)


def real_population() -> pd.DataFrame:
    raw = pd.read_csv(StringIO(POPULATION_CSV))
    rows = [
        cell(
            r.town_id,
            "population",
            int(r.date[:4]),
            float(r.population),
            kind=KIND[r.territory_kind],
            source_ref=r.source,
        )
        for r in raw.itertuples()
    ]
    return series(*rows)


def by_town(frame: pd.DataFrame) -> dict[str, dict]:
    return {r["town_id"]: r for r in frame.to_dict("records")}


# --- town_profile ----------------------------------------------------------------------------


def test_profile_change_between_the_two_latest_figures_per_year():
    s = series(
        cell("a", "population", 2015, 900.0),
        cell("a", "population", 2020, 1000.0),
        cell("a", "population", 2023, 1090.0),
        cell("a", "unemployment", 2021, 5.0, unit="%"),
    )
    row = by_town(ct.town_profile(registry("a"), TERRITORIES, s))["a"]
    assert row["population"] == 1090.0
    assert row["population_date"] == date(2023, 1, 1)
    assert row["population_kind"] == "town"
    assert row["population_prev"] == 1000.0
    assert row["population_prev_date"] == date(2020, 1, 1)
    assert row["population_change"] == 90.0  # 1090 - 1000
    assert row["population_change_pct"] == pytest.approx(9.0)  # 100 * 90 / 1000
    assert row["population_change_years"] == 3
    assert row["population_change_per_year"] == pytest.approx(30.0)  # 90 / 3
    assert row["n_indicators"] == 2 and row["n_indicators_town"] == 2
    assert row["last_year"] == 2023 and row["last_year_town"] == 2023
    assert row["territories_available"] == "town"
    assert row["oblast_name_ru"] == "область X" and row["oblast_name_kk"] == "X облысы"
    assert pd.isna(row["note"])


def test_profile_has_every_registry_town_even_without_data():
    s = series(cell("a", "population", 2023, 10.0))
    prof = ct.town_profile(registry("a", "b", "c"), TERRITORIES, s)
    assert list(prof["town_id"]) == ["a", "b", "c"]
    assert list(prof.columns) == list(ct.PROFILE_COLUMNS)
    b = by_town(prof)["b"]
    assert np.isnan(b["population"]) and pd.isna(b["territories_available"])
    assert b["n_indicators"] == 0 and pd.isna(b["last_year"])
    assert "no population figure published" in b["note"]
    assert "no data for any territory" in b["note"]


def test_profile_real_figures_kentau_two_kinds_never_one_series():
    pop = real_population()
    ids = ["aksu", "altai", "kentau", "kulsary", "temirtau", "zhezkazgan"]
    prof = by_town(ct.town_profile(registry(*ids), TERRITORIES, pop))
    k = prof["kentau"]
    # town proper preferred: 1 Jan 2024 74 659 vs 1 Jan 2023 74 474 (2020's 68 707 is older)
    assert (k["population"], k["population_date"], k["population_kind"]) == (
        74659.0,
        date(2024, 1, 1),
        "town",
    )
    assert k["population_territory_id"] == "town_kentau"
    assert (k["population_prev"], k["population_change"]) == (74474.0, 185.0)
    assert k["population_change_pct"] == pytest.approx(100 * 185 / 74474)  # 0.2484...
    assert k["population_change_years"] == 1 and k["population_change_per_year"] == 185.0
    # the city administration is shown beside it, never compared
    assert (k["other_population"], k["other_population_date"]) == (206720.0, date(2020, 1, 1))
    assert k["other_population_kind"] == "city_administration"
    assert k["other_population_territory_id"] == "ca_kentau"
    assert "206 720" in k["note"] and "not compared" in k["note"]
    assert k["territories_available"] == "town; city_administration"

    z = prof["zhezkazgan"]
    assert z["population"] == 89092.0 and z["population_date"] == date(2023, 1, 1)
    assert np.isnan(z["population_change"]) and np.isnan(z["population_change_per_year"])
    assert "one town proper figure only" in z["note"]

    # Kulsary: town 2024 (66 580) and Zhylyoi district 2023 (86 367): no change across kinds
    q = prof["kulsary"]
    assert q["population"] == 66580.0 and q["population_kind"] == "town"
    assert np.isnan(q["population_change"])
    assert q["other_population"] == 86367.0 and q["other_population_kind"] == "district"

    assert prof["temirtau"]["population_change"] == 171609.0 - 171893.0  # -284
    assert prof["aksu"]["population_change"] == 51728.0 - 51614.0  # 114
    assert prof["altai"]["note"].startswith("no population figure published")


def test_profile_without_a_town_proper_figure_says_which_kind_it_shows():
    s = series(
        cell("a", "population", 2020, 200.0, kind="city_administration"),
        cell("a", "population", 2023, 230.0, kind="city_administration"),
        cell("a", "population", 2023, 5000.0, kind="oblast", territory="oblast_x"),
    )
    row = by_town(ct.town_profile(registry("a"), TERRITORIES, s))["a"]
    assert row["population_kind"] == "city_administration" and row["population"] == 230.0
    assert row["population_change"] == 30.0 and row["population_change_per_year"] == 10.0
    assert row["other_population_kind"] == "oblast"
    assert "no town proper figure" in row["note"]
    assert "no data for the town proper" in row["note"]
    assert row["territories_available"] == "city_administration; oblast"
    assert row["n_indicators"] == 1 and row["n_indicators_town"] == 0


def test_profile_never_computes_a_change_across_two_oblasts():
    """Satpayev: oblast_karaganda until 2021, oblast_ulytau from 2022 (same kind)."""
    s = series(
        cell("a", "population", 2021, 1000.0, kind="oblast", territory="oblast_x"),
        cell("a", "population", 2023, 200.0, kind="oblast", territory="oblast_y"),
    )
    row = by_town(ct.town_profile(registry("a"), TERRITORIES, s))["a"]
    assert row["population"] == 200.0 and row["population_territory_id"] == "oblast_y"
    assert np.isnan(row["population_change"])
    assert "oblast_x" in row["note"]


def test_missing_values_and_source_priority():
    s = series(
        cell("a", "population", 2023, None, value_status="missing"),
        cell("a", "population", 2022, 10.0, source="taldau"),
        cell("a", "population", 2022, 12.0, source="files"),
        cell("a", "population", 2022, 11.0, source="bundled"),
    )
    row = by_town(ct.town_profile(registry("a"), TERRITORIES, s))["a"]
    assert row["population"] == 12.0 and row["population_source"] == "files"
    assert row["last_year"] == 2022


def test_current_oblast_follows_the_validity():
    tt = pd.DataFrame(
        {
            "town_id": ["satpayev", "satpayev", "satpayev", "b"],
            "territory_id": ["oblast_karaganda", "oblast_ulytau", "town_satpayev", "oblast_x"],
            "kind": ["oblast", "oblast", "town", "oblast"],
            "valid_from": [None, date(2022, 1, 1), None, None],
            "valid_to": [date(2021, 12, 31), None, None, None],
        }
    )
    towns = pd.DataFrame({"town_id": ["satpayev", "b", "c"]})
    got = ct.current_oblast(towns, tt, on=date(2026, 1, 1)).set_index("town_id")["oblast_id"]
    assert got["satpayev"] == "oblast_ulytau" and got["b"] == "oblast_x"
    assert pd.isna(got["c"])
    old = ct.current_oblast(towns, tt, on=date(2020, 6, 1)).set_index("town_id")["oblast_id"]
    assert old["satpayev"] == "oblast_karaganda"


def test_inputs_are_validated():
    s = series(cell("a", "population", 2023, 1.0))
    with pytest.raises(ValueError, match=r"series lacks columns \['territory_kind'\]"):
        ct.town_profile(registry("a"), TERRITORIES, s.drop(columns="territory_kind"))
    with pytest.raises(ValueError, match=r"towns lacks columns \['status', 'oblast_id'\]"):
        ct.town_profile(registry("a").drop(columns=["status", "oblast_id"]), TERRITORIES, s)
    with pytest.raises(ValueError, match=r"territories lacks columns \['name_kk'\]"):
        ct.town_profile(registry("a"), TERRITORIES.drop(columns="name_kk"), s)
    with pytest.raises(ValueError, match="unknown kinds"):
        ct.town_indicator_latest(registry("a"), s.assign(territory_kind="town proper"))
    with pytest.raises(ValueError, match=r"towns not in towns: \['a'\]"):
        ct.town_indicator_latest(registry("b"), s)
    with pytest.raises(ValueError, match="min_n"):
        ct.cross_town_correlations(s, min_n=2)


# --- town_indicator_latest -------------------------------------------------------------------


def test_latest_value_and_ranks_with_ties_as_r_min():
    s = series(
        cell("a", "population", 2023, 10.0),
        cell("b", "population", 2023, 20.0),
        cell("c", "population", 2023, 20.0),
        cell("d", "population", 2023, 5.0),
        cell("d", "population", 2020, 50.0),  # older: not d's latest
        cell("e", "population", 2021, 99.0),  # latest year 2021: ranked alone
        cell("a", "population", 2020, 300.0, kind="city_administration"),  # another kind
    )
    out = ct.town_indicator_latest(registry(*"abcde"), s)
    assert list(out.columns) == list(ct.LATEST_COLUMNS)
    town = out[out["territory_kind"] == "town"].set_index("town_id")
    # R: rank(-c(10, 20, 20, 5), ties.method = "min") -> 3 1 1 4
    assert town.loc[list("abcd"), "rank"].tolist() == [3, 1, 1, 4]
    assert town.loc[list("abcd"), "n_ranked"].tolist() == [4, 4, 4, 4]
    assert town.loc["d", "value"] == 5.0 and town.loc["d", "year"] == 2023
    assert (town.loc["e", "rank"], town.loc["e", "n_ranked"]) == (1, 1)
    ca = out[out["territory_kind"] == "city_administration"].iloc[0]
    assert (ca["town_id"], ca["rank"], ca["n_ranked"], ca["year"]) == ("a", 1, 1, 2020)
    assert ca["territory_id"] == "ca_a"
    assert len(out) == 6


def test_latest_with_real_figures():
    pop = real_population()
    ids = ["aksu", "kentau", "kulsary", "temirtau", "zhezkazgan"]
    out = ct.town_indicator_latest(registry(*ids), pop)
    got = {(r.town_id, r.territory_kind): (r.year, r.value, r.rank) for r in out.itertuples()}
    # 2024 town proper: temirtau 171 609 > kentau 74 659 > kulsary 66 580 > aksu 51 728
    assert got[("temirtau", "town")] == (2024, 171609.0, 1)
    assert got[("kentau", "town")] == (2024, 74659.0, 2)
    assert got[("kulsary", "town")] == (2024, 66580.0, 3)
    assert got[("aksu", "town")] == (2024, 51728.0, 4)
    assert got[("zhezkazgan", "town")] == (2023, 89092.0, 1)  # alone in 2023
    assert got[("kentau", "city_administration")] == (2020, 206720.0, 1)
    assert got[("kulsary", "district")] == (2023, 86367.0, 1)


# --- cross_town_correlations -----------------------------------------------------------------


def r_example(kind="town", year=2023, **kw) -> list[dict]:
    towns = [f"t{i}" for i in range(len(R_X))]
    return [
        *(cell(t, "x_ind", year, v, kind=kind, **kw) for t, v in zip(towns, R_X, strict=True)),
        *(cell(t, "y_ind", year, v, kind=kind, **kw) for t, v in zip(towns, R_Y, strict=True)),
    ]


def test_correlation_matches_r_cor_test_example():
    out = ct.cross_town_correlations(series(*r_example()))
    assert list(out.columns) == list(COLUMNS)
    assert out["method"].tolist() == ["spearman", "pearson"]
    assert set(out["analysis"]) == {"cross_town:town:2023"}
    assert set(out["x"]) == {"x_ind"} and set(out["y"]) == {"y_ind"}
    assert set(out["n"]) == {9}
    pearson = out[out["method"] == "pearson"].iloc[0]
    # R prints: t = 1.8411, df = 7, p-value = 0.1082
    #   95 percent confidence interval: -0.1497426  0.8955795; cor 0.5711816
    assert round(pearson["estimate"], 7) == 0.5711816
    assert round(pearson["p_value"], 4) == 0.1082
    assert round(pearson["ci_low"], 7) == -0.1497426
    assert round(pearson["ci_high"], 7) == 0.8955795
    assert pearson["ci_level"] == 0.95
    # R: cor.test(x, y, method = "spearman"): rho 0.6
    assert out[out["method"] == "spearman"].iloc[0]["estimate"] == pytest.approx(0.6, abs=1e-12)
    # R: cor.test(x, y, method = "kendall"): tau 0.4444444
    tau = ct.cross_town_correlations(series(*r_example()), methods=("kendall",)).iloc[0]
    assert round(tau["estimate"], 7) == 0.4444444


def test_correlation_rows_equal_correlate_on_the_same_vectors():
    s = series(*r_example())
    out = ct.cross_town_correlations(s)
    for row in out.to_dict("records"):
        ref = correlate(
            R_X, R_Y, method=row["method"], analysis=row["analysis"], x_name="x_ind",
            y_name="y_ind",
        )  # fmt: skip
        for key in ("n", "estimate", "p_value", "ci_low", "ci_high", "ci_level"):
            assert row[key] == ref[key], key
        assert row["note"].startswith(ref["note"])
        assert "across town proper territories, 2023" in row["note"]


def test_correlation_only_within_one_kind_and_year_and_n_at_least_8(caplog):
    rows = [
        *r_example(),
        # z_ind has 5 towns: pairs (x, z) and (y, z) have n = 5 < 8 -> skipped, counted
        *(cell(f"t{i}", "z_ind", 2023, float(i)) for i in range(5)),
        # the same indicators in 2024 for 7 towns only: n = 7 -> skipped
        *(cell(f"t{i}", "x_ind", 2024, R_X[i]) for i in range(7)),
        *(cell(f"t{i}", "y_ind", 2024, R_Y[i]) for i in range(7)),
        # oblast values: 9 towns but 3 oblasts -> n = 3 (a shared oblast counts once)
        *(
            cell(f"t{i}", ind, 2023, v, kind="oblast", territory=f"oblast_{i % 3}")
            for ind, vals in (("x_ind", R_X), ("y_ind", R_Y))
            for i, v in enumerate([vals[k % 3] for k in range(9)])
        ),
    ]
    with caplog.at_level(logging.INFO, logger="tasks.analyses.towns"):
        out = ct.cross_town_correlations(series(*rows))
    assert set(out["analysis"]) == {"cross_town:town:2023"}
    assert len(out) == 2 and set(out["n"]) == {9}
    assert all("2 other indicator pair(s) of this kind and year had n < 8" in n for n in out.note)
    skipped = out.attrs["skipped"]
    got = {(r.territory_kind, r.year, r.x, r.y, r.n) for r in skipped.itertuples()}
    assert got == {
        ("town", 2023, "x_ind", "z_ind", 5),
        ("town", 2023, "y_ind", "z_ind", 5),
        ("town", 2024, "x_ind", "y_ind", 7),
        ("oblast", 2023, "x_ind", "y_ind", 3),
    }
    assert "4 indicator pair(s) skipped with n < 8" in caplog.text
    # min_n lowered: the 2024 pair and the oblast pair (n = 3) become rows
    low = ct.cross_town_correlations(series(*rows), min_n=3)
    assert {"cross_town:town:2024", "cross_town:oblast:2023"} <= set(low["analysis"])
    assert low.loc[low["analysis"] == "cross_town:oblast:2023", "n"].unique().tolist() == [3]


def test_correlation_of_real_population_figures_has_no_pair():
    out = ct.cross_town_correlations(real_population())
    assert out.empty and list(out.columns) == list(COLUMNS)
    assert out.attrs["skipped"].empty  # one indicator: no pair at all


# --- warehouse: migration 009, the registry entry and merging ---------------------------------


@pytest.fixture
def warehouse(tmp_path: Path) -> str:
    path = tmp_path / "w.duckdb"
    with duckdb.connect(str(path)) as con:
        migrate(con)
    return str(path)


def test_results_fit_migration_009(warehouse):
    pop = real_population()
    ids = ["aksu", "altai", "kentau", "kulsary", "temirtau", "zhezkazgan"]
    town = registry(*ids)
    results = {
        "results.town_profile": ct.town_profile(town, TERRITORIES, pop),
        "results.town_indicator_latest": ct.town_indicator_latest(town, pop),
        "results.correlation": ct.cross_town_correlations(series(*r_example())),
    }
    with duckdb.connect(warehouse) as con:
        counts = replace_results(con, results)
        kentau = con.execute(
            "SELECT population, population_date, other_population, other_population_kind "
            "FROM results.town_profile WHERE town_id = 'kentau'"
        ).fetchone()
    assert counts == {
        "results.town_profile": 6,
        "results.town_indicator_latest": 7,
        "results.correlation": 2,
    }
    assert kentau == (74659.0, date(2024, 1, 1), 206720.0, "city_administration")


@pytest.fixture
def bundled_warehouse(tmp_path: Path) -> str:
    """Core loaded from the bundled data (the registry's towns and territories, the panel)."""
    path = str(tmp_path / "bundled.duckdb")
    batch = validate_payloads(read_bundled(), today=date.today())
    assert not batch.errors
    with duckdb.connect(path) as con:
        migrate(con)
        load_core(con, batch.frames, "test-run", utc_now())
    return path


def test_registry_runs_town_profile_on_the_territory_model(bundled_warehouse):
    assert ANALYSES["town_profile"] is run_town_profile
    out = run_town_profile(bundled_warehouse)
    prof = by_town(out["results.town_profile"])
    assert len(prof) == len(default_registry().towns) == 28  # one row per registry town
    kentau = prof["kentau"]
    assert (kentau["population"], kentau["population_kind"]) == (74659.0, "town")
    assert (kentau["other_population"], kentau["other_population_kind"]) == (
        206720.0,
        "city_administration",
    )
    kulsary = prof["kulsary"]
    assert (kulsary["population"], kulsary["population_kind"]) == (66580.0, "town")
    assert (kulsary["other_population"], kulsary["other_population_kind"]) == (86367.0, "district")
    assert prof["zhezkazgan"]["oblast_id"] == "oblast_ulytau"
    assert "no population figure published" in prof["altai"]["note"]
    with duckdb.connect(bundled_warehouse) as con:
        replace_results(con, out)


def test_merge_results_keeps_every_analysis_rows():
    study = pd.DataFrame({"analysis": ["table6"], "x": ["a"]})
    cross = pd.DataFrame({"analysis": ["cross_town:town:2023"], "x": ["b"]})
    empty = pd.DataFrame(columns=["analysis", "x"])
    other = pd.DataFrame({"v": [1]})
    merged = merge_results(
        [{"results.correlation": empty}, {"results.correlation": study, "results.o": other},
         {"results.correlation": cross}]
    )  # fmt: skip
    assert merged["results.correlation"]["analysis"].tolist() == ["table6", "cross_town:town:2023"]
    assert merged["results.o"] is other
    assert merge_results([{"results.e": empty}])["results.e"] is empty
