"""CSV into the stage: DuckDB's ``read_csv`` (every cell ``VARCHAR``, ``"`` quotes), or
Python's ``csv`` module for a file with blank lines (which DuckDB's reader skips: row numbers
would shift). UTF-8 with or without BOM, else Windows-1251 (transcoded to UTF-8 in chunks)."""

from __future__ import annotations

import codecs
import csv
import io
import re

import duckdb

from tasks.stage.database import Stage, insert_rows
from tasks.stage.errors import ReadError
from tasks.stage.raw import RawTable
from tasks.stage.sniff import CHUNK, Readable
from warehouse.sql import ident, literal

_CSV_LINE = re.compile(r"CSV Error on Line: (\d+)")
_ORIGINAL = re.compile(r"Original Line: (.*)")


def header_cells(text: str, delimiter: str) -> list[str]:
    """The cells of the first record of ``text`` (as read, not cleaned)."""
    first = next(csv.reader(io.StringIO(text), delimiter=delimiter, quotechar='"'), [])
    return list(first)


def read_csv_sql(path: str, delimiter: str, n: int, *, serial: bool = False) -> str:
    """DuckDB's ``read_csv`` of ``path``: no header, ``n`` columns ``c0..`` as text, short
    records padded with NULL; ``serial``: the single-threaded reader (quoted newlines with
    padding need it)."""
    columns = "{" + ", ".join(f"'c{j}': 'VARCHAR'" for j in range(n)) + "}"
    return (
        f"read_csv({literal(path)}, header=false, auto_detect=false, all_varchar=true, "
        f"delim={literal(delimiter)}, quote='\"', escape='\"', null_padding=true, "
        f"columns={columns}{', parallel=false' if serial else ''})"
    )


def file_of(payload: Readable, stage: Stage, name: str) -> str:
    """A file holding the payload's bytes (its own, or a copy of in-memory bytes)."""
    if payload.path is not None:
        return payload.path
    target = stage.dir / f"{name}.bytes"
    target.write_bytes(payload.data)
    return str(target)


def transcode_cp1251(payload: Readable, stage: Stage, name: str) -> str:
    """The payload's Windows-1251 text as a UTF-8 file (streamed in chunks)."""
    target = stage.dir / f"{name}.utf8.csv"
    decoder = codecs.getincrementaldecoder("cp1251")()
    with payload.open() as src, open(target, "wb") as out:
        while chunk := src.read(CHUNK):
            out.write(decoder.decode(chunk).encode("utf-8"))
    return str(target)


class NotUtf8(Exception):
    """DuckDB's reader met bytes that are not UTF-8."""


def read_error(exc: duckdb.Error, filename: str, delimiter: str, n: int) -> ReadError:
    """DuckDB's CSV error as the reading rules word it (a ragged row names its row)."""
    msg = str(exc)
    line, original = _CSV_LINE.search(msg), _ORIGINAL.search(msg)
    if line and original and "Expected Number of Columns" in msg:
        cells = len(next(csv.reader([original[1]], delimiter=delimiter, quotechar='"')))
        return ReadError(
            f"{filename} row {line[1]}: {cells} cells, but the header has {n} "
            f"(delimiter {delimiter!r}; quote cells that contain it)"
        )
    return ReadError(f"{filename}: not a readable CSV table ({msg.splitlines()[0]})")


def read_csv_duckdb(stage: Stage, table: str, path: str, delimiter: str, n: int) -> None:
    """Copy the CSV file ``path`` into ``table`` (:class:`NotUtf8` on bytes not UTF-8)."""
    sql = f"CREATE OR REPLACE TABLE {ident(table)} AS SELECT * FROM "
    try:
        try:
            stage.con.execute(sql + read_csv_sql(path, delimiter, n))
        except duckdb.Error as exc:
            if "parallel=false" not in str(exc):
                raise
            stage.con.execute(sql + read_csv_sql(path, delimiter, n, serial=True))
    except duckdb.Error as exc:
        if "unicode" in str(exc).lower():
            raise NotUtf8() from exc
        raise


def read_csv_python(
    stage: Stage, table: str, payload: Readable, encoding: str, delimiter: str, filename: str
) -> int:
    """Python's csv reader, streamed, for files whose blank lines must keep their row numbers;
    returns the number of columns (the header's)."""
    with payload.open() as fh:
        text = io.TextIOWrapper(fh, encoding="utf-8-sig" if encoding == "utf-8" else encoding)
        reader = csv.reader(text, delimiter=delimiter, quotechar='"', doublequote=True)
        header = next(reader, [])
        n = len(header)

        def rows():
            yield header
            for record, row in enumerate(reader, start=2):
                if len(row) > n:
                    raise ReadError(
                        f"{filename} row {record}: {len(row)} cells, but the header has {n} "
                        f"(delimiter {delimiter!r}; quote cells that contain it)"
                    )
                yield row + [""] * (n - len(row))

        try:
            insert_rows(stage, table, n, rows())
        except csv.Error as exc:
            raise ReadError(f"{filename}: not a readable CSV table ({exc})") from None
    return n


def direct(
    stage: Stage, payload: Readable, name: str, filename: str, delimiter: str, header: tuple
) -> RawTable:
    """A clean CSV read by DuckDB inside the query that uses it (UTF-8; on DuckDB's "invalid
    unicode" the Windows-1251 text is transcoded to a UTF-8 file and read again)."""
    n = len(header)

    def on_error(exc: duckdb.Error, failed: RawTable) -> RawTable:
        msg = str(exc)
        if "parallel=false" in msg and "parallel=false" not in failed.source:
            # quoted newlines with padding: DuckDB's serial reader
            return RawTable(failed.source[:-1] + ", parallel=false)", header, on_error)
        if "unicode" in msg.lower() and "utf8.csv" not in failed.source:
            path = transcode_cp1251(payload, stage, name)
            return RawTable(read_csv_sql(path, delimiter, n), header, on_error)
        raise read_error(exc, filename, delimiter, n)

    return RawTable(read_csv_sql(file_of(payload, stage, name), delimiter, n), header, on_error)
