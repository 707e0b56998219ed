"""Section ``coverage``: what the warehouse holds, as a town x indicator grid.

From ``results.coverage`` (town x indicator x year x territory kind): each cell of the grid is
the best status over the years and kinds (ok, suppressed, failed, missing, not configured),
with the kinds of territory that have it and, where there are values, the years with one.
"""

from __future__ import annotations

from tasks.report import town_charts
from tasks.report.blocks import Section
from tasks.report.i18n import t
from tasks.report.labels import indicator_name
from tasks.report.provenance import source_line
from tasks.report.sections.overview import registry_towns, town_order
from tasks.report.snapshot import Snapshot

ID = "coverage"


def build(snap: Snapshot) -> dict:
    """The section's context: the coverage grid chart and how to read it."""
    s = Section(ID, intro=t("sections.coverage.intro"))
    cov = snap.get("results.coverage")
    if cov.empty:
        s.empty_message = t("sections.coverage.empty")
        return s.context()
    towns = town_order(snap, [*registry_towns(snap), *cov["town_id"]])
    ind_ids = sorted(set(cov["indicator_id"]), key=lambda i: (i != "population", i))
    cells = town_charts.best_cells(cov)
    s.chart(
        town_charts.coverage_grid(
            cells,
            towns,
            {i: indicator_name(snap, i) for i in ind_ids},
            source_line("results.coverage", snap),
        )
    )
    s.text(t("sections.coverage.note"))
    return s.context()
