"""Exports of the results tables: Parquet files (one per table) and one XLSX workbook.

Both read a published warehouse through a read-only DuckDB connection. Parquet is written by
DuckDB itself (``COPY ... TO ... (FORMAT PARQUET)``), so types survive exactly; the workbook
(openpyxl) has one sheet per results table after an "About" sheet that lists every table's
columns with their descriptions: the warehouse's own column comments
(:func:`tasks.report.tabledocs.read_docs`; those of the shipped migrations for a warehouse
migrated before they were added).
Files are written under a temporary name and renamed, so a reader never opens half a file.

The workbook follows the report's language (``lang``): sheet names (``xlsx.sheets.<table>`` of
the message catalogue, else the table name), the About sheet's lines and headers
(``xlsx.*``) and its descriptions. The warehouse's comments are English; for another language
they come from ``messages/<lang>_columns.yaml`` (keyed ``schema.table`` and
``schema.table.column``), falling back to the English comment where a key is missing.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from pathlib import Path

import duckdb
import pandas as pd
import yaml

from tasks.report.formats import timestamp
from tasks.report.i18n import DEFAULT_LANG, MESSAGES_PACKAGE, language, merge_files, optional, t
from tasks.report.tabledocs import ROW_PREFIX, TableDoc, read_docs, shipped_docs
from warehouse.plugins import study_files
from warehouse.sql import literal, qualified

UNDOCUMENTED = "(not documented yet)"
#: Characters Excel refuses in a sheet name, and its length limit.
SHEET_FORBIDDEN = "[]:*?/\\"
SHEET_MAX = 31
#: Columns of the About sheet (keys of ``xlsx.header``), in order.
ABOUT_COLUMNS = ("table", "sheet", "one row per", "rows", "column", "type", "description")


@cache
def column_texts(lang: str) -> dict[str, str]:
    """``messages/<lang>_columns.yaml`` and the studies' (``tasks/studies/<study>/messages/``,
    for their own tables): ``schema.table[.column]`` -> description ({} for en)."""
    if lang == DEFAULT_LANG:
        return {}
    name = f"{lang}_columns.yaml"
    path = resources.files(MESSAGES_PACKAGE).joinpath(name)
    generic = yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else {}
    files = [f for fs in study_files("messages", name).values() for f in fs if f.name == name]
    return merge_files({str(k): str(v) for k, v in generic.items()}, files, "column text")


def grain_of(description: str | None, prefix: str = ROW_PREFIX) -> str:
    """What one row is, from a description ``<prefix><grain>. ...`` (see TableDoc.grain)."""
    text = description or ""
    if not text.startswith(prefix):
        return text
    return text[len(prefix) :].split(". ", 1)[0].split(": ", 1)[0].rstrip(".")


def results_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every base table of the ``results`` schema, as ``results.<name>``, sorted."""
    rows = con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'results' "
        "AND table_type = 'BASE TABLE' ORDER BY table_name"
    ).fetchall()
    return [f"results.{name}" for (name,) in rows]


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
                f"COPY (SELECT * FROM {qualified(table)}) TO {literal(tmp)} (FORMAT PARQUET)"
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
    """Sheet name for ``results.<name>`` in the current language, fit for Excel and unique.

    ``xlsx.sheets.<name>`` of the catalogue (``<name>`` itself if absent), without Excel's
    forbidden characters ``[]:*?/\\``, cut to 31 characters, ``~2``... appended if taken.
    """
    short = table.split(".", 1)[-1]
    text = optional(f"xlsx.sheets.{short}", short)
    clean = "".join("_" if ch in SHEET_FORBIDDEN else ch for ch in text).strip("' ") or short
    base = clean[:SHEET_MAX]
    name, i = base, 2
    while name.lower() in used:
        suffix = f"~{i}"
        name, i = base[: SHEET_MAX - len(suffix)] + suffix, i + 1
    used.add(name.lower())
    return name


def about_frame(
    con: duckdb.DuckDBPyConnection, tables: list[str], lang: str = DEFAULT_LANG
) -> pd.DataFrame:
    """One row per (table, column): sheet, one row per, column, type, description.

    The column headers are the English names above for ``en``; the sheet names and
    descriptions (and, for another ``lang``, the headers) are in ``lang``.
    """
    rows = []
    own, shipped = read_docs(con), shipped_docs()
    empty = TableDoc(table="", kind="table", description=None, columns=())
    with language(lang):
        used: set[str] = {t("xlsx.about_sheet").lower()}
        texts = column_texts(lang)
        prefix = t("xlsx.row_prefix")
        undocumented = t("xlsx.undocumented")
        for table in tables:
            doc, ref = own.get(table, empty), shipped.get(table, empty)
            grain = doc.grain if doc.description else ref.grain
            if table in texts:
                grain = grain_of(texts[table], prefix)
            sheet = sheet_name(table, used)
            n = con.execute(f"SELECT count(*) FROM {qualified(table)}").fetchone()[0]
            for col, dtype, *_ in con.execute(f"DESCRIBE {qualified(table)}").fetchall():
                english = doc.column(col) or ref.column(col)
                text = texts.get(f"{table}.{col}") or english
                rows.append(
                    {
                        "table": table,
                        "sheet": sheet,
                        "one row per": grain,
                        "rows": n,
                        "column": col,
                        "type": dtype,
                        "description": text or undocumented,
                    }
                )
        frame = pd.DataFrame(rows, columns=list(ABOUT_COLUMNS))
        if lang != DEFAULT_LANG:
            frame.columns = [t(f"xlsx.header.{k.replace(' ', '_')}") for k in ABOUT_COLUMNS]
    return frame


def export_xlsx(
    warehouse: str | Path,
    path: str | Path,
    *,
    run_id: str | None = None,
    lang: str = DEFAULT_LANG,
) -> dict[str, str]:
    """Write every results table to one workbook at ``path``; returns sheet -> table.

    The first sheet, "About" ("Описание" in Russian), says where the data came from and
    describes every column; sheet names, the About sheet's texts and headers are in ``lang``.
    The data sheets keep the column names of the warehouse (what ``monotowns query`` and the
    Parquet files use); the About sheet describes each.
    """
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = results_tables(con)
        about = about_frame(con, tables, lang)
        frames = {x: _excel_safe(con.execute(f"SELECT * FROM {qualified(x)}").df()) for x in tables}
    now = datetime.now(UTC).replace(microsecond=0)
    with language(lang):
        about_sheet = t("xlsx.about_sheet")
        header = [
            [t("xlsx.title")],
            [t("xlsx.warehouse", path=Path(warehouse).resolve())],
            [t("xlsx.run", run_id=run_id or t("xlsx.unknown_run"))],
            [t("xlsx.exported", when=now.isoformat() if lang == "en" else timestamp(now))],
            [t("xlsx.one_sheet_per_table")],
            [],
        ]
    sheets: dict[str, str] = {}
    sheet_col, table_col = about.columns[1], about.columns[0]
    with pd.ExcelWriter(tmp, engine="openpyxl") as xw:
        about.to_excel(xw, sheet_name=about_sheet, index=False, startrow=len(header))
        ws = xw.sheets[about_sheet]
        for i, line in enumerate(header, start=1):
            if line:
                ws.cell(row=i, column=1, value=line[0])
        ws.cell(row=1, column=1).font = Font(bold=True, size=13)
        for table, sheet in zip(about[table_col], about[sheet_col], strict=True):
            sheets.setdefault(sheet, table)
        for sheet, table in sheets.items():
            frames[table].to_excel(xw, sheet_name=sheet, index=False)
        for name, ws in xw.sheets.items():
            ws.freeze_panes = "A2" if name != about_sheet else f"A{len(header) + 2}"
            last = min(ws.max_row, 200)  # iterating further would create empty cells
            for idx, column in enumerate(ws.iter_cols(min_row=1, max_row=last), start=1):
                width = max((len(str(c.value)) for c in column if c.value is not None), default=8)
                ws.column_dimensions[get_column_letter(idx)].width = min(max(width + 2, 8), 70)
    os.replace(tmp, target)
    return sheets
