"""Section ``labour``: the labour market by year, next to the values the other rows imply."""

from __future__ import annotations

from tasks.report import charts as ch
from tasks.report.blocks import Section, cell, header, long_text, yes_no
from tasks.report.i18n import t
from tasks.report.provenance import observations, source_line
from tasks.report.snapshot import Snapshot

ID = "labour"
HEADER = [
    "year",
    "active_thousand",
    "employed_thousand",
    "unemployed",
    "implied_unemployed",
    "self_employed",
    "unemployment_rate",
    "implied_rate",
    "consistent",
    "note",
]


def build(snap: Snapshot) -> dict:
    """The section's context: per town the labour-market chart (gaps for missing years), table."""
    s = Section(ID, intro=t("sections.labour.intro"))
    lab = snap.get("results.labour_market")
    if lab.empty:
        s.empty_message = t("sections.labour.empty")
        return s.context()
    prov = observations(snap, "labour_")
    for town_id, g in lab.groupby("town_id", sort=True):
        town = snap.town_name(town_id)
        s.heading(town)
        chart = ch.labour_market(g, town, source_line("results.labour_market", snap, prov))
        chart.name = f"labour_market-{town_id}"
        s.chart(chart)
        rows = [
            [
                cell(int(r["year"])),
                cell(r.get("active_thousand"), ".1f"),
                cell(r.get("employed_thousand"), ".1f"),
                cell(r.get("unemployed"), ",.0f"),
                cell(r.get("implied_unemployed"), ",.0f"),
                cell(r.get("self_employed"), ",.0f"),
                cell(r.get("unemployment_rate"), ".1f"),
                cell(r.get("implied_rate"), ".2f"),
                yes_no(r.get("consistent")),
                long_text(r.get("note"), 50),
            ]
            for _, r in g.iterrows()
        ]
        s.table(header(ID, HEADER), rows, caption=t("sections.labour.caption", town=town))
    return s.context()
