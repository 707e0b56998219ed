"""Headline numbers: the report's "At a glance" cards and the refresh flow's artifact."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

from tasks.report.blocks import clip, is_na
from tasks.report.formats import number
from tasks.report.i18n import t
from tasks.report.parts import Headline
from tasks.report.snapshot import Snapshot


def _area_labels(snap: Snapshot) -> pd.Series:
    counts = snap.get("core.survey_perception_count")
    if counts.empty or "area_label" not in counts.columns:
        return pd.Series(dtype=str)
    return counts.dropna(subset=["area_label"]).groupby("area")["area_label"].first()


def _grp(snap: Snapshot) -> list[tuple[str, str]]:
    out = []
    grp = snap.get("results.grp_by_year")
    for town_id, g in grp.groupby("town_id", sort=True) if not grp.empty else []:
        r = g.sort_values("year").iloc[-1]
        town, year = snap.town_name(town_id), int(r["year"])
        if not is_na(r.get("total_industry_services")):
            out.append(
                (
                    t("headline.grp_industry_services", town=town, year=year),
                    number(r["total_industry_services"], ",.1f"),
                )
            )
        if not is_na(r.get("total_as_study")):
            out.append(
                (
                    t("headline.grp_as_study", town=town, year=year),
                    number(r["total_as_study"], ",.1f"),
                )
            )
        if not is_na(r.get("hhi_industry_services")):
            out.append(
                (
                    t("headline.hhi", town=town, year=year),
                    number(r["hhi_industry_services"], ".3f"),
                )
            )
    return out


def _labour(snap: Snapshot) -> list[tuple[str, str]]:
    lab = snap.get("results.labour_market")
    if lab.empty:
        return []
    out = []
    for town_id, g in lab.dropna(subset=["unemployment_rate"]).groupby("town_id"):
        r = g.sort_values("year").iloc[-1]
        figure = t("headline.unemployment", town=snap.town_name(town_id), year=int(r["year"]))
        out.append((figure, number(r["unemployment_rate"], "g")))
    return out


def _perception(snap: Snapshot) -> list[tuple[str, str]]:
    per = snap.get("results.perception_summary")
    if per.empty or "net_balance" not in per.columns:
        return []
    labels = _area_labels(snap)
    p = per.dropna(subset=["net_balance"]).sort_values("net_balance")
    if not len(p):
        return []
    out = []
    for which, r in (("most_improved", p.iloc[-1]), ("most_worsened", p.iloc[0])):
        area = clip(str(labels.get(r["area"], r["area"])), 60)
        figure = t("headline.perception", which=t(f"headline.{which}"), area=area)
        out.append((figure, number(r["net_balance"], "+.0f")))
    return out


def _correlations(snap: Snapshot) -> list[tuple[str, str]]:
    corr = snap.get("results.correlation")
    if corr.empty:
        return []
    sig = int((pd.to_numeric(corr["p_value"], errors="coerce") < 0.05).sum())
    return [(t("headline.correlations"), t("headline.of", k=sig, n=len(corr)))]


def _quality(snap: Snapshot) -> list[tuple[str, str]]:
    issues = snap.get("meta.quality_issue")
    run = snap.latest_run
    if run is None or "meta.quality_issue" not in snap.frames:
        return []
    cur = issues[issues["last_run_id"] == run["run_id"]] if not issues.empty else issues
    sev = cur["severity"].value_counts() if not cur.empty else pd.Series(dtype=int)
    value = t("headline.quality_value", errors=sev.get("error", 0), warnings=sev.get("warning", 0))
    return [(t("headline.quality"), value)]


#: Generic section id -> its headline figures; a study's part adds those of its own sections
#: (:attr:`tasks.report.parts.ReportPart.headlines`).
HEADLINES: dict[str, Headline] = {
    "grp": _grp,
    "labour": _labour,
    "perception": _perception,
    "correlation": _correlations,
    "quality": _quality,
}


def headline(
    snap: Snapshot,
    order: Iterable[str] | None = None,
    headlines: Mapping[str, Headline] | None = None,
) -> list[dict[str, str]]:
    """Headline numbers (``figure``, ``value``) for the report's top and the run artifact.

    ``value`` is short (a number, or "n of m"); ``figure`` says what it is, with its unit.
    The figures of each section of ``headlines`` (default :data:`HEADLINES`), in the report's
    section ``order`` (default: that of ``headlines``).
    """
    found = HEADLINES if headlines is None else headlines
    pairs = [
        pair
        for sid in (found if order is None else order)
        if sid in found
        for pair in found[sid](snap)
    ]
    return [{"figure": figure, "value": value} for figure, value in pairs]
