"""Section ``perception``: perceived change per area (study Table 4) and its summary."""

from __future__ import annotations

import pandas as pd

from tasks.report import charts as ch
from tasks.report.blocks import Section, cell, ci_header, ci_range, first, header, pct
from tasks.report.i18n import t
from tasks.report.provenance import source_line, survey_line
from tasks.report.snapshot import Snapshot

ID = "perception"


def build(snap: Snapshot) -> dict:
    """The section's context: per survey the diverging bars and the perception summary."""
    s = Section(ID, intro=t("sections.perception.intro"))
    counts = snap.get("core.survey_perception_count")
    summary = snap.get("results.perception_summary")
    if counts.empty and summary.empty:
        s.empty_message = t("sections.perception.empty")
        return s.context()
    surveys = sorted(set(counts.get("survey_id", [])) | set(summary.get("survey_id", [])))
    for survey_id in surveys:
        if len(surveys) > 1:
            s.heading(t("sections.perception.survey", survey_id=survey_id))
        c = counts[counts["survey_id"] == survey_id] if not counts.empty else counts
        if not c.empty:
            line = survey_line(
                snap, survey_id, "core.survey_perception_count", first(c, "source_table")
            )
            chart = ch.perception(c, survey_id, source_line(line, snap))
            chart.name = f"perception-{survey_id}"
            s.chart(chart)
        else:
            s.empty(t("sections.perception.no_counts", survey_id=survey_id))
        sm = summary[summary["survey_id"] == survey_id] if not summary.empty else summary
        if sm.empty:
            continue
        sm = sm.sort_values("net_balance", ascending=False)
        labels = (
            c.dropna(subset=["area_label"]).groupby("area")["area_label"].first()
            if not c.empty and "area_label" in c.columns
            else pd.Series(dtype=str)
        )
        rows = [
            [
                cell(labels.get(r["area"], r["area"])),
                cell(r.get("n"), "d"),
                cell(r.get("share_improved"), pct),
                cell(r.get("share_unchanged"), pct),
                cell(r.get("share_worsened"), pct),
                cell(r.get("net_balance"), "+.0f"),
                cell(r.get("mean_score"), ".2f"),
                cell(r.get("ci_low"), ci_range(r)),
                cell(r.get("median_score"), "g"),
            ]
            for _, r in sm.iterrows()
        ]
        head = header(
            ID, ["area", "n", "improved", "unchanged", "worsened", "net_balance", "mean_score"]
        )
        s.table(
            [*head, ci_header(sm), t("sections.perception.header.median")],
            rows,
            caption=t("sections.perception.caption", survey_id=survey_id),
        )
        s.status = "ok"
    s.text(t("sections.perception.score_note"))
    return s.context()
