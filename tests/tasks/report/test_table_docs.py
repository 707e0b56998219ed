"""Column facts live once, as COMMENT ON in the migrations: docs/warehouse.md and the About sheet
are generated from them, and every public table and column has one."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from tasks.report import tabledocs
from tasks.report.exports import about_frame, results_tables
from warehouse.db import migrate

DOCS = Path(__file__).resolve().parents[3] / "docs" / "warehouse.md"


@pytest.fixture(scope="module")
def empty_warehouse(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("docs") / "w.duckdb"
    with duckdb.connect(str(path)) as con:
        migrate(con)
    return str(path)


def test_docs_warehouse_md_is_generated_from_the_migrations(tmp_path):
    out = tmp_path / "warehouse.md"
    assert tabledocs.main([str(out)]) == 0
    assert out.read_text(encoding="utf-8") == DOCS.read_text(encoding="utf-8"), (
        "docs/warehouse.md is out of date: run python -m tasks.report.tabledocs"
    )
    assert tabledocs.main(["--check", str(DOCS)]) == 0


def test_every_public_table_and_column_has_a_comment(empty_warehouse):
    with duckdb.connect(empty_warehouse, read_only=True) as con:
        docs = tabledocs.read_docs(con)
        n_rel = con.execute(
            "SELECT (SELECT count(*) FROM duckdb_tables() WHERE schema_name IN ?) + "
            "(SELECT count(*) FROM duckdb_views() WHERE NOT internal AND schema_name IN ?)",
            [list(tabledocs.SCHEMAS), list(tabledocs.SCHEMAS)],
        ).fetchone()[0]
    assert len(docs) == n_rel > 30
    assert {t.split(".")[0] for t in docs} == set(tabledocs.SCHEMAS)
    for table, doc in docs.items():
        assert doc.description, f"{table}: COMMENT ON {doc.kind.upper()} {table} IS '...'"
        assert doc.grain, f"{table}: start its comment with 'One row per ...'"
        assert doc.columns, table
        for col in doc.columns:
            assert col.description, f"{table}.{col.name}: COMMENT ON COLUMN ... IS '...'"


def test_comments_survive_a_published_run(warehouse):
    """The refresh publishes a copy of the staging file: the comments come along."""
    with duckdb.connect(warehouse, read_only=True) as con:
        docs = tabledocs.read_docs(con)
    assert docs == tabledocs.shipped_docs()


def test_about_sheet_reads_the_comments(empty_warehouse):
    with duckdb.connect(empty_warehouse, read_only=True) as con:
        about = about_frame(con, results_tables(con))
        expected = {
            (r.table, r.column): r.description
            for r in con.execute(
                "SELECT schema_name || '.' || table_name AS table, column_name AS column, "
                "comment AS description FROM duckdb_columns() WHERE schema_name = 'results'"
            )
            .df()
            .itertuples()
        }
    got = dict(
        zip(zip(about["table"], about["column"], strict=True), about["description"], strict=True)
    )
    assert got == expected
    grp = about[about["table"] == "results.grp_by_year"]
    assert set(grp["one row per"]) == {"town x year"}


def test_about_sheet_of_a_warehouse_without_comments(tmp_path):
    """A warehouse migrated before 006 still gets descriptions: those of the shipped migrations."""
    path = tmp_path / "old.duckdb"
    with duckdb.connect(str(path)) as con:
        migrate(con)
        for table, doc in tabledocs.read_docs(con).items():
            if doc.kind == "table":
                con.execute(f"COMMENT ON TABLE {table} IS NULL")
                for col in doc.columns:
                    name = f'"{col.name}"'
                    con.execute(f"COMMENT ON COLUMN {table}.{name} IS NULL")
        assert not any(
            d.description for d in tabledocs.read_docs(con).values() if d.kind == "table"
        )
        about = about_frame(con, results_tables(con))
    shipped = tabledocs.shipped_docs()
    for r in about.to_dict("records"):
        assert r["description"] == shipped[r["table"]].column(r["column"])
        assert r["one row per"] == shipped[r["table"]].grain
