"""The report's chart style and the drawing helpers every chart shares.

The matplotlib settings (:data:`STYLE`, scoped by :func:`style`), the report's colours, the
:class:`Chart` a chart function returns, and small helpers: the figure, its title and source
line (:func:`_finish`), tick formats, year axes, stacked bars. The chart functions themselves
are in :mod:`tasks.report.study_charts` and :mod:`tasks.report.result_charts`; the public entry
is :mod:`tasks.report.charts`.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from tasks.report import formats
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
