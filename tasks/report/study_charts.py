"""The study's charts: GRP by sector, the labour market, Table 4's perceptions, Table 7's support.

Plain functions of frames returning a :class:`~tasks.report.chart_style.Chart`; import them from
:mod:`tasks.report.charts`, which adds the chart cache's key (:func:`tasks.report.cache.keyed`).
"""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from tasks.report import formats
from tasks.report.chart_style import (
    ACCENT,
    ANSWER_COLOUR,
    ANSWER_ORDER,
    MUTED,
    SECTOR_COLOUR,
    SECTORS,
    Chart,
    _answer,
    _bar_panel,
    _bar_totals,
    _figure,
    _finish,
    _full_years,
    _num,
    _percent,
    _sector,
    _thousands,
    _year_ticks,
    style,
)
from tasks.report.formats import number
from tasks.report.i18n import t

# --------------------------------------------------------------------------- GRP


def grp_sectors(grp: pd.DataFrame, town: str, source: str) -> Chart:
    """Study Figure 1 two ways: the four printed columns stacked, and industry + services."""
    g = _full_years(grp.sort_values("year"))
    years = g["year"].to_numpy()
    x = np.arange(len(years))
    vals = {s: _num(g, s) for s in SECTORS}
    with style():
        fig = _figure(11, 5.0)
        ax1, ax2 = fig.subplots(1, 2, sharey=True)
        bottom = np.zeros(len(x))
        for s in SECTORS:
            v = np.nan_to_num(vals[s])
            ax1.bar(x, v, bottom=bottom, width=0.68, color=SECTOR_COLOUR[s], edgecolor="white")
            bottom += v
        tot = _num(g, "total_as_study")
        _bar_totals(ax1, x, tot)
        ax1.set_title(t("charts.grp_sectors.a"), color="#8a1c1c")
        ind, serv = np.nan_to_num(vals["industry"]), np.nan_to_num(vals["services"])
        ax2.bar(x, ind, width=0.68, color=SECTOR_COLOUR["industry"], edgecolor="white")
        ax2.bar(x, serv, bottom=ind, width=0.68, color=SECTOR_COLOUR["services"], edgecolor="white")
        mining = np.nan_to_num(vals["mining"])
        manuf = np.nan_to_num(vals["manufacturing"])
        ax2.bar(x, mining, width=0.26, color=SECTOR_COLOUR["mining"], hatch="////", lw=0)
        ax2.bar(
            x, manuf, bottom=mining, width=0.26, color=SECTOR_COLOUR["manufacturing"], hatch="////"
        )
        tot2 = _num(g, "total_industry_services")
        _bar_totals(ax2, x, tot2)
        ax2.set_title(t("charts.grp_sectors.b"))
        for ax in (ax1, ax2):
            ax.set_xticks(x, [str(y) for y in years])
            ax.set_xlabel(t("charts.year"))
            ax.grid(axis="x", visible=False)
            _thousands(ax)
        ax1.set_ylabel(t("charts.grp_sectors.ylabel"))
        ymax = np.nanmax(np.concatenate([tot, tot2, bottom])) if len(x) else 1.0
        ax1.set_ylim(0, (ymax if np.isfinite(ymax) and ymax > 0 else 1.0) * 1.08)
        handles = [Patch(color=SECTOR_COLOUR[s], label=_sector(s)) for s in SECTORS]
        part = t("charts.grp_sectors.part_of_industry")
        handles += [Patch(facecolor="#999999", hatch="////", label=part, edgecolor="w")]
        fig.legend(handles=handles, loc="outside right upper")
        _finish(fig, t("charts.grp_sectors.title", town=town), source, t("charts.grp_sectors.note"))
    return Chart(
        "grp_sectors",
        t("charts.grp_sectors.short", town=town),
        fig,
        t("charts.grp_sectors.alt", town=town),
    )


def grp_structure(grp: pd.DataFrame, shares: pd.DataFrame, town: str, source: str) -> Chart:
    """Sector shares (both definitions of the total) and the HHI diversification index."""
    g = _full_years(grp.sort_values("year"))
    years = g["year"].to_numpy()
    with style():
        fig = _figure(11, 4.4)
        ax1, ax2 = fig.subplots(1, 2, width_ratios=[1.35, 1])
        for s in SECTORS:
            cols = ["year", "share_as_study", "share_industry_services"]
            sub = shares.loc[shares["sector"] == s, cols]
            sub = g[["year"]].merge(sub.assign(year=sub["year"].astype(int)), how="left")
            kw = {"color": SECTOR_COLOUR[s], "marker": "o", "ms": 3.5}
            ax1.plot(years, 100 * _num(sub, "share_as_study"), ls="--", lw=1.2, **kw)
            if s in ("industry", "services"):
                ax1.plot(years, 100 * _num(sub, "share_industry_services"), lw=2.2, **kw)
        ax1.set_ylim(0, 100)
        ax1.set_ylabel(t("charts.grp_structure.share_ylabel"))
        _percent(ax1)
        ax1.set_title(t("charts.grp_structure.shares"))
        h1 = [Line2D([], [], color=SECTOR_COLOUR[s], lw=2, label=_sector(s)) for s in SECTORS]
        h1 += [
            Line2D(
                [],
                [],
                color="#333333",
                lw=2.2,
                label=t("charts.grp_structure.of_industry_services"),
            ),
            Line2D(
                [], [], color="#333333", lw=1.2, ls="--", label=t("charts.grp_structure.of_study")
            ),
        ]
        ax1.legend(handles=h1, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=7.5)
        ax2.plot(years, _num(g, "hhi_industry_services"), color=ACCENT, lw=2.2, marker="o", ms=4)
        ax2.plot(years, _num(g, "hhi_as_study"), color=ACCENT, lw=1.2, ls="--", marker="o", ms=3)
        for level, key in ((0.5, "equal_2"), (0.25, "equal_4")):
            text = t(f"charts.grp_structure.{key}")
            ax2.axhline(level, color=MUTED, lw=0.8, ls=":")
            ax2.text(years[0], level + 0.012, text, color=MUTED, fontsize=7, va="bottom")
        ax2.set_ylim(0, 1)
        ax2.set_ylabel(t("charts.grp_structure.hhi_ylabel"))
        ax2.set_title(t("charts.grp_structure.hhi_title"))
        ax2.legend(
            handles=[
                Line2D(
                    [], [], color=ACCENT, lw=2.2, label=t("charts.grp_structure.industry_services")
                ),
                Line2D(
                    [], [], color=ACCENT, lw=1.2, ls="--", label=t("charts.grp_structure.study")
                ),
            ],
            loc="upper right",
        )
        for ax in (ax1, ax2):
            _year_ticks(ax, years)
        _finish(fig, t("charts.grp_structure.title", town=town), source)
    return Chart(
        "grp_structure",
        t("charts.grp_structure.short", town=town),
        fig,
        t("charts.grp_structure.alt", town=town),
    )


# --------------------------------------------------------------------------- labour


def _missing_marks(ax, years, values, colour, offset: float = 0.0) -> bool:
    """An x on the axis floor for each missing year of a series; True if any."""
    miss = ~np.isfinite(values)
    if miss.any():
        ax.plot(
            years[miss] + offset,
            np.zeros(miss.sum()),
            ls="none",
            marker="x",
            ms=7,
            mew=1.8,
            color=colour,
            transform=ax.get_xaxis_transform(),
            clip_on=False,
            zorder=5,
        )
    return bool(miss.any())


def labour_market(lab: pd.DataFrame, town: str, source: str) -> Chart:
    """Labour-market series by year; missing years are gaps (never interpolated) marked by x."""
    g = _full_years(lab.sort_values("year"))
    years = g["year"].to_numpy()
    panels = [  # (title, unit, [(column, label, colour, line style)]), keys of charts.labour
        (
            "population",
            "thousand_persons",
            [
                ("active_thousand", "active", "#1f4e79", "-"),
                ("employed_thousand", "employed", "#2e8b57", "-"),
            ],
        ),
        (
            "unemployed_title",
            "persons",
            [
                ("unemployed", "unemployed", "#c62828", "-"),
                ("implied_unemployed", "implied_unemployed", "#c62828", ":"),
                ("self_employed", "self_employed", "#e08214", "-"),
            ],
        ),
        (
            "rate_title",
            "rate_unit",
            [
                ("unemployment_rate", "rate", "#6a3d9a", "-"),
                ("implied_rate", "implied_rate", "#6a3d9a", ":"),
            ],
        ),
    ]
    with style():
        fig = _figure(11, 8.2)
        axes = fig.subplots(3, 1, sharex=True)
        any_missing = False
        for i, (ax, (title, unit, series)) in enumerate(zip(axes, panels, strict=True)):
            solid = [c for c, _, _, ls in series if ls == "-"]
            panel_missing = False
            for col, label, colour, ls in series:
                v = _num(g, col)
                lw = 2 if ls == "-" else 1.4
                ax.plot(years, v, color=colour, ls=ls, lw=lw, label=t(f"charts.labour.{label}"))
                ax.plot(years, v, ls="none", marker="o", ms=4, color=colour)
                if ls == "-":  # side by side when several series miss the same year
                    offset = 0.14 * (solid.index(col) - (len(solid) - 1) / 2)
                    panel_missing |= _missing_marks(ax, years, v, colour, offset)
            any_missing |= panel_missing
            ax.set_title(t(f"charts.labour.{title}"))
            ax.set_ylabel(t(f"charts.labour.{unit}"))
            if i > 0:  # counts and rates from zero; the population panel zooms in
                ax.set_ylim(bottom=0)
            if unit == "persons":
                _thousands(ax)
            handles, _ = ax.get_legend_handles_labels()
            if panel_missing:
                no_value = t("charts.labour.no_value")
                handles.append(
                    Line2D([], [], ls="none", marker="x", mew=1.8, color=MUTED, label=no_value)
                )
            ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
        _year_ticks(axes[-1], years)
        note = t("charts.labour.note_missing") if any_missing else t("charts.labour.note")
        _finish(fig, t("charts.labour.title", town=town), source, note)
    return Chart(
        "labour_market",
        t("charts.labour.title", town=town),
        fig,
        t("charts.labour.alt", town=town),
    )


# --------------------------------------------------------------------------- Table 4


def perception(counts: pd.DataFrame, survey: str, source: str) -> Chart:
    """Table 4 as diverging stacked bars: worsened left of zero, improved right, unchanged split."""
    labels = (
        counts.dropna(subset=["area_label"]).groupby("area")["area_label"].first()
        if "area_label" in counts.columns
        else pd.Series(dtype=str)
    )
    wide = counts.pivot_table(
        index="area", columns="answer", values="respondents", aggfunc="sum", fill_value=0
    ).reindex(columns=list(ANSWER_ORDER), fill_value=0)
    n = wide.sum(axis=1).replace(0, np.nan)
    pct = wide.div(n, axis=0) * 100
    net = (
        pct["improved_somewhat"]
        + pct["improved_significantly"]
        - pct["worsened_somewhat"]
        - pct["worsened_significantly"]
    )
    order = net.sort_values(ascending=True).index
    pct, net, n = pct.loc[order], net.loc[order], n.loc[order]
    y = np.arange(len(order))
    with style():
        fig = _figure(11, 1.9 + 0.42 * len(order))
        ax = fig.subplots()
        left = -(pct["worsened_significantly"] + pct["worsened_somewhat"] + pct["unchanged"] / 2)
        start = left.to_numpy(dtype=float)
        for a in ANSWER_ORDER:
            w = pct[a].to_numpy(dtype=float)
            ax.barh(y, w, left=start, height=0.72, color=ANSWER_COLOUR[a], label=_answer(a))
            for yi, (s, wi) in enumerate(zip(start, w, strict=True)):
                if wi >= 6:
                    dark = a in ("worsened_significantly", "improved_significantly")
                    ax.text(
                        s + wi / 2,
                        yi,
                        number(wi, ".0f"),
                        ha="center",
                        va="center",
                        fontsize=7.5,
                        color="white" if dark else "#222222",
                    )
            start = start + w
        ax.axvline(0, color="#333333", lw=0.9, zorder=0.9)  # behind the bars, seen between
        names = [str(labels.get(a, a)) for a in order]
        ticks = [
            textwrap.fill(t("charts.perception.tick", area=nm, n=number(n[a], ".0f")), 42)
            for nm, a in zip(names, order, strict=True)
        ]
        ax.set_yticks(y, ticks, fontsize=8.5)
        ax.grid(axis="y", visible=False)
        lim = max(60.0, float(np.nanmax(np.abs(np.concatenate([left, start])))) + 5)
        ax.set_xlim(-lim, lim)
        for yi, v in enumerate(net):
            ax.text(
                lim,
                yi,
                t("charts.perception.net", net=number(v, "+.0f")),
                va="center",
                ha="left",
                fontsize=8,
                color="#2166ac" if v > 0 else "#b2182b" if v < 0 else "#444444",
            )
        ax.set_xlabel(t("charts.perception.xlabel"))
        _percent(ax, "x", absolute=True)
        ax.legend(
            handles=[Patch(color=ANSWER_COLOUR[a], label=_answer(a)) for a in ANSWER_ORDER],
            loc="lower center",
            bbox_to_anchor=(0.5, 1.0),
            ncols=5,
        )
        _finish(
            fig, t("charts.perception.title", survey=survey), source, t("charts.perception.note")
        )
    return Chart("perception", t("charts.perception.short"), fig, t("charts.perception.alt"))


# --------------------------------------------------------------------------- Table 7


def support_measures(frame: pd.DataFrame, survey: str, source: str, note: str = "") -> Chart:
    """Support measures ranked by mean score (1..10) with the confidence interval."""
    f = frame.sort_values("mean_score", ascending=True).reset_index(drop=True)
    y = np.arange(len(f))
    level = pd.to_numeric(f.get("ci_level"), errors="coerce")
    level_txt = formats.percent(level.dropna().iloc[0], "g") if level.notna().any() else ""
    with style():
        fig, ax = _bar_panel(11, 1.9, 0.5, len(f))
        mean = _num(f, "mean_score")
        lo, hi = _num(f, "ci_low"), _num(f, "ci_high")
        ax.hlines(y, lo, hi, color=ACCENT, lw=2.2, alpha=0.55)
        ax.plot(mean, y, "o", color=ACCENT, ms=7)
        ax.axvline(5.5, color=MUTED, lw=0.8, ls=":")
        midpoint = t("charts.support.midpoint")
        ax.text(5.5, len(f) - 0.4, midpoint, color=MUTED, fontsize=7, va="bottom")
        labels = f["measure_label"].fillna(f["measure"]) if "measure_label" in f else f["measure"]
        ax.set_yticks(y, [textwrap.shorten(str(s), 48, placeholder="...") for s in labels])
        for yi, r in f.iterrows():
            share = r.get("share_8_plus")
            extra = (
                t("charts.support.share_8_plus", share=number(100 * share, ".0f"))
                if pd.notna(share)
                else ""
            )
            text = t(
                "charts.support.value",
                mean=number(r["mean_score"], ".2f"),
                low=number(r["ci_low"], ".2f"),
                high=number(r["ci_high"], ".2f"),
                n=number(r["n"], ".0f"),
                extra=extra,
            )
            ax.text(10.05, yi, text, va="center", fontsize=7.8)
        ax.set_xlim(1, 10)
        ax.set_ylim(-0.6, len(f) - 0.2)
        ax.set_xticks(range(1, 11))
        ax.set_xlabel(t("charts.support.xlabel", level=level_txt))
        ax.grid(axis="y", visible=False)
        _finish(fig, t("charts.support.title", survey=survey), source, note)
    return Chart("support_measures", t("charts.support.short"), fig, t("charts.support.alt"))


# --------------------------------------------------------------------------- correlations
