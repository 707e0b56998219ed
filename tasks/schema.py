"""Columns and keys of the warehouse tables, as the migrations declare them.

The migrations (``warehouse/migrations/`` and each study's ``migrations/``) are the one
place a table's columns and primary key are written down. :func:`table_columns` and
:func:`primary_key` read them from a warehouse connection (``information_schema`` /
``duckdb_constraints()``); :func:`columns` reads them from a freshly migrated in-memory
warehouse, for analyses that shape frames before any warehouse is open.
"""

from __future__ import annotations

from functools import cache

import duckdb

from warehouse.db import migrate


def _rows(con: duckdb.DuckDBPyConnection, sql: str, table: str) -> list[tuple]:
    """Rows of a catalogue query whose two parameters are the schema and name of ``table``."""
    schema, _, name = table.partition(".")
    return con.execute(sql, [schema, name]).fetchall()


def table_columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    """Columns of ``schema.table`` in the warehouse behind ``con``, in declared order."""
    sql = (
        "SELECT column_name FROM information_schema.columns WHERE table_schema = ? "
        "AND table_name = ? ORDER BY ordinal_position"
    )
    return [r[0] for r in _rows(con, sql, table)]


def primary_key(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    """The primary-key columns of ``schema.table`` (its natural key) in the warehouse."""
    sql = (
        "SELECT constraint_column_names FROM duckdb_constraints() WHERE schema_name = ? "
        "AND table_name = ? AND constraint_type = 'PRIMARY KEY'"
    )
    rows = _rows(con, sql, table)
    if not rows:
        raise ValueError(f"{table} has no primary key")
    return list(rows[0][0])


@cache
def _schema() -> dict[str, tuple[str, ...]]:
    with duckdb.connect(":memory:") as con:
        migrate(con)
        rows = con.execute(
            "SELECT table_schema || '.' || table_name, column_name FROM information_schema.columns "
            "ORDER BY table_schema, table_name, ordinal_position"
        ).fetchall()
    out: dict[str, list[str]] = {}
    for table, column in rows:
        out.setdefault(table, []).append(column)
    return {t: tuple(c) for t, c in out.items()}


def columns(table: str) -> tuple[str, ...]:
    """Columns of ``schema.table`` as the shipped migrations declare them, in order."""
    try:
        return _schema()[table]
    except KeyError:
        raise KeyError(f"{table} is not a table of the warehouse migrations") from None
