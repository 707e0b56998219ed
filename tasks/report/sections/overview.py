"""Section ``overview``: one row per registry town and a small-multiples chart of their series.

The town table is ``results.town_profile`` (status, oblast, latest population with its date and
territory kind, its change, the figure of another kind beside it) with each town's coverage
share from ``results.coverage``; the chart draws ``core.v_town_series``, one panel per town with
data. A town or year without a figure is shown as missing, never filled in.
"""

from __future__ import annotations

import pandas as pd

from tasks.report import town_charts
from tasks.report.blocks import Section, badge, cell, day, header, is_na
from tasks.report.formats import number, percent
from tasks.report.i18n import current_language, t
from tasks.report.labels import indicator_name, territory_kind
from tasks.report.provenance import source_line
from tasks.report.snapshot import Snapshot

ID = "overview"
HEADER = [
    "town",
    "name_kk",
    "status",
    "oblast",
    "population",
    "date",
    "kind",
    "change",
    "other",
    "coverage",
]


def town_order(snap: Snapshot, town_ids) -> dict[str, str]:
    """Town id -> name in the report's language, sorted by that name."""
    names = {tid: snap.town_name(tid) for tid in dict.fromkeys(town_ids)}
    return dict(sorted(names.items(), key=lambda kv: kv[1].casefold()))


def registry_towns(snap: Snapshot) -> list[str]:
    """Every registry town (``results.town_profile``, else ``core.town``)."""
    for table in ("results.town_profile", "core.town"):
        frame = snap.get(table)
        if not frame.empty:
            return list(frame["town_id"])
    return []


def coverage_share(coverage: pd.DataFrame) -> dict[str, tuple[int, int]]:
    """Town -> (indicator-year cells with a value for any of its territories, all cells)."""
    if coverage.empty:
        return {}
    cells = coverage.assign(ok=coverage["status"] == "ok")
    per = cells.groupby(["town_id", "indicator_id", "year"])["ok"].any()
    by_town = per.groupby(level="town_id").agg(["sum", "count"])
    return {tid: (int(r["sum"]), int(r["count"])) for tid, r in by_town.iterrows()}


def _oblast(r) -> object:
    lang = current_language()
    for col in (f"oblast_name_{lang}", "oblast_name_en", "oblast_id"):
        if not is_na(r.get(col)):
            return r.get(col)
    return None


def _other(r) -> dict:
    if is_na(r.get("other_population")):
        return cell(None)
    return cell(
        t(
            "sections.overview.other",
            value=number(r["other_population"], ",.0f"),
            kind=territory_kind(r.get("other_population_kind")),
            date=day(r.get("other_population_date")),
        )
    )


def _coverage(share: tuple[int, int] | None) -> dict:
    if not share or not share[1]:
        return cell(None)
    ok, cells = share
    text = t(
        "sections.overview.coverage",
        ok=number(ok, "d"),
        cells=number(cells, "d"),
        share=percent(ok / cells, ".0f"),
    )
    return {"text": text, "cls": "num"}


def town_rows(snap: Snapshot) -> list[list[dict]]:
    """One table row per registry town, sorted by name in the report's language."""
    profile = snap.get("results.town_profile")
    shares = coverage_share(snap.get("results.coverage"))
    with_data = set(snap.get("core.v_town_series").get("town_id", []))
    rows = []
    for town_id in town_order(snap, profile["town_id"]):
        r = profile[profile["town_id"] == town_id].iloc[0].to_dict()
        name = snap.town_name(town_id)
        link = f"#town-{town_id}" if town_id in with_data else None
        rows.append(
            [
                {**cell(name), "href": link} if link else cell(name),
                cell(snap.town_name_kk(town_id)),
                badge(r.get("status"), group="town_status"),
                cell(_oblast(r)),
                cell(r.get("population"), ",.0f"),
                cell(day(r.get("population_date")) if not is_na(r.get("population")) else None),
                cell(
                    territory_kind(r["population_kind"])
                    if not is_na(r.get("population_kind"))
                    else None
                ),
                _change(r),
                _other(r),
                _coverage(shares.get(town_id)),
            ]
        )
    return rows


def _change(r) -> dict:
    """``+185 (+0.2%)``, the date of the previous figure as the cell's title."""
    if is_na(r.get("population_change")):
        return cell(None)
    text = t(
        "sections.overview.change",
        change=number(r["population_change"], "+,.0f"),
        pct=percent(r.get("population_change_pct"), "+.1f", scale=1.0),
    )
    since = t("sections.overview.since", date=day(r.get("population_prev_date")))
    return {"text": text, "cls": "num", "title": since}


def panels(snap: Snapshot, s: Section) -> None:
    """The small-multiples chart: one panel per town with data."""
    series = snap.get("core.v_town_series")
    if series.empty:
        return
    values = series[series["value"].notna()]
    if values.empty:
        return
    towns = town_order(snap, values["town_id"])
    ind_ids = list(dict.fromkeys(values["indicator_id"]))
    units = values.groupby("indicator_id")["unit"].first().to_dict()
    no_data = [snap.town_name(x) for x in town_order(snap, registry_towns(snap)) if x not in towns]
    note = t("sections.overview.chart_note")
    if no_data:
        note += " " + t("sections.overview.no_figures", towns=", ".join(no_data))
    chart = town_charts.town_panels(
        values,
        towns,
        {i: indicator_name(snap, i) for i in ind_ids},
        {i: units.get(i) for i in ind_ids},
        source_line("core.v_town_series", snap),
        note,
    )
    s.chart(chart)


def build(snap: Snapshot) -> dict:
    """The section's context: the table of every registry town, then the town panels."""
    s = Section(ID, intro=t("sections.overview.intro"))
    if snap.get("results.town_profile").empty:
        s.empty_message = t("sections.overview.empty")
        return s.context()
    rows = town_rows(snap)
    s.table(
        header(ID, HEADER),
        rows,
        caption=t("sections.overview.caption", n=len(rows)),
        table_id="overview-towns",
    )
    s.text(t("sections.overview.note"))
    s.status = "ok"
    panels(snap, s)
    return s.context()
