"""Parquet and XLSX exports of the results tables."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import openpyxl

from tasks.report.exports import (
    SHEET_FORBIDDEN,
    UNDOCUMENTED,
    column_texts,
    export_parquet,
    export_xlsx,
    results_tables,
    sheet_name,
)
from tasks.report.i18n import language
from tasks.report.tabledocs import read_docs


def _tables(warehouse: str) -> dict[str, int]:
    with duckdb.connect(warehouse, read_only=True) as con:
        return {
            t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in results_tables(con)
        }


def test_parquet_has_every_results_table(published, warehouse):
    tables = _tables(warehouse)
    assert set(published["parquet"]) == set(tables)
    with duckdb.connect() as con:
        for table, path in published["parquet"].items():
            assert Path(path).name == f"{table}.parquet"
            n = con.execute("SELECT count(*) FROM read_parquet(?)", [path]).fetchone()[0]
            assert n == tables[table], table
        # types survive: the GRP years are integers, the values doubles
        types = dict(
            con.execute(
                "SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet(?))",
                [published["parquet"]["results.grp_by_year"]],
            ).fetchall()
        )
    assert types["year"] == "INTEGER"
    assert types["total_as_study"] == "DOUBLE"


def test_parquet_of_empty_tables(make_warehouse, tmp_path):
    warehouse = make_warehouse("empty_export", data=False)
    paths = export_parquet(warehouse, tmp_path / "pq")
    assert "results.grp_by_year" in paths
    with duckdb.connect() as con:
        rel = con.execute("SELECT * FROM read_parquet(?)", [paths["results.grp_by_year"]])
        assert rel.fetchall() == []
        assert "hhi_industry_services" in [d[0] for d in rel.description]


def test_xlsx_about_sheet_and_one_sheet_per_table(published, warehouse):
    tables = _tables(warehouse)
    wb = openpyxl.load_workbook(published["xlsx"], read_only=True)
    assert wb.sheetnames[0] == "About"
    assert len(wb.sheetnames) == 1 + len(tables)
    about = list(wb["About"].iter_rows(values_only=True))
    header_row = next(i for i, r in enumerate(about) if r and r[0] == "table")
    header = about[header_row]
    rows = [dict(zip(header, r, strict=False)) for r in about[header_row + 1 :] if r[0]]
    with duckdb.connect(warehouse, read_only=True) as con:
        for table, n in tables.items():
            cols = [c[0] for c in con.execute(f"DESCRIBE {table}").fetchall()]
            described = [r for r in rows if r["table"] == table]
            assert [r["column"] for r in described] == cols, table
            assert all(r["description"] != UNDOCUMENTED for r in described), table
            sheet = wb[described[0]["sheet"]]
            assert sheet.max_row == n + 1, table  # header + rows
            assert [c.value for c in next(sheet.iter_rows(max_row=1))] == cols
    wb.close()


def test_table_docs_cover_the_migrations(make_warehouse):
    """Every results column created by the migrations has a description (a COMMENT ON in the
    migration that adds it; tasks/report/tabledocs.py reads them)."""
    warehouse = make_warehouse("docs", data=False)
    with duckdb.connect(warehouse, read_only=True) as con:
        docs = read_docs(con)
        for table in results_tables(con):
            assert table in docs and docs[table].description, f"{table}: COMMENT ON TABLE"
            cols = {c[0] for c in con.execute(f"DESCRIBE {table}").fetchall()}
            missing = {c for c in cols if not docs[table].column(c)}
            assert not missing, f"{table}: COMMENT ON COLUMN {sorted(missing)}"


def test_sheet_names_fit_excel():
    used: set[str] = {"about"}
    long = "results." + "x" * 40
    a, b = sheet_name(long, used), sheet_name(long, used)
    assert len(a) <= 31 and len(b) <= 31 and a != b


def test_xlsx_replaces_atomically(warehouse, tmp_path):
    target = tmp_path / "r.xlsx"
    target.write_bytes(b"old")
    sheets = export_xlsx(warehouse, target, run_id="r1")
    assert "grp_by_year" in sheets
    assert target.read_bytes()[:2] == b"PK"  # a zip (xlsx), not the old bytes
    assert not list(tmp_path.glob(".*.tmp"))


def test_russian_descriptions_cover_every_commented_column(make_warehouse):
    """messages/ru_columns.yaml has a Russian text for every commented table and column of a
    freshly migrated warehouse (a migration that adds comments must add them there too)."""
    warehouse = make_warehouse("docs_ru", data=False)
    with duckdb.connect(warehouse, read_only=True) as con:
        docs = read_docs(con)
    wanted = [
        key
        for table, doc in docs.items()
        for key, text in [(table, doc.description)]
        + [(f"{table}.{c.name}", c.description) for c in doc.columns]
        if text
    ]
    assert len(wanted) > 400
    texts = column_texts("ru")
    missing = [k for k in wanted if not texts.get(k, "").strip()]
    assert not missing, (
        f"add to tasks/report/messages/ru_columns.yaml ({len(missing)} keys): {missing}"
    )
    tables = [k for k in wanted if k in docs]
    assert all(texts[k].startswith("Одна строка на ") for k in tables if k.startswith("results."))


def test_xlsx_in_russian(published_ru, warehouse):
    tables = _tables(warehouse)
    wb = openpyxl.load_workbook(published_ru["xlsx"], read_only=True)
    assert wb.sheetnames[0] == "Описание"
    assert len(wb.sheetnames) == 1 + len(tables)
    for name in wb.sheetnames:
        assert len(name) <= 31 and not set(name) & set(SHEET_FORBIDDEN), name
    assert "ВРП по годам" in wb.sheetnames
    about = list(wb["Описание"].iter_rows(values_only=True))
    assert about[0][0] == "Таблицы результатов monotowns"
    header_row = next(i for i, r in enumerate(about) if r and r[0] == "таблица")
    header = about[header_row]
    assert header == ("таблица", "лист", "одна строка на", "строк", "столбец", "тип", "описание")
    rows = [dict(zip(header, r, strict=False)) for r in about[header_row + 1 :] if r[0]]
    assert {r["таблица"] for r in rows} == set(tables)
    cyrillic = re.compile("[А-Яа-яЁё]")
    not_russian = [(r["таблица"], r["столбец"]) for r in rows if not cyrillic.search(r["описание"])]
    assert not not_russian, not_russian
    grp = next(r for r in rows if r["таблица"] == "results.grp_by_year")
    assert grp["одна строка на"] == "город × год"
    sheet = wb[grp["лист"]]
    with duckdb.connect(warehouse, read_only=True) as con:
        cols = [c[0] for c in con.execute("DESCRIBE results.grp_by_year").fetchall()]
    assert [c.value for c in next(sheet.iter_rows(max_row=1))] == cols  # query names kept
    wb.close()


def test_sheet_names_drop_forbidden_characters():
    with language("ru"):
        used: set[str] = {"описание"}
        assert sheet_name("results.grp_by_year", used) == "ВРП по годам"
        assert sheet_name("results.grp_by_year", used) == "ВРП по годам~2"
        assert sheet_name("results.new_table_from_a_later_migration_x", used) == (
            "new_table_from_a_later_migratio"
        )
    assert sheet_name("results.a[b]:c*?/\\d", set()) == "a_b__c____d"
