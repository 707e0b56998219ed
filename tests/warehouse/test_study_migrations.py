"""Study packages' own migrations (tasks/studies/<study>/migrations/), on real DuckDB files.

A new warehouse gets the study's tables from the study's migrations, recorded in
``meta.study_migration``; a warehouse built before they existed (the generic migrations created
the study's tables then) upgrades in place, keeps its rows and ends with the same schema.
"""

import duckdb

from warehouse import db
from warehouse.plugins import study_dirs

STUDY = "khromtau_2024"

CATALOGUE = {
    "columns": "SELECT schema_name, table_name, column_name, column_index, data_type, "
    "is_nullable, column_default, comment FROM duckdb_columns() "
    "WHERE database_name = current_database() ORDER BY ALL",
    "tables": "SELECT schema_name, table_name, comment FROM duckdb_tables() "
    "WHERE database_name = current_database() ORDER BY ALL",
    "constraints": "SELECT schema_name, table_name, constraint_type, "
    "constraint_column_names::VARCHAR FROM duckdb_constraints() "
    "WHERE database_name = current_database() ORDER BY ALL",
    "views": "SELECT schema_name, view_name, sql, comment FROM duckdb_views() "
    "WHERE database_name = current_database() AND NOT internal ORDER BY ALL",
}


def schema(con) -> dict[str, list[tuple]]:
    """Every table, column (type, nullability, default, comment), constraint and view."""
    return {name: con.execute(sql).fetchall() for name, sql in CATALOGUE.items()}


def study_tables() -> list[str]:
    """The tables the study's migrations create (read from an empty migrated warehouse)."""
    with duckdb.connect(":memory:") as con:
        db.migrate(con)
        before = {
            r[0]
            for r in con.execute(
                "SELECT schema_name || '.' || table_name FROM duckdb_tables()"
            ).fetchall()
        }
    with duckdb.connect(":memory:") as con:
        _generic_only(con)
        generic = {
            r[0]
            for r in con.execute(
                "SELECT schema_name || '.' || table_name FROM duckdb_tables()"
            ).fetchall()
        }
    return sorted(before - generic)


def _generic_only(con, last: int | None = None) -> None:
    con.execute("CREATE SCHEMA IF NOT EXISTS meta")
    con.execute(
        "CREATE TABLE meta.schema_migration (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL,"
        " applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
    )
    for version, name, sql in db.migrations():
        if last is None or version <= last:
            con.execute(sql)
            con.execute("INSERT INTO meta.schema_migration VALUES (?, ?, now())", [version, name])


def test_the_study_brings_its_tables_and_they_are_recorded_by_study():
    assert study_tables() == [
        "core.published_number",
        "core.survey_paired_value",
        "core.survey_table5",
        "results.hypothesis",
        "results.paper_reproduction",
        "results.support_measure",
    ]
    with duckdb.connect(":memory:") as con:
        applied = db.migrate(con)
        rows = con.execute("SELECT study, version, name FROM meta.study_migration").fetchall()
        assert db.migrate(con) == []  # second time: nothing pending
    shipped = db.study_migrations()
    assert list(shipped) == [STUDY] and set(shipped) <= set(study_dirs())
    generic = [name for _, name, _ in db.migrations()]
    assert applied == generic + [f"{STUDY}/{name}" for _, name, _ in shipped[STUDY]]
    assert rows == [(STUDY, v, name) for v, name, _ in shipped[STUDY]]


def test_a_warehouse_built_before_study_migrations_upgrades_in_place(tmp_path):
    """Before, generic migrations 001-011 created the study's tables and their comments: the
    old file is rebuilt here as exactly that (the generic migrations up to 011 with the study's
    tables as they made them), with rows in a study table."""
    old = tmp_path / "old.duckdb"
    with duckdb.connect(str(old)) as con:
        _generic_only(con, last=11)
        for _, _, sql in db.study_migrations()[STUDY]:
            con.execute(sql)  # what 001/002/003/006 used to create
        con.execute(
            "INSERT INTO results.hypothesis (hypothesis, statement, evidence, decision_rule, "
            "verdict) VALUES ('H1', 's', 'e', 'r', 'supported')"
        )
    with duckdb.connect(str(old)) as con:
        applied = db.migrate(con)
        upgraded = schema(con)
        kept = con.execute("SELECT hypothesis, verdict FROM results.hypothesis").fetchall()
        recorded = con.execute("SELECT study, version FROM meta.study_migration").fetchall()
    with duckdb.connect(str(tmp_path / "new.duckdb")) as con:
        db.migrate(con)
        fresh = schema(con)
    # the generic migrations after 011 (014 among them), then the study's own
    assert "014_study_migration.sql" in applied
    assert applied[-1] == f"{STUDY}/001_study_tables.sql"
    assert all(int(name[:3]) > 11 for name in applied[:-1])
    assert kept == [("H1", "supported")]
    assert recorded == [(STUDY, 1)]
    assert upgraded == fresh
