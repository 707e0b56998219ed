"""The one quoting helper: names with ``"`` and values with ``'`` round-trip through DuckDB."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from tasks.load import replace_results, upsert
from warehouse.sql import ident, literal, qualified

ODD_NAME = 'the "odd" name'
ODD_VALUE = 'Karaganda\'s "new" town'


def test_ident_doubles_double_quotes():
    assert ident("plain") == '"plain"'
    assert ident(ODD_NAME) == '"the ""odd"" name"'
    assert ident("it's") == '"it\'s"'  # a single quote needs no escape in a name


def test_literal_doubles_single_quotes():
    assert literal("plain") == "'plain'"
    assert literal("it's") == "'it''s'"
    assert literal('say "hi"') == "'say \"hi\"'"  # a double quote needs no escape in a value
    assert literal(42) == "'42'"


def test_qualified_quotes_each_part():
    assert qualified("core.observation") == '"core"."observation"'
    assert qualified('core.a"b') == '"core"."a""b"'
    assert qualified("solo") == '"solo"'
    assert qualified("s.t.u") == '"s"."t.u"'  # split at the first dot


def test_names_and_values_round_trip_through_duckdb():
    with duckdb.connect() as con:
        con.execute(f"CREATE TABLE {ident(ODD_NAME)} ({ident(ODD_NAME)} VARCHAR)")
        con.execute(f"INSERT INTO {ident(ODD_NAME)} VALUES ({literal(ODD_VALUE)})")
        assert con.execute(f"SELECT {ident(ODD_NAME)} FROM {ident(ODD_NAME)}").fetchall() == [
            (ODD_VALUE,)
        ]
        assert [d[0] for d in con.execute(f"SELECT * FROM {ident(ODD_NAME)}").description] == [
            ODD_NAME
        ]


def test_an_unescaped_name_would_have_broken_the_statement():
    """What the old ``tasks.load._q`` (``f'"{col}"'``) produced for such a name."""
    with duckdb.connect() as con, pytest.raises(duckdb.Error):
        con.execute(f'CREATE TABLE t ("{ODD_NAME}" VARCHAR)')


def test_upsert_with_a_double_quote_in_a_column_name():
    with duckdb.connect() as con:
        con.execute("CREATE SCHEMA core")
        con.execute(f"CREATE TABLE core.t (k VARCHAR PRIMARY KEY, {ident(ODD_NAME)} VARCHAR)")
        upsert(con, "core.t", pd.DataFrame({"k": ["a"], ODD_NAME: ["first"]}), ["k"])
        upsert(con, "core.t", pd.DataFrame({"k": ["a", "b"], ODD_NAME: [ODD_VALUE, "x"]}), ["k"])
        assert con.execute("SELECT * FROM core.t ORDER BY k").fetchall() == [
            ("a", ODD_VALUE),
            ("b", "x"),
        ]


def test_replace_results_with_a_double_quote_in_a_table_name():
    table = 'results.odd"table'
    with duckdb.connect() as con:
        con.execute("CREATE SCHEMA results")
        con.execute(f"CREATE TABLE {qualified(table)} (x VARCHAR)")
        assert replace_results(con, {table: pd.DataFrame({"x": [ODD_VALUE]})}) == {table: 1}
        assert con.execute(f"SELECT x FROM {qualified(table)}").fetchall() == [(ODD_VALUE,)]
