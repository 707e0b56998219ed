"""What the warehouse holds per town: ``results.coverage`` (town x indicator x year x territory
kind), a plain function over core frames and the registry's indicator levels.

Status of a cell (the town's territory of that kind in that year):

* ``ok``: a value (any source); ``suppressed``: published as confidential (``"x"``);
* ``failed``: the territory's fetch of the indicator failed after retries in the last run;
* ``missing``: no value for the year although one could exist: a source provides the indicator
  for this kind of territory (a Taldau level with a known term id), or the same territory or
  another town's territory of this kind has values of it;
* ``not_configured``: nothing provides the indicator for this kind of territory (no Taldau level,
  no term id, no figure anywhere).

Years: the span of the indicator's values across all territories (else the span of all values).
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from tasks.analyses.common import read

COVERAGE_COLUMNS = [
    "town_id",
    "indicator_id",
    "year",
    "territory_kind",
    "territory_id",
    "status",
    "source",
    "territory_confirmed",
    "note",
]
STATUSES = ("ok", "suppressed", "missing", "failed", "not_configured")
#: statistical level of each territory kind (an indicator's ``levels`` in indicators.csv)
LEVEL_OF_KIND = {
    "town": "town",
    "district": "district",
    "city_administration": "district",
    "oblast": "oblast",
}


def _year_of(d) -> int | None:
    return None if d is None or pd.isna(d) else pd.Timestamp(d).year


def coverage(
    links: pd.DataFrame,
    territories: pd.DataFrame,
    observations: pd.DataFrame,
    indicators: list[str],
    levels: Mapping[str, tuple[str, ...]],
    failed: set[tuple[str, str]] = frozenset(),  # type: ignore[assignment]
) -> pd.DataFrame:
    """One row per (town, indicator, year, territory kind) with its status.

    Parameters
    ----------
    links : ``core.town_territory`` rows (town_id, territory_id, kind, valid_from, valid_to).
    territories : ``core.territory`` rows (territory_id, taldau_term_id, confirmed).
    observations : ``core.observation`` rows (territory_id, indicator_id, year, value_status,
        source).
    indicators : the indicator ids to cover (``core.indicator``).
    levels : indicator id -> the Taldau levels it is fetched at (``town``, ``district``,
        ``oblast``); indicators Taldau does not provide are absent.
    failed : (territory_id, indicator_id) pairs whose fetch failed in the last run.

    Returns
    -------
    pandas.DataFrame with :data:`COVERAGE_COLUMNS`, sorted by town, indicator, kind, year.
    """
    if observations.empty and not levels:
        return pd.DataFrame(columns=COVERAGE_COLUMNS)
    terms = dict(zip(territories["territory_id"], territories["taldau_term_id"], strict=True))
    confirmed = dict(zip(territories["territory_id"], territories["confirmed"], strict=True))
    cells: dict[tuple[str, str, int], tuple[str, str]] = {}
    rank = {"ok": 0, "suppressed": 1}
    for r in observations.itertuples(index=False):
        k = (r.territory_id, r.indicator_id, int(r.year))
        status = r.value_status if r.value_status in rank else "missing"
        old = cells.get(k)
        if old is None or rank.get(status, 2) < rank.get(old[0], 2):
            cells[k] = (status, r.source)
        elif old[0] == status and r.source not in old[1].split("+"):
            cells[k] = (status, "+".join(sorted({*old[1].split("+"), r.source})))
    has_any = {(t, i) for t, i, _ in cells}
    kind_of = dict(zip(territories["territory_id"], territories["kind"], strict=True))
    kind_has = {(LEVEL_OF_KIND.get(kind_of.get(t, ""), ""), i) for t, i in has_any}
    years_all = sorted({y for *_, y in cells})
    span: dict[str, list[int]] = {}
    for ind in indicators:
        ys = [y for (_, i, y) in cells if i == ind] or years_all
        span[ind] = list(range(min(ys), max(ys) + 1)) if ys else []
    rows = []
    for link in links.itertuples(index=False):
        first, last = _year_of(link.valid_from), _year_of(link.valid_to)
        kind = link.kind
        level = LEVEL_OF_KIND.get(kind, kind)
        tid = link.territory_id
        for ind in indicators:
            configured = level in levels.get(ind, ()) and pd.notna(terms.get(tid))
            for year in span[ind]:
                if (first is not None and year < first) or (last is not None and year > last):
                    continue
                cell = cells.get((tid, ind, year))
                note = None
                source = None
                if cell is not None:
                    status, source = cell
                elif (tid, ind) in failed:
                    status, note = "failed", "the Taldau fetch failed after retries (last run)"
                elif configured:
                    status, note = "missing", f"Taldau provides it at {level} level; no value"
                elif level in levels.get(ind, ()):
                    status = "not_configured"
                    note = f"Taldau has it at {level} level but the territory's id is unknown"
                elif (tid, ind) in has_any or (level, ind) in kind_has:
                    status, note = "missing", "published for other years or towns; none here"
                else:
                    status, note = "not_configured", f"no source provides it at {level} level"
                rows.append(
                    {
                        "town_id": link.town_id,
                        "indicator_id": ind,
                        "year": year,
                        "territory_kind": kind,
                        "territory_id": tid,
                        "status": status,
                        "source": source,
                        "territory_confirmed": bool(confirmed.get(tid, False)),
                        "note": note,
                    }
                )
    out = pd.DataFrame(rows, columns=COVERAGE_COLUMNS)
    if out.empty:
        return out
    # a town's oblast changes in 2022 (Satpayev): one row per (town, indicator, year, kind)
    out = out.drop_duplicates(["town_id", "indicator_id", "year", "territory_kind"])
    out["year"] = out["year"].astype("int64")
    return out.sort_values(["town_id", "indicator_id", "territory_kind", "year"]).reset_index(
        drop=True
    )


def failed_pairs(path: str) -> set[tuple[str, str]]:
    """(territory_id, indicator_id) of the fetches that failed in the run being written."""
    rows = read(
        path,
        "SELECT row_key FROM meta.quality_issue WHERE check_name = 'fetch_failed' AND "
        "last_run_id = (SELECT run_id FROM meta.pipeline_run WHERE status = 'running' "
        "ORDER BY started_at DESC LIMIT 1)",
    )
    out = set()
    for key in rows["row_key"].dropna():
        territory, _, indicator = str(key).partition("/")
        out.add((territory, indicator))
    return out


def summary(cov: pd.DataFrame) -> pd.DataFrame:
    """Cells by territory kind and status (what the CLI prints and the artifact shows)."""
    if cov.empty:
        return pd.DataFrame(columns=["territory_kind", *STATUSES, "cells"])
    table = cov.pivot_table(
        index="territory_kind", columns="status", values="year", aggfunc="count", fill_value=0
    )
    table = table.reindex(columns=list(STATUSES), fill_value=0)
    table["cells"] = table.sum(axis=1)
    return table.reset_index()
