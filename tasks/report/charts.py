"""The report's charts: plain functions of frames returning a :class:`Chart` (a matplotlib figure).

Every chart has a title, units on its axes and a source line naming the warehouse table (and the
study table it comes from). Figures are built with :class:`matplotlib.figure.Figure` directly
(no pyplot, no global backend state); :func:`render` saves PNG and SVG files and returns the SVG
text that the HTML report inlines. SVG text stays text (``svg.fonttype = none``): the charts are
small, searchable and crisp at any zoom. Every text comes from the message catalogue and every
number (labels and axis ticks) from :mod:`tasks.report.formats`, in the language current when
the chart function is called.
"""

from __future__ import annotations

import html
import io
import re
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from tasks.report import cache, formats
from tasks.report.formats import number
from tasks.report.i18n import t, value_label

STYLE = {
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Liberation Sans", "Arial", "Helvetica"],
    "font.size": 9.5,
    "axes.titlesize": 10,
    "axes.titlelocation": "left",
    "axes.labelsize": 9.5,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": "#888888",
    "axes.grid": True,
    "axes.axisbelow": True,
    "grid.color": "#e6e6e6",
    "grid.linewidth": 0.6,
    "legend.frameon": False,
    "legend.fontsize": 9,
    "xtick.color": "#444444",
    "ytick.color": "#444444",
    "svg.fonttype": "none",
    "hatch.color": "#ffffff",
    "hatch.linewidth": 0.8,
}
DPI = 150

SECTORS = ("industry", "mining", "manufacturing", "services")
SECTOR_COLOUR = {
    "industry": "#1f4e79",
    "mining": "#8c564b",
    "manufacturing": "#e08214",
    "services": "#2e8b57",
}
# Table 4's answer scale, worst to best (the diverging bars run left to right in this order).
ANSWER_ORDER = (
    "worsened_significantly",
    "worsened_somewhat",
    "unchanged",
    "improved_somewhat",
    "improved_significantly",
)
ANSWER_COLOUR = {
    "worsened_significantly": "#b2182b",
    "worsened_somewhat": "#ef8a62",
    "unchanged": "#c8c8c8",
    "improved_somewhat": "#67a9cf",
    "improved_significantly": "#2166ac",
}
STATUS_COLOUR = {
    "reproduced": "#2e7d32",
    "discrepancy": "#c62828",
    "not_reproducible": "#9e9e9e",
}
VERDICT_COLOUR = {
    "supported": "#2e7d32",
    "not supported": "#c62828",
    "insufficient evidence": "#8d6e00",
}
SEVERITY_COLOUR = {"error": "#c62828", "warning": "#e6a100"}
ACCENT = "#1f4e79"
MUTED = "#7f7f7f"


@dataclass
class Chart:
    """One figure of the report: ``name`` is the file stem, ``alt`` a one-line description."""

    name: str
    title: str
    figure: Figure
    alt: str


@contextmanager
def style() -> Iterator[None]:
    """The report's matplotlib settings, scoped (never changes the caller's rcParams)."""
    with mpl.rc_context(STYLE):
        yield


def _figure(width: float, height: float) -> Figure:
    return Figure(figsize=(width, height), layout="constrained")


def _finish(fig: Figure, title: str, source: str, note: str = "") -> None:
    """Title top left; source (and note) lines bottom left (constrained layout keeps room)."""
    width = fig.get_size_inches()[0]
    chars = int(width * float(t("charts.chars_per_inch")))  # wider glyphs: fewer per line
    lines = textwrap.wrap(t("charts.source", source=source), chars)
    if note:
        lines += textwrap.wrap(t("charts.note", note=note), chars)
    fig.suptitle(title, x=0.01, ha="left", fontsize=12.5, fontweight="bold")
    fig.supxlabel("\n".join(lines), x=0.01, ha="left", fontsize=8, color="#555555")
    formats.localize_axes(fig)


def _thousands(ax, axis: str = "y") -> None:
    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_formatter(formats.tick_formatter(",.0f"))


def _percent(ax, axis: str = "y", absolute: bool = False) -> None:
    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_formatter(formats.percent_tick_formatter(absolute))


def _full_years(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows for every year from the first to the last (missing years become NaN rows: gaps)."""
    years = frame["year"].astype(int)
    full = pd.DataFrame({"year": range(int(years.min()), int(years.max()) + 1)})
    return full.merge(frame.assign(year=years), on="year", how="left")


def _num(frame: pd.DataFrame, col: str) -> np.ndarray:
    if col not in frame.columns:
        return np.full(len(frame), np.nan)
    return pd.to_numeric(frame[col], errors="coerce").to_numpy(dtype=float)


def _sector(s: str) -> str:
    return t(f"charts.sector.{s}")


def _answer(a: str) -> str:
    return t(f"charts.answer.{a}")


def _bar_totals(ax, x: np.ndarray, totals: np.ndarray) -> None:
    """Each bar's total written above it (none where the total is missing)."""
    for xi, total in zip(x, totals, strict=True):
        if np.isfinite(total):
            ax.text(xi, total, number(total, ",.0f"), ha="center", va="bottom", fontsize=7.5)


def _year_ticks(ax, years) -> None:
    ax.set_xticks(years, [str(y) for y in years])
    ax.set_xlabel(t("charts.year"))


def _bar_panel(width: float, base: float, per_row: float, n_rows: int) -> tuple[Figure, object]:
    """One-axes figure whose height grows with the number of bars or rows."""
    fig = _figure(width, base + per_row * n_rows)
    return fig, fig.subplots()


def _counts(frame: pd.DataFrame, index: str, column: str, order: list[str]) -> pd.DataFrame:
    """Rows of ``frame`` counted by ``index`` x ``column`` (columns in ``order``, index falling)."""
    return (
        frame.pivot_table(index=index, columns=column, aggfunc="size", fill_value=0)
        .reindex(columns=order, fill_value=0)
        .sort_index(ascending=False)
    )


def _stacked_barh(ax, wide: pd.DataFrame, colour_of, inside_labels: bool) -> np.ndarray:
    """Horizontal bars of ``wide``'s columns stacked left to right; returns the bar ends."""
    y = np.arange(len(wide))
    left = np.zeros(len(wide))
    for s in wide.columns:
        w = wide[s].to_numpy(dtype=float)
        ax.barh(y, w, left=left, color=colour_of(s), height=0.65, label=value_label("status", s))
        if inside_labels:
            for yi, (lft, wi) in enumerate(zip(left, w, strict=True)):
                if wi > 0:
                    ax.text(
                        lft + wi / 2, yi, number(wi, ".0f"), ha="center", va="center", color="w"
                    )
        left += w
    ax.grid(axis="y", visible=False)
    ax.xaxis.get_major_locator().set_params(integer=True)
    return left


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


def correlation_forest(frame: pd.DataFrame, source: str) -> Chart:
    """Forest plot: one row per analysed pair, estimate and CI, grouped by analysis."""
    rows: list[tuple[str, pd.Series | None]] = []
    for analysis, g in frame.groupby("analysis", sort=False):
        rows.append((str(analysis), None))
        rows += [("", r) for _, r in g.iterrows()]
    ypos = np.arange(len(rows))[::-1]
    with style():
        fig, ax = _bar_panel(11, 1.8, 0.27, len(rows))
        ticks, ticklabels = [], []
        for yv, (header, r) in zip(ypos, rows, strict=True):
            if r is None:
                ax.text(
                    -1.0,
                    yv,
                    header,
                    fontweight="bold",
                    fontsize=8.5,
                    va="center",
                    ha="left",
                    color="#222222",
                )
                continue
            est, lo, hi, p = (pd.to_numeric(r.get(k), errors="coerce") for k in _CORR_KEYS)
            sig = pd.notna(p) and p < 0.05
            if pd.notna(lo) and pd.notna(hi):
                ax.hlines(yv, lo, hi, color=ACCENT, lw=1.8, alpha=0.6)
            if pd.notna(est):
                ax.plot(est, yv, "o", mfc=ACCENT if sig else "white", mec=ACCENT, mew=1.5, ms=6)
            ticks.append(yv)
            n = r.get("n")
            ticklabels.append(
                t(
                    "charts.correlation.tick",
                    x=_short(r["x"]),
                    y=_short(r["y"]),
                    method=value_label("method", r["method"]),
                    n=_int(n),
                )
            )
            ptxt = (
                ""
                if pd.isna(p)
                else t("charts.correlation.p", p=number(p, ".3g"))
                if p >= 1e-4
                else t("charts.correlation.p_tiny")
            )
            est_txt = "" if pd.isna(est) else number(est, "+.2f")
            ci_txt = (
                ""
                if pd.isna(lo) or pd.isna(hi)
                else t("charts.interval", low=number(lo, "+.2f"), high=number(hi, "+.2f"))
            )
            ax.text(1.03, yv, f"{est_txt}{ci_txt}  {ptxt}", va="center", fontsize=7.5)
        ax.axvline(0, color="#333333", lw=0.8)
        ax.set_xlim(-1.0, 1.0)
        ax.set_ylim(-0.7, len(rows) - 0.3)
        ax.set_yticks(ticks, ticklabels, fontsize=7.5)
        ax.grid(axis="y", visible=False)
        ax.set_xlabel(t("charts.correlation.xlabel"))
        sig_txt, not_sig_txt = (
            t("charts.correlation.significant"),
            t("charts.correlation.not_significant"),
        )
        ax.legend(
            handles=[
                Line2D([], [], ls="none", marker="o", mfc=ACCENT, mec=ACCENT, label=sig_txt),
                Line2D([], [], ls="none", marker="o", mfc="white", mec=ACCENT, label=not_sig_txt),
            ],
            loc="lower right",
            bbox_to_anchor=(1.0, 1.0),
            ncols=2,
        )
        _finish(fig, t("charts.correlation.title"), source, t("charts.correlation.note"))
    return Chart("correlations", t("charts.correlation.short"), fig, t("charts.correlation.alt"))


_CORR_KEYS = ("estimate", "ci_low", "ci_high", "p_value")


def _short(text, width: int = 40) -> str:
    text = str(text)
    return text if len(text) <= width else text[: width - 3] + "..."


def _int(v) -> str:
    try:
        return f"{int(v)}"
    except (TypeError, ValueError):
        return t("charts.correlation.unknown_n")


def hypotheses(frame: pd.DataFrame, source: str) -> Chart:
    """p-values (raw and Holm-adjusted, log scale) per hypothesis, coloured by verdict."""
    f = frame.sort_values("hypothesis", ascending=False).reset_index(drop=True)
    y = np.arange(len(f))
    with style():
        fig, ax = _bar_panel(11, 1.9, 0.55, len(f))
        p = np.clip(_num(f, "p_value"), 1e-12, 1)
        padj = np.clip(_num(f, "p_adjusted"), 1e-12, 1)
        colours = [VERDICT_COLOUR.get(str(v), MUTED) for v in f["verdict"]]
        ax.hlines(y, p, padj, color="#bbbbbb", lw=1.5)
        ax.scatter(p, y, s=40, facecolor="white", edgecolor=colours, linewidth=1.6, zorder=3)
        ax.scatter(padj, y, s=52, color=colours, zorder=4)
        ax.axvline(0.05, color="#333333", lw=0.9, ls="--")
        ax.set_xscale("log")
        finite = np.concatenate([p[np.isfinite(p)], padj[np.isfinite(padj)], [0.05]])
        ax.set_xlim(max(1e-12, finite.min() / 5), 1.5)
        alpha = t("charts.hypotheses.alpha")
        ax.text(0.05, len(f) - 0.45, alpha, fontsize=7.5, va="bottom", color="#333333")
        ax.set_ylim(-0.6, len(f) - 0.2)
        ax.set_yticks(y, [f"{h}" for h in f["hypothesis"]], fontsize=9, fontweight="bold")
        for yi, v, c in zip(y, f["verdict"], colours, strict=True):
            ax.text(
                1.7,
                yi,
                f"  {value_label('status', v)}",
                va="center",
                fontsize=8.5,
                color=c,
                fontweight="bold",
            )
        ax.set_xlabel(t("charts.hypotheses.xlabel"))
        ax.grid(axis="y", visible=False)
        _finish(fig, t("charts.hypotheses.title"), source, t("charts.hypotheses.note"))
    return Chart("hypotheses", t("charts.hypotheses.short"), fig, t("charts.hypotheses.alt"))


# --------------------------------------------------------------------------- audit and quality


def reproduction(frame: pd.DataFrame, source: str) -> Chart:
    """Published numbers by source table and audit status (stacked horizontal bars)."""
    statuses = list(STATUS_COLOUR)
    extra = sorted(set(frame["status"].astype(str)) - set(statuses))
    statuses += extra
    wide = _counts(
        frame.assign(status=frame["status"].astype(str)), "source_table", "status", statuses
    )
    with style():
        fig, ax = _bar_panel(11, 1.9, 0.45, len(wide))
        left = _stacked_barh(ax, wide, lambda s: STATUS_COLOUR.get(s, "#555555"), True)
        ax.set_yticks(np.arange(len(wide)), list(wide.index))
        ax.set_xlabel(t("charts.reproduction.xlabel"))
        ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), ncols=len(statuses))
        ax.set_xlim(0, max(1.0, float(left.max())) * 1.04)
        total = int(wide.to_numpy().sum())
        done = int(wide.get("reproduced", pd.Series(dtype=int)).sum())
        _finish(
            fig,
            t("charts.reproduction.title", done=done, total=total),
            source,
            t("charts.reproduction.note"),
        )
    return Chart("reproduction", t("charts.reproduction.short"), fig, t("charts.reproduction.alt"))


def quality(frame: pd.DataFrame, source: str) -> Chart:
    """Quality issues counted by table and check, coloured by severity."""
    f = frame.assign(
        where=frame["table_name"].astype(str) + ": " + frame["check_name"].astype(str),
        severity=frame["severity"].astype(str),
    )
    wide = _counts(f, "where", "severity", ["error", "warning"])
    with style():
        fig, ax = _bar_panel(11, 1.7, 0.34, len(wide))
        left = _stacked_barh(ax, wide, SEVERITY_COLOUR.get, False)
        for yi, end in enumerate(left):
            ax.text(end, yi, f" {number(end, '.0f')}", va="center", fontsize=8)
        ax.set_yticks(np.arange(len(wide)), list(wide.index), fontsize=8)
        ax.set_xlabel(t("charts.quality.xlabel"))
        ax.legend(loc="lower right")
        _finish(fig, t("charts.quality.title"), source)
    return Chart("quality_issues", t("charts.quality.short"), fig, t("charts.quality.alt"))


def row_counts(counts: dict[str, int], run_id: str, source: str) -> Chart:
    """Rows per warehouse table after a run (horizontal bars, core and results schemas)."""
    items = sorted(
        ((tab, int(n)) for tab, n in counts.items() if tab.startswith(("core.", "results."))),
        reverse=True,
    )
    y = np.arange(len(items))
    with style():
        fig, ax = _bar_panel(11, 1.6, 0.22, len(items))
        vals = np.array([n for _, n in items], dtype=float)
        colours = [ACCENT if tab.startswith("results.") else "#6b8fb3" for tab, _ in items]
        ax.barh(y, vals, color=colours, height=0.65)
        for yi, v in enumerate(vals):
            ax.text(v, yi, f" {number(v, '.0f')}", va="center", fontsize=7.5)
        ax.set_yticks(y, [tab for tab, _ in items], fontsize=7.5)
        ax.set_xlabel(t("charts.row_counts.xlabel"))
        ax.grid(axis="y", visible=False)
        ax.legend(
            handles=[
                Patch(color="#6b8fb3", label=t("charts.row_counts.core")),
                Patch(color=ACCENT, label=t("charts.row_counts.results")),
            ],
            loc="lower right",
        )
        _finish(fig, t("charts.row_counts.title", run_id=run_id[:8]), source)
    return Chart("row_counts", t("charts.row_counts.short"), fig, t("charts.row_counts.alt"))


# --------------------------------------------------------------------------- output

# each chart carries the hash of what it shows (tasks/report/cache.py): unchanged, not redrawn
grp_sectors, grp_structure, labour_market, perception, support_measures = map(
    cache.keyed, (grp_sectors, grp_structure, labour_market, perception, support_measures)
)
correlation_forest, hypotheses, reproduction, quality, row_counts = map(
    cache.keyed, (correlation_forest, hypotheses, reproduction, quality, row_counts)
)

_SVG_HEAD = re.compile(r"^.*?(?=<svg)", re.S)


def render(chart: Chart, out_dir: str | Path) -> dict[str, str]:
    """Write ``<name>.png`` and ``<name>.svg`` into ``out_dir``; return their paths and the SVG.

    The SVG is reproducible (no date, ids salted by the chart name) and its ids are unique per
    chart, so several can be inlined into one HTML document.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    png, svg_path = out / f"{chart.name}.png", out / f"{chart.name}.svg"
    svg_text = cache.cached_svg(chart, out)  # the same inputs drawn before: not drawn again
    if svg_text is None:
        with mpl.rc_context({**STYLE, "svg.hashsalt": chart.name}):
            buf = io.StringIO()
            chart.figure.savefig(buf, format="svg", metadata={"Date": None})
            chart.figure.savefig(png, format="png", dpi=DPI, metadata={"Software": None})
        svg_text = buf.getvalue()
        svg_path.write_text(svg_text, encoding="utf-8")
        cache.remember(chart, out)
    inline = _SVG_HEAD.sub("", svg_text, count=1)
    inline = inline.replace(
        "<svg ", f'<svg role="img" aria-label="{_attr(chart.alt)}" class="chart" ', 1
    )
    # matplotlib's ids (figure_1, axes_1, patch_1, ...) repeat across charts: prefix them
    inline = re.sub(r'\bid="([^"]+)"', rf'id="{chart.name}-\1"', inline)
    inline = re.sub(r"url\(#([^)]+)\)", rf"url(#{chart.name}-\1)", inline)
    inline = re.sub(r'href="#([^"]+)"', rf'href="#{chart.name}-\1"', inline)
    return {"png": str(png), "svg": str(svg_path), "inline": inline}


def _attr(text: str) -> str:
    return html.escape(str(text), quote=True)
