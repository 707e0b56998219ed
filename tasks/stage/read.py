"""The reading rules: a payload (CSV or XLSX bytes) into the stage, cells as text with their
file row numbers, or a :class:`ReadError` saying why it is not a table.

The rules (documented in ``docs/inputs.md``, "Input files"), in the order they apply:

* a file of no bytes or only whitespace is empty;
* XLSX (by name or zip signature): the first sheet (:mod:`tasks.stage.xlsx_reader`);
* CSV: NUL bytes mean binary data or UTF-16 text; a first line like HTML/JSON is an error page;
  the delimiter is ``,`` ``;`` or tab, whichever the header line holds most; UTF-8 (with or
  without BOM), else Windows-1251; ``"`` quotes (:mod:`tasks.stage.csv_reader`);
* column names are stripped (and the BOM removed); an unnamed column is dropped if it is empty
  (trailing delimiters, formatted Excel cells), else named ``(unnamed column j)``; a name given
  twice is an error;
* file rows count as a spreadsheet shows them: the header is row 1, blank rows count.

Each input becomes a table ``<name>__raw`` whose ``rowid`` is the record number from 0 (the
header), so a data row's file row is ``rowid + 1`` -- or, for a clean CSV, a relation reading
the file inside the query that uses it (:class:`~tasks.stage.raw.RawTable`).
"""

from __future__ import annotations

import duckdb
import pandas as pd

import tasks.stage.sniff as sniff
from tasks.stage.cells import clean_name, strip_cell
from tasks.stage.csv_reader import (
    NotUtf8,
    direct,
    file_of,
    header_cells,
    read_csv_duckdb,
    read_csv_python,
    read_error,
    transcode_cp1251,
)
from tasks.stage.database import Stage
from tasks.stage.errors import ReadError
from tasks.stage.raw import RawTable, execute_on
from tasks.stage.xlsx_reader import read_xlsx
from warehouse.sql import ident


def read_relation(stage: Stage, payload: sniff.Readable, name: str, filename: str) -> RawTable:
    """Read ``payload`` into the table ``<name>__raw`` of ``stage`` (or, for a clean CSV, a
    relation reading the file); :class:`ReadError` if it cannot be read as a table."""
    table = f"{name}__raw"
    found = sniff.scan(payload)
    if payload.size_bytes == 0 or found.blank_only:
        raise ReadError(f"{filename}: file is empty")
    head = sniff.head(payload)
    if sniff.is_workbook(filename, head):
        read_xlsx(stage, table, payload, filename)
    else:
        if found.nul:
            raise ReadError(
                f"{filename}: contains NUL bytes: binary data or UTF-16 text, not a CSV table "
                "(save it as CSV UTF-8 or Windows-1251)"
            )
        text = sniff.decode_head(head)
        if sniff.looks_like_markup(text):
            raise ReadError(f"{filename}: looks like HTML/JSON, not a CSV table")
        delimiter = sniff.delimiter(text)
        if found.blank_lines:
            encoding = "utf-8" if sniff.is_utf8(payload) else "cp1251"
            read_csv_python(stage, table, payload, encoding, delimiter, filename)
        else:
            header = [clean_name(c) for c in header_cells(text, delimiter)]
            n = len(header)
            dupes = sorted({c for c in header if c and header.count(c) > 1})
            if all(header) and not dupes:  # the common case: DuckDB reads while typing
                return direct(stage, payload, name, filename, delimiter, tuple(header))
            try:  # UTF-8 (DuckDB's reader refuses invalid UTF-8), else Windows-1251
                read_csv_duckdb(stage, table, file_of(payload, stage, name), delimiter, n)
            except NotUtf8:
                path = transcode_cp1251(payload, stage, name)
                read_csv_duckdb(stage, table, path, delimiter, n)
            except duckdb.Error as exc:
                raise read_error(exc, filename, delimiter, n) from None
    header = (
        stage.con.execute(f"SELECT * FROM {ident(table)} WHERE rowid = 0").fetchall() or [()]
    )[0]
    columns = [clean_name(c) for c in header]
    unnamed = [j for j, c in enumerate(columns) if not c]
    if unnamed:
        counts = stage.con.execute(
            "SELECT "
            + ", ".join(f"count(*) FILTER (WHERE {strip_cell(f'c{j}')} <> '')" for j in unnamed)
            + f" FROM {ident(table)} WHERE rowid > 0"
        ).fetchall()[0]
        for j, used in zip(unnamed, counts, strict=True):
            columns[j] = f"(unnamed column {j + 1})" if used else ""
    dupes = sorted({c for c in columns if c and columns.count(c) > 1})
    if dupes:
        raise ReadError(f"{filename}: column(s) {', '.join(dupes)} appear more than once")
    return RawTable(ident(table), tuple(columns))


def text_frame(stage: Stage, raw: RawTable, name: str) -> pd.DataFrame:
    """The data rows of ``raw`` as an all-text pandas frame: cells stripped (empty cells
    ``""``), the named columns (a dropped unnamed column is left out), fully blank rows
    dropped, the index the file row minus 2 (row 2, the first data row, is 0)."""
    keep = [(j, c) for j, c in enumerate(raw.columns) if c]
    table = ident(f"{name}__text")
    cells = ", ".join(f"{strip_cell(f'c{j}')} AS c{j}" for j, _ in keep) or "NULL AS _none"
    execute_on(
        stage.con, raw, lambda src: f"CREATE OR REPLACE TABLE {table} AS SELECT {cells} FROM {src}"
    )
    any_cell = " OR ".join(f"c{j} <> ''" for j, _ in keep) or "false"
    frame = stage.con.execute(
        f"SELECT rowid - 1 AS _index, * FROM {table} WHERE rowid > 0 AND ({any_cell}) "
        "ORDER BY rowid"
    ).df()
    index = pd.Index(frame.pop("_index").to_numpy(dtype="int64"))
    frame = frame[[f"c{j}" for j, _ in keep]].astype(str)
    frame.columns = [c for _, c in keep]
    frame.index = index
    return frame
