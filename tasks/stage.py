"""Read input payloads into a scratch DuckDB database, cells as text with their file row numbers.

The reading rules are those of :func:`tasks.parse.read_table` (its docstring and the README's
"Input files"); here they are applied where the data are:

* CSV through DuckDB's ``read_csv`` (every cell ``VARCHAR``, the delimiter sniffed from the header
  line as the pandas reader does, ``"`` quotes); UTF-8 with or without BOM, else Windows-1251
  (transcoded to UTF-8 in 16 MiB chunks);
* a file with blank lines, which DuckDB's reader skips (row numbers would shift), is read by
  Python's ``csv`` module into the same relation in batches of :data:`BATCH_ROWS` rows;
* XLSX through openpyxl's read-only (streaming) mode, in batches, into the same relation.

Each input becomes a table ``<name>__raw`` whose ``rowid`` is the record number from 0 (the
header), so a data row's file row is ``rowid + 1`` (row 2 = the first data row, as a spreadsheet
shows it; blank rows count). :func:`read_relation` returns it with the cleaned column names.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import re
import shutil
import tempfile
import weakref
from dataclasses import dataclass
from pathlib import Path

import duckdb
import ibis
import ibis.backends.duckdb
import openpyxl
import pandas as pd
import pyarrow as pa

from tasks.numbers_sql import _SPACE_CLASS, analyst_number_sql, missing_sql
from tasks.parse import ReadError
from tasks.sources.base import Payload

BATCH_ROWS = 100_000  # rows per batch where Python reads (blank-line CSV, XLSX)
CHUNK = 16 * 2**20  # bytes per chunk of the pre-read scans and the transcoding
#: DuckDB memory of the scratch database (it spills to its folder beyond this).
MEMORY_LIMIT = "1GB"
# characters Python's str.strip() removes: cells are stripped as read_table strips them
STRIP_CHARS = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680"
    + "".join(chr(c) for c in range(0x2000, 0x200B))
    + "\u2028\u2029\u202f\u205f\u3000"
)
_CSV_LINE = re.compile(r"CSV Error on Line: (\d+)")
_ORIGINAL = re.compile(r"Original Line: (.*)")


def sql_text(value: str) -> str:
    """A SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def ident(name: str) -> str:
    """A SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def strip_cell(expr: str) -> str:
    """SQL: a cell stripped as Python's ``str.strip()``, NULL read as ``''``.

    ``trim`` with a character list is slow; most cells have nothing to strip, and an anchored
    regex finds the few that do.
    """
    cell = f"coalesce({expr}, '')"
    edge = sql_text(f"^{_SPACE_CLASS}|{_SPACE_CLASS}$")
    return (
        f"CASE WHEN regexp_matches({cell}, {edge}) THEN trim({cell}, {sql_text(STRIP_CHARS)}) "
        f"ELSE {cell} END"
    )


class Stage:
    """A scratch DuckDB database (file in a temporary folder) for one batch of inputs.

    Tables: ``<input>__raw`` (as read), ``<input>`` (typed, see :mod:`tasks.validate`) and
    views derived from them. The folder is removed when the stage is garbage collected.
    """

    def __init__(self, directory: str | Path | None = None) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="monotowns-stage-", dir=directory))
        self.path = self.dir / "stage.duckdb"
        self._con: duckdb.DuckDBPyConnection | None = None
        self._ibis = None
        self._finalizer = weakref.finalize(self, shutil.rmtree, str(self.dir), True)
        #: how pandera's row positions in each typed relation map to rows: "row+2" (a view,
        #: position p is file row p + 2) or "rowid" (a table, position p is its rowid p)
        self.positions: dict[str, str] = {}

    @property
    def con(self) -> duckdb.DuckDBPyConnection:
        """The read-write connection (opened on first use, again after :meth:`close`)."""
        if self._con is None:
            self._con = duckdb.connect(
                str(self.path),
                config={
                    "memory_limit": MEMORY_LIMIT,
                    "temp_directory": str(self.dir / "spill"),
                    "preserve_insertion_order": True,
                },
            )
        return self._con

    @property
    def ibis(self):
        """An Ibis backend on :attr:`con` (what the pandera schemas run on)."""
        if self._ibis is None:
            self._ibis = ibis.duckdb.from_connection(self.con.cursor())
        return self._ibis

    def close(self) -> None:
        """Close the connection (the file stays for the loader to attach read-only)."""
        if self._con is not None:
            self._con.close()
        self._con = None
        self._ibis = None

    def remove(self) -> None:
        """Close and delete the scratch folder."""
        self.close()
        self._finalizer()


@dataclass(frozen=True)
class RawTable:
    """An input read into the stage: what to select its records from, and the file's column
    names (cleaned; column j of the file is ``c{j}``). ``source`` is the ``<name>__raw`` table
    or, for a clean CSV, DuckDB's ``read_csv(...)`` itself (no copy of the text is kept); its
    records come in file order, the header first. ``on_error`` turns a DuckDB error met while
    reading ``source`` into a :class:`ReadError`, or into another ``RawTable`` to retry with
    (a Windows-1251 file, transcoded)."""

    source: str
    columns: tuple[str, ...]
    on_error: object = None

    def retry(self, exc: duckdb.Error) -> RawTable:
        if self.on_error is None:
            raise exc
        return self.on_error(exc, self)


# ---------------------------------------------------------------- pre-read scans of the bytes


def _head(payload: Payload, size: int = CHUNK) -> bytes:
    with payload.open() as fh:
        return fh.read(size)


def _scan(payload: Payload) -> tuple[bool, bool, bool]:
    """(only whitespace, has NUL bytes, has a blank line before more content) in one streamed
    pass over the bytes. Blank lines at the very end shift no row number: they do not count."""
    blank_only, nul, blank_lines, pending = True, False, False, False
    prev = b"\n"  # the file's start counts as a line start: a leading blank line is one
    with payload.open() as fh:
        while chunk := fh.read(CHUNK):
            if blank_only and chunk.strip():
                blank_only = False
            nul = nul or b"\x00" in chunk
            if not blank_lines:
                if pending and chunk.strip():
                    blank_lines = True
                joined = prev + chunk
                found = [i for i in (joined.find(b"\n\n"), joined.find(b"\n\r\n")) if i >= 0]
                if found:
                    if joined[min(found) :].strip():
                        blank_lines = True
                    else:
                        pending = True
            prev = chunk[-2:]
            if nul and blank_lines and not blank_only:
                break
    return blank_only, nul, blank_lines


def _is_utf8(payload: Payload) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with payload.open() as fh:
            while chunk := fh.read(CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _decode_head(head: bytes) -> str:
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    try:
        return head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start >= len(head) - 3:  # a character cut by the chunk boundary
            return head[: exc.start].decode("utf-8")
        return head.decode("cp1251")


def _file_of(payload: Payload, stage: Stage, name: str) -> str:
    """A file holding the payload's bytes (its own, or a copy of in-memory bytes)."""
    if payload.path is not None:
        return payload.path
    target = stage.dir / f"{name}.bytes"
    target.write_bytes(payload.data)
    return str(target)


def _transcode_cp1251(payload: Payload, stage: Stage, name: str) -> str:
    """The payload's Windows-1251 text as a UTF-8 file (streamed in chunks)."""
    target = stage.dir / f"{name}.utf8.csv"
    decoder = codecs.getincrementaldecoder("cp1251")()
    with payload.open() as src, open(target, "wb") as out:
        while chunk := src.read(CHUNK):
            out.write(decoder.decode(chunk).encode("utf-8"))
    return str(target)


# ---------------------------------------------------------------- readers into the stage


def _header(text: str, delimiter: str) -> list[str]:
    first = next(csv.reader(io.StringIO(text), delimiter=delimiter, quotechar='"'), [])
    return list(first)


def _columns_sql(n: int) -> str:
    return "{" + ", ".join(f"'c{j}': 'VARCHAR'" for j in range(n)) + "}"


class _NotUtf8(Exception):
    """DuckDB's reader met bytes that are not UTF-8."""


def _read_csv_duckdb(stage: Stage, table: str, path: str, delimiter: str, n: int) -> None:
    opts = (
        f"header=false, auto_detect=false, all_varchar=true, delim={sql_text(delimiter)}, "
        f"quote='\"', escape='\"', null_padding=true, columns={_columns_sql(n)}"
    )
    sql = f"CREATE OR REPLACE TABLE {ident(table)} AS SELECT * FROM read_csv({sql_text(path)}, "
    try:
        try:
            stage.con.execute(sql + opts + ")")
        except duckdb.Error as exc:
            if "parallel=false" not in str(exc):
                raise
            stage.con.execute(sql + opts + ", parallel=false)")
    except duckdb.Error as exc:
        if "unicode" in str(exc).lower():
            raise _NotUtf8() from exc
        raise


def _read_error(exc: duckdb.Error, filename: str, delimiter: str, n: int) -> ReadError:
    msg = str(exc)
    line, original = _CSV_LINE.search(msg), _ORIGINAL.search(msg)
    if line and original and "Expected Number of Columns" in msg:
        cells = len(next(csv.reader([original[1]], delimiter=delimiter, quotechar='"')))
        return ReadError(
            f"{filename} row {line[1]}: {cells} cells, but the header has {n} "
            f"(delimiter {delimiter!r}; quote cells that contain it)"
        )
    return ReadError(f"{filename}: not a readable CSV table ({msg.splitlines()[0]})")


def _insert_batches(stage: Stage, table: str, n: int, rows) -> None:
    """Create ``table`` (``c0..c{n-1}`` VARCHAR) and insert ``rows`` in batches, in order."""
    names = [f"c{j}" for j in range(n)]
    cols = ", ".join(f"{ident(c)} VARCHAR" for c in names)
    stage.con.execute(f"CREATE OR REPLACE TABLE {ident(table)} ({cols})")
    batch: list[list[str]] = []

    def flush() -> None:
        if batch:
            arrow = pa.table({c: [r[j] for r in batch] for j, c in enumerate(names)})
            stage.con.register("_batch", arrow)
            stage.con.execute(f"INSERT INTO {ident(table)} SELECT * FROM _batch")
            stage.con.unregister("_batch")
            batch.clear()

    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH_ROWS:
            flush()
    flush()


def _read_csv_python(
    stage: Stage, table: str, payload: Payload, encoding: str, delimiter: str, filename: str
) -> int:
    """Python's csv reader, streamed, for files whose blank lines must keep their row numbers."""
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
            _insert_batches(stage, table, n, rows())
        except csv.Error as exc:
            raise ReadError(f"{filename}: not a readable CSV table ({exc})") from None
    return n


def _xlsx_cell(value) -> str:
    """A workbook cell as text, as pandas' ``read_excel(dtype=str)`` gives it."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_xlsx(stage: Stage, table: str, payload: Payload, filename: str) -> int:
    try:
        with payload.open() as fh:
            book = openpyxl.load_workbook(fh, read_only=True, data_only=True)
            try:
                sheet = book.worksheets[0]
                it = sheet.iter_rows(values_only=True)
                header = next(it, ())
                n = max(len(header), sheet.max_column or 0)

                def rows():
                    yield ([_xlsx_cell(v) for v in header] + [""] * n)[:n]
                    for row in it:
                        cells = [_xlsx_cell(v) for v in row]
                        extra = [c for c in cells[n:] if c.strip()]
                        if extra:
                            raise ReadError(
                                f"{filename}: a row has cells beyond the header's {n} columns"
                            )
                        yield (cells + [""] * n)[:n]

                _insert_batches(stage, table, n, rows())
            finally:
                book.close()
    except ReadError:
        raise
    except Exception as exc:  # a broken workbook can fail anywhere inside zip/openpyxl
        raise ReadError(
            f"{filename}: not a readable XLSX workbook ({type(exc).__name__}: {exc})"
        ) from None
    return n


def read_relation(stage: Stage, payload: Payload, name: str, filename: str) -> RawTable:
    """Read ``payload`` into the table ``<name>__raw`` of ``stage``; :class:`ReadError` if it
    cannot be read as a table (the messages of :func:`tasks.parse.read_table`)."""
    table = f"{name}__raw"
    blank_only, nul, blank_lines = _scan(payload)
    if payload.size_bytes == 0 or blank_only:
        raise ReadError(f"{filename}: file is empty")
    head = _head(payload)
    if filename.lower().endswith(".xlsx") or head[:2] == b"PK":
        n = _read_xlsx(stage, table, payload, filename)
    else:
        if nul:
            raise ReadError(
                f"{filename}: contains NUL bytes: binary data or UTF-16 text, not a CSV table "
                "(save it as CSV UTF-8 or Windows-1251)"
            )
        text = _decode_head(head)
        first = next((line for line in io.StringIO(text) if line.strip()), "")
        if first.lstrip().startswith(("<", "{", "[")):
            raise ReadError(f"{filename}: looks like HTML/JSON, not a CSV table")
        header_line = text.partition("\n")[0]
        delimiter = max([",", ";", "\t"], key=header_line.count)
        if blank_lines:
            encoding = "utf-8" if _is_utf8(payload) else "cp1251"
            n = _read_csv_python(stage, table, payload, encoding, delimiter, filename)
        else:
            header = [c.lstrip("\ufeff").strip(STRIP_CHARS) for c in _header(text, delimiter)]
            n = len(header)
            dupes = sorted({c for c in header if c and header.count(c) > 1})
            if all(header) and not dupes:  # the common case: DuckDB reads while typing
                return _direct(stage, payload, name, filename, delimiter, tuple(header))
            try:  # UTF-8 (DuckDB's reader refuses invalid UTF-8), else Windows-1251
                _read_csv_duckdb(stage, table, _file_of(payload, stage, name), delimiter, n)
            except _NotUtf8:
                path = _transcode_cp1251(payload, stage, name)
                _read_csv_duckdb(stage, table, path, delimiter, n)
            except duckdb.Error as exc:
                raise _read_error(exc, filename, delimiter, n) from None
    header = (
        stage.con.execute(f"SELECT * FROM {ident(table)} WHERE rowid = 0").fetchall() or [()]
    )[0]
    columns = [(c or "").lstrip("\ufeff").strip(STRIP_CHARS) for c in header]
    # an unnamed column is dropped if it is empty (trailing delimiters, formatted Excel cells)
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


def _direct(
    stage: Stage, payload: Payload, name: str, filename: str, delimiter: str, header: tuple
) -> RawTable:
    """A clean CSV read by DuckDB inside the typing query (UTF-8; on DuckDB's "invalid unicode"
    the Windows-1251 text is transcoded to a UTF-8 file and read again)."""
    n = len(header)

    def source(path: str) -> str:
        return (
            f"read_csv({sql_text(path)}, header=false, auto_detect=false, all_varchar=true, "
            f"delim={sql_text(delimiter)}, quote='\"', escape='\"', null_padding=true, "
            f"columns={_columns_sql(n)})"
        )

    def on_error(exc: duckdb.Error, failed: RawTable) -> RawTable:
        msg = str(exc)
        if "parallel=false" in msg and "parallel=false" not in failed.source:
            # quoted newlines with padding: DuckDB's serial reader
            return RawTable(failed.source[:-1] + ", parallel=false)", header, on_error)
        if "unicode" in msg.lower() and "utf8.csv" not in failed.source:
            path = _transcode_cp1251(payload, stage, name)
            return RawTable(source(path), header, on_error)
        raise _read_error(exc, filename, delimiter, n)

    return RawTable(source(_file_of(payload, stage, name)), header, on_error)


# ---------------------------------------------------------------- typing in SQL

_TRUE = ("true", "yes", "1", "да", "y", "t")
_FALSE = ("false", "no", "0", "нет", "n", "f")


def _in(expr: str, words: tuple[str, ...]) -> str:
    return f"{expr} IN ({', '.join(sql_text(w) for w in words)})"


@dataclass(frozen=True)
class CellFailure:
    """One cell the typing refused: file row, column, rule, the cell's text, the row's key."""

    row: int
    column: str
    check: str
    text: str
    key: str


def type_relation(
    stage: Stage,
    raw: RawTable,
    name: str,
    columns: dict[str, str],
    key: tuple[str, ...],
    required: tuple[str, ...],
    fill: dict[str, str] | None = None,
    normalise: dict[str, str] | None = None,
) -> list[CellFailure]:
    """Type ``raw`` into the table ``name`` of ``stage`` by ``columns`` (str | int | number |
    bool) and return every refused cell (required, type:number, type:int, type:bool), column by
    column in ``columns`` order, rows in file order.

    The typed table has ``_row`` (file row), one column per spec column (absent optional
    columns are empty), ``<col>__text`` beside each number column (the cell as written) and
    keeps the file's row order (its ``rowid`` is the position pandera's failure cases name).
    Fully empty rows are dropped (they still count for row numbers). ``fill`` gives SQL for an
    empty str cell (e.g. the indicator's unit); ``normalise`` SQL for every str cell of a column
    (after ``fill``), with ``<cell>`` standing for the cell (e.g. lower case and aliases).
    """
    position = {c: j for j, c in enumerate(raw.columns) if c}
    text = {c: (strip_cell(f"c{position[c]}") if c in position else "''") for c in columns}
    others = [j for c, j in position.items() if c not in columns]  # extra columns count too
    inner = ", ".join(
        [f"{text[c]} AS {ident(c + '__s')}" for c in columns]
        + [f"{strip_cell(f'c{j}')} AS _x{j}" for j in others]
    )
    any_cell = (
        " OR ".join(
            [f"{ident(c + '__s')} <> ''" for c in columns if c in position]
            + [f"_x{j} <> ''" for j in others]
        )
        or "false"
    )
    middle = ["_row"]  # the stripped texts, and each number cell parsed once
    outer = ["_row"]
    for col, kind in columns.items():
        s = ident(col + "__s")
        n = ident(col + "__n")
        middle.append(s)
        if kind in ("number", "int"):
            middle.append(f"({analyst_number_sql(s, stripped=True)}) AS {n}")
        if kind == "str":
            expr = s
            if fill and col in fill:
                expr = f"CASE WHEN {s} = '' THEN {fill[col]} ELSE {s} END"
            if normalise and col in normalise:
                expr = normalise[col].replace("<cell>", f"({expr})")
            outer.append(f"{expr} AS {ident(col)}")
        elif kind == "number":
            outer.append(f"{n} AS {ident(col)}")
            outer.append(f"{s} AS {ident(col + '__text')}")
        elif kind == "int":
            outer.append(
                f"TRY_CAST(CASE WHEN {n} = round({n}) THEN {n} END AS BIGINT) AS {ident(col)}"
            )
            outer.append(f"{s} AS {ident(col + '__text')}")
        elif kind == "bool":
            outer.append(f"{_in(f'lower({s})', _TRUE)} AS {ident(col)}")
            outer.append(f"{s} AS {ident(col + '__text')}")
        else:  # pragma: no cover - spec typo
            raise ValueError(f"unknown column type {kind!r} for {name}.{col}")
    middle[0] = "_empty"
    outer[0] = "_empty"
    for _ in range(4):  # a retry per reading fallback (serial reader, Windows-1251)
        try:
            stage.con.execute(
                f"CREATE OR REPLACE TABLE {ident(name + '__all')} AS SELECT {', '.join(outer)} "
                f"FROM (SELECT NOT ({any_cell}) AS _empty, {', '.join(middle[1:])} FROM "
                f"(SELECT {inner} FROM {raw.source}))"
            )
            break
        except duckdb.Error as exc:
            raw = raw.retry(exc)
    # the records in file order, the header first: a data row's file row is rowid + 1
    all_ = ident(name + "__all")
    (empty,) = stage.con.execute(
        f"SELECT count(*) FILTER (WHERE _empty) FROM {all_} WHERE rowid > 0"
    ).fetchall()[0]
    # pandera names failing rows by position: with no empty row, position p is file row p + 2
    relation = "VIEW" if not empty else "TABLE"
    for other in ("VIEW", "TABLE"):
        with contextlib.suppress(duckdb.Error):
            stage.con.execute(f"DROP {other} IF EXISTS {ident(name)}")
    stage.con.execute(
        f"CREATE {relation} {ident(name)} AS SELECT rowid + 1 AS _row, * EXCLUDE (_empty) "
        f"FROM {all_} WHERE rowid > 0{' AND NOT _empty' if empty else ''}"
    )
    stage.positions[name] = "row+2" if not empty else "rowid"
    # the refused cells: cheap predicates on the typed columns first, the regex only for them
    flags: list[tuple[str, str, str]] = []  # (column, check, SQL predicate)
    for col, kind in columns.items():
        c = ident(col)
        t = ident(col + "__text") if kind != "str" else c
        if col in required:
            flags.append((col, "required", f"{t} = ''"))
        if kind in ("number", "int"):
            bad = (
                f"({c} IS NULL AND {t} <> '' AND NOT {missing_sql(t)} AND "
                f"({analyst_number_sql(t, stripped=True)}) IS NULL)"
            )
            flags.append((col, "type:number", bad))
            if kind == "int":
                num = f"({analyst_number_sql(t, stripped=True)})"
                flags.append((col, "type:int", f"({c} IS NULL AND {num} <> round({num}))"))
        elif kind == "bool":
            flags.append(
                (col, "type:bool", f"NOT ({_in(f'lower({t})', _TRUE + _FALSE)} OR {t} = '')")
            )
    if not flags:
        return []
    key_text = (
        " || '|' || ".join(
            ident(k + ("__text" if columns.get(k, "str") != "str" else "")) for k in key
        )
        or "''"
    )
    texts = {col: ident(col + ("__text" if kind != "str" else "")) for col, kind in columns.items()}
    select = ", ".join(f"{p} AS f{i}" for i, (_, _, p) in enumerate(flags))
    cells = ", ".join(f"{texts[col]}" for col, _, _ in flags)
    where = " OR ".join(f"f{i}" for i in range(len(flags)))
    rows = stage.con.execute(
        f"SELECT * FROM (SELECT _row, {key_text} AS _key, {select}, {cells} FROM {ident(name)}) "
        f"WHERE {where} ORDER BY _row"
    ).fetchall()
    out: list[CellFailure] = []
    n = len(flags)
    for i, (col, check, _) in enumerate(flags):
        out += [CellFailure(r[0], col, check, r[2 + n + i], r[1]) for r in rows if r[2 + i]]
    return out


def to_pandas(
    con: duckdb.DuckDBPyConnection, sql: str, columns: dict[str, str], *, index_from_row=True
) -> pd.DataFrame:
    """A small typed table as the pandas frame :func:`tasks.parse.type_frame` would give
    (index = file row - 2; whole-number columns int64, Int64 where a cell is empty)."""
    frame = con.execute(sql).df()
    if index_from_row and "_row" in frame.columns:
        frame.index = pd.Index(frame.pop("_row").astype("int64") - 2)
    for col, kind in columns.items():
        if col not in frame.columns:
            continue
        if kind == "int":
            frame[col] = frame[col].astype("Int64" if frame[col].isna().any() else "int64")
        elif kind == "number":
            frame[col] = frame[col].astype("float64")
        elif kind == "bool":
            frame[col] = frame[col].astype(bool)
        if kind != "str":
            frame[f"{col}__text"] = frame[f"{col}__text"].astype(object)
        else:
            frame[col] = frame[col].astype(object)
    return frame


class StagedFrame:
    """A validated input that stays in the stage database: what :class:`~tasks.sources.base.Batch`
    holds for observations, so no stage keeps every row as Python objects.

    The loader reads it set-wise (:attr:`stage`, :attr:`table`). Anything else that asks for
    pandas (tests, small folders) gets the rows materialised once, ordered by ``order``:
    attribute access and ``[...]`` are the pandas frame's.
    """

    def __init__(self, stage: Stage, table: str, order: tuple[str, ...]) -> None:
        self.stage = stage
        self.table = table
        self.order = order
        self._frame: pd.DataFrame | None = None
        self._len: int | None = None

    def _read(self, sql: str) -> pd.DataFrame:
        if self.stage._con is not None:
            return self.stage.con.execute(sql).df()
        with duckdb.connect(str(self.stage.path), read_only=True) as con:
            return con.execute(sql).df()

    def __len__(self) -> int:
        if self._len is None:
            self._len = int(self._read(f"SELECT count(*) AS n FROM {ident(self.table)}")["n"][0])
        return self._len

    @property
    def columns(self) -> pd.Index:
        """The column names (no rows read)."""
        return self._read(f"SELECT * FROM {ident(self.table)} LIMIT 0").columns

    def to_pandas(self) -> pd.DataFrame:
        """Every row as a pandas frame (for small inputs and tests), ordered by the key."""
        if self._frame is None:
            order = ", ".join(ident(c) for c in self.order)
            frame = self._read(f"SELECT * FROM {ident(self.table)} ORDER BY {order}")
            self._frame = frame.reset_index(drop=True)
        return self._frame

    @property
    def empty(self) -> bool:
        return len(self) == 0

    def __getitem__(self, item):
        return self.to_pandas()[item]

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.to_pandas(), name)
