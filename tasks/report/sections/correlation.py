"""Section ``correlation``: every analysed pair of ``results.correlation`` as a forest plot."""

from __future__ import annotations

from tasks.report import charts as ch
from tasks.report.blocks import Section, cell, ci_header, ci_range, header, long_text, p_value
from tasks.report.i18n import t, value_label
from tasks.report.provenance import source_line
from tasks.report.snapshot import Snapshot

ID = "correlation"


def build(snap: Snapshot) -> dict:
    """The section's context: the forest plot and the table with each row's note."""
    s = Section(ID, intro=t("sections.correlation.intro"))
    corr = snap.get("results.correlation")
    if corr.empty:
        s.empty_message = t("sections.correlation.empty")
        return s.context()
    s.chart(ch.correlation_forest(corr, source_line("results.correlation", snap)))
    rows = [
        [
            cell(r["analysis"]),
            cell(r["x"]),
            cell(r["y"]),
            cell(value_label("method", r["method"])),
            cell(r.get("n"), "d"),
            cell(r.get("estimate"), "+.3f"),
            cell(r.get("ci_low"), ci_range(r, "+.3f", t("cell.range_to"))),
            cell(r.get("p_value"), p_value),
            long_text(r.get("note"), 40),
        ]
        for _, r in corr.iterrows()
    ]
    head = header(ID, ["analysis", "x", "y", "method", "n", "estimate"])
    head += [ci_header(corr), *header(ID, ["p_value", "note"])]
    s.table(head, rows, caption=t("sections.correlation.caption"))
    return s.context()
