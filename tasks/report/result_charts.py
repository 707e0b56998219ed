"""The results' charts: correlations, hypotheses, the reproduction audit, quality, row counts.

Plain functions of frames returning a :class:`~tasks.report.chart_style.Chart`; import them from
:mod:`tasks.report.charts`, which adds the chart cache's key (:func:`tasks.report.cache.keyed`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from tasks.report.chart_style import (
    ACCENT,
    MUTED,
    SEVERITY_COLOUR,
    STATUS_COLOUR,
    VERDICT_COLOUR,
    Chart,
    _bar_panel,
    _counts,
    _finish,
    _num,
    _stacked_barh,
    style,
)
from tasks.report.formats import number
from tasks.report.i18n import t, value_label


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
