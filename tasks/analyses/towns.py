"""Cross-town results: one profile row per registry town, latest values with ranks, correlations.

Plain functions over frames (tests call them on tiny frames); :mod:`.registry` reads the
warehouse and calls them.

Inputs
------
``series``
    The columns of ``core.v_town_series``: one row per (town, territory, indicator, year,
    source). Only rows with ``value_status = 'ok'`` and a value count as data. Per (town,
    territory, indicator, year) one value is used, by
    :data:`tasks.analyses.common.SOURCE_PRIORITY` (files, then bundled, then Taldau).
``towns``
    The columns of ``core.town`` plus the town's current oblast (``oblast_id``, see
    :func:`current_oblast`).
``territories``
    ``core.territory`` (the oblast's names come from it).

Territory kinds are never mixed. A town's own series is ``territory_kind = 'town'`` (the town
proper); a city administration (town + the villages under it), a district or an oblast is a
different territory, and its figures are shown as such, beside the town's, never as the town's.

* :func:`town_profile` shows the *latest figure of the most specific kind* with a population
  figure (town proper first, then city administration, district, oblast, republic) and the
  change between the two latest figures *of that same territory*. The latest figure of another
  kind (Kentau's city administration, 206 720 on 1 January 2020, beside its town proper,
  74 659 on 1 January 2024) goes in the ``other_population*`` columns and the note; no change
  is ever computed across kinds or territories.
* :func:`town_indicator_latest` ranks towns among those whose latest value is of the same
  indicator, territory kind and year (1 = largest; ties share the lowest rank, as R
  ``rank(-x, ties.method = "min")``).
* :func:`cross_town_correlations` correlates two indicators over the territories of one kind
  in one year (a shared oblast counts once), only where ``n >= min_n``; the pairs skipped for
  n are logged, counted in the notes and listed by :func:`cross_town_pairs`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import date
from itertools import combinations

import numpy as np
import pandas as pd

from tasks.analyses.common import SOURCE_PRIORITY
from tasks.stats.correlation import COLUMNS as CORRELATION_COLUMNS
from tasks.stats.correlation import correlate

log = logging.getLogger(__name__)

#: Territory kinds, most specific first (the order of ``territories_available``).
KINDS: tuple[str, ...] = ("town", "city_administration", "district", "oblast", "republic")
POPULATION = "population"
MIN_N = 8

SERIES_COLUMNS = (
    "town_id",
    "indicator_id",
    "year",
    "value",
    "value_status",
    "unit",
    "territory_id",
    "territory_kind",
    "source",
    "source_ref",
    "note",
)
TOWN_COLUMNS = ("town_id", "name_en", "name_ru", "name_kk", "status", "oblast_id")
TERRITORY_COLUMNS = ("territory_id", "kind", "name_en", "name_ru", "name_kk")
TOWN_TERRITORY_COLUMNS = ("town_id", "territory_id", "kind", "valid_from", "valid_to")

#: Columns of ``results.town_profile`` (migration 009), in order.
PROFILE_COLUMNS: tuple[str, ...] = (
    "town_id",
    "name_en",
    "name_ru",
    "name_kk",
    "status",
    "oblast_id",
    "oblast_name_en",
    "oblast_name_ru",
    "oblast_name_kk",
    "territories_available",
    "population",
    "population_date",
    "population_kind",
    "population_territory_id",
    "population_source",
    "population_source_ref",
    "population_prev",
    "population_prev_date",
    "population_change",
    "population_change_pct",
    "population_change_years",
    "population_change_per_year",
    "other_population",
    "other_population_date",
    "other_population_kind",
    "other_population_territory_id",
    "n_indicators",
    "last_year",
    "n_indicators_town",
    "last_year_town",
    "note",
)

#: Columns of ``results.town_indicator_latest`` (migration 009), in order.
LATEST_COLUMNS: tuple[str, ...] = (
    "town_id",
    "indicator_id",
    "territory_kind",
    "territory_id",
    "year",
    "value",
    "unit",
    "source",
    "source_ref",
    "rank",
    "n_ranked",
    "note",
)

KIND_LABEL = {
    "town": "town proper",
    "city_administration": "city administration",
    "district": "district",
    "oblast": "oblast",
    "republic": "republic",
}


def _require(frame: pd.DataFrame, columns: Iterable[str], name: str) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise ValueError(f"{name} must be a pandas DataFrame, got {type(frame).__name__}")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{name} lacks columns {missing}")


def _check_series(series: pd.DataFrame) -> None:
    _require(series, SERIES_COLUMNS, "series")
    unknown = sorted(set(series["territory_kind"].dropna().astype(str)) - set(KINDS))
    if unknown:
        raise ValueError(f"series.territory_kind has unknown kinds {unknown}; known: {KINDS}")


def data_cells(series: pd.DataFrame) -> pd.DataFrame:
    """Rows with a value, one per (town, territory, indicator, year) by source priority.

    Rows with ``value_status`` other than ``ok`` or no value are no data (they stay missing).
    """
    _check_series(series)
    ok = series[series["value_status"].eq("ok") & series["value"].notna()].copy()
    ok["year"] = ok["year"].astype(int)
    ok["value"] = ok["value"].astype(float)
    rank = ok["source"].map({s: i for i, s in enumerate(SOURCE_PRIORITY)})
    ok["_rank"] = rank.fillna(len(SOURCE_PRIORITY))
    ok = ok.sort_values(["_rank", "source"], kind="stable")
    keys = ["town_id", "territory_id", "indicator_id", "year"]
    return ok.drop_duplicates(keys).drop(columns="_rank").reset_index(drop=True)


def current_oblast(
    towns: pd.DataFrame,
    town_territory: pd.DataFrame,
    on: date | None = None,
) -> pd.DataFrame:
    """``towns`` with ``oblast_id``: the oblast whose ``town_territory`` validity covers ``on``.

    ``on`` defaults to today (Satpayev: ``oblast_ulytau`` from 2022). A town with no such row
    gets a missing ``oblast_id``; of several, the one with the latest ``valid_from`` is kept.
    """
    _require(towns, ("town_id",), "towns")
    _require(town_territory, TOWN_TERRITORY_COLUMNS, "town_territory")
    on = pd.Timestamp(on or date.today())
    tt = town_territory[town_territory["kind"].eq("oblast")].copy()
    start = pd.to_datetime(tt["valid_from"])
    end = pd.to_datetime(tt["valid_to"])
    tt = tt[(start.isna() | (start <= on)) & (end.isna() | (end >= on))]
    tt = tt.assign(_from=pd.to_datetime(tt["valid_from"]))
    tt = tt.sort_values(["town_id", "_from"], na_position="first")
    tt = tt.drop_duplicates("town_id", keep="last")
    oblast = tt.set_index("town_id")["territory_id"]
    out = towns.drop(columns=["oblast_id"], errors="ignore").copy()
    out["oblast_id"] = out["town_id"].map(oblast)
    return out


def _jan1(year) -> date | None:
    return None if pd.isna(year) else date(int(year), 1, 1)


def _fmt(value: float) -> str:
    return f"{value:,.0f}".replace(",", " ")


def _population_part(pop: pd.DataFrame) -> tuple[dict, list[str]]:
    """Population columns and notes of one town from its population cells."""
    row: dict = {}
    notes: list[str] = []
    if pop.empty:
        return row, ["no population figure published"]
    pop = pop.assign(_k=pop["territory_kind"].map(KINDS.index))
    kind = pop["_k"].min()
    main = pop[pop["_k"] == kind]
    latest = main.sort_values(["year", "territory_id"]).iloc[-1]
    label = KIND_LABEL[latest["territory_kind"]]
    row.update(
        population=float(latest["value"]),
        population_date=_jan1(latest["year"]),
        population_kind=latest["territory_kind"],
        population_territory_id=latest["territory_id"],
        population_source=latest["source"],
        population_source_ref=latest["source_ref"],
    )
    if latest["territory_kind"] != "town":
        notes.append(f"no town proper figure; the population shown is of the {label}")
    same = main[main["territory_id"] == latest["territory_id"]].sort_values("year")
    if len(same) >= 2:
        prev = same.iloc[-2]
        years = int(latest["year"]) - int(prev["year"])
        change = float(latest["value"]) - float(prev["value"])
        row.update(
            population_prev=float(prev["value"]),
            population_prev_date=_jan1(prev["year"]),
            population_change=change,
            population_change_pct=100.0 * change / prev["value"] if prev["value"] else np.nan,
            population_change_years=years,
            population_change_per_year=change / years,
        )
    else:
        notes.append(f"one {label} figure only ({int(latest['year'])}-01-01): no change computed")
    rest = sorted(set(main["territory_id"]) - {latest["territory_id"]})
    if rest:
        notes.append(f"{label} figures of other territories ({', '.join(rest)}) are not compared")
    others = pop[pop["_k"] != kind]
    if not others.empty:
        other = others.sort_values(["_k", "year"], ascending=[True, False]).iloc[0]
        other_label = KIND_LABEL[other["territory_kind"]]
        row.update(
            other_population=float(other["value"]),
            other_population_date=_jan1(other["year"]),
            other_population_kind=other["territory_kind"],
            other_population_territory_id=other["territory_id"],
        )
        kinds = ", ".join(KIND_LABEL[k] for k in _ordered(others["territory_kind"]))
        notes.append(
            f"{other_label} figure {_fmt(other['value'])} on {int(other['year'])}-01-01 is "
            f"another territory ({other['territory_id']}); figures of different kinds "
            f"({label} vs {kinds}) are not compared"
        )
    return row, notes


def _ordered(kinds: Iterable[str]) -> list[str]:
    present = set(kinds)
    return [k for k in KINDS if k in present]


def town_profile(
    towns: pd.DataFrame, territories: pd.DataFrame, series: pd.DataFrame
) -> pd.DataFrame:
    """One row per registry town: names, status, oblast, coverage and population change.

    Parameters
    ----------
    towns : pandas.DataFrame
        ``core.town`` with ``oblast_id`` (:func:`current_oblast`); every row gives one profile
        row, with or without data.
    territories : pandas.DataFrame
        ``core.territory``; the oblast names come from it.
    series : pandas.DataFrame
        ``core.v_town_series`` rows.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`PROFILE_COLUMNS`. ``population`` is the latest figure of the most
        specific kind the town has (town proper first); ``population_change`` is latest minus
        the previous figure of the same territory, ``population_change_pct`` is 100 * change /
        previous, ``population_change_per_year`` is change / ``population_change_years``
        (years between the two 1-January dates). The latest figure of another kind goes in
        ``other_population*``; ``note`` says what is not compared and what is missing.

    Raises
    ------
    ValueError
        An input lacks a needed column, or ``series`` has an unknown territory kind.
    """
    _require(towns, TOWN_COLUMNS, "towns")
    _require(territories, TERRITORY_COLUMNS, "territories")
    cells = data_cells(series)
    names = territories.drop_duplicates("territory_id").set_index("territory_id")
    out = []
    for town in towns.sort_values("town_id").to_dict("records"):
        tid = town["town_id"]
        mine = cells[cells["town_id"] == tid]
        oblast = town.get("oblast_id")
        has_oblast = isinstance(oblast, str) and oblast in names.index
        row = {c: None for c in PROFILE_COLUMNS}
        row.update({c: town[c] for c in TOWN_COLUMNS})
        if has_oblast:
            for lang in ("en", "ru", "kk"):
                row[f"oblast_name_{lang}"] = names.at[oblast, f"name_{lang}"]
        kinds = _ordered(mine["territory_kind"])
        row["territories_available"] = "; ".join(kinds) if kinds else None
        own = mine[mine["territory_kind"] == "town"]
        row["n_indicators"] = int(mine["indicator_id"].nunique())
        row["last_year"] = int(mine["year"].max()) if len(mine) else None
        row["n_indicators_town"] = int(own["indicator_id"].nunique())
        row["last_year_town"] = int(own["year"].max()) if len(own) else None
        pop_row, notes = _population_part(mine[mine["indicator_id"] == POPULATION])
        row.update(pop_row)
        if not len(mine):
            notes.append("no data for any territory of the town")
        elif not len(own):
            notes.append("no data for the town proper (only for territories containing it)")
        if isinstance(oblast, str) and not has_oblast:
            notes.append(f"oblast {oblast} is not in core.territory")
        row["note"] = "; ".join(notes) if notes else None
        out.append(row)
    frame = pd.DataFrame(out, columns=list(PROFILE_COLUMNS))
    for col in ("n_indicators", "n_indicators_town"):
        frame[col] = frame[col].astype("int64")
    for col in ("last_year", "last_year_town", "population_change_years"):
        frame[col] = frame[col].astype("Int64")
    for col in (
        "population",
        "population_prev",
        "population_change",
        "population_change_pct",
        "population_change_per_year",
        "other_population",
    ):
        frame[col] = frame[col].astype(float)
    return frame


def town_indicator_latest(towns: pd.DataFrame, series: pd.DataFrame) -> pd.DataFrame:
    """Town x indicator x territory kind: the latest value, and its rank among towns.

    Parameters
    ----------
    towns : pandas.DataFrame
        ``core.town`` (``town_id``); ``series`` rows of other towns are an error.
    series : pandas.DataFrame
        ``core.v_town_series`` rows.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`LATEST_COLUMNS`, one row per (town, indicator, territory kind) with a
        value; the latest year's value (its territory, source and note). ``rank`` is the rank
        among the towns whose latest value is of the same indicator, kind and year, 1 = the
        largest; ties get the smallest rank of the tie (R ``rank(-x, ties.method = "min")``).
        ``n_ranked`` is the number of towns in that group. Towns in one oblast share its value,
        so they tie at oblast level.

    Raises
    ------
    ValueError
        An input lacks a needed column, ``series`` has an unknown kind or a town not in
        ``towns``.
    """
    _require(towns, ("town_id",), "towns")
    cells = data_cells(series)
    unknown = sorted(set(cells["town_id"]) - set(towns["town_id"]))
    if unknown:
        raise ValueError(f"series has towns not in towns: {unknown}")
    latest = cells.sort_values(["year", "territory_id"]).drop_duplicates(
        ["town_id", "indicator_id", "territory_kind"], keep="last"
    )
    group = latest.groupby(["indicator_id", "territory_kind", "year"])["value"]
    latest = latest.assign(
        rank=group.rank(method="min", ascending=False).astype("int64"),
        n_ranked=group.transform("size").astype("int64"),
    )
    kind_order = latest["territory_kind"].map(KINDS.index)
    latest = latest.assign(_k=kind_order).sort_values(["town_id", "indicator_id", "_k"])
    return latest[list(LATEST_COLUMNS)].reset_index(drop=True)


def _territory_cells(series: pd.DataFrame) -> pd.DataFrame:
    """One value per (territory, indicator, year): the unit of a cross-town correlation."""
    cells = data_cells(series)
    return cells.sort_values("town_id").drop_duplicates(["territory_id", "indicator_id", "year"])


def cross_town_pairs(series: pd.DataFrame) -> pd.DataFrame:
    """Every (kind, year, indicator pair) with its n: territories that have both values.

    Returns
    -------
    pandas.DataFrame
        Columns ``territory_kind, year, x, y, n`` (``x < y``), for every pair of indicators
        that both have a value somewhere in that kind and year, including ``n = 0``.
    """
    cells = _territory_cells(series)
    rows = []
    for (kind, year), sub in cells.groupby(["territory_kind", "year"], sort=True):
        wide = sub.pivot(index="territory_id", columns="indicator_id", values="value")
        for x, y in combinations(sorted(wide.columns), 2):
            n = int((wide[x].notna() & wide[y].notna()).sum())
            rows.append({"territory_kind": kind, "year": int(year), "x": x, "y": y, "n": n})
    return pd.DataFrame(rows, columns=["territory_kind", "year", "x", "y", "n"])


def analysis_label(kind: str, year: int) -> str:
    """The ``analysis`` value of cross-town rows: ``cross_town:<kind>:<year>``."""
    return f"cross_town:{kind}:{int(year)}"


def cross_town_correlations(
    series: pd.DataFrame,
    *,
    min_n: int = MIN_N,
    methods: Sequence[str] = ("spearman", "pearson"),
    conf_level: float = 0.95,
) -> pd.DataFrame:
    """Correlations between indicators across towns, within one territory kind and year.

    Parameters
    ----------
    series : pandas.DataFrame
        ``core.v_town_series`` rows.
    min_n : int, default 8
        Fewest territories with both values for a pair to be tested.
    methods : sequence of str, default ("spearman", "pearson")
        Methods of :func:`tasks.stats.correlation.correlate`, one row each per pair.
    conf_level : float, default 0.95
        Confidence level of the intervals.

    Returns
    -------
    pandas.DataFrame
        ``results.correlation`` rows (:data:`tasks.stats.correlation.COLUMNS`), ``analysis`` =
        ``cross_town:<kind>:<year>``. The units are the distinct territories of that kind with
        both values (towns in one oblast share one oblast value, counted once). Pairs with
        ``n < min_n`` give no row: they are logged, counted in the ``note`` of the rows of the
        same kind and year, and listed in ``attrs["skipped"]`` (also :func:`cross_town_pairs`).

    Raises
    ------
    ValueError
        ``series`` lacks a needed column or has an unknown kind; ``min_n < 3``; what
        :func:`~tasks.stats.correlation.correlate` raises for ``methods`` or ``conf_level``.
    """
    if int(min_n) < 3:
        raise ValueError(f"min_n must be at least 3, got {min_n!r}")
    cells = _territory_cells(series)
    pairs = cross_town_pairs(series)
    skipped = pairs[pairs["n"] < min_n].reset_index(drop=True)
    rows = []
    for (kind, year), sub in cells.groupby(["territory_kind", "year"], sort=True):
        wide = sub.pivot(index="territory_id", columns="indicator_id", values="value")
        label = analysis_label(kind, year)
        here = pairs[(pairs["territory_kind"] == kind) & (pairs["year"] == year)]
        n_skip = int((here["n"] < min_n).sum())
        context = (
            f"across {KIND_LABEL[kind]} territories, {int(year)}; units are territories with "
            f"both values (a shared oblast counts once)"
        )
        if n_skip:
            context += f"; {n_skip} other indicator pair(s) of this kind and year had n < {min_n}"
        for pair in here[here["n"] >= min_n].itertuples():
            both = wide[[pair.x, pair.y]].dropna()
            for method in methods:
                row = correlate(
                    both[pair.x].to_numpy(),
                    both[pair.y].to_numpy(),
                    method=method,
                    conf_level=conf_level,
                    analysis=label,
                    x_name=pair.x,
                    y_name=pair.y,
                )
                row["note"] = f"{row['note']}; {context}" if row["note"] else context
                rows.append(row)
    out = pd.DataFrame(rows, columns=list(CORRELATION_COLUMNS))
    if out.empty:
        out = out.astype({"n": "int64", "estimate": float, "p_value": float})
    if len(skipped):
        log.info(
            "cross-town correlations: %d indicator pair(s) skipped with n < %d "
            "(territories with both values, one kind and year); %d row(s) computed",
            len(skipped),
            min_n,
            len(out),
        )
    out.attrs["skipped"] = skipped
    return out
