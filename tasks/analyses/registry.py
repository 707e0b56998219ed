"""The town analyses the refresh flow runs: :data:`ANALYSES` and the run's headline figures.

:data:`ANALYSES` maps a name to a function ``f(warehouse_path) -> {results_table: frame}``; the
flow runs each as a task, then every registered study's (:mod:`tasks.studies`). The functions
they call take frames, so tests use tiny frames. Several analyses may return the same table
(``results.correlation``: the study's and the cross-town rows); :func:`merge_results` joins them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import pandas as pd

from tasks.analyses import coverage, grp, labour, perception, towns
from tasks.analyses.common import observations, one_value_per_cell, read, with_source
from tasks.survey import analyses as survey_analyses
from tasks.territories import default_registry


def run_grp(path: str) -> dict[str, pd.DataFrame]:
    """GRP totals, growth, HHI and sector shares."""
    obs = one_value_per_cell(observations(path), grp.SECTORS)
    return {
        "results.grp_by_year": with_source(grp.grp_by_year(obs), obs),
        "results.grp_sector_share": with_source(grp.grp_sector_share(obs), obs),
    }


def run_labour(path: str) -> dict[str, pd.DataFrame]:
    """Labour-market series with implied values."""
    obs = one_value_per_cell(observations(path), labour.INDICATORS)
    return {"results.labour_market": with_source(labour.labour_market(obs), obs)}


def run_perception(path: str) -> dict[str, pd.DataFrame]:
    """Table 4 summary per area."""
    counts = read(path, "SELECT * FROM core.survey_perception_count")
    return {"results.perception_summary": perception.perception_summary(counts)}


def run_coverage(path: str) -> dict[str, pd.DataFrame]:
    """Town x indicator x year x territory kind: ok / suppressed / missing / failed /
    not_configured (indicator levels from the shipped registry)."""
    levels = {i.indicator_id: i.fetch_levels for i in default_registry().indicators}
    cov = coverage.coverage(
        read(path, "SELECT * FROM core.town_territory"),
        read(path, "SELECT territory_id, kind, taldau_term_id, confirmed FROM core.territory"),
        read(
            path,
            "SELECT territory_id, indicator_id, year, value_status, source FROM core.observation",
        ),
        sorted(set(read(path, "SELECT indicator_id FROM core.indicator")["indicator_id"])),
        levels,
        coverage.failed_pairs(path),
    )
    return {"results.coverage": cov}


def run_town_profile(path: str) -> dict[str, pd.DataFrame]:
    """Cross-town results: town profiles, latest values with ranks, cross-town correlations.

    The correlation rows go to ``results.correlation`` beside the study's; the flow merges the
    frames of one table from several analyses (:func:`merge_results`).
    """
    town = towns.current_oblast(
        read(path, "SELECT * FROM core.town"), read(path, "SELECT * FROM core.town_territory")
    )
    territories = read(path, "SELECT * FROM core.territory")
    series = read(path, "SELECT * FROM core.v_town_series")
    return {
        "results.town_profile": towns.town_profile(town, territories, series),
        "results.town_indicator_latest": towns.town_indicator_latest(town, series),
        "results.correlation": towns.cross_town_correlations(series),
    }


def merge_results(parts: Iterable[dict[str, pd.DataFrame]]) -> dict[str, pd.DataFrame]:
    """Merge analyses' ``{table: frame}``: frames of the same table are concatenated.

    ``results.correlation`` gets rows from the study and from the cross-town analysis; a plain
    ``dict.update`` would keep only the last analysis' rows.
    """
    merged: dict[str, list[pd.DataFrame]] = {}
    for part in parts:
        for table, frame in part.items():
            merged.setdefault(table, []).append(frame)
    out = {}
    for table, frames in merged.items():
        rows = [f for f in frames if len(f)]
        if len(rows) > 1:
            out[table] = pd.concat(rows, ignore_index=True)
        else:
            out[table] = rows[0] if rows else frames[0]
    return out


ANALYSES: dict[str, Callable[[str], dict[str, pd.DataFrame]]] = {
    "grp": run_grp,
    "labour": run_labour,
    "perception": run_perception,
    "survey": survey_analyses.run,  # respondent-level waves (empty without imports)
    "town_profile": run_town_profile,
    "coverage": run_coverage,
}


def headline(path: str) -> list[dict]:
    """A few headline figures for the run artifact and the CLI summary."""
    out = []
    g = read(
        path,
        "SELECT town_id, year, total_as_study, total_industry_services "
        "FROM results.grp_by_year ORDER BY town_id, year DESC LIMIT 1",
    )
    for r in g.itertuples():
        out.append(
            {
                "figure": f"GRP {r.town_id} {r.year}, sum of the study's four columns (mln KZT)",
                "value": f"{r.total_as_study:,.1f}",
            }
        )
        out.append(
            {
                "figure": f"GRP {r.town_id} {r.year}, industry + services (mln KZT)",
                "value": f"{r.total_industry_services:,.1f}",
            }
        )
    lab = read(
        path,
        "SELECT town_id, year, unemployment_rate FROM results.labour_market "
        "WHERE unemployment_rate IS NOT NULL ORDER BY year DESC LIMIT 1",
    )
    for r in lab.itertuples():
        out.append(
            {
                "figure": f"unemployment rate {r.town_id} {r.year} (%)",
                "value": f"{r.unemployment_rate:g}",
            }
        )
    return out
