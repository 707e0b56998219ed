"""Section ``hypotheses``: each hypothesis with its test, Holm-adjusted p-value and verdict."""

from __future__ import annotations

from tasks.report import charts as ch
from tasks.report.blocks import Section, badge, cell, first, header, is_na, long_text, p_value
from tasks.report.i18n import t
from tasks.report.provenance import source_line
from tasks.report.snapshot import Snapshot

ID = "hypotheses"
HEADER = ["hypothesis", "statement", "test", "value", "p", "p_adjusted", "verdict", "why"]


def build(snap: Snapshot) -> dict:
    """The section's context: the p-value chart, the table and the decision rule."""
    s = Section(ID, intro=t("sections.hypotheses.intro"))
    hyp = snap.get("results.hypothesis")
    if hyp.empty:
        s.empty_message = t("sections.hypotheses.empty")
        return s.context()
    s.chart(ch.hypotheses(hyp, source_line("results.hypothesis", snap)))
    rows = []
    for _, r in hyp.iterrows():
        statement = long_text(r.get("statement"), 60)
        if not is_na(r.get("evidence")):
            full = t(
                "sections.hypotheses.evidence",
                statement=r.get("statement"),
                evidence=r.get("evidence"),
            )
            statement = {**statement, "details": full}
        rows.append(
            [
                cell(r["hypothesis"]),
                statement,
                cell(r.get("statistic")),
                cell(r.get("value"), ".3f"),
                cell(r.get("p_value"), p_value),
                cell(r.get("p_adjusted"), p_value),
                badge(r.get("verdict")),
                long_text(r.get("note"), 50),
            ]
        )
    s.table(header(ID, HEADER), rows, caption=t("sections.hypotheses.caption"))
    rules = first(hyp, "decision_rule")
    if rules:
        s.text(t("sections.hypotheses.decision_rule", rules=rules))
    return s.context()
