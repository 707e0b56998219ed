"""Support measures scored 1..10 (``core.survey_support_score_count``, study Table 7).

:func:`support_summary` is the one summary of a measure's score counts: n, mean score with a
t interval, median, share scoring 8 or more and the rank by mean within the survey. The Khromtau
study's support-measure table adds its own columns to it; the study's report section summarises
the counts with it when that table is absent.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tasks.stats.describe import mean_ci, median_from_counts

SCORES = tuple(range(1, 11))  # the 1..10 scale
HIGH_SCORE = 8  # "share scoring 8 or more"
SUMMARY_COLUMNS = (
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
)


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


def support_summary(scores: pd.DataFrame, conf_level: float = 0.95) -> pd.DataFrame:
    """Per (survey, measure), in order of first appearance: :data:`SUMMARY_COLUMNS`.

    The mean and its t interval treat the 1..10 score as interval-scaled and the respondents
    as a simple random sample; ``rank_by_mean`` is 1 for the highest mean of its survey (ties
    share the lowest rank).
    """
    levels = np.asarray(SCORES, dtype=float)
    rows = []
    for survey_id, measure, measure_label in measures(scores):
        counts = score_counts(scores, survey_id, measure)
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
            }
        )
    out = pd.DataFrame(rows)
    if out.empty:
        return pd.DataFrame(columns=list(SUMMARY_COLUMNS))
    rank = out.groupby("survey_id")["mean_score"].rank(ascending=False, method="min")
    out["rank_by_mean"] = rank.astype("Int64")
    return out[list(SUMMARY_COLUMNS)]
