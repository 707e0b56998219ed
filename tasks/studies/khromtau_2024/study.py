"""The study's own analyses (Tables 5-9 and the GRP-unemployment link), redone with caveats.

Every function takes plain frames (core tables) and returns rows for a results table:

* :func:`table6_correlations` -- Table 5/6: job x entrepreneurship-opportunity answer counts over
  the five answer categories, with Table 5's printed counts and with Table 4's counts.
* :func:`importance_correlations` and :func:`support_measures` -- Table 7: the study's
  "importance" coefficient per support measure (verified: the Pearson r between the score 1..10
  and the number of respondents giving that score), the mean score with a t interval, the share
  scoring 8+, rankings, and the study's aggregate SK (mean of the coefficients).
* :func:`paired_correlations` -- Tables 8-9: Pearson, Spearman and Kendall on all 21 rows.
* :func:`grp_unemployment_correlations` -- GRP total (both definitions) vs the unemployment rate
  over the years both exist.

Correlation rows come from :func:`tasks.stats.correlation.correlate` (R ``cor.test``); the
``note`` of each row starts with what the correlation can and cannot mean, then the method note;
the notes are in ``texts.yaml``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from schemas.inputs import ANSWERS
from tasks.analyses import grp, labour
from tasks.analyses.support import SCORES, measures, score_counts, support_summary
from tasks.schema import columns
from tasks.stats.correlation import COLUMNS, correlate
from tasks.studies.khromtau_2024.texts import text, texts

STUDY_SURVEY = "khromtau-2024-study"
STUDY_TOWN = "khromtau"
SUPPORT_TABLE = "results.support_measure"  # its columns: tasks.schema.columns(SUPPORT_TABLE)

TABLE6_ANALYSIS = "table6_job_vs_entrepreneurship_counts"
TABLE7_ANALYSIS = "table7_importance(score_vs_respondents)"
TABLE9_ANALYSIS = "table9_paired_values(table8)"
GRP_ANALYSIS = "grp_vs_unemployment_rate"

CATEGORY_NOTE = text("study", "category_note")
IMPORTANCE_NOTE = text("study", "importance_note")
SUPPORT_NOTE = text("study", "support_note")
GRP_NOTE = text("study", "grp_note")  # a template: n, first, last, definition
GRP_DEFINITIONS: dict[str, str] = dict(texts()["study"]["grp_definitions"])


def __getattr__(name: str):
    """``SUPPORT_COLUMNS``: the columns of :data:`SUPPORT_TABLE`, read from the migrations."""
    if name == "SUPPORT_COLUMNS":
        return columns(SUPPORT_TABLE)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def label(base: str, survey_id: str) -> str:
    """Analysis label: ``base`` for the study's survey, ``base[survey_id]`` for other surveys."""
    return base if survey_id == STUDY_SURVEY else f"{base}[{survey_id}]"


def _frame(rows: list[dict]) -> pd.DataFrame:
    out = pd.DataFrame(rows, columns=list(COLUMNS))
    out["n"] = out["n"].astype("int64")
    return out


def _with_note(row: dict, caveat: str) -> dict:
    row["note"] = f"{caveat} | {row['note']}" if row.get("note") else caveat
    return row


def answer_counts(perception: pd.DataFrame, survey_id: str, area: str) -> pd.Series:
    """Table 4 counts of one area in the order of :data:`ANSWERS` (NaN if an answer is absent)."""
    sub = perception[(perception["survey_id"] == survey_id) & (perception["area"] == area)]
    return sub.set_index("answer")["respondents"].astype(float).reindex(list(ANSWERS))


def table5_counts(table5: pd.DataFrame, survey_id: str) -> pd.DataFrame:
    """Table 5 rows of one survey in the order of :data:`ANSWERS`."""
    sub = table5[table5["survey_id"] == survey_id].set_index("answer")
    return sub.reindex(list(ANSWERS))


def table6_correlations(
    table5: pd.DataFrame, perception: pd.DataFrame, conf_level: float = 0.95
) -> pd.DataFrame:
    """Pearson and Spearman of the job vs entrepreneurship answer counts (Tables 5 and 4).

    Two analyses per survey: ``...(table5)`` with Table 5's printed counts, ``...(table4)`` with
    Table 4's counts (they differ where Table 5 prints 13 and Table 4 has 19).
    """
    rows: list[dict] = []
    for survey_id in sorted(table5["survey_id"].unique()):
        t5 = table5_counts(table5, survey_id)
        t4_job = answer_counts(perception, survey_id, "job")
        t4_ent = answer_counts(perception, survey_id, "entrepreneurship")
        diffs = [
            text("study", "table6_cell_differs", col=col, answer=a, t5=t5.loc[a, col], t4=t4[a])
            for col, t4 in (("job", t4_job), ("entrepreneurship", t4_ent))
            for a in ANSWERS
            if pd.notna(t5.loc[a, col]) and pd.notna(t4[a]) and t5.loc[a, col] != t4[a]
        ]
        differ = text("study", "table6_differ", cells="; ".join(diffs)) if diffs else ""
        variants = (
            ("table5", t5["job"], t5["entrepreneurship"], text("study", "table6_t5") + differ),
            ("table4", t4_job, t4_ent, text("study", "table6_t4") + differ),
        )
        for tag, x, y, source in variants:
            if x.isna().all() or y.isna().all():
                continue
            source = text("study", "table6_sums", source=source, x=x.sum(), y=y.sum())
            for method in ("pearson", "spearman"):
                row = correlate(
                    x.to_numpy(),
                    y.to_numpy(),
                    method=method,
                    conf_level=conf_level,
                    analysis=label(f"{TABLE6_ANALYSIS}({tag})", survey_id),
                    x_name="job",
                    y_name="entrepreneurship",
                )
                rows.append(_with_note(row, f"{source}. {CATEGORY_NOTE}"))
    return _frame(rows)


def importance_correlations(scores: pd.DataFrame, conf_level: float = 0.95) -> pd.DataFrame:
    """The study's Table 7 "importance" coefficients as correlation rows (score vs count)."""
    rows = []
    for survey_id, measure, _ in measures(scores):
        counts = score_counts(scores, survey_id, measure)
        row = correlate(
            np.asarray(SCORES, dtype=float),
            counts.to_numpy(),
            method="pearson",
            conf_level=conf_level,
            analysis=label(TABLE7_ANALYSIS, survey_id),
            x_name="score",
            y_name=f"respondents:{measure}",
        )
        rows.append(_with_note(row, IMPORTANCE_NOTE))
    return _frame(rows)


def support_measures(scores: pd.DataFrame, conf_level: float = 0.95) -> pd.DataFrame:
    """Per support measure: mean score with a t CI, share scoring 8+, ranks, coefficient, SK."""
    out = support_summary(scores, conf_level)
    if out.empty:
        return pd.DataFrame(columns=list(columns(SUPPORT_TABLE)))
    out["importance_coefficient"] = importance_correlations(scores, conf_level)["estimate"]
    out["note"] = SUPPORT_NOTE
    by_survey = out.groupby("survey_id")
    out["importance_rank"] = by_survey["importance_coefficient"].rank(ascending=False, method="min")
    out["importance_rank"] = out["importance_rank"].astype("Int64")
    out["sk_aggregate"] = by_survey["importance_coefficient"].transform("mean")
    return out[list(columns(SUPPORT_TABLE))]


def paired_values(paired: pd.DataFrame, survey_id: str) -> pd.DataFrame:
    """Table 8 rows of one survey in printed row order."""
    return paired[paired["survey_id"] == survey_id].sort_values("row").reset_index(drop=True)


def paired_correlations(paired: pd.DataFrame, conf_level: float = 0.95) -> pd.DataFrame:
    """Pearson, Spearman and Kendall tau-b of Table 8's x and y over all its rows."""
    rows = []
    for survey_id in sorted(paired["survey_id"].unique()):
        p = paired_values(paired, survey_id)
        caveat = text(
            "study", "paired_caveat", n=len(p), x_values=p["x"].nunique(), y_values=p["y"].nunique()
        )
        for method in ("pearson", "spearman", "kendall"):
            row = correlate(
                p["x"].to_numpy(dtype=float),
                p["y"].to_numpy(dtype=float),
                method=method,
                conf_level=conf_level,
                analysis=label(TABLE9_ANALYSIS, survey_id),
                x_name="x",
                y_name="y",
            )
            rows.append(_with_note(row, caveat))
    return _frame(rows)


def grp_unemployment(observations: pd.DataFrame) -> pd.DataFrame:
    """Per town and year: both GRP totals and the unemployment rate, years where all exist."""
    g = grp.grp_by_year(observations)[
        ["town_id", "year", "total_as_study", "total_industry_services"]
    ]
    lab = labour.labour_market(observations)[["town_id", "year", "unemployment_rate"]]
    both = g.merge(lab, on=["town_id", "year"], how="inner")
    return both.sort_values(["town_id", "year"]).reset_index(drop=True)


def grp_unemployment_correlations(
    observations: pd.DataFrame, conf_level: float = 0.95
) -> pd.DataFrame:
    """Pearson and Spearman of GRP total (two definitions) vs unemployment rate, per town."""
    both = grp_unemployment(observations)
    rows = []
    for town, g in both.groupby("town_id", sort=True):
        for total, definition in GRP_DEFINITIONS.items():
            keep = g[[total, "unemployment_rate"]].notna().all(axis=1)
            years = g.loc[keep, "year"]
            if years.empty:
                continue
            caveat = GRP_NOTE.format(
                n=len(years), first=years.min(), last=years.max(), definition=definition
            )
            for method in ("pearson", "spearman"):
                row = correlate(
                    g[total].to_numpy(dtype=float),
                    g["unemployment_rate"].to_numpy(dtype=float),
                    method=method,
                    conf_level=conf_level,
                    analysis=f"{GRP_ANALYSIS}({town})",
                    x_name=f"grp_{total}",
                    y_name="unemployment_rate",
                )
                rows.append(_with_note(row, caveat))
    return _frame(rows)


def study_correlations(
    table5: pd.DataFrame,
    perception: pd.DataFrame,
    scores: pd.DataFrame,
    paired: pd.DataFrame,
    observations: pd.DataFrame,
    conf_level: float = 0.95,
) -> pd.DataFrame:
    """All of the study's correlation rows, for ``results.correlation``."""
    parts = [
        table6_correlations(table5, perception, conf_level),
        importance_correlations(scores, conf_level),
        paired_correlations(paired, conf_level),
        grp_unemployment_correlations(observations, conf_level),
    ]
    parts = [p for p in parts if not p.empty]
    if not parts:
        return _frame([])
    return pd.concat(parts, ignore_index=True)
