"""Section ``reproduction``: the audit of every number the study publishes, discrepancies first."""

from __future__ import annotations

from tasks.report import charts as ch
from tasks.report.blocks import Section, badge, cell, header, long_text, num
from tasks.report.i18n import t
from tasks.report.provenance import source_line
from tasks.report.snapshot import Snapshot

ID = "reproduction"
HEADER = ["table", "statistic", "published", "recomputed", "status", "explanation"]
ORDER = {"discrepancy": 0, "not_reproducible": 1, "reproduced": 2}


def build(snap: Snapshot) -> dict:
    """The section's context: counts by status per study table, and every number's badge."""
    s = Section(ID, intro=t("sections.reproduction.intro"))
    audit = snap.get("results.paper_reproduction")
    if audit.empty:
        s.empty_message = t("sections.reproduction.empty")
        return s.context()
    s.chart(ch.reproduction(audit, source_line("results.paper_reproduction", snap)))
    audit = audit.assign(_o=audit["status"].map(ORDER).fillna(3)).sort_values(
        ["_o", "source_table", "statistic"]
    )
    rows = [
        [
            cell(r["source_table"]),
            cell(r["statistic"]),
            cell(r["published"]),
            cell(r.get("recomputed"), num(".10g")),
            badge(r["status"]),
            long_text(r.get("explanation"), 60),
        ]
        for _, r in audit.iterrows()
    ]
    s.table(header(ID, HEADER), rows, caption=t("sections.reproduction.caption"))
    return s.context()
