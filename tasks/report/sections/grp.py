"""Section ``grp``: GRP by sector, in the study's view and without double counting."""

from __future__ import annotations

from tasks.report import charts as ch
from tasks.report.blocks import Section, cell, first, header, pct_signed
from tasks.report.i18n import t
from tasks.report.provenance import observations, source_line
from tasks.report.snapshot import Snapshot

ID = "grp"
HEADER = [
    "year",
    *ch.SECTORS,
    "total_as_study",
    "total_industry_services",
    "growth_as_study",
    "growth_industry_services",
    "hhi_as_study",
    "hhi_industry_services",
]


def build(snap: Snapshot) -> dict:
    """The section's context: per town the two GRP charts and the table of both totals."""
    s = Section(ID, intro=t("sections.grp.intro"))
    grp = snap.get("results.grp_by_year")
    if grp.empty:
        s.empty_message = t("sections.grp.empty")
        return s.context()
    shares = snap.get("results.grp_sector_share")
    prov = observations(snap, "grp_")
    for town_id, g in grp.groupby("town_id", sort=True):
        town = snap.town_name(town_id)
        s.heading(town)
        chart = ch.grp_sectors(g, town, source_line("results.grp_by_year", snap, prov))
        chart.name = f"grp_sectors-{town_id}"
        s.chart(chart)
        if not shares.empty:
            sh = shares[shares["town_id"] == town_id]
            chart = ch.grp_structure(
                g,
                sh,
                town,
                source_line("results.grp_sector_share, results.grp_by_year", snap, prov),
            )
            chart.name = f"grp_structure-{town_id}"
            s.chart(chart)
        rows = [
            [
                cell(int(r["year"])),
                *(cell(r.get(c), ",.1f") for c in ch.SECTORS),
                cell(r.get("total_as_study"), ",.1f"),
                cell(r.get("total_industry_services"), ",.1f"),
                cell(r.get("yoy_growth_as_study"), pct_signed),
                cell(r.get("yoy_growth_industry_services"), pct_signed),
                cell(r.get("hhi_as_study"), ".3f"),
                cell(r.get("hhi_industry_services"), ".3f"),
            ]
            for _, r in g.iterrows()
        ]
        s.table(header(ID, HEADER), rows, caption=t("sections.grp.caption", town=town))
        note = first(g, "note")
        if note:
            s.text(t("sections.grp.note", note=note))
    return s.context()
