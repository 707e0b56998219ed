"""An input as read into the stage: the relation its records come from and its column names."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import duckdb

#: how many times a query over a :class:`RawTable` may fall back (serial reader, Windows-1251)
RETRIES = 4


@dataclass(frozen=True)
class RawTable:
    """An input read into the stage: what to select its records from, and the file's column
    names (cleaned; column j of the file is ``c{j}``). ``source`` is the ``<name>__raw`` table
    or, for a clean CSV, DuckDB's ``read_csv(...)`` itself (no copy of the text is kept); its
    records come in file order, the header first. ``on_error`` turns a DuckDB error met while
    reading ``source`` into a :class:`~tasks.stage.errors.ReadError`, or into another
    ``RawTable`` to retry with (a Windows-1251 file, transcoded)."""

    source: str
    columns: tuple[str, ...]
    on_error: object = None

    def retry(self, exc: duckdb.Error) -> RawTable:
        if self.on_error is None:
            raise exc
        return self.on_error(exc, self)


def execute_on(
    con: duckdb.DuckDBPyConnection, raw: RawTable, sql: Callable[[str], str]
) -> RawTable:
    """Run ``sql(raw.source)`` on ``con``, falling back as ``raw`` says when reading its
    source fails; returns the ``RawTable`` that was read."""
    for _ in range(RETRIES):
        try:
            con.execute(sql(raw.source))
            break
        except duckdb.Error as exc:
            raw = raw.retry(exc)
    return raw
