"""Labour-market consistency: employed <= economically active, the unemployment rate agrees with
unemployed / active, ... (the pandera schemas of :func:`schemas.inputs.labour_market_schemas`),
run on the wide table built in SQL from the observations."""

from __future__ import annotations

from schemas.inputs import LABOUR, RULES, labour_market_schemas
from tasks.parse import Issue
from tasks.validate.adapters import cell_text, table_issues
from tasks.validate.rules.batch import RuleBatch, obs_columns, obs_table
from warehouse.sql import ident, literal


def labour_consistency(batch: RuleBatch) -> list[Issue]:
    """Cross-column labour-market rules (pandera, Ibis) on the wide table, built in SQL."""
    if "observations" not in batch.frames:
        return []
    stage, obs = obs_table(batch)
    cols = ", ".join(
        f"first(value) FILTER (WHERE indicator_id = {literal(ind)}) AS {wide}"
        for ind, wide in LABOUR.items()
    )
    inds = ", ".join(literal(i) for i in LABOUR)
    if "town_id" in obs_columns(batch):  # an input file: per town and territory kind
        unit = "CASE WHEN territory_kind = 'town' THEN town_id ELSE "
        unit += "town_id || ' (' || territory_kind || ')' END"
    else:  # parsed rows: per territory
        unit = "territory_id"
    stage.con.execute(
        f"CREATE OR REPLACE TABLE labour_wide AS SELECT {unit} AS town_id, year, {cols} "
        f"FROM {ident(obs)} WHERE indicator_id IN ({inds}) GROUP BY ALL ORDER BY town_id, year"
    )
    (n,) = stage.con.execute("SELECT count(*) FROM labour_wide").fetchall()[0]
    if not n:
        return []
    src = batch.payload_of["observations"].source
    fname = batch.files["observations"]
    errors, warnings = labour_market_schemas()
    out = []
    for schema, severity in ((errors, "error"), (warnings, "warning")):
        for issue in table_issues(
            stage,
            "labour_wide",
            schema,
            severity=severity,
            source=src,
            table_name="labour_market",
            filename=fname,
            key=("town_id", "year"),
            by_row=False,
        ):
            town, year = issue.row_key.split("|")
            row = stage.con.execute(
                "SELECT active, employed, unemployed, rate FROM labour_wide "
                "WHERE town_id = ? AND year = ?",
                [town, int(year)],
            ).fetchall()[0]
            issue.observed = ", ".join(
                f"{c}={cell_text(v if v is None else float(v))}"
                for c, v in zip(LABOUR.values(), row, strict=True)
            )
            issue.column_name = None
            issue.message = (
                f"{fname}: labour market {issue.row_key}: {issue.observed} - "
                f"{RULES[issue.check_name]} [{issue.check_name}]"
            )
            out.append(issue)
    return out
