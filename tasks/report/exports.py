"""Exports of the results tables: Parquet files (one per table) and one XLSX workbook.

Both read a published warehouse through a read-only DuckDB connection. Parquet is written by
DuckDB itself (``COPY ... TO ... (FORMAT PARQUET)``), so types survive exactly; the workbook
(openpyxl) has one sheet per results table after an "About" sheet that lists every table's
columns with their descriptions: the warehouse's own column comments
(:func:`tasks.report.tabledocs.read_docs`; those of the shipped migrations for a warehouse
migrated before they were added).
Files are written under a temporary name and renamed, so a reader never opens half a file.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd

from tasks.report.tabledocs import TableDoc, read_docs, shipped_docs

UNDOCUMENTED = "(not documented yet)"


def results_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every base table of the ``results`` schema, as ``results.<name>``, sorted."""
    rows = con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'results' "
        "AND table_type = 'BASE TABLE' ORDER BY table_name"
    ).fetchall()
    return [f"results.{name}" for (name,) in rows]


def _sql_string(text: str) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def _ident(table: str) -> str:
    schema, name = table.split(".", 1)
    return f'"{schema}"."{name}"'


def export_parquet(warehouse: str | Path, out_dir: str | Path) -> dict[str, str]:
    """Write every results table to ``out_dir/<schema>.<table>.parquet``; returns table -> path.

    Empty tables are written too (a Parquet file with the columns and no rows).
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths: dict[str, str] = {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for table in results_tables(con):
            target = out / f"{table}.parquet"
            tmp = out / f".{table}.parquet.tmp"
            con.execute(
                f"COPY (SELECT * FROM {_ident(table)}) TO {_sql_string(tmp)} (FORMAT PARQUET)"
            )
            os.replace(tmp, target)
            paths[table] = str(target)
    return paths


def _excel_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Excel has no time zones: timestamps become naive UTC; JSON/objects stay as text."""
    out = frame.copy()
    for col in out.columns:
        if isinstance(out[col].dtype, pd.DatetimeTZDtype):
            out[col] = out[col].dt.tz_convert("UTC").dt.tz_localize(None)
    return out


def sheet_name(table: str, used: set[str]) -> str:
    """Sheet name for ``results.<name>``: ``<name>`` cut to Excel's 31 characters, unique."""
    base = table.split(".", 1)[-1][:31]
    name, i = base, 2
    while name.lower() in used:
        suffix = f"~{i}"
        name, i = base[: 31 - len(suffix)] + suffix, i + 1
    used.add(name.lower())
    return name


def about_frame(con: duckdb.DuckDBPyConnection, tables: list[str]) -> pd.DataFrame:
    """One row per (table, column): sheet, one row per, column, type, description."""
    rows = []
    used: set[str] = {"about"}
    own, shipped = read_docs(con), shipped_docs()
    empty = TableDoc(table="", kind="table", description=None, columns=())
    for table in tables:
        doc, ref = own.get(table, empty), shipped.get(table, empty)
        grain = doc.grain if doc.description else ref.grain
        sheet = sheet_name(table, used)
        n = con.execute(f"SELECT count(*) FROM {_ident(table)}").fetchone()[0]
        for col, dtype, *_ in con.execute(f"DESCRIBE {_ident(table)}").fetchall():
            rows.append(
                {
                    "table": table,
                    "sheet": sheet,
                    "one row per": grain,
                    "rows": n,
                    "column": col,
                    "type": dtype,
                    "description": doc.column(col) or ref.column(col) or UNDOCUMENTED,
                }
            )
    return pd.DataFrame(
        rows, columns=["table", "sheet", "one row per", "rows", "column", "type", "description"]
    )


def export_xlsx(
    warehouse: str | Path, path: str | Path, *, run_id: str | None = None
) -> dict[str, str]:
    """Write every results table to one workbook at ``path``; returns sheet -> table.

    The first sheet, "About", says where the data came from and describes every column.
    """
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = results_tables(con)
        about = about_frame(con, tables)
        frames = {t: _excel_safe(con.execute(f"SELECT * FROM {_ident(t)}").df()) for t in tables}
    header = [
        ["monotowns results tables"],
        [f"warehouse: {Path(warehouse).resolve()}"],
        [f"run: {run_id or 'unknown'}"],
        [f"exported: {datetime.now(UTC).replace(microsecond=0).isoformat()}"],
        ["One sheet per table; the columns of each are described below."],
        [],
    ]
    sheets: dict[str, str] = {}
    with pd.ExcelWriter(tmp, engine="openpyxl") as xw:
        about.to_excel(xw, sheet_name="About", index=False, startrow=len(header))
        ws = xw.sheets["About"]
        for i, line in enumerate(header, start=1):
            if line:
                ws.cell(row=i, column=1, value=line[0])
        ws.cell(row=1, column=1).font = Font(bold=True, size=13)
        for table, sheet in zip(about["table"], about["sheet"], strict=True):
            sheets.setdefault(sheet, table)
        for sheet, table in sheets.items():
            frames[table].to_excel(xw, sheet_name=sheet, index=False)
        for name, ws in xw.sheets.items():
            ws.freeze_panes = "A2" if name != "About" else f"A{len(header) + 2}"
            last = min(ws.max_row, 200)  # iterating further would create empty cells
            for idx, column in enumerate(ws.iter_cols(min_row=1, max_row=last), start=1):
                width = max((len(str(c.value)) for c in column if c.value is not None), default=8)
                ws.column_dimensions[get_column_letter(idx)].width = min(max(width + 2, 8), 70)
    os.replace(tmp, target)
    return sheets
