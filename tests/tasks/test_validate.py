"""Validation of the bundled study data and of bad analyst files."""

from datetime import date

import duckdb
import pytest

from tasks.load import load_core
from tasks.sources.base import Payload
from tasks.sources.bundled import read_bundled
from tasks.validate import validate_payloads
from warehouse.db import migrate

HEADER = "town_id,indicator_id,year,value\n"


@pytest.fixture(scope="module")
def bundled_batch():
    return validate_payloads(read_bundled(), today=date(2026, 11, 27))


def _obs(body: str) -> Payload:
    return Payload.from_bytes(
        "files", "observations", "/in/observations.csv", (HEADER + body).encode()
    )


def _by_check(batch, check):
    return sorted((i.row_key for i in batch.issues if i.check_name == check), key=str)


def test_bundled_has_no_errors(bundled_batch):
    assert bundled_batch.errors == []
    obs = bundled_batch.frames["observations"]
    # the study's 74 figures for Khromtau, then the panel's 29 population figures
    assert len(obs[obs["indicator_id"] != "population"]) == 74
    assert len(obs[obs["indicator_id"] == "population"]) == 29


def test_bundled_labour_inconsistencies_are_warnings(bundled_batch):
    # Table 2: 1000 x (active - employed) vs unemployed: 2021 (800 vs 99), 2022 (500 vs 187)
    assert _by_check(bundled_batch, "unemployed_matches") == ["khromtau|2021", "khromtau|2022"]
    # rate vs unemployed / active: 2014 (3.68 vs 3.5), 2021, 2022, 2023 (3.59 vs 2.9)
    assert _by_check(bundled_batch, "rate_matches") == [
        "khromtau|2014",
        "khromtau|2021",
        "khromtau|2022",
        "khromtau|2023",
    ]
    assert {i.severity for i in bundled_batch.issues} == {"warning"}


def test_bundled_missing_and_garbled_cells_are_recorded(bundled_batch):
    assert _by_check(bundled_batch, "value_missing") == [
        "khromtau|labour_self_employed|2015",
        "khromtau|labour_self_employed|2020",
        "khromtau|labour_unemployed|2020",
    ]
    obs = bundled_batch.frames["observations"].set_index(["indicator_id", "year"])
    row = obs.loc[("labour_self_employed", 2015)]
    assert row["raw_value"] == "105 6" and row["value_status"] == "missing"


def test_bundled_table5_typo_and_table8_ranks_are_flagged(bundled_batch):
    [typo] = [i for i in bundled_batch.issues if i.check_name == "matches_table4"]
    assert typo.column_name == "entrepreneurship" and typo.observed == "13"
    ranks = [i for i in bundled_batch.issues if i.check_name == "rank_recomputed"]
    assert {i.column_name for i in ranks} == {"rank_x", "rank_y"}


@pytest.mark.parametrize(
    ("body", "check", "row", "column"),
    [
        ("khromtau,labour_active,2020,abc\n", "type:number", 2, "value"),
        ("khromtau,labour_active,2020,-5\n", "non_negative", 2, "value"),
        (
            "khromtau,labour_active,2020,1\nkhromtau,labour_active,2020,2\n",
            "unique_key",
            2,
            "town_id, indicator_id, year",
        ),
        ("khromtau,labour_active,2031,1\n", "year_range", 2, "year"),
        ("khromtau,labour_unemployment_rate,2020,130\n", "rate_at_most_100", 2, "value"),
        ("atlantis,labour_active,2020,1\n", "known_town", 2, "town_id"),
        ("khromtau,gdp_moon,2020,1\n", "known_indicator", 2, "indicator_id"),
    ],
)
def test_bad_analyst_rows_are_errors(body, check, row, column):
    batch = validate_payloads([_obs(body)], reference=read_bundled(), today=date(2026, 11, 27))
    errors = [i for i in batch.errors if i.check_name == check]
    assert errors, batch.issues
    assert errors[0].file == "observations.csv"
    assert errors[0].file_row == row
    assert errors[0].column_name == column
    assert f"[{check}]" in errors[0].message or "must be a number" in errors[0].message


def test_employed_above_active_is_an_error():
    body = "khromtau,labour_active,2020,10\nkhromtau,labour_employed,2020,11\n"
    batch = validate_payloads([_obs(body)], reference=read_bundled(), today=date(2026, 11, 27))
    assert [i.check_name for i in batch.errors] == ["employed_le_active"]


def test_duplicate_key_is_refused_before_load(tmp_path):
    """core.observation has no key index (migration 010): validation is what keeps the key
    unique. A duplicate is refused and nothing reaches the loader; a valid batch loaded twice
    (the loader's anti-join upsert) keeps one row per key."""
    body = "khromtau,labour_active,2020,1\nkhromtau,labour_active,2020,2\n"
    batch = validate_payloads([_obs(body)], reference=read_bundled(), today=date(2026, 11, 27))
    assert [i.check_name for i in batch.errors] == ["unique_key", "unique_key"]
    assert "observations" not in batch.frames
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        migrate(con)
        keys = con.execute(
            "SELECT count(*) FROM duckdb_constraints() WHERE schema_name = 'core' "
            "AND table_name = 'observation' AND constraint_type = 'PRIMARY KEY'"
        ).fetchall()
        assert keys == [(0,)]
        ok = "khromtau,labour_active,2020,1\nkhromtau,labour_active,2021,2\n"
        for run in ("r1", "r2"):
            good = validate_payloads([_obs(ok)], reference=read_bundled(), today=date(2026, 11, 27))
            load_core(con, {"observations": good.frames["observations"]}, run, "2026-11-27")
        rows = con.execute(
            "SELECT territory_id, indicator_id, year, source, count(*) FROM core.observation "
            "GROUP BY ALL ORDER BY year"
        ).fetchall()
    assert rows == [
        ("town_khromtau", "labour_active", 2020, "files", 1),
        ("town_khromtau", "labour_active", 2021, "files", 1),
    ]
