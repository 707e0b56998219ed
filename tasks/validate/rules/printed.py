"""Printed values: where a source keeps the text it printed, the value loaded must be that text
read as a plain number (else a warning saying what was read)."""

from __future__ import annotations

import math

from schemas.inputs import RULES
from tasks.numbers_sql import analyst_number_sql
from tasks.parse import Issue
from tasks.validate.rules.batch import RuleBatch, obs_table
from warehouse.sql import ident


def printed_values(batch: RuleBatch) -> list[Issue]:
    """Warn where the printed text was not read as the plain number in ``value`` (SQL: only
    those rows come back)."""
    if "observations" not in batch.frames:
        return []
    stage, obs = obs_table(batch)
    names = {d[0] for d in stage.con.execute(f"SELECT * FROM {ident(obs)} LIMIT 0").description}
    if "printed" not in names:  # sources without a printed text (e.g. Taldau)
        return []
    parsed = analyst_number_sql("printed")
    rows = stage.con.execute(
        f"SELECT _row, town_id, indicator_id, year, printed, value, note FROM {ident(obs)} "
        f"WHERE printed <> '' AND NOT coalesce(({parsed}) IS NOT NULL AND value IS NOT NULL "
        f"AND abs(({parsed}) - value) < 1e-12 AND NOT contains(trim(printed), ' '), false) "
        "ORDER BY _row"
    ).fetchall()
    src = batch.payload_of["observations"].source
    fname = batch.files["observations"]
    out = []
    for file_row, town, ind, year, printed, value, note in rows:
        value = math.nan if value is None else float(value)
        key = f"{town}|{ind}|{year}"
        out.append(
            Issue(
                src,
                "observations",
                "value_as_printed",
                "warning",
                f"{fname} row {file_row}, column value ({key}): printed "
                f"{printed!r}, loaded {value!r} - {RULES['value_as_printed']}: {note}",
                file=fname,
                file_row=file_row,
                row_key=key,
                column_name="value",
                observed=printed,
            )
        )
    return out
