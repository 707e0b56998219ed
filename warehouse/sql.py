"""SQL text for names and values: the one place identifiers and literals are quoted.

Values are passed as prepared parameters (``?``) wherever DuckDB accepts one. Where it does not
(table and column names, ``ATTACH`` paths, ``read_csv`` options, literals inside a view or a
``MAP``), SQL is built with these helpers, which escape what they quote: a name may hold a
double quote and a value a single quote without ending the quoted text.
"""

from __future__ import annotations


def ident(name: str) -> str:
    """A SQL identifier: ``name`` in double quotes, each ``"`` in it doubled (``a"b`` ->
    ``"a""b"``)."""
    return '"' + str(name).replace('"', '""') + '"'


def qualified(name: str) -> str:
    """A schema-qualified table name, each part quoted by :func:`ident` (``core.observation``
    -> ``"core"."observation"``; split at the first dot; a name without one is one
    identifier)."""
    schema, dot, table = str(name).partition(".")
    return f"{ident(schema)}.{ident(table)}" if dot else ident(schema)


def literal(value: object) -> str:
    """A SQL string literal: ``str(value)`` in single quotes, each ``'`` in it doubled
    (``it's`` -> ``'it''s'``)."""
    return "'" + str(value).replace("'", "''") + "'"
