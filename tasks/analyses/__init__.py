"""Analyses: plain functions over core tables, each producing one or more results tables.

:data:`ANALYSES` maps a name to a function ``f(warehouse_path) -> {results_table: frame}``;
the flow runs each as a task. The functions they call take frames, so tests use tiny frames.
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb
import pandas as pd

from tasks.analyses import grp, labour, perception


def read(path: str, sql: str) -> pd.DataFrame:
    """Run one read query against the warehouse file at ``path``."""
    with duckdb.connect(path) as con:
        return con.execute(sql).df()


def _observations(path: str) -> pd.DataFrame:
    return read(path, "SELECT * FROM core.observation")


def run_grp(path: str) -> dict[str, pd.DataFrame]:
    """GRP totals, growth, HHI and sector shares."""
    obs = _observations(path)
    return {
        "results.grp_by_year": grp.grp_by_year(obs),
        "results.grp_sector_share": grp.grp_sector_share(obs),
    }


def run_labour(path: str) -> dict[str, pd.DataFrame]:
    """Labour-market series with implied values."""
    return {"results.labour_market": labour.labour_market(_observations(path))}


def run_perception(path: str) -> dict[str, pd.DataFrame]:
    """Table 4 summary per area."""
    counts = read(path, "SELECT * FROM core.survey_perception_count")
    return {"results.perception_summary": perception.perception_summary(counts)}


ANALYSES: dict[str, Callable[[str], dict[str, pd.DataFrame]]] = {
    "grp": run_grp,
    "labour": run_labour,
    "perception": run_perception,
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
