"""Exports of the results tables: Parquet files (one per table) and one XLSX workbook.

Both read a published warehouse through a read-only DuckDB connection. Parquet is written by
DuckDB itself (``COPY ... TO ... (FORMAT PARQUET)``), so types survive exactly; the workbook
(openpyxl) has one sheet per results table after an "About" sheet that lists every table's
columns with the descriptions of :data:`TABLE_DOCS` (which mirrors the README's table docs).
Files are written under a temporary name and renamed, so a reader never opens half a file.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd

#: results table -> (one row per, {column: description}); mirrors README "Warehouse tables".
TABLE_DOCS: dict[str, tuple[str, dict[str, str]]] = {
    "results.grp_by_year": (
        "town x year",
        {
            "town_id": "town (core.town)",
            "source": "source(s) of the row's values (per cell: files, bundled, Taldau)",
            "year": "calendar year",
            "industry": "GRP, industry (mln KZT), as printed in the study's Table 1",
            "mining": "GRP, mining (mln KZT)",
            "manufacturing": "GRP, manufacturing (mln KZT)",
            "services": "GRP, services (mln KZT)",
            "total_as_study": "industry + mining + manufacturing + services: the study's total",
            "total_industry_services": "industry + services: no double count if industry "
            "contains mining and manufacturing",
            "yoy_growth_as_study": "total_as_study / previous year's - 1 (consecutive years only)",
            "yoy_growth_industry_services": "total_industry_services / previous year's - 1",
            "hhi_as_study": "Herfindahl-Hirschman index over the four printed columns (0-1)",
            "hhi_industry_services": "Herfindahl-Hirschman index over {industry, services} (0-1)",
            "note": "caveats of the row",
        },
    ),
    "results.grp_sector_share": (
        "town x year x sector",
        {
            "town_id": "town (core.town)",
            "source": "source(s) of the row's values (per cell: files, bundled, Taldau)",
            "year": "calendar year",
            "sector": "industry | mining | manufacturing | services",
            "value": "GRP of the sector (mln KZT)",
            "share_as_study": "share of total_as_study (0-1)",
            "share_industry_services": "share of industry + services (0-1; NULL for mining "
            "and manufacturing)",
        },
    ),
    "results.labour_market": (
        "town x year (missing years stay missing)",
        {
            "town_id": "town (core.town)",
            "source": "source(s) of the row's values (per cell: files, bundled, Taldau)",
            "year": "calendar year",
            "active_thousand": "economically active population (thousand persons)",
            "employed_thousand": "employed population (thousand persons)",
            "unemployed": "unemployed (persons)",
            "self_employed": "self-employed (persons)",
            "unemployment_rate": "unemployment rate as published (%)",
            "implied_unemployed": "1000 x (active - employed) (persons)",
            "implied_rate": "100 x unemployed / (1000 x active) (%)",
            "employment_rate": "100 x employed / active (%)",
            "consistent": "published values agree within rounding (NULL when a value is missing)",
            "note": "which consistency rule failed, or what is missing",
        },
    ),
    "results.perception_summary": (
        "survey x area (study Table 4)",
        {
            "survey_id": "survey wave (core.survey)",
            "area": "area of life asked about",
            "n": "respondents who answered",
            "improved": "improved significantly + somewhat (respondents)",
            "unchanged": "unchanged (respondents)",
            "worsened": "worsened somewhat + significantly (respondents)",
            "share_improved": "improved / n (0-1)",
            "share_unchanged": "unchanged / n (0-1)",
            "share_worsened": "worsened / n (0-1)",
            "net_balance": "share improved - share worsened (percentage points)",
            "mean_score": "mean on 5 = improved significantly ... 1 = worsened significantly",
            "sd_score": "sample standard deviation of the score",
            "ci_low": "lower end of the t interval of the mean",
            "ci_high": "upper end of the t interval of the mean",
            "ci_level": "confidence level of the interval",
            "median_score": "median score",
        },
    ),
    "results.correlation": (
        "analysed pair",
        {
            "analysis": "which analysis (study table or data set) the pair belongs to",
            "x": "first variable",
            "y": "second variable",
            "method": "pearson | spearman | kendall",
            "n": "number of pairs used",
            "estimate": "correlation coefficient (r, rho or tau)",
            "p_value": "p-value of the test of no correlation (as R cor.test, exact = FALSE)",
            "ci_low": "lower end of the confidence interval",
            "ci_high": "upper end of the confidence interval",
            "ci_level": "confidence level of the interval",
            "note": "what the coefficient can and cannot mean; method notes",
        },
    ),
    "results.paper_reproduction": (
        "number the study publishes",
        {
            "source_table": "where the study prints it (e.g. Table 7)",
            "statistic": "which number",
            "published": "the number as printed (text)",
            "published_value": "the printed number read as a number",
            "recomputed": "the number recomputed from the study's input tables",
            "status": "reproduced | discrepancy | not_reproducible",
            "explanation": "how it was recomputed and what explains a discrepancy",
        },
    ),
    "results.hypothesis": (
        "hypothesis H1-H4",
        {
            "hypothesis": "H1 ... H4",
            "statement": "the hypothesis as the study states it",
            "evidence": "which data the test uses",
            "statistic": "the test statistic's name",
            "value": "the test statistic's value",
            "p_value": "p-value of the test",
            "p_adjusted": "Holm-adjusted p-value over the hypotheses",
            "decision_rule": "how the verdict follows from the test",
            "verdict": "supported | not supported | insufficient evidence",
            "note": "why the verdict is what it is",
        },
    ),
    "results.support_measure": (
        "survey x support measure (study Table 7)",
        {
            "survey_id": "survey wave (core.survey)",
            "measure": "support measure",
            "measure_label": "support measure as the questionnaire names it",
            "n": "respondents who scored the measure",
            "mean_score": "mean of the 1..10 scores",
            "sd_score": "sample standard deviation (n - 1)",
            "ci_low": "lower end of the Student-t interval of the mean",
            "ci_high": "upper end of the Student-t interval of the mean",
            "ci_level": "confidence level of the interval",
            "median_score": "median score",
            "share_8_plus": "share of respondents scoring 8, 9 or 10 (0-1)",
            "rank_by_mean": "1 = highest mean score (ties share the best rank)",
            "importance_coefficient": "the study's 'importance': Pearson r of score (1..10) vs "
            "respondents per score",
            "importance_rank": "1 = highest importance_coefficient",
            "sk_aggregate": "the study's SK: mean of the measures' importance coefficients",
            "note": "caveats",
        },
    ),
    "results.survey_item_summary": (
        "imported survey wave x item x respondent group",
        {
            "survey_id": "survey wave (core.survey_wave)",
            "synthetic": "the wave is synthetic (test or demonstration data)",
            "item": "questionnaire item",
            "role": "category | perception | support | demographic | assessment | other",
            "scale_type": "ordinal | score | nominal | binary",
            "group_item": "'' for all respondents, else the category item grouped by",
            "group_value": "'' for all respondents, else the category",
            "n": "respondents who answered",
            "mean": "mean of the answer codes",
            "sd": "sample standard deviation",
            "ci_low": "lower end of the Student-t interval of the mean",
            "ci_high": "upper end of the Student-t interval of the mean",
            "ci_level": "confidence level of the interval",
            "median": "median answer code",
            "note": "caveats",
        },
    ),
    "results.survey_item_correlation": (
        "imported survey wave x item pair x method",
        {
            "survey_id": "survey wave (core.survey_wave)",
            "synthetic": "the wave is synthetic (test or demonstration data)",
            "analysis": "which analysis the pair belongs to",
            "x": "first item",
            "y": "second item",
            "method": "spearman | kendall (tau-b)",
            "n": "respondents who answered both items",
            "estimate": "correlation coefficient",
            "p_value": "p-value of the test of no correlation",
            "p_adjusted": "Holm-adjusted p-value, within survey x method",
            "ci_low": "lower end of the confidence interval",
            "ci_high": "upper end of the confidence interval",
            "ci_level": "confidence level of the interval",
            "note": "caveats",
        },
    ),
    "results.survey_reliability": (
        "imported survey wave x multi-item scale",
        {
            "survey_id": "survey wave (core.survey_wave)",
            "synthetic": "the wave is synthetic (test or demonstration data)",
            "composite": "the multi-item scale, e.g. perception (Table 4 items), support (Table 7)",
            "items": "comma-separated item ids",
            "k": "number of items",
            "n": "respondents with every item answered (listwise)",
            "alpha": "Cronbach's alpha (raw)",
            "alpha_standardized": "standardized alpha, from the mean inter-item Pearson r",
            "mean_inter_item_r": "mean inter-item Pearson r",
            "ci_low": "lower end of the Feldt (1965) F-based interval of alpha",
            "ci_high": "upper end of the interval",
            "ci_level": "confidence level of the interval",
            "ci_method": "how the interval was computed",
            "note": "caveats",
        },
    ),
    "results.survey_association": (
        "imported survey wave x answer item x category item",
        {
            "survey_id": "survey wave (core.survey_wave)",
            "synthetic": "the wave is synthetic (test or demonstration data)",
            "item": "answer item (rows of the contingency table)",
            "by_item": "category item (columns of the contingency table)",
            "n": "respondents in the table",
            "n_rows": "non-empty answer levels",
            "n_cols": "non-empty categories",
            "test": "chi-square | fisher-exact | fisher-monte-carlo | not computed",
            "statistic": "Pearson chi-square (also reported when Fisher is used)",
            "df": "degrees of freedom of the chi-square",
            "p_value": "p-value of the test named in `test`",
            "p_adjusted": "Holm-adjusted p-value, within survey x by_item",
            "cramers_v": "Cramer's V (0-1)",
            "min_expected": "smallest expected cell count",
            "share_expected_below_5": "share of cells with an expected count below 5",
            "note": "caveats",
        },
    ),
    "results.survey_wave_change": (
        "town x item x pair of waves",
        {
            "town_id": "town (core.town)",
            "item": "questionnaire item",
            "survey_from": "earlier wave",
            "survey_to": "later wave",
            "synthetic": "true when either wave is synthetic",
            "n_from": "respondents in the earlier wave",
            "n_to": "respondents in the later wave",
            "mean_from": "mean in the earlier wave",
            "mean_to": "mean in the later wave",
            "difference": "mean_to - mean_from",
            "ci_low": "lower end of the Welch interval of the difference",
            "ci_high": "upper end of the Welch interval of the difference",
            "ci_level": "confidence level of the interval",
            "t_statistic": "Welch t statistic",
            "df": "Welch-Satterthwaite degrees of freedom",
            "p_value": "p-value of the Welch test",
            "p_adjusted": "Holm-adjusted p-value, within town x wave pair",
            "note": "caveats",
        },
    ),
}
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
    for table in tables:
        grain, docs = TABLE_DOCS.get(table, ("", {}))
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
                    "description": docs.get(col, UNDOCUMENTED),
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
