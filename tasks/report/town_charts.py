"""The charts across towns: small multiples of every town's series and the coverage grid.

Plain functions of frames returning a :class:`~tasks.report.charts.Chart`, drawn like the study's
charts (:func:`tasks.report.charts.style`, title, source line, numbers in the report's
language). Every series is labelled with the kind of territory it covers; missing years are
gaps, never interpolated.
"""

from __future__ import annotations

import math
import textwrap

import numpy as np
import pandas as pd
from matplotlib.colors import ListedColormap
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from tasks.report import formats
from tasks.report.charts import ACCENT, Chart, _figure, _finish, style
from tasks.report.formats import number
from tasks.report.i18n import t, value_label
from tasks.report.labels import territory_kind, unit_label

#: Line style and marker of each kind of territory (the same in every panel).
KIND_STYLE = {
    "town": ("-", "o"),
    "city_administration": ("--", "s"),
    "district": (":", "^"),
    "oblast": ("-.", "D"),
    "republic": ("-.", "v"),
}
KIND_ORDER = tuple(KIND_STYLE)
PALETTE = (
    ACCENT,
    "#e08214",
    "#2e8b57",
    "#8c564b",
    "#6a3d9a",
    "#c62828",
    "#17becf",
    "#7f7f00",
    "#e377c2",
    "#555555",
    "#1f77b4",
    "#bcbd22",
)
#: Coverage statuses, best first, and their colours.
COVERAGE_ORDER = ("ok", "suppressed", "failed", "missing", "not_configured")
COVERAGE_COLOUR = {
    "ok": "#2e7d32",
    "suppressed": "#8d6e00",
    "failed": "#c62828",
    "missing": "#f4c2bf",
    "not_configured": "#eeeeee",
}
COLUMNS = 4


def _kind_rank(kind: str) -> int:
    return KIND_ORDER.index(kind) if kind in KIND_ORDER else len(KIND_ORDER)


def town_panels(
    series: pd.DataFrame,
    towns: dict[str, str],
    indicators: dict[str, str],
    units: dict[str, str],
    source: str,
    note: str = "",
) -> Chart:
    """One panel per town with data: each (indicator, territory kind) series over the years.

    ``series`` has ``town_id, indicator_id, territory_kind, year, value`` (values only; no
    row, no point). ``towns`` maps town ids to their names, in panel order; ``indicators`` gives
    the display names and ``units`` each indicator's unit. A town whose series have several
    units gets one panel per unit (titled town and unit). Every y axis starts at zero, so a
    change looks as large as it is; points are labelled where a panel has few.
    """
    order = [tid for tid in towns if tid in set(series["town_id"])]
    inds = sorted(set(series["indicator_id"]), key=lambda i: (i != "population", i))
    colour = {ind: PALETTE[k % len(PALETTE)] for k, ind in enumerate(inds)}
    unit_of = series["indicator_id"].map(units).fillna("")
    first_ind = {
        u: min(inds.index(i) for i in inds if (units.get(i) or "") == u) for u in set(unit_of)
    }
    # (town, unit): a town whose series have several units gets one panel per unit
    panels = [
        (tid, unit)
        for tid in order
        for unit in sorted(set(unit_of[series["town_id"] == tid]), key=first_ind.get)
    ]
    rows = math.ceil((len(panels) + 1) / COLUMNS)  # at least one free slot: the legend
    used: dict[tuple[str, str], None] = {}
    with style():
        fig = _figure(11, 1.9 + 2.15 * rows)
        axes = np.atleast_1d(fig.subplots(rows, COLUMNS, squeeze=False)).ravel()
        for ax, (town_id, unit) in zip(axes, panels, strict=False):
            g = series[(series["town_id"] == town_id) & (unit_of == unit)]
            years = g["year"].astype(int)
            lo, hi = int(years.min()), int(years.max())
            if hi - lo < 2:
                lo, hi = lo - 1, hi + 1
            full = np.arange(lo, hi + 1)
            keys = sorted(
                {(i, k) for i, k in zip(g["indicator_id"], g["territory_kind"], strict=True)},
                key=lambda x: (inds.index(x[0]), _kind_rank(x[1])),
            )
            top = 0.0
            for ind, kind in keys:
                s = g[(g["indicator_id"] == ind) & (g["territory_kind"] == kind)]
                by_year = s.groupby(s["year"].astype(int))["value"].first()
                v = by_year.reindex(full).to_numpy(dtype=float)
                top = max(top, float(np.nanmax(v)) if np.isfinite(v).any() else 0.0)
                ls, marker = KIND_STYLE.get(kind, ("-", "o"))
                ax.plot(full, v, ls=ls, color=colour[ind], lw=1.6)
                ax.plot(full, v, ls="none", marker=marker, ms=4, color=colour[ind])
                used[(ind, kind)] = None
                if len(keys) <= 3 and by_year.notna().sum() <= 4:
                    for x, y in by_year.dropna().items():
                        ax.annotate(
                            number(y, ",.0f"),
                            (x, y),
                            textcoords="offset points",
                            xytext=(0, 5),
                            ha="center",
                            fontsize=6.5,
                            color=colour[ind],
                        )
            several = sum(1 for tid, _ in panels if tid == town_id) > 1
            title = towns[town_id]
            if several:
                title = t("charts.town_panels.panel_unit", town=title, unit=unit_label(unit))
            ax.set_title(title, fontsize=9, fontweight="bold")
            ax.set_xlim(lo - 0.5, hi + 0.5)
            step = 1 if hi - lo <= 5 else 3
            ax.set_xticks(range(lo, hi + 1, step), [str(y) for y in range(lo, hi + 1, step)])
            ax.tick_params(labelsize=7)
            ax.set_ylabel(unit_label(unit), fontsize=7)
            ax.yaxis.set_major_formatter(formats.tick_formatter(",.0f" if top >= 100 else ",.1f"))
            ax.set_ylim(0, (top if top > 0 else 1.0) * 1.2)  # from zero: changes in proportion
        for ax in axes[len(panels) :]:
            ax.axis("off")
        handles = [
            Line2D(
                [],
                [],
                color=colour[ind],
                ls=KIND_STYLE.get(kind, ("-", "o"))[0],
                marker=KIND_STYLE.get(kind, ("-", "o"))[1],
                ms=4,
                label=t(
                    "charts.town_panels.series",
                    indicator=indicators.get(ind, ind),
                    kind=territory_kind(kind),
                ),
            )
            for ind, kind in sorted(used, key=lambda x: (inds.index(x[0]), _kind_rank(x[1])))
        ]
        legend = axes[len(panels)].legend(
            handles=handles, loc="upper left", bbox_to_anchor=(0.0, 1.0), fontsize=7.5
        )
        legend.set_in_layout(False)  # it spreads over the free slots, not its own column
        _finish(fig, t("charts.town_panels.title", n=len(order)), source, note)
    return Chart(
        "town_panels", t("charts.town_panels.short"), fig, t("charts.town_panels.alt", n=len(order))
    )


def best_cells(coverage: pd.DataFrame) -> pd.DataFrame:
    """Per (town, indicator): the best status over years and kinds, its kinds and years.

    Columns ``town_id, indicator_id, status, kinds`` (the kinds having that status, most
    specific first), ``years_ok`` (years with a value, any kind) and ``years`` (years covered).
    """
    cols = ["town_id", "indicator_id", "status", "kinds", "years_ok", "years"]
    if coverage.empty:
        return pd.DataFrame(columns=cols)
    rank = {s: i for i, s in enumerate(COVERAGE_ORDER)}
    c = coverage.assign(_r=coverage["status"].map(rank).fillna(len(rank)))
    out = []
    for (town, ind), g in c.groupby(["town_id", "indicator_id"], sort=False):
        best = g["_r"].min()
        top = g[g["_r"] == best]
        kinds = sorted(set(top["territory_kind"]), key=_kind_rank)
        out.append(
            {
                "town_id": town,
                "indicator_id": ind,
                "status": COVERAGE_ORDER[int(best)] if best < len(rank) else "not_configured",
                "kinds": kinds,
                "years_ok": int(g.loc[g["status"] == "ok", "year"].nunique()),
                "years": int(g["year"].nunique()),
            }
        )
    return pd.DataFrame(out, columns=cols)


def coverage_grid(
    cells: pd.DataFrame,
    towns: dict[str, str],
    indicators: dict[str, str],
    source: str,
) -> Chart:
    """Town x indicator grid of :func:`best_cells`: colour = best status, text = kinds, years.

    ``towns`` (id -> name) gives the rows in order, ``indicators`` (id -> name) the columns.
    """
    town_ids, ind_ids = list(towns), list(indicators)
    code = {s: i for i, s in enumerate(COVERAGE_ORDER)}
    grid = np.full((len(town_ids), len(ind_ids)), code["not_configured"], dtype=float)
    look = {(r.town_id, r.indicator_id): r for r in cells.itertuples(index=False)}
    cmap = ListedColormap([COVERAGE_COLOUR[s] for s in COVERAGE_ORDER])
    with style():
        fig = _figure(11, 2.4 + 0.3 * len(town_ids))
        ax = fig.subplots()
        for i, town in enumerate(town_ids):
            for j, ind in enumerate(ind_ids):
                r = look.get((town, ind))
                if r is not None:
                    grid[i, j] = code.get(r.status, code["not_configured"])
        ax.imshow(grid, cmap=cmap, vmin=-0.5, vmax=len(COVERAGE_ORDER) - 0.5, aspect="auto")
        for i, town in enumerate(town_ids):
            for j, ind in enumerate(ind_ids):
                r = look.get((town, ind))
                if r is None or r.status == "not_configured":
                    continue
                kinds = ", ".join(t(f"charts.coverage.kind_short.{k}") for k in r.kinds)
                text = kinds
                if r.status == "ok":
                    text = t("charts.coverage.cell", kinds=kinds, ok=r.years_ok, years=r.years)
                dark = r.status in ("ok", "failed", "suppressed")
                ax.text(
                    j,
                    i,
                    text,
                    ha="center",
                    va="center",
                    fontsize=6.3,
                    color="white" if dark else "#333333",
                )
        ax.set_yticks(range(len(town_ids)), [towns[x] for x in town_ids], fontsize=8)
        ax.set_xticks(
            range(len(ind_ids)),
            [textwrap.fill(indicators[x], 13) for x in ind_ids],
            fontsize=6.5,
        )
        ax.xaxis.tick_top()
        ax.tick_params(length=0)
        ax.grid(False)
        ax.set_xticks(np.arange(-0.5, len(ind_ids)), minor=True)
        ax.set_yticks(np.arange(-0.5, len(town_ids)), minor=True)
        ax.grid(which="minor", color="white", lw=1.2)
        for side in ("left", "bottom"):
            ax.spines[side].set_visible(False)
        ax.set_xlabel(t("charts.coverage.xlabel"))
        ax.set_ylabel(t("charts.coverage.ylabel"))
        handles = [
            Patch(color=COVERAGE_COLOUR[s], label=value_label("coverage", s))
            for s in COVERAGE_ORDER
        ]
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
        keys = " · ".join(
            t(
                "charts.coverage.key",
                short=t(f"charts.coverage.kind_short.{k}"),
                kind=territory_kind(k),
            )
            for k in ("town", "city_administration", "district", "oblast")
        )
        _finish(fig, t("charts.coverage.title"), source, t("charts.coverage.note", keys=keys))
    return Chart("coverage_grid", t("charts.coverage.short"), fig, t("charts.coverage.alt"))
