"""One section per town with data: its series by indicator and kind of territory.

From ``core.v_town_series``: one table row per (indicator, territory, source), one column per
year from the town's first to its last year with a value (a year without a figure is shown as
missing). Every row names the kind of territory its values cover, and values of a territory
whose Taldau id is not confirmed are marked unconfirmed.
"""

from __future__ import annotations

import pandas as pd

from tasks.report.blocks import Section, badge, cell, is_na, long_text, num
from tasks.report.i18n import current_language, t, value_label
from tasks.report.labels import indicator_name, territory_kind, unit_label
from tasks.report.sections.overview import town_order
from tasks.report.snapshot import Snapshot

PREFIX = "town-"


def _fmt(values: pd.Series) -> str:
    v = pd.to_numeric(values, errors="coerce").dropna()
    return ",.0f" if len(v) and (v == v.round()).all() else ",.1f"


def _territory(r) -> object:
    if current_language() == "ru" and not is_na(r.get("territory_name_ru")):
        return r.get("territory_name_ru")
    return r.get("territory_name") if not is_na(r.get("territory_name")) else r.get("territory_id")


def _value(rows: pd.DataFrame, fmt: str) -> dict:
    if rows.empty:
        return cell(None)
    r = rows.iloc[0]
    if is_na(r.get("value")):
        status = r.get("value_status")
        return cell(value_label("coverage", status) if not is_na(status) else None)
    return cell(r["value"], num(fmt))


def town_section(snap: Snapshot, town_id: str, series: pd.DataFrame) -> dict:
    """The context of one town's section."""
    name = snap.town_name(town_id)
    s = Section(f"{PREFIX}{town_id}", title=name, intro=t("sections.town.intro", town=name))
    s.status = "ok"
    years = list(range(int(series["year"].min()), int(series["year"].max()) + 1))
    keys = ["indicator_id", "territory_id", "source"]
    rank = {"town": 0, "city_administration": 1, "district": 2, "oblast": 3, "republic": 4}
    groups = sorted(
        series.groupby(keys, sort=False),
        key=lambda kv: (
            kv[0][0] != "population",
            kv[0][0],
            rank.get(kv[1]["territory_kind"].iloc[0], 9),
        ),
    )
    rows, notes = [], []
    for (ind, _tid, source), g in groups:
        r = g.iloc[0]
        fmt = _fmt(g["value"])
        confirmed = (
            bool(r.get("territory_confirmed")) if not is_na(r.get("territory_confirmed")) else False
        )
        by_year = {int(y): gy for y, gy in g.groupby("year")}
        rows.append(
            [
                cell(indicator_name(snap, ind)),
                cell(territory_kind(r.get("territory_kind"))),
                cell(_territory(r)),
                cell(unit_label(r.get("unit")) or None),
                badge(
                    "confirmed" if confirmed else "unconfirmed",
                    kind="yes" if confirmed else "unconfirmed",
                    group="territory",
                ),
                *(_value(by_year.get(y, pd.DataFrame()), fmt) for y in years),
                long_text(
                    ", ".join(sorted({str(x) for x in g["source_ref"].dropna()})) or source, 28
                ),
            ]
        )
        for y, gy in by_year.items():
            note = gy["note"].dropna()
            if len(note):
                notes.append(
                    t(
                        "sections.town.value_note",
                        indicator=indicator_name(snap, ind),
                        kind=territory_kind(r.get("territory_kind")),
                        year=y,
                        note=note.iloc[0],
                    )
                )
    head = [
        t(f"sections.town.header.{k}")
        for k in ("indicator", "kind", "territory", "unit", "confirmed")
    ]
    head += [t("sections.town.year", year=y) for y in years]
    head += [t("sections.town.header.source")]
    s.table(head, rows, caption=t("sections.town.caption", town=name))
    s.text(t("sections.town.note"))
    for note in notes:
        s.text(note)
    return s.context()


def build_all(snap: Snapshot) -> list[dict]:
    """One section per town with at least one row in ``core.v_town_series``, by name."""
    series = snap.get("core.v_town_series")
    if series.empty:
        return []
    return [
        town_section(snap, town_id, series[series["town_id"] == town_id])
        for town_id in town_order(snap, series["town_id"])
    ]
