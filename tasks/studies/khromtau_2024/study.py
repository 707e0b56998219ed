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
``note`` of each row starts with what the correlation can and cannot mean, then the method note.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from schemas.inputs import ANSWERS
from tasks.analyses import grp, labour
from tasks.stats.correlation import COLUMNS, correlate
from tasks.stats.describe import mean_ci, median_from_counts

STUDY_SURVEY = "khromtau-2024-study"
STUDY_TOWN = "khromtau"
SCORES = tuple(range(1, 11))  # Table 7 scale
HIGH_SCORE = 8  # "share scoring 8 or more"
#: Columns of ``results.support_measure`` (migration 003), in order.
SUPPORT_COLUMNS = (
    "survey_id",
    "measure",
    "measure_label",
    "n",
    "mean_score",
    "sd_score",
    "ci_low",
    "ci_high",
    "ci_level",
    "median_score",
    "share_8_plus",
    "rank_by_mean",
    "importance_coefficient",
    "importance_rank",
    "sk_aggregate",
    "note",
)

TABLE6_ANALYSIS = "table6_job_vs_entrepreneurship_counts"
TABLE7_ANALYSIS = "table7_importance(score_vs_respondents)"
TABLE9_ANALYSIS = "table9_paired_values(table8)"
GRP_ANALYSIS = "grp_vs_unemployment_rate"

CATEGORY_NOTE = (
    "n = 5 answer categories, not 50 respondents: each 'pair' is the number of respondents who "
    "chose one answer category for 'Job' and for 'Opportunities to engage in entrepreneurship'. "
    "The coefficient measures how similar the shapes of the two answer distributions are; it says "
    "nothing about whether the respondents who see jobs improving also see entrepreneurship "
    "opportunities improving (that needs respondent-level answers, which the study does not "
    "publish). Each item's counts add up to the number of respondents who answered it, so the "
    "5 'pairs' are not independent and the p-value and interval have no sampling interpretation."
)
IMPORTANCE_NOTE = (
    "The study's 'importance' coefficient (Table 7, unlabelled row under the scores): verified to "
    "be the Pearson r between the score (1..10) and the number of respondents giving that score, "
    "n = 10 score levels, not 50 respondents. It describes the shape of the score distribution "
    "(large when the counts rise steadily with the score), not the importance of the measure or "
    "an association between two variables measured on respondents; the counts add up to the "
    "number of respondents, so the "
    "10 'pairs' are not independent and the p-value and interval have no sampling interpretation."
)
SUPPORT_NOTE = (
    "Mean and t interval treat the 1..10 score as interval-scaled and the respondents as a simple "
    "random sample (the study's 50 entrepreneurs are a convenience sample). The same respondents "
    "scored every measure, so the measures' intervals are not independent: overlapping or "
    "non-overlapping intervals are not a test of a difference between measures."
)
GRP_NOTE = (
    "n = {n} years ({first}-{last}, the years with both GRP and the unemployment rate): two short "
    "annual series; the p-value assumes independent years (autocorrelation and trends ignored) "
    "and the interval is very wide at this n. An ecological, descriptive association only: it "
    "says nothing about what caused either series. {definition}"
)
GRP_DEFINITIONS = {
    "total_as_study": (
        "grp_total_as_study = industry + mining + manufacturing + services, the study's sum; "
        "double-counts mining and manufacturing if industry already contains them."
    ),
    "total_industry_services": (
        "grp_total_industry_services = industry + services (no double count if industry contains "
        "mining and manufacturing)."
    ),
}


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
            f"{col} '{a}': Table 5 {t5.loc[a, col]:g}, Table 4 {t4[a]:g}"
            for col, t4 in (("job", t4_job), ("entrepreneurship", t4_ent))
            for a in ANSWERS
            if pd.notna(t5.loc[a, col]) and pd.notna(t4[a]) and t5.loc[a, col] != t4[a]
        ]
        differ = ("; cells that differ from Table 4: " + "; ".join(diffs)) if diffs else ""
        variants = (
            ("table5", t5["job"], t5["entrepreneurship"], "Table 5's printed counts" + differ),
            ("table4", t4_job, t4_ent, "Table 4's counts" + differ),
        )
        for tag, x, y, source in variants:
            if x.isna().all() or y.isna().all():
                continue
            source = f"{source}; counts sum to {x.sum():g} (job) and {y.sum():g} (entrepreneurship)"
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


def score_counts(scores: pd.DataFrame, survey_id: str, measure: str) -> pd.Series:
    """Respondents per score 1..10 of one measure (a score nobody gave counts 0)."""
    sub = scores[(scores["survey_id"] == survey_id) & (scores["measure"] == measure)]
    return sub.groupby("score")["respondents"].sum().reindex(SCORES, fill_value=0).astype(float)


def measures(scores: pd.DataFrame) -> list[tuple[str, str, str]]:
    """(survey_id, measure, label) in order of first appearance (the study's column order)."""
    firsts = scores.drop_duplicates(["survey_id", "measure"])
    labels = firsts.get("measure_label", pd.Series([None] * len(firsts), index=firsts.index))
    return [
        (s, m, lab if isinstance(lab, str) else m)
        for s, m, lab in zip(firsts["survey_id"], firsts["measure"], labels, strict=True)
    ]


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
    coef = importance_correlations(scores, conf_level)
    rows = []
    for (survey_id, measure, measure_label), est in zip(
        measures(scores), coef["estimate"], strict=True
    ):
        counts = score_counts(scores, survey_id, measure)
        levels = np.asarray(SCORES, dtype=float)
        m = mean_ci(counts=counts.to_numpy(), levels=levels, conf_level=conf_level)
        n = int(counts.sum())
        high = float(counts[counts.index >= HIGH_SCORE].sum())
        rows.append(
            {
                "survey_id": survey_id,
                "measure": measure,
                "measure_label": measure_label,
                "n": n,
                "mean_score": m["mean"],
                "sd_score": m["sd"],
                "ci_low": m["ci_low"],
                "ci_high": m["ci_high"],
                "ci_level": conf_level,
                "median_score": median_from_counts(levels, counts.to_numpy()) if n else np.nan,
                "share_8_plus": high / n if n else np.nan,
                "importance_coefficient": est,
                "note": SUPPORT_NOTE,
            }
        )
    out = pd.DataFrame(rows)
    if out.empty:
        return pd.DataFrame(columns=list(SUPPORT_COLUMNS))
    by_survey = out.groupby("survey_id")
    out["rank_by_mean"] = by_survey["mean_score"].rank(ascending=False, method="min")
    out["importance_rank"] = by_survey["importance_coefficient"].rank(ascending=False, method="min")
    out["rank_by_mean"] = out["rank_by_mean"].astype("Int64")
    out["importance_rank"] = out["importance_rank"].astype("Int64")
    out["sk_aggregate"] = by_survey["importance_coefficient"].transform("mean")
    return out[list(SUPPORT_COLUMNS)]


def paired_values(paired: pd.DataFrame, survey_id: str) -> pd.DataFrame:
    """Table 8 rows of one survey in printed row order."""
    return paired[paired["survey_id"] == survey_id].sort_values("row").reset_index(drop=True)


def paired_correlations(paired: pd.DataFrame, conf_level: float = 0.95) -> pd.DataFrame:
    """Pearson, Spearman and Kendall tau-b of Table 8's x and y over all its rows."""
    rows = []
    for survey_id in sorted(paired["survey_id"].unique()):
        p = paired_values(paired, survey_id)
        caveat = (
            f"All {len(p)} rows of Table 8 (the study's printed formulas cover only rows 1-20). "
            "The study does not say what x and y are or how these 'selected values' were chosen, "
            f"so the rows cannot be treated as a random sample; heavy ties (x takes "
            f"{p['x'].nunique()} distinct values, y {p['y'].nunique()})."
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
