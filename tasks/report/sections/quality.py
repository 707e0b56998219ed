"""Section ``quality``: what validation found in the inputs (``meta.quality_issue``)."""

from __future__ import annotations

from tasks.report import charts as ch
from tasks.report.blocks import Section, badge, cell, header, is_na, long_text, ts
from tasks.report.i18n import t
from tasks.report.provenance import source_line
from tasks.report.snapshot import Snapshot

ID = "quality"
HEADER = ["severity", "table", "where", "column", "check", "observed", "message", "last_seen"]


def build(snap: Snapshot) -> dict:
    """The section's context: findings by table and check, and one row per finding."""
    s = Section(ID, intro=t("sections.quality.intro"))
    issues = snap.get("meta.quality_issue")
    if "meta.quality_issue" not in snap.frames or (issues.empty and snap.latest_run is None):
        s.empty_message = t("sections.quality.empty")
        return s.context()
    if issues.empty:
        s.status = "ok"
        s.text(t("sections.quality.none"))
        return s.context()
    s.chart(ch.quality(issues, source_line("meta.quality_issue", snap)))
    run = snap.latest_run
    latest = str(run["run_id"]) if run else None
    rows = []
    for _, r in issues.iterrows():
        where = str(r.get("file") or r.get("table_name"))
        if not is_na(r.get("file_row")):
            where = t("sections.quality.file_row", where=where, row=int(r["file_row"]))
        current = latest is not None and str(r.get("last_run_id")) == latest
        rows.append(
            [
                badge(r["severity"]),
                cell(r["table_name"]),
                cell(where),
                cell(r.get("column_name")),
                cell(r["check_name"]),
                long_text(r.get("observed"), 40),
                long_text(r.get("message"), 90),
                cell(t("sections.quality.latest_run") if current else ts(r.get("last_seen_at"))),
            ]
        )
    s.table(header(ID, HEADER), rows, caption=t("sections.quality.caption"))
    return s.context()
