"""Section ``support``: support measures ranked by mean score (study Table 7).

When ``results.support_measure`` is not in the warehouse yet, :func:`support_from_counts`
summarises ``core.survey_support_score_count`` with :func:`tasks.analyses.support.support_summary`.
"""

from __future__ import annotations

import pandas as pd

from tasks.analyses.support import support_summary
from tasks.report import charts as ch
from tasks.report.blocks import Section, cell, ci_header, ci_range, first, header, is_na, pct
from tasks.report.i18n import t
from tasks.report.provenance import source_line, survey_line
from tasks.report.snapshot import Snapshot

ID = "support"


def support_from_counts(counts: pd.DataFrame, conf_level: float = 0.95) -> pd.DataFrame:
    """Mean score, t interval, median and share scoring 8+ per measure, from Table 7 counts.

    The fallback when ``results.support_measure`` is not in the warehouse yet: the summary of
    :func:`tasks.analyses.support.support_summary`, sorted by survey and measure.
    """
    out = support_summary(counts, conf_level)
    return out.sort_values(["survey_id", "measure"], ignore_index=True)


def support_frame(snap: Snapshot) -> tuple[pd.DataFrame, str]:
    """``results.support_measure``, else the summary of the score counts; and the table's name."""
    if snap.has("results.support_measure"):
        return snap.get("results.support_measure"), "results.support_measure"
    if snap.has("core.survey_support_score_count"):
        counts = snap.get("core.survey_support_score_count")
        return support_from_counts(counts), t("sections.support.summarised_table")
    return pd.DataFrame(), ""


def build(snap: Snapshot) -> dict:
    """The section's context: per survey the ranked measures with their intervals, and a table."""
    s = Section(ID, intro=t("sections.support.intro"))
    frame, table = support_frame(snap)
    if frame.empty:
        s.empty_message = t("sections.support.empty")
        return s.context()
    if not snap.has("results.support_measure"):
        s.text(t("sections.support.summarised"))
    counts = snap.get("core.survey_support_score_count")
    for survey_id, f in frame.groupby("survey_id", sort=True):
        if frame["survey_id"].nunique() > 1:
            s.heading(t("sections.support.survey", survey_id=survey_id))
        src_table = (
            first(counts[counts["survey_id"] == survey_id], "source_table") if len(counts) else ""
        )
        line = survey_line(snap, survey_id, table, src_table)
        chart = ch.support_measures(
            f, survey_id, source_line(line, snap), t("sections.support.caveat")
        )
        chart.name = f"support_measures-{survey_id}"
        s.chart(chart)
        f = f.sort_values("mean_score", ascending=False)
        has_imp = "importance_coefficient" in f.columns
        rows = []
        for _, r in f.iterrows():
            row = [
                cell(r.get("rank_by_mean"), "d" if not is_na(r.get("rank_by_mean")) else None),
                cell(r.get("measure_label") or r.get("measure")),
                cell(r.get("n"), "d"),
                cell(r.get("mean_score"), ".2f"),
                cell(r.get("ci_low"), ci_range(r)),
                cell(r.get("median_score"), "g"),
                cell(r.get("share_8_plus"), pct),
            ]
            if has_imp:
                row.append(cell(r.get("importance_coefficient"), ".3f"))
            rows.append(row)
        head = header(ID, ["rank", "measure", "n", "mean"])
        head += [ci_header(f), *header(ID, ["median", "share_8_plus"])]
        if has_imp:
            head += header(ID, ["importance"])
        s.table(head, rows, caption=t("sections.support.caption", survey_id=survey_id, table=table))
        if has_imp:
            s.text(t("sections.support.importance_note"))
    return s.context()
