"""Migration 008 moves today's observations to their territories (real DuckDB files)."""

import duckdb

from warehouse import db

ROW = (
    "INSERT INTO core.{table} (town_id, indicator_id, year, value, value_status, unit, source, "
    "vintage, run_id, note{extra}) VALUES (?, ?, ?, 1.0, 'ok', 'u', ?, now(), 'r', ?{marks})"
)
ROWS = [
    ("khromtau", "grp_industry", 2018, "bundled", None),  # the study's figure: the town
    ("khromtau", "labour_active", 2020, "files", None),
    (
        "khromtau",
        "wage_avg_monthly",
        2020,
        "taldau",
        "district-level value (Taldau dic 68 term 249978, KATO 156000000; the whole district)",
    ),
    (
        "khromtau",
        "labour_unemployment_rate",
        2020,
        "taldau",
        "oblast-level value (Aktobe region; Taldau dic 67 term 248875) used as a proxy",
    ),
]


def _migrate_up_to(con, last: int) -> None:
    con.execute("CREATE SCHEMA IF NOT EXISTS meta")
    con.execute(
        "CREATE TABLE meta.schema_migration (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL,"
        " applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
    )
    for version, name, sql in db.migrations():
        if version <= last:
            con.execute(sql)
            con.execute("INSERT INTO meta.schema_migration VALUES (?, ?, now())", [version, name])


def test_existing_rows_move_to_their_territory(tmp_path):
    path = tmp_path / "old.duckdb"
    with duckdb.connect(str(path)) as con:
        _migrate_up_to(con, 7)
        for r in ROWS:
            con.execute(ROW.format(table="observation", extra="", marks=""), list(r))
        con.execute(
            ROW.format(
                table="observation_history",
                extra=", superseded_at, superseded_by_run",
                marks=", now(), 'r2'",
            ),
            list(ROWS[2]),
        )
        assert "008_territory.sql" in db.migrate(con)
        got = con.execute(
            "SELECT territory_id, indicator_id FROM core.observation ORDER BY 2"
        ).fetchall()
        [(hist,)] = con.execute("SELECT territory_id FROM core.observation_history").fetchall()
        pk = con.execute(
            "SELECT constraint_column_names FROM duckdb_constraints() WHERE table_name = "
            "'observation' AND constraint_type = 'PRIMARY KEY'"
        ).fetchall()
        comment = con.execute(
            "SELECT comment FROM duckdb_columns() WHERE table_name = 'observation' "
            "AND column_name = 'territory_id'"
        ).fetchone()[0]
    assert got == [
        ("town_khromtau", "grp_industry"),
        ("town_khromtau", "labour_active"),
        ("oblast_aktobe", "labour_unemployment_rate"),
        ("district_khromtau", "wage_avg_monthly"),
    ]
    assert hist == "district_khromtau"
    assert pk == []  # migration 010 drops the key index; the key columns stay those of 008
    assert comment and "territory" in comment
    with duckdb.connect(str(tmp_path / "at8.duckdb")) as con:
        _migrate_up_to(con, 8)
        pk = con.execute(
            "SELECT constraint_column_names FROM duckdb_constraints() WHERE table_name = "
            "'observation' AND constraint_type = 'PRIMARY KEY'"
        ).fetchall()
    assert pk == [(["territory_id", "indicator_id", "year", "source"],)]
