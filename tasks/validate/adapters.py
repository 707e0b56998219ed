"""The pandera adapters: a schema's failures as :class:`~tasks.parse.Issue` rows.

* :func:`schema_issues` -- a pandas schema on a pandas frame (the survey importer's inputs);
* :func:`table_issues` -- an Ibis schema on a stage table (every input file): pandera runs in
  the database and only the failing rows come back to Python, for the messages.

Rule ids are the checks' names; the plain-words rules are :data:`schemas.inputs.RULES`.
"""

from __future__ import annotations

import math

import pandas as pd
import pandera.ibis as pai
import pandera.pandas as pa

from schemas.inputs import CHECK_COLUMN, RULES
from tasks.parse import Issue, row_key_texts
from tasks.stage.database import Stage
from warehouse.sql import ident


def schema_issues(
    frame: pd.DataFrame,
    schema: pa.DataFrameSchema,
    *,
    severity: str,
    source: str,
    table: str,
    filename: str,
    key: tuple[str, ...],
    row_offset: int = 2,
) -> list[Issue]:
    """Run ``schema`` lazily and turn each failing (check, row) into one :class:`Issue`."""
    try:
        schema.validate(frame, lazy=True)
        return []
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    issues: list[Issue] = []
    seen: set[tuple] = set()
    keys: dict = {}  # row keys and cell values, looked up once: a bad file may fail every row
    cells: dict[str, dict] = {}
    failing: pd.DataFrame | None = None  # only the failing rows (0.1 % of 10M rows is 10k keys)
    for case in cases.itertuples(index=False):
        check = str(case.check).split("(")[0]
        if check in {"multiple_fields_uniqueness", "field_uniqueness"}:
            check = "unique_key"
        idx = case.index
        frame_level = case.schema_context == "DataFrameSchema"
        column = case.column if isinstance(case.column, str) and not frame_level else None
        column = CHECK_COLUMN.get(check, column)
        if check == "unique_key":
            column = ", ".join(key)
        ident = (check, idx if pd.notna(idx) else None, column)
        if ident in seen:
            continue
        seen.add(ident)
        rule = RULES.get(check, check)
        if pd.isna(idx):
            issues.append(
                Issue(
                    source,
                    table,
                    check,
                    severity,
                    f"{filename}: {rule} [{check}]",
                    file=filename,
                    column_name=column,
                )
            )
            continue
        idx = int(idx)
        if failing is None:
            rows = pd.to_numeric(cases["index"], errors="coerce").dropna().astype("int64")
            failing = frame[frame.index.isin(rows)]
        keys = keys or row_key_texts(failing, key)
        row_key = keys[idx]
        if column and column in frame.columns and check != "unique_key":
            if column not in cells:
                cells[column] = failing[column].to_dict()
            observed = cells[column][idx]
        else:
            observed = row_key
        where = f"{filename} row {idx + row_offset}" if row_offset else f"{table} {row_key}"
        col_txt = f", column {column}" if column else ""
        issues.append(
            Issue(
                source,
                table,
                check,
                severity,
                f"{where}{col_txt} ({row_key}): {observed!s} - {rule} [{check}]",
                file=filename,
                file_row=idx + row_offset if row_offset else None,
                row_key=row_key,
                column_name=column,
                observed=None if observed is None else str(observed),
            )
        )
    return issues


def cell_text(value) -> str:
    """A typed cell as pandas prints it in a message (NULL numbers as ``nan``)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "nan"
    return str(value)


def table_issues(
    stage: Stage,
    table: str,
    schema: pai.DataFrameSchema,
    *,
    severity: str,
    source: str,
    table_name: str,
    filename: str,
    key: tuple[str, ...],
    by_row: bool = True,
) -> list[Issue]:
    """Run an Ibis ``schema`` lazily on the stage table ``table``; one :class:`Issue` per
    failing (check, row). Rule ids are the checks' names in pandera's structured failure cases;
    the failing rows (only they) are fetched by position (the table's ``rowid``) for the
    messages. ``by_row``: messages name the file row (else the table and the row's key)."""
    try:
        schema.validate(stage.ibis.table(table), lazy=True)
        return []
    except pai.errors.SchemaErrors as exc:
        schema_errors = exc.schema_errors
    # (check, column, (how the failing rows are named: "_pos" | "_row", which))
    found: list[tuple[str, str | None, tuple[str, list[int]]]] = []
    for err in schema_errors:
        check = getattr(err.check, "name", None) or str(err.check)
        if check in {"multiple_fields_uniqueness", "field_uniqueness"}:
            # the duplicated rows, as an Ibis table (lazy): only their row numbers are fetched
            dupes = err.failure_cases.select("_row").execute()["_row"]
            found.append(("unique_key", ", ".join(key), ("_row", sorted(map(int, dupes)))))
            continue
        cases = err.failure_cases
        if not isinstance(cases, pd.DataFrame) or "index" not in cases.columns:
            raise RuntimeError(f"{table_name}: schema {check} failed: {cases}")  # a spec bug
        # a column's check: the component (pai.Column) is the error's schema
        column = err.schema.name if isinstance(err.schema, pai.Column) else None
        column = ", ".join(key) if check == "unique_key" else CHECK_COLUMN.get(check, column)
        positions = sorted(int(i) for i in pd.to_numeric(cases["index"]).dropna())
        found.append((check, column, ("_pos", positions)))
    rows_by: dict[str, dict[int, dict]] = {"_pos": {}, "_row": {}}
    by_view = stage.positions.get(table) == "row+2"  # position p is file row p + 2
    for kind in ("_pos", "_row"):
        wanted = sorted({p for _, _, (k, ps) in found if k == kind for p in ps})
        if not wanted:
            continue
        if kind == "_pos" and by_view:
            wanted = [p + 2 for p in wanted]
        stage.con.register("_wanted", pd.DataFrame({"p": wanted}))
        where = "rowid" if kind == "_pos" and not by_view else "_row"
        pos = "rowid" if where == "rowid" else ("_row - 2" if kind == "_pos" else "_row")
        frame = stage.con.execute(
            f"SELECT {pos} AS _key_, * FROM {ident(table)} WHERE {where} IN (SELECT p FROM _wanted)"
        ).df()
        stage.con.unregister("_wanted")
        for rec in frame.to_dict("records"):
            rows_by[kind][int(rec.pop("_key_"))] = rec
    issues: list[Issue] = []
    seen: set[tuple] = set()
    for check, column, (kind, ps) in found:
        store = rows_by[kind]
        rule = RULES.get(check, check)
        recs = sorted((store[p] for p in ps if p in store), key=lambda r: r.get("_row") or 0)
        for rec in recs:
            row_key = "|".join(cell_text(rec[k]) for k in key)
            ident_ = (check, rec.get("_row"), row_key, column)
            if ident_ in seen:
                continue
            seen.add(ident_)
            observed = (
                row_key if check == "unique_key" or column not in rec else cell_text(rec[column])
            )
            file_row = int(rec["_row"]) if by_row and rec.get("_row") is not None else None
            where = f"{filename} row {file_row}" if file_row else f"{table_name} {row_key}"
            col_txt = f", column {column}" if column else ""
            issues.append(
                Issue(
                    source,
                    table_name,
                    check,
                    severity,
                    f"{where}{col_txt} ({row_key}): {observed} - {rule} [{check}]",
                    file=filename,
                    file_row=file_row,
                    row_key=row_key,
                    column_name=column,
                    observed=observed,
                )
            )
    return issues
